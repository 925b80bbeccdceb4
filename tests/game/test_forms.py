"""Closed forms as data: shipped forms equal a fresh derivation; bad files are never executed."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from records import write_signed

from clsc.game import Game, Player, Var, forms, symbolic
from clsc.game import cache as dcache
from clsc.game.compile import compile_solution
from clsc.game.fastform import ClosedForm
from clsc.game.names import used_names
from clsc.game.outcome import spec_assumptions
from clsc.game.prepare import prepare
from clsc.game.ship import game_model_classes, shipped_entries

SCENARIOS = [(cls, s) for cls in game_model_classes() for s in cls.games]


def _points(cls, n: int = 3) -> list[dict[str, float]]:
    """The spec's defaults and ``n - 1`` points with every number scaled by 0.8-1.2."""
    rng = np.random.default_rng(12)
    base = {p.name: float(p.default) for p in cls.spec if isinstance(p.default, int | float)}
    return [base] + [{k: v * rng.uniform(0.8, 1.2) for k, v in base.items()} for _ in range(n - 1)]


def _shipped(cls, scenario) -> ClosedForm:
    game, asm = cls.games[scenario], tuple(sorted(spec_assumptions(cls.spec).items()))
    key = forms.shipped_key(game, asm)
    body = dcache.read_record(forms.SHIPPED_DIR / f"{key}.json", key)
    assert body is not None, f"{cls.name}/{scenario}: not shipped; run python -m clsc.game.ship"
    return ClosedForm.from_payload(body)


@pytest.mark.parametrize(("cls", "scenario"), SCENARIOS, ids=lambda v: getattr(v, "__name__", v))
def test_shipped_form_equals_a_fresh_derivation(cls, scenario):
    shipped = _shipped(cls, scenario)
    # the derivation comes from the suite's disk cache of derivations when another test made it
    sol = symbolic.solve_game(cls.games[scenario], spec_assumptions(cls.spec))
    fresh = compile_solution(sol)
    assert shipped.params == fresh.params and shipped.names == fresh.names
    assert [(c.name, c.text, c.relation, c.kind) for c in shipped.conditions] == [
        (c.name, c.text, c.relation, c.kind) for c in sol.conditions
    ]
    assert shipped.guarded == sol.guarded
    for point in _points(cls):
        expected = fresh(**point)
        got = shipped(**point)
        for k, v in expected.items():
            np.testing.assert_allclose(got[k], v, rtol=1e-12, atol=1e-12, err_msg=k)


def test_every_game_scenario_is_shipped_and_nothing_else():
    keys = {forms.shipped_key(g, tuple(sorted(a.items()))) for _, g, a in shipped_entries()}
    assert {p.stem for p in forms.SHIPPED_DIR.glob("*.json")} == keys
    assert len(keys) == len(SCENARIOS) >= 14


def test_used_names_match_the_parameters_the_parser_finds():
    for cls, scenario in SCENARIOS:
        game = cls.games[scenario]
        # a name may cancel in sympy (b*(1 - theta) at theta = 1) but is still declared
        assert {s.name for s in prepare(game).params} <= used_names(game), scenario
        assert used_names(game) <= set(cls.spec.names), scenario


CHILD = """
import sys
from clsc.models.registry import get_model
imported = "sympy" in sys.modules
statuses = []
for name in ("cascade-epr", "process-innovation", "sorting-collection"):
    model = get_model(name)
    for s in model.scenarios:
        statuses.append(str(model.solve(s).status))
        if name == "sorting-collection":
            statuses.append(str(model.solve(s, params={"sorting": "per_unit", "k": 3000.0}).status))
print(imported, "sympy" in sys.modules, len(statuses), sorted(set(statuses)))
"""


def test_a_fresh_process_solves_every_game_scenario_without_sympy(tmp_path):
    env = {"CLSC_CACHE_DIR": str(tmp_path / "empty"), "PYTHONPATH": ":".join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=True
    ).stdout.split(maxsplit=3)
    assert out[:3] == ["False", "False", str(len(SCENARIOS))]
    assert "solver_error" not in out[3]
    assert not (tmp_path / "empty").exists()  # shipped forms: nothing derived, nothing stored


# ---- a small game: disk cache, tampered and planted files ------------------------------------

ASM = (("a", "positive"), ("b", "positive"), ("c", "positive"))
PARAMS = {"a": 100.0, "b": 2.0, "c": 10.0}


def _game(tag: str) -> Game:
    return Game(
        players=[Player("R", [Var("p", lower=0)], "(p - c)*(a - b*p)")],
        stages=[["R"]],
        flags=("p > c",),
        name=f"forms-test-{tag}",
    )


