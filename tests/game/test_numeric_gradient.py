"""The gradient-based numeric method (implicit-function-theorem slopes, Newton outer search).

Checked against the closed form (to 1e-8) and against the derivative-free outer search it
replaces, on the shipped Stackelberg models (every game-model scenario, including the
three-stage sorting-collection N whose leader's slopes are nested), and on small games with a
hand-derived answer: a three-stage game whose middle follower sits at its bound, a four-stage
serial chain; divergence is judged relative to the problem's scale (issue 14) and a failing
problem is attributed to the right player (issue 15).
"""

from __future__ import annotations

import numpy as np
import pytest

from clsc.bench.cases_speed import game_scenarios
from clsc.errors import ParameterError
from clsc.game import Game, Player, Var
from clsc.game.numeric import NumericGame
from clsc.models import get_model
from clsc.models.cascade_epr import CascadeEPR
from clsc.models.process_innovation import ProcessInnovation
from clsc.models.sorting_collection import PER_UNIT_GAMES, SCOPE_GAMES, SortingCollection
from clsc.results import CONDITION_FAILED, OPTIMAL, UNBOUNDED

CASES = [
    (CascadeEPR, "decentralised", {}),
    (CascadeEPR, "decentralised", {"k": 120.0, "a": 150.0}),
    (ProcessInnovation, "PM", {}),
    (ProcessInnovation, "PM", {"theta": 0.2, "r": 1.5}),
    (ProcessInnovation, "P", {}),
    (ProcessInnovation, "M", {"b": 0.5}),
    # delta = 0: no sorting, s = 0 on its bound (M's own variable; the last mover S's)
    (SortingCollection, "N", {"delta": 0.0}),
    (SortingCollection, "N", {"sorting": "per_unit", "k": 3000.0, "delta": 0.0}),
]


def _assert_close(numeric: dict, closed: dict, rel: float) -> None:
    for key, expected_value in closed.items():
        assert numeric[key] == pytest.approx(expected_value, rel=rel, abs=rel), key


@pytest.mark.parametrize(("cls", "scenario", "params"), CASES)
def test_gradient_numeric_equals_closed_form(cls, scenario, params):
    model = cls()
    expected = model.solve(scenario, params=params)  # closed form: the independent reference
    numeric = model.solve(scenario, params=params, method="numeric")
    assert expected.status == OPTIMAL and numeric.status == OPTIMAL
    _assert_close(numeric.decisions, expected.decisions, 1e-8)
    _assert_close(numeric.profits, expected.profits, 1e-8)


SCENARIOS = game_scenarios(False)


def _random_points(model, scenario: str, fixed: dict, seed: int, n: int) -> list[dict]:
    """``n`` points with every numeric default scaled by U(0.8, 1.2) (seeded) where the
    parameters are valid and the closed form is optimal (other draws are redrawn)."""
    rng = np.random.default_rng(seed)
    base = {k: v for k, v in model.spec.defaults().items() if isinstance(v, int | float)}
    base.update({k: v for k, v in fixed.items() if k != "sorting"})
    out = []
    for _ in range(50 * n):
        params = {**fixed, **{k: v * rng.uniform(0.8, 1.2) for k, v in base.items()}}
        try:
            if model.solve(scenario, params=params).status == OPTIMAL:
                out.append(params)
        except ParameterError:
            continue
        if len(out) == n:
            return out
    raise AssertionError(f"no valid random points for {model.name} {scenario}")


