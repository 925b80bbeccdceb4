"""The disk cache of derivations: hits are identical, bad files are ignored, nothing executes."""

from __future__ import annotations

import json
import threading

import pytest
import sympy as sp
from records import write_signed

from clsc.game import Game, Player, Var, symbolic
from clsc.game import cache as dcache
from clsc.game.compile import compile_solution


def _game(tag: str) -> Game:
    # one mover with a bound (an SOC, an interior condition) and a flag; unique per test by name
    return Game(
        players=[Player("R", [Var("p", lower=0)], "(p - c)*q - k*p^2/100")],
        stages=[["R"]],
        definitions={"q": "a - b*p"},
        flags=("p > c",),
        name=f"cache-test-{tag}",
    )


ASM = (("a", "positive"), ("b", "positive"), ("c", "positive"), ("k", "positive"))
PARAMS = {"a": 100.0, "b": 2.0, "c": 10.0, "k": 5.0}


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(dcache.ENV, str(tmp_path / "derivations"))
    return tmp_path / "derivations"


def _derive_counting(monkeypatch) -> list:
    calls = []
    real = symbolic._derive

    def counting(*args):
        calls.append(args[0].name)
        return real(*args)

    monkeypatch.setattr(symbolic, "_derive", counting)
    return calls


def _solve(game):  # bypasses the in-process lru_cache, not the disk cache
    return symbolic._solve_cached.__wrapped__(game, ASM, frozenset())


def _same(a, b) -> None:
    assert a.expressions() == b.expressions()
    assert a.params == b.params and a.reactions == b.reactions
    assert [(c.name, c.expr, c.relation, c.kind, c.value) for c in a.conditions] == [
        (c.name, c.expr, c.relation, c.kind, c.value) for c in b.conditions
    ]
    assert [c.text for c in a.conditions] == [c.text for c in b.conditions]
    va, vb = compile_solution(a)(**PARAMS), compile_solution(b)(**PARAMS)
    assert {k: float(v) for k, v in va.items()} == {k: float(v) for k, v in vb.items()}


def test_cache_hit_gives_identical_solution(cache_dir, monkeypatch):
    calls = _derive_counting(monkeypatch)
    game = _game("hit")
    first = _solve(game)
    assert len(list(cache_dir.glob("*.json"))) == 1
    second = _solve(game)
    assert calls == [game.name]  # the second came from disk
    _same(first, second)
    assert not list(cache_dir.glob("*.tmp"))


def test_key_changes_with_declaration_and_assumptions():
    g = _game("key")
    assert dcache.key_of(g, ASM, []) == dcache.key_of(_game("key"), ASM, [])
    assert dcache.key_of(g, ASM, []) != dcache.key_of(g, ASM[:-1], [])
    assert dcache.key_of(g, ASM, []) != dcache.key_of(_game("key2"), ASM, [])
    assert dcache.key_of(g, ASM, []) != dcache.key_of(g, ASM, ["w"])


def _only_file(cache_dir):
    (path,) = cache_dir.glob("*.json")
    return path


def test_corrupted_file_is_ignored_and_rederived(cache_dir, monkeypatch):
    calls = _derive_counting(monkeypatch)
    game = _game("corrupt")
    reference = _solve(game)
    path = _only_file(cache_dir)
    for broken in ("{not json", path.read_text()[:100]):
        path.write_text(broken)
        _same(_solve(game), reference)
    assert len(calls) == 3


def test_tampered_payload_fails_its_hash_and_is_rederived(cache_dir, monkeypatch):
    calls = _derive_counting(monkeypatch)
    game = _game("tamper")
    reference = _solve(game)
    path = _only_file(cache_dir)
    record = json.loads(path.read_text())
    record["payload"]["decisions"]["p"] = {"srepr": "Integer(7)"}  # hash not updated
    path.write_text(json.dumps(record))
    _same(_solve(game), reference)
    assert len(calls) == 2


def test_planted_code_with_a_valid_hash_is_never_executed(cache_dir, monkeypatch, tmp_path):
    calls = _derive_counting(monkeypatch)
    game = _game("plant")
    reference = _solve(game)
    path = _only_file(cache_dir)
    marker = tmp_path / "executed"
    record = json.loads(path.read_text())
    record["payload"]["decisions"]["p"] = {
        "srepr": f"__import__('pathlib').Path({str(marker)!r}).touch()"
    }
    write_signed(path, record)
    _same(_solve(game), reference)
    assert not marker.exists() and len(calls) == 2


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "Symbol('x').__class__",
        "Add(Symbol('x'), lambda: 1)",
        "eval('1')",
        "Symbol('x', evaluate=print)",
        "Integer(10**10)",
        "[Symbol('x')][0]",
        "Function('f')(Symbol('x'))",
        "Float(Symbol('x'))",
        "Symbol(Integer(1))",
    ],
)
def test_from_srepr_accepts_only_whitelisted_constructors(text):
    with pytest.raises(ValueError, match="whitelisted"):
        dcache.from_srepr(text)


def test_from_srepr_round_trips_engine_expressions():
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", positive=True)
    for e in (
        sp.Rational(-3, 7) * x**2 / (y + 1) - sp.Float("0.125") * x,
        sp.sqrt(x**2 + 1) - sp.exp(-y) + sp.log(y) * sp.pi,
        sp.Max(x, 0) + sp.oo * 0 + sp.Abs(x - y),
    ):
        assert dcache.from_srepr(sp.srepr(e)) == e


def test_concurrent_writers_and_readers_see_whole_files(cache_dir):
    key = "f" * 64
    payload = {"decisions": {"w": sp.Symbol("w", real=True) ** 2}, "params": []}
    seen, errors = [], []

    def write():
        for _ in range(25):
            dcache.store(key, payload)

    def read():
        for _ in range(50):
            got = dcache.load(key)
            if got is not None:
                seen.append(got["decisions"]["w"])

    threads = [threading.Thread(target=write) for _ in range(4)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(v == payload["decisions"]["w"] for v in seen)
    assert dcache.load(key)["decisions"]["w"] == payload["decisions"]["w"]
    assert not list(cache_dir.glob("*.tmp"))


def test_unwritable_cache_dir_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(dcache.ENV, str(blocker / "derivations"))
    calls = _derive_counting(monkeypatch)
    game = _game("unwritable")
    first, second = _solve(game), _solve(game)
    assert len(calls) == 2  # nothing stored, both derived, no error
    _same(first, second)


def test_cache_can_be_switched_off(monkeypatch):
    monkeypatch.setenv(dcache.ENV, "off")
    assert dcache.cache_dir() is None
    assert dcache.store("0" * 64, {"params": []}) is False
    assert dcache.load("0" * 64) is None
