"""The numeric method's functions as stored data: read without sympy, never executed as code."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from records import write_signed

from clsc.game import Game, Player, Var, numbuild, numform
from clsc.game import cache as dcache
from clsc.game.numeric import NumericGame
from clsc.game.ship import game_model_classes, with_references

# a two-stage game with a definition, an output, a FLAG and a one-variable follower:
# M sets w, R sets p; R's best reply p = (a + b*w)/(2b); M's profit (w - c)*(a - b*p) is maximised
# at w = (a + b*c)/(2b)
PARAMS = {"a": 100.0, "b": 2.0, "c": 10.0}
expected_w = (100.0 + 2.0 * 10.0) / (2 * 2.0)  # 30
expected_p = (100.0 + 2.0 * expected_w) / (2 * 2.0)  # 40


def _game(tag: str) -> Game:
    return Game(
        players=[
            Player("M", [Var("w", lower=0)], "(w - c)*D"),
            Player("R", [Var("p", lower=0)], "(p - w)*D"),
        ],
        stages=[["M"], ["R"]],
        definitions=(("D", "a - b*p"),),
        outputs=(("margin", "p - w"),),
        flags=("p > w",),
        name=f"numform-test-{tag}",
    )


@pytest.fixture
def builds(tmp_path, monkeypatch, count_calls):
    """A private cache directory; counts the sympy builds."""
    monkeypatch.setenv(dcache.ENV, str(tmp_path / "cache"))
    return tmp_path, count_calls(numbuild, "build_payload")


def _solve(game: Game) -> dict[str, float]:
    numform.numeric_form.cache_clear()  # bypass the in-process cache, not the files
    return NumericGame(game).solve(PARAMS)


def _record_path(tmp, game):
    return tmp / "cache" / f"{numform.disk_key(game)}.json"


def test_second_process_reads_the_stored_form_not_sympy(builds):
    tmp, calls = builds
    game = _game("disk")
    first = _solve(game)
    assert first["w"] == pytest.approx(expected_w, rel=1e-9)
    assert first["p"] == pytest.approx(expected_p, rel=1e-9)
    assert first["margin"] == pytest.approx(expected_p - expected_w, rel=1e-9)
    assert first["D"] == pytest.approx(100.0 - 2.0 * expected_p, rel=1e-9)
    assert first["p > w"] == pytest.approx(expected_p - expected_w, rel=1e-9)
    assert calls == [game.name] and _record_path(tmp, game).is_file()
    second = _solve(game)
    assert calls == [game.name] and second == first  # same code, bit for bit


PLANTED = [
    "__import__('pathlib').Path({marker!r}).touch()",
    "open({marker!r}, 'w')",
    "w.__class__",
    "(lambda: w)()",
    "10**100000",
    "zz",
]


@pytest.mark.parametrize("text", PLANTED)
def test_planted_code_with_a_valid_hash_is_never_executed(builds, text):
    tmp, calls = builds
    game = _game("plant")
    reference = _solve(game)
    path = _record_path(tmp, game)
    record = json.loads(path.read_text())
    marker = tmp / "executed"
    record["payload"]["movers"][1][0]["f"]["outputs"][0] = text.format(marker=str(marker))
    write_signed(path, record)
    calls.clear()
    assert _solve(game) == reference
    assert calls == [game.name] and not marker.exists()  # ignored and built again


def _own_vars_of_another_mover(payload):
    payload["movers"][0] = [{**payload["movers"][1][0], "name": "M"}]  # M does not decide p
    return payload


@pytest.mark.parametrize(
    "change",
    [
        lambda p: {**p, "vars": ["p", "w"]},  # not the game's variables in its order
        lambda p: {**p, "pi_names": ["pi_M"]},
        lambda p: {**p, "flags": [["p > w", "!=", {"assignments": [], "outputs": ["p - w"]}]]},
        lambda p: {**p, "movers": [[]]},  # one stage; the game has two
        lambda p: {**p, "roots": {"r": {"param": "nope", "bracket": [0, 1], "expr": {}}}},
        lambda p: {**p, "report": ["w", "p", "q"]},
        lambda p: {**p, "subgame_quadratic": [True]},  # one flag per stage
        lambda p: {**p, "subgame_quadratic": [1, 1]},  # booleans
        _own_vars_of_another_mover,
        lambda p: {k: v for k, v in p.items() if k != "defs"},
    ],
)
def test_a_payload_that_does_not_fit_its_game_is_refused(builds, change):
    game = _game("fit")
    payload = numbuild.build_payload(game)
    assert numform.NumericForm.from_payload(game, frozenset(), payload).report == ("w", "p")
    with pytest.raises(ValueError, match="not a numeric-form payload"):
        numform.NumericForm.from_payload(game, frozenset(), change(payload))


def test_a_function_object_is_accepted_only_from_a_build_in_this_process(builds):
    game = _game("callable")
    payload = numbuild.build_payload(game)
    payload["defs"] = lambda *args: [0.0]
    assert not numform.storable(payload)
    numform.NumericForm.from_payload(game, frozenset(), payload, trusted=True)
    with pytest.raises(ValueError, match="code"):
        numform.NumericForm.from_payload(game, frozenset(), payload)


def test_every_game_scenario_payload_is_plain_data():
    """The registered models' numeric functions print as whitelisted code (so they are stored)."""
    for cls in game_model_classes():
        for scenario, game in cls.games.items():
            payload = numbuild.build_payload(game)
            assert numform.storable(payload), f"{cls.name}/{scenario}"


