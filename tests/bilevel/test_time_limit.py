"""``time_limit`` covers the whole solve, bound tightening included: the result is status
``time_limit`` with the best verified point found (if any) and its gap when one is known."""

from __future__ import annotations

import pytest

from clsc.bilevel import BilevelProblem, solve

from .independent import check_answer
from .literature import LINEAR
from .toll import TOLL


def _fake_clock(monkeypatch, module, name: str) -> list[float]:
    """``time.perf_counter`` reads a clock that advances one second per call of
    ``module.name`` (a solve step), so that a time limit stops the solve deterministically."""
    import time

    clock = [0.0]
    step = getattr(module, name)

    def advancing(*args, **kwargs):
        clock[0] += 1.0
        return step(*args, **kwargs)

    monkeypatch.setattr(module, name, advancing)
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    return clock


@pytest.mark.parametrize("reformulation", ["auto", "kkt-bigm", "kkt-branch"])
def test_time_limit_during_bound_tightening_returns_a_verified_point(monkeypatch, reformulation):
    """Each bounding LP takes one (fake) second: a limit of 4.5 s ends the solve inside
    compute_bounds; the point shown is the follower's response at the relaxation's x."""
    import clsc.bilevel.bounds as bounds

    case = next(c for c in LINEAR if c.name == "bf_1982_01")
    problem = BilevelProblem.from_dict(case.problem)
    clock = _fake_clock(monkeypatch, bounds, "_optimum")
    result = solve(problem, reformulation, time_limit=4.5)
    assert clock[0] == 5.0  # the fifth LP was not started: the limit covers the bounds
    assert result.status == "time_limit"
    assert "gave up after 4.5 s while computing bounds" in result.message
    assert result.F is not None and result.info["verified"]
    check_answer(problem, result)
    assert case.expected_F - 1e-9 <= result.F  # a feasible point: no better than F* = -26


def test_tiny_time_limit_on_a_toll_problem():
    problem = BilevelProblem.from_dict(TOLL[1].problem)
    result = solve(problem, "kkt-branch", time_limit=1e-9)
    assert result.status == "time_limit"
    assert "gave up after 1e-09 s" in result.message
    if result.F is not None:  # only a verified point is ever shown
        check_answer(problem, result)


def test_time_limit_in_the_search_keeps_the_incumbent_and_gap(monkeypatch):
    """One (fake) second per node of kkt-branch on toll P1: stopped before its 3 nodes end;
    the heuristic's incumbent (found at the root) is shown with its relative gap."""
    import clsc.bilevel.branch as branch

    problem = BilevelProblem.from_dict(TOLL[0].problem)
    _fake_clock(monkeypatch, branch, "_process")
    result = solve(problem, "kkt-branch", time_limit=1.5)
    assert result.status == "time_limit"
    assert "relative gap" in result.message and 0 < result.info["gap"] < 1
    check_answer(problem, result)
    assert TOLL[0].expected_F - 1e-7 <= result.F


def test_cli_time_limit_on_a_shipped_toll_file(cli, monkeypatch):
    import json
    from importlib.resources import files

    import clsc.cli

    monkeypatch.setattr(clsc.cli, "COMMANDS", ("bilevel",))
    path = files("clsc.bilevel") / "examples" / "toll_setting_p2.json"
    code, out, _ = cli("bilevel", path, "--json", "--time-limit", "1e-9")
    d = json.loads(out)
    assert code == 1 and d["status"] == "time_limit" and "gave up after 1e-09 s" in d["message"]
    code, out, _ = cli("bilevel", path, "--json", "--time-limit", "120")
    d = json.loads(out)
    expected_F = -4.5  # BOLIBver2 TollSettingP2
    assert code == 0 and d["status"] == "optimal" and abs(d["F"] - expected_F) < 1e-6
