"""The game engine on small declared games: both methods, corners, bad declarations."""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np
import pytest
import sympy as sp

from clsc.cli import main
from clsc.errors import ClscError
from clsc.expr import parse_expr
from clsc.game import Coalition, Game, GameError, Player, Var
from clsc.game.compile import compile_solution
from clsc.game.model import GameModel
from clsc.game.numeric import Unbounded, solve_numeric
from clsc.game.prepare import check_params
from clsc.game.symbolic import sign_reduce, solve_game
from clsc.game.symbols import symbol
from clsc.params import Param, ParamSpec
from clsc.results import CONDITION_FAILED, OPTIMAL, UNBOUNDED

# Savaskan, Bhattacharya & Van Wassenhove (2004), model T (third-party collection): demand
# D = phi - beta*p; M sets w and the price b it pays the collector; then R (price p) and the
# third party T (return rate tau) move simultaneously.
SAVASKAN_T = Game(
    players=[
        Player("M", [Var("w"), Var("b")], "(w - cm + (Delta - b)*tau)*D"),
        Player("R", [Var("p")], "(p - w)*D"),
        Player("T", [Var("tau", lower=0, upper=1)], "b*tau*D - A*tau^2"),
    ],
    stages=[["M"], ["R", "T"]],
    definitions={"D": "phi - beta*p"},
    outputs={"total": "pi_M + pi_R + pi_T"},
)
SAVASKAN_PARAMS = {"phi": 100.0, "beta": 2.0, "cm": 30.0, "Delta": 20.0, "A": 1000.0}


def savaskan_expected(phi, beta, cm, Delta, A):
    """Hand-derived closed form of model T (independent of the engine)."""
    u = 4 * A * (phi - beta * cm) / (16 * A - beta * Delta**2)  # equilibrium demand D
    return {
        "b": Delta / 2,
        "tau": Delta * (phi - beta * cm) / (16 * A - beta * Delta**2),  # Savaskan's tau^T
        "w": (phi - 2 * u) / beta,
        "p": (phi - u) / beta,
        "D": u,
    }


def test_three_player_game_closed_form_and_numeric():
    expected = savaskan_expected(**SAVASKAN_PARAMS)
    sol = solve_game(SAVASKAN_T, {n: "positive" for n in SAVASKAN_PARAMS})
    closed = {k: float(v) for k, v in compile_solution(sol)(**SAVASKAN_PARAMS).items()}
    numeric = solve_numeric(SAVASKAN_T, SAVASKAN_PARAMS)
    for key, value in expected.items():
        assert closed[key] == pytest.approx(value, rel=1e-12), key
        assert numeric[key] == pytest.approx(value, rel=1e-7), key
    for key in ("pi_M", "pi_R", "pi_T", "total"):
        assert numeric[key] == pytest.approx(closed[key], rel=1e-9)
    # the simultaneous stage gives one SOC per mover; M's Hessian in (w, b) is checked too
    names = [c.name for c in sol.conditions if c.kind == "SOC"]
    assert any(n.startswith("R:") for n in names) and any(n.startswith("T:") for n in names)
    assert any(n.startswith("M: SOC minor 2") for n in names)


def test_coalition_is_the_sum_of_members_profits():
    g = Game(
        players=[
            Player("M", [Var("w")], "(w - c)*(a - p)"),
            Player("R", [Var("p")], "(p - w)*(a - p)"),
            Coalition("MR", ("M", "R")),
        ],
        stages=[["MR"]],
    )
    sol = solve_game(g)
    a, c = symbol("a"), symbol("c")
    assert "w" not in sol.decisions  # an internal transfer is not determined
    assert sp.simplify(sol.decisions["p"] - (a + c) / 2) == 0
    assert sp.simplify(sol.profits["MR"] - (a - c) ** 2 / 4) == 0
    assert solve_numeric(g, {"a": 10, "c": 2})["p"] == pytest.approx(6.0, rel=1e-12)


# --- a small model: interior closed form vs enforced bound (corner) -------------------------
CAPPED = Game(
    players=[
        Player("C", [Var("p1"), Var("tau", lower=0, upper=1)], "(p1 - cm)*q + d*tau*q - k*tau^2")
    ],
    stages=[["C"]],
    definitions={"q": "a - alpha*p1"},
)