CHILD = """
import sys
from clsc.models.registry import get_model
model = get_model("cascade-epr")
res = model.solve("decentralised", method="numeric")
print(str(res.status), repr(res.decisions["w"]), "sympy" in sys.modules,
      "scipy.optimize" in sys.modules)
"""


@pytest.mark.parametrize(("mode", "first_needs_sympy"), [("no-shipped", "True"), ("", "False")])
def test_a_later_process_solves_by_the_numeric_method_without_sympy(
    tmp_path, mode, first_needs_sympy
):
    """Not shipped: the first process builds the functions (sympy) and stores them, the second
    reads them. Shipped (a registered scenario): not even the first process needs sympy."""
    env = {"CLSC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ":".join(sys.path),
           "CLSC_CLOSED_FORMS": mode}  # fmt: skip
    runs = [
        subprocess.run(
            [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][:2] == runs[1][:2] and runs[0][0] == "optimal"
    assert runs[0][2] == first_needs_sympy
    assert runs[1][2:] == ["False", "False"]  # the second: no sympy, no scipy.optimize


# ---- shipped forms ---------------------------------------------------------------------------

SCENARIOS = [(cls, s) for cls in game_model_classes() for s in cls.games]
#: every shipped numeric form: the scenarios' games and the games they reference
SHIPPED = with_references([(f"{cls.name}/{s}", cls.games[s]) for cls, s in SCENARIOS])


def _functions(form: numform.NumericForm) -> dict[str, tuple[object, bool]]:
    """Every function of a form by name, with whether it takes the pi_X arguments too."""
    out = {"profits": (form.profits, False), "defs": (form.defs, False)}
    out["outputs"] = (form.outputs, True)
    for si, row in enumerate(form.movers):
        for m in row:
            for field in ("f", "grad", "hess", "gfull", "jac", "d1", "d2"):
                if getattr(m, field) is not None:
                    out[f"{si}.{m.name}.{field}"] = (getattr(m, field), False)
    out.update({f"root.{k}": (r[0], True) for k, r in form.roots.items()})
    out.update({f"flag.{t}": (f, False) for t, _, f in form.flags})
    return out


@pytest.mark.parametrize(("label", "game"), SHIPPED, ids=[label for label, _ in SHIPPED])
def test_shipped_numeric_form_equals_a_fresh_build(label, game):
    """Same names and the same values of every function at random points (a sympy release may
    print the code differently, so the values are compared, not the text)."""
    key = numform.shipped_key(game)
    body = dcache.read_record(numform.SHIPPED_DIR / f"{key}.json", key)
    assert body is not None, f"{label}: not shipped; run python -m clsc.game.ship"
    shipped = numform.NumericForm.from_payload(game, frozenset(), body)
    fresh = numform.NumericForm.from_payload(
        game, frozenset(), numbuild.build_payload(game), trusted=True
    )
    for attr in ("params", "vars", "report", "pi_names", "quadratic", "subgame_quadratic",
                 "profit_names", "definitions", "output_names"):  # fmt: skip
        assert getattr(shipped, attr) == getattr(fresh, attr), attr
    a, b = _functions(shipped), _functions(fresh)
    assert a.keys() == b.keys()
    rng = np.random.default_rng(7)
    n_in = len(fresh.vars) + len(fresh.params)
    for _ in range(3):
        point = list(rng.uniform(0.5, 2.0, n_in))
        pis = list(rng.uniform(1.0, 10.0, len(fresh.pi_names)))
        for name, (f, with_pi) in a.items():
            args = point + pis if with_pi else point
            got = np.asarray(f(*args), dtype=float)
            want = np.asarray(b[name][0](*args), dtype=float)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


def test_every_shipped_numeric_record_belongs_to_a_scenario():
    keys = {numform.shipped_key(game) for _, game in SHIPPED}
    files = {p.stem for p in numform.SHIPPED_DIR.glob("*.json")}
    assert files == keys
