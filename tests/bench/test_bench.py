"""The benchmark harness and ``clsc bench``: one table, ratios against an in-run baseline."""

from __future__ import annotations

import json
import math
import textwrap

import pytest

from clsc.bench import run as bench_run
from clsc.bench.harness import Case, Group, format_table, groups, origin, run_group, select
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


def test_ratio_is_per_unit_and_tolerance_marks_wrong_answers():
    expected_sum = 10 * 11 // 2  # 1 + ... + 10
    g = Group(
        "t-units",
        setup=lambda quick: list(range(1, 11)),
        cases=(Case("ten", lambda s: sum(s), error=lambda s, out: abs(out - expected_sum),
                    units=lambda s: 10),
               Case("wrong", lambda s: sum(s) + 1, error=lambda s, out: abs(out - expected_sum),
                    units=lambda s: 1)),
        baseline="ten", tolerance=0.0,
    )  # fmt: skip
    ten, wrong = run_group(g, repeat=2)
    assert ten.units == 10 and wrong.units == 1
    assert wrong.ratio == pytest.approx((ten.seconds / 10) / wrong.seconds)
    assert ten.ok is True and wrong.ok is False
    assert "1.00e+00!" in format_table([ten, wrong])


def test_a_failing_case_is_a_row_not_a_crash():
    g = Group(
        "t-fails",
        setup=lambda quick: None,
        cases=(Case("ok", lambda s: 1), Case("boom", lambda s: 1 / 0)),
        baseline="ok",
    )
    ok, boom = run_group(g, repeat=1)
    assert not ok.failed and boom.failed
    assert boom.note.startswith("FAILED: ZeroDivisionError")
    assert boom.to_dict()["seconds"] is None


def test_unknown_baseline_and_filter_are_errors():
    with pytest.raises(ValueError, match="baseline"):
        Group("t-bad", setup=lambda q: None, cases=(Case("a", lambda s: 1),), baseline="b")
    with pytest.raises(ParameterError, match="--filter"):
        select(pattern="no-such-benchmark-anywhere")


def test_cli_bench_json_is_one_document(cli):
    code, out, err = cli("bench", "--quick", "--json", "--filter", "shapley-", "--repeat", "1")
    assert code == 0, err
    doc = json.loads(out)
    rows = doc["rows"]
    assert doc["quick"] is True
    assert {r["group"] for r in rows} == {"shapley-small", "shapley-large"}
    for r in rows:
        assert r["ratio"] > 0 and r["error"] is not None and r["error"] <= r["tolerance"]


def test_user_module_must_exist(cli):
    code, _, err = cli("bench", "--module", "no_such_module_xyz", "--filter", "bilevel")
    assert code == 2 and "--module" in err and err.count("\n") == 1


def test_user_module_is_benchmarked_by_naming_it(cli, tmp_path, monkeypatch):
    (tmp_path / "my_tiny_bench.py").write_text(textwrap.dedent('''
        from clsc.bench.harness import Case, Group, register

        EXPECTED = sum(range(1000))  # closed form n(n-1)/2 with n = 1000

        register(Group(
            "my-tiny-sum",
            setup=lambda quick: list(range(1000)),
            cases=(Case("python loop", lambda s: sum(x for x in s),
                        error=lambda s, out: abs(out - EXPECTED)),
                   Case("closed form", lambda s: len(s) * (len(s) - 1) // 2,
                        error=lambda s, out: abs(out - EXPECTED))),
            baseline="python loop", accuracy="abs. error vs n(n-1)/2", tolerance=0.0,
        ))
    '''))  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    code, out, err = cli("bench", "--quick", "--json", "--repeat", "1", "--module", "my_tiny_bench")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert {r["group"] for r in rows} == {"my-tiny-sum"}  # only the named module's groups
    assert [r["case"] for r in rows] == ["python loop", "closed form"]
    assert all(r["error"] == 0.0 and r["ratio"] > 0 for r in rows)
    assert origin("my-tiny-sum") == "my_tiny_bench"
    code, out, _ = cli("bench", "--list", "--module", "my_tiny_bench")
    assert code == 0 and out.split()[0] == "my-tiny-sum"


def test_every_builtin_module_registers_groups():
    bench_run.load()
    by_module = {m: [n for n in groups() if origin(n) == m] for m in bench_run.BUILTIN}
    assert all(by_module.values()), by_module


@pytest.mark.parametrize("module", bench_run.BUILTIN)
def test_quick_bench_of_every_builtin_group(cli, module):
    """``clsc bench --quick --json`` per built-in module: every group has rows, each with a
    finite ratio and an error within the case's tolerance (the known answer is met)."""
    code, out, err = cli("bench", "--quick", "--json", "--repeat", "1", "--module", module)
    assert code == 0, err
    rows = json.loads(out)["rows"]
    expected_groups = {n for n in groups() if origin(n) == module}
    assert {r["group"] for r in rows} == expected_groups
    for r in rows:
        assert r["ratio"] is not None and math.isfinite(r["ratio"]) and r["ratio"] > 0, r
        assert r["error"] is not None and math.isfinite(r["error"]), r
        if r["tolerance"] is not None:
            assert r["error"] <= r["tolerance"], r