@pytest.fixture
def dirs(tmp_path, monkeypatch, count_calls):
    monkeypatch.setenv(dcache.ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(forms, "SHIPPED_DIR", tmp_path / "shipped")
    return tmp_path, count_calls(symbolic, "solve_game")


def _form(game):  # bypasses the in-process lru_cache, not the files
    return forms._closed_form.__wrapped__(game, ASM, frozenset())


def _values(form):
    return {k: float(v) for k, v in form(**PARAMS).items()}


def test_second_lookup_reads_the_disk_cache_not_sympy(dirs):
    tmp, calls = dirs
    game = _game("disk")
    first = _form(game)
    # expected_*: argmax of (p - c)*(a - b*p) is p = (a + b*c)/(2b) = 30, profit 20*40 = 800
    expected_p, expected_profit = 30.0, 800.0
    assert _values(first)["p"] == expected_p and _values(first)["pi_R"] == expected_profit
    assert calls == [game.name]
    assert (tmp / "cache" / f"{forms.disk_key(game, ASM)}.json").is_file()
    second = _form(game)
    assert calls == [game.name] and second.payload == first.payload
    assert _values(second) == _values(first)


def test_shipped_record_is_read_before_the_cache(dirs):
    tmp, calls = dirs
    game = _game("ship")
    written = forms.ship([("test/ship", game, dict(ASM))], tmp / "shipped")
    calls.clear()
    form = _form(game)
    assert calls == [] and next(iter(written.values())).stem == forms.shipped_key(game, ASM)
    assert _values(form)["p"] == 30.0
    assert not (tmp / "cache" / f"{forms.disk_key(game, ASM)}.json").exists()


PLANTED = [
    "__import__('pathlib').Path({marker!r}).touch()",
    "a.__class__",
    "(lambda: a)()",
    "eval('a')",
    "sqrt(a, out=None)",
    "[a][0]",
    "open({marker!r}, 'w')",
    "x99",
    "a if b else c",
    "2**(2**(2**64))",  # no huge integer is ever computed
    "10**100000",
    "(2**64)**64",
]


@pytest.mark.parametrize("text", PLANTED)
def test_planted_code_with_a_valid_hash_is_never_executed(dirs, text):
    tmp, calls = dirs
    game = _game("plant")
    written = forms.ship([("test/plant", game, dict(ASM))], tmp / "shipped")
    reference = _values(_form(game))
    (path,) = written.values()
    record = json.loads(path.read_text())
    marker = tmp / "executed"
    record["payload"]["outputs"][0] = text.format(marker=str(marker))
    write_signed(path, record)
    calls.clear()
    assert _values(_form(game)) == reference
    assert calls == [game.name] and not marker.exists()  # ignored, derived again


def test_tampered_payload_fails_its_hash_and_is_derived_again(dirs):
    tmp, calls = dirs
    game = _game("tamper")
    (path,) = forms.ship([("test/tamper", game, dict(ASM))], tmp / "shipped").values()
    reference = _values(_form(game))
    record = json.loads(path.read_text())
    record["payload"]["outputs"][0] = "a"  # a valid expression, but the hash is not updated
    path.write_text(json.dumps(record))
    calls.clear()
    assert _values(_form(game)) == reference and calls == [game.name]


@pytest.mark.parametrize(
    "change",
    [
        {"params": ["a", "__class__"]},
        {"params": ["a", "a"]},
        {"names": []},
        {"assignments": [["a", "b"]]},
        {"assignments": [["x0", "x1"], ["x1", "a"]]},
        {"conditions": [["p", "p", "!=0", "SOC"]]},
        {"outputs": "a"},
    ],
)
def test_malformed_payloads_are_refused(change):
    good = {
        "params": ["a", "b"],
        "names": ["p"],
        "conditions": [["c1", "a > 0", ">0", "SOC"]],
        "guarded": {},
        "assignments": [["x0", "sqrt(a) + exp(-b) - log(b)**2/3"]],
        "outputs": ["x0", "a - 2.5*b"],
    }
    assert _values_of(ClosedForm.from_payload(good)) == pytest.approx(
        {"p": 10 + np.exp(-2) - np.log(2) ** 2 / 3, "c1": 95.0}
    )
    with pytest.raises(ValueError, match="not a"):
        ClosedForm.from_payload({**good, **change})


def _values_of(form):
    return {k: float(v) for k, v in form(a=100.0, b=2.0).items()}