class Capped(GameModel):
    name = "capped-test"
    spec = ParamSpec(
        params=tuple(
            Param(n, v, lower=0.0, strict=True)
            for n, v in {"a": 100.0, "alpha": 2.0, "cm": 30.0, "d": 15.0, "k": 200.0}.items()
        )
    )
    games: ClassVar[dict[str, Game]] = {"C": CAPPED}


def test_binding_bound_closed_form_status_and_numeric_corner():
    model = Capped()
    # d = 15 (b = 5 in cascade-epr): interior tau* = 1.7143 > 1
    closed = model.solve("C")
    assert closed.status == CONDITION_FAILED and "tau <= 1" in closed.message
    assert not closed.decisions
    numeric = model.solve("C", method="numeric")
    assert numeric.status == OPTIMAL
    # hand check of the corner: tau = 1, then p1 maximises (p1 - cm + d)*q - k
    a, alpha, cm, d = 100.0, 2.0, 30.0, 15.0
    assert numeric.decisions["tau"] == pytest.approx(1.0, abs=1e-12)
    assert numeric.decisions["p1"] == pytest.approx((a / alpha + cm - d) / 2, rel=1e-9)
    # where the bound does not bind both methods agree
    for method in ("closed-form", "numeric"):
        r = model.solve("C", params={"d": 5.0}, method=method)
        assert r.status == OPTIMAL and r.decisions["tau"] < 1


def test_power_demand_variant_without_closed_form_numeric():
    # q = a*p^(-eps): R marks up p = eps*w/(eps - 1); M then sets w = eps*c/(eps - 1)
    g = Game(
        players=[
            Player("M", [Var("w", lower=1e-6, start=5.0)], "(w - c)*q"),
            Player("R", [Var("p", lower=1e-6, start=10.0)], "(p - w)*q"),
        ],
        stages=[["M"], ["R"]],
        definitions={"q": "a*p^(-eps)"},
    )
    eps, c = 3.0, 2.0
    out = solve_numeric(g, {"a": 1000.0, "eps": eps, "c": c})
    w = eps * c / (eps - 1)
    assert out["w"] == pytest.approx(w, rel=1e-6)
    assert out["p"] == pytest.approx(eps * w / (eps - 1), rel=1e-6)


def test_convex_collection_cost_variant_numeric_matches_first_order_condition():
    # collection cost k*t^3 (no quadratic closed form): t* solves (delta - b)*q = 3k t^2
    g = Game(
        players=[Player("R", [Var("t", lower=0, start=0.5)], "(delta - b)*t*q - k*t^3")],
        stages=[["R"]],
    )
    out = solve_numeric(g, {"delta": 20.0, "b": 8.0, "q": 15.0, "k": 200.0})
    assert out["t"] == pytest.approx(np.sqrt(12 * 15 / 600), rel=1e-9)


# --- bad declarations -----------------------------------------------------------------------
def test_unknown_symbol_is_a_clear_error():
    g = Game(players=[Player("R", [Var("p")], "(p - w)*(a - p) + zeta")], stages=[["R"]])
    with pytest.raises(GameError, match="unknown symbol 'zeta'"):
        check_params(g, ("a", "w"))
    with pytest.raises(GameError, match="unknown symbol 'zeta'"):

        class Bad(GameModel):  # the model class refuses the declaration at import time
            name = "bad-test"
            spec = ParamSpec(params=(Param("a", 1.0), Param("w", 1.0)))
            games: ClassVar[dict[str, Game]] = {"S": g}


def test_unbounded_follower():
    g = Game(players=[Player("R", [Var("p")], "(p - w)*a")], stages=[["R"]])
    with pytest.raises(GameError, match="unbounded follower problem"):
        solve_game(g)
    with pytest.raises(Unbounded):
        solve_numeric(g, {"a": 1.0, "w": 1.0})