@pytest.mark.parametrize(("label", "args"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_every_game_scenario_numeric_equals_closed_form(label, args):
    model = get_model(args[0])
    scenario = args[2]
    fixed = dict(a.split("=", 1) for a in args[4::2])  # the --set values
    fixed = {k: (v if k == "sorting" else float(v)) for k, v in fixed.items()}
    points = [fixed, *_random_points(model, scenario, fixed, SCENARIOS.index((label, args)), 2)]
    for params in points:
        expected = model.solve(scenario, params=params)  # closed form: the independent reference
        numeric = model.solve(scenario, params=params, method="numeric")
        assert expected.status == OPTIMAL and numeric.status == OPTIMAL, (params, numeric.message)
        _assert_close(numeric.decisions, expected.decisions, 1e-8)
        _assert_close(numeric.profits, expected.profits, 1e-8)


def _float_defaults(cls, params: dict) -> dict[str, float]:
    values = {**cls.spec.defaults(), **params}
    return {k: float(v) for k, v in values.items() if isinstance(v, int | float)}


@pytest.mark.parametrize(
    ("game", "values"),
    [
        (ProcessInnovation.games["PM"], _float_defaults(ProcessInnovation, CASES[3][2])),
        (SCOPE_GAMES["N"], _float_defaults(SortingCollection, {})),  # three stages
        (PER_UNIT_GAMES["N"], _float_defaults(SortingCollection, {"k": 3000.0})),
    ],
    ids=["process-innovation PM", "sorting-collection N", "sorting-collection N per-unit"],
)
def test_gradient_and_derivative_free_searches_agree(game, values):
    fast = NumericGame(game, gradient=True).solve(values)
    slow = NumericGame(game, gradient=False).solve(values)
    _assert_close(fast, {k: v for k, v in slow.items() if np.isfinite(v)}, 1e-7)


# leader L (price w, advertising m) -> collector C (return rate tau in [0, 1]) -> retailer R
CORNER = Game(
    players=[
        Player("L", [Var("w"), Var("m", lower=0)], "(w - c + D*tau)*q - m^2/2"),
        Player("C", [Var("tau", lower=0, upper=1)], "b*tau*q - k*tau^2"),
        Player("R", [Var("p")], "(p - w)*q"),
    ],
    stages=[["L"], ["C"], ["R"]],
    definitions={"q": "a + m - p"},
    name="corner",
)
CORNER_PARAMS = {"a": 100.0, "c": 20.0, "D": 20.0, "b": 10.0, "k": 100.0}


def corner_expected(a, c, D, b, k):
    """Hand derivation: R sets p = (a + m + w)/2, so q = (a + m - w)/2; C's interior rate
    b*q/(2k) exceeds 1 here, so tau = 1; then L maximises (w - c + D)*q - m^2/2: w = (a + m +
    c - D)/2 and m = (w - c + D)/2 = q, so q = (a - c + D)/3. (Where C is interior, q <= 2k/b
    and L's profit is at most 80q - q^2/2 <= 1400 < 1.5 q^2 = 1666.7 at these values.)"""
    q = (a - c + D) / 3
    assert b * q / (2 * k) > 1  # the bound binds
    w = (a + q + c - D) / 2
    return {"w": w, "m": q, "tau": 1.0, "p": (a + q + w) / 2, "q": q, "pi_L": 1.5 * q * q}


@pytest.mark.parametrize("gradient", [True, False])
def test_three_stages_with_the_middle_follower_at_its_bound(gradient):
    expected = corner_expected(**CORNER_PARAMS)
    out = NumericGame(CORNER, gradient=gradient).solve(CORNER_PARAMS)
    assert out["tau"] == expected["tau"]  # exactly on the bound
    _assert_close(out, expected, 1e-8)


CHAIN = Game(
    players=[
        Player("A", [Var("w1")], "(w1 - c)*q"),
        Player("B", [Var("w2")], "(w2 - w1)*q"),
        Player("C", [Var("w3")], "(w3 - w2)*q"),
        Player("D", [Var("p")], "(p - w3)*q"),
    ],
    stages=[["A"], ["B"], ["C"], ["D"]],
    definitions={"q": "a - p"},
    name="chain",
)


def test_four_stage_chain_nested_slopes():
    # hand derivation: each reseller marks up half the gap to a; the slopes of stage B are
    # differences of differences (Richardson-extrapolated), still exact to 1e-8
    a, c = 100.0, 20.0
    w1 = (a + c) / 2
    w2 = (a + w1) / 2
    w3 = (a + w2) / 2
    expected = {"w1": w1, "w2": w2, "w3": w3, "p": (a + w3) / 2, "pi_A": (w1 - c) * (a - w1) / 8}
    _assert_close(NumericGame(CHAIN).solve({"a": a, "c": c}), expected, 1e-8)


def test_large_parameters_are_not_divergence():
    # issue 14: a = 3e8 gives w about 1.4e8; the closed form is optimal there
    model = ProcessInnovation()
    expected = model.solve("M", params={"a": 3e8})
    numeric = model.solve("M", params={"a": 3e8}, method="numeric")
    assert expected.status == OPTIMAL
    assert numeric.status == OPTIMAL, numeric.message
    assert numeric.decisions["w"] > 1e8
    _assert_close(numeric.decisions, expected.decisions, 1e-8)


def test_failing_problem_names_the_leader():
    # issue 15: with r = 7, PB's second-order condition fails (closed form); PB's reduced
    # profit grows without bound as w falls and x rises, so PB's problem is the unbounded one
    model = ProcessInnovation()
    closed = model.solve("PM", params={"r": 7.0})
    assert closed.status == CONDITION_FAILED and "PB: SOC" in closed.message
    numeric = model.solve("PM", params={"r": 7.0}, method="numeric")
    assert numeric.status == UNBOUNDED
    assert numeric.message.startswith("PB's problem")
    assert "NEV" not in numeric.message


# C has two local maxima in tau (near -1 and +1); its start tau = -1 puts it on the worse one,
# which L's search follows locally from each of its starts in [0, 3]: the candidates must be
# re-solved in full and the search repeated with C's best responses
BRANCH = Game(
    players=[
        Player("L", [Var("w", lower=0, upper=3)], "k*p - (w - 2)^2"),
        Player("C", [Var("tau", lower=-10, upper=10, start=-1.0)], "(w - 1)*tau - (tau^2 - 1)^2"),
        Player("R", [Var("p")], "-(p - tau)^2"),
    ],
    stages=[["L"], ["C"], ["R"]],
    name="branch",
)


def _branch_best_tau(w: float) -> float:
    """C's best response by hand: the real roots of 4 tau^3 - 4 tau = w - 1 in [-10, 10],
    the one of largest profit."""
    roots = np.roots([4.0, 0.0, -4.0, -(w - 1.0)])
    real = roots[np.abs(roots.imag) < 1e-9].real
    real = real[(real >= -10) & (real <= 10)]
    return float(max(real, key=lambda t: (w - 1) * t - (t * t - 1) ** 2))


def test_middle_follower_on_its_best_branch():
    k = 0.1
    out = NumericGame(BRANCH).solve({"k": k})
    w, tau = out["w"], out["tau"]
    # feasibility and optimality: C on its best response, R copies it, L's first-order
    # condition -2(w - 2) + k dtau/dw = 0 with dtau/dw = 1/(12 tau^2 - 4), and no w on a
    # grid does better for L (with C's best responses)
    assert tau == pytest.approx(_branch_best_tau(w), rel=1e-9) and tau > 0
    assert out["p"] == pytest.approx(tau, rel=1e-12)
    assert -2 * (w - 2) + k / (12 * tau**2 - 4) == pytest.approx(0.0, abs=1e-9)
    grid = np.linspace(0.0, 4.0, 401)
    best_on_grid = max(k * _branch_best_tau(v) - (v - 2) ** 2 for v in grid)
    assert out["pi_L"] >= best_on_grid - 1e-12
    slow = NumericGame(BRANCH, gradient=False).solve({"k": k})
    _assert_close(out, slow, 1e-7)
