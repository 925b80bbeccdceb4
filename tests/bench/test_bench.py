"""The benchmark harness and ``clsc bench``: one table, ratios against an in-run baseline."""

from __future__ import annotations

import json

import pytest

from clsc.bench.harness import Case, Group, format_table, run_group, select
from clsc.errors import ParameterError


def test_ratio_is_against_the_baseline_of_the_same_run():
    g = Group(
        "t-sleepy",
        setup=lambda quick: 20_000,
        cases=(Case("slow", lambda n: sum(i * i for i in range(n))),
               Case("fast", lambda n: (n - 1) * n * (2 * n - 1) // 6)),
        baseline="slow",
    )  # fmt: skip
    rows = run_group(g, repeat=3)
    slow, fast = rows
    assert slow.ratio == 1.0 and slow.baseline == "slow"
    assert fast.ratio == pytest.approx(slow.seconds / fast.seconds)
    assert fast.ratio > 1.0
    assert "baseline" in format_table(rows)


def test_unknown_baseline_and_filter_are_errors():
    with pytest.raises(ValueError, match="baseline"):
        Group("t-bad", setup=lambda q: None, cases=(Case("a", lambda s: 1),), baseline="b")
    with pytest.raises(ParameterError, match="--filter"):
        select(pattern="no-such-benchmark-anywhere")


def test_cli_bench_json_is_one_document(cli):
    code, out, err = cli("bench", "--quick", "--json", "--filter", "bilevel", "--repeat", "1")
    assert code == 0, err
    doc = json.loads(out)
    rows = doc["rows"]
    assert {r["case"] for r in rows} >= {"grid search", "kkt-bigm"}
    for r in rows:
        assert r["ratio"] > 0 and r["error"] is not None and r["error"] < 1e-6


def test_user_module_must_exist(cli):
    code, _, err = cli("bench", "--module", "no_such_module_xyz", "--filter", "bilevel")
    assert code == 2 and "--module" in err and err.count("\n") == 1