def test_non_concave_stage_is_a_condition_status():
    g = Game(players=[Player("R", [Var("p")], "p^2 - w*p + a")], stages=[["R"]])

    class Convex(GameModel):
        name = "convex-test"
        spec = ParamSpec(params=(Param("a", 1.0), Param("w", 1.0)))
        games: ClassVar[dict[str, Game]] = {"S": g}

    r = Convex().solve("S")
    assert r.status == CONDITION_FAILED and "SOC" in r.message and not r.decisions
    assert Convex().solve("S", method="numeric").status == UNBOUNDED


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"players": [Player("R", [Var("p")], "p")], "stages": [["X"]]}, "unknown player 'X'"),
        ({"players": [Player("R", [Var("p")], "p"), Player("M", [Var("p")], "p")],
          "stages": [["R"], ["M"]]}, "declared by R and M"),
        ({"players": [Player("R", [Var("p")], "p"), Coalition("C", ("R", "Z"))],
          "stages": [["C"]]}, "unknown member 'Z'"),
        ({"players": [Player("R", [Var("p")], "p")], "stages": [["R"], ["R"]]}, "moves twice"),
        ({"players": [Player("R", [Var("p")], "p"), Player("M", [Var("w")], "w")],
          "stages": [["R"]]}, "is in no stage"),
    ],
)  # fmt: skip
def test_malformed_declarations(kwargs, needle):
    with pytest.raises(GameError, match=needle):
        Game(**kwargs)


def test_unsafe_text_is_refused():
    g = Game(players=[Player("R", [Var("p")], "__import__('os').getcwd()")], stages=[["R"]])
    with pytest.raises(ClscError):
        solve_game(g)


def test_sign_reduce_strips_positive_factors():
    a, k, x = symbol("a"), symbol("k"), symbol("x")
    expr = 4 * a**2 * k * (x - 1) / (k + 1) ** 2
    assert sp.simplify(sign_reduce(expr, {"a": "positive", "k": "positive"}) - (x - 1)) == 0
    assert sign_reduce(-2 * k, {"k": "positive"}) == -1


def test_compiled_solution_is_vectorised():
    sol = solve_game(SAVASKAN_T)
    cs = compile_solution(sol)
    phi = np.linspace(80, 120, 1000)
    out = cs(**{**SAVASKAN_PARAMS, "phi": phi})
    assert out["w"].shape == (1000,) and out["b"].shape == (1000,)  # constants broadcast
    expected = savaskan_expected(**{**SAVASKAN_PARAMS, "phi": phi})
    np.testing.assert_allclose(out["tau"], expected["tau"], rtol=1e-12)
    assert cs.valid(out).all()


def test_derive_cli(capsys):
    assert main(["derive", "process-innovation", "--scenario", "P", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    h, k, r = symbol("h"), symbol("k"), symbol("r")
    socs = [c["expression"] for c in out["conditions"] if c["kind"] == "SOC"]
    assert any(sp.expand(parse_expr(e, allow_unknown=True) - ((4 + k) * h - r**2)) == 0
               for e in socs)  # fmt: skip
    assert main(["derive", "cascade-epr", "--scenario", "centralised", "--format", "latex"]) == 0
    assert "\\alpha" in capsys.readouterr().out
    assert main(["derive", "cascade-epr", "--scenario", "nope"]) == 2


def test_solve_cli_both_methods_json(capsys):
    # spec 6.9 Table 4, mode P: w = 1691/23 = 73.5217
    for method in ("closed-form", "numeric"):
        argv = ["solve", "process-innovation", "--scenario", "P", "--method", method, "--json"]
        assert main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["status"] == "optimal" and out["method"] == method
        assert out["decisions"]["w"] == pytest.approx(1691 / 23, rel=1e-9)
    code = main(["solve", "cascade-epr", "--scenario", "centralised", "--set", "k=50"])
    assert code == 1 and "condition_failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "model_name, scenario, box",
    [
        ("cascade-epr", "decentralised", {"b": (5, 10), "B_subsidy": (10, 20), "k": (150, 300)}),
        ("cascade-epr", "revenue-sharing", {"b": (5, 10), "phi": (0.5, 0.9)}),
        ("process-innovation", "PM", {"theta": (0, 1), "h": (3, 8), "k": (2, 10)}),
    ],
)
def test_numeric_agrees_with_closed_form_on_random_points(model_name, scenario, box):
    from clsc.models import get_model

    model = get_model(model_name)
    rng = np.random.default_rng(7)
    for _ in range(5):
        params = {k: float(rng.uniform(*v)) for k, v in box.items()}
        closed = model.solve(scenario, params=params)
        numeric = model.solve(scenario, params=params, method="numeric")
        assert closed.ok and numeric.ok, (params, closed.message, numeric.message)
        for key, value in {**closed.decisions, **closed.profits, **closed.metrics}.items():
            other = {**numeric.decisions, **numeric.profits, **numeric.metrics}[key]
            assert other == pytest.approx(value, rel=1e-6, abs=1e-9), (key, params)
