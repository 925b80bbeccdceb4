"""Degenerate but valid input: unused variables, constant rows, a follower variable in no row.

Every reformulation answers with a status (never a traceback); the answers agree.
"""

from __future__ import annotations

import pytest

from clsc.bilevel import BilevelProblem, solve

from .independent import check_answer
from .literature import MOORE_BARD_FOLLOWER

ALL = ["kkt-bigm", "kkt-branch", "strong-duality"]
expected_F = -18.0  # Moore & Bard (1990), continuous version; integral x = 8, y = 1


def _mb(leader_vars=("x",), follower_vars=("y",), lcons=(), fcons=(), lobj="-x - 10*y",
        fobj="y", integer=("x",)):  # fmt: skip
    """Moore & Bard with x integer (so strong duality applies: x multiplies multipliers)."""
    return {
        "leader": {"vars": list(leader_vars), "objective": lobj, "constraints": list(lcons)},
        "follower": {"vars": list(follower_vars), "objective": fobj,
                     "constraints": [*MOORE_BARD_FOLLOWER, *fcons]},
        "integer_vars": list(integer),
    }  # fmt: skip


@pytest.mark.parametrize("reformulation", ALL)
@pytest.mark.parametrize(
    "data",
    [
        _mb(leader_vars=("x", "u"), integer=("x", "u"), lcons=["u >= 0", "u <= 2"]),
        _mb(leader_vars=("x", "u"), lcons=["u >= 0", "u <= 2"]),
        _mb(follower_vars=("y", "w")),
        _mb(lcons=["0 <= 1"], fcons=["0 <= 1", "0*y <= 3"]),
        _mb(follower_vars=("y", "w"), fcons=["w >= 0", "w <= 4"]),
    ],
    ids=["unused-int-leader", "unused-leader", "unused-follower", "constant-rows", "box-only"],
)
def test_unused_variables_and_constant_rows(data, reformulation):
    result = solve(BilevelProblem.from_dict(data), reformulation)
    assert result.status == "optimal", result.message
    assert pytest.approx(expected_F, abs=1e-7) == result.F
    check_answer(BilevelProblem.from_dict(data), result)


def test_unused_free_variable_reported_with_a_value():
    """An unused, unbounded variable is free: any value is optimal; one is reported."""
    result = solve(BilevelProblem.from_dict(_mb(leader_vars=("x", "u"))), "kkt-bigm")
    assert result.status == "optimal", result.message
    assert set(result.x) == {"x", "u"}


@pytest.mark.parametrize("reformulation", ALL)
def test_follower_unbounded_in_a_variable_in_no_row_is_infeasible(reformulation):
    """The follower minimises y - w with w in no follower row: its problem is unbounded at
    every x, so no x has a rational reaction (closed form): the bilevel problem is infeasible
    (the leader's rows on w do not bind the follower)."""
    data = _mb(follower_vars=("y", "w"), fobj="y - w", lcons=["w >= 0", "w <= 3"])
    result = solve(BilevelProblem.from_dict(data), reformulation)
    assert result.status == "infeasible", result.message


@pytest.mark.parametrize("reformulation", ALL)
def test_violated_constant_row_is_infeasible(reformulation):
    data = _mb(fcons=["0*y >= 1"])
    result = solve(BilevelProblem.from_dict(data), reformulation)
    assert result.status == "infeasible", result.message


def test_integer_feasibility_check_on_solver_error_is_not_truthy_and_restores(monkeypatch):
    """A HiGHS failure during the integer-feasibility check is 'cannot tell' (None), never a
    truthy answer, and the program's costs and integrality are restored."""
    import numpy as np

    from clsc.bilevel.highs import Program
    from clsc.results import Status
    from clsc.solvers.program import Solution

    prog = Program(np.array([1.0, -1.0]), np.array([[1.0, 1.0]]), np.array([-np.inf]),
                   np.array([3.5]), np.zeros(2), np.full(2, np.inf))  # fmt: skip
    before = prog.solve()
    monkeypatch.setattr(prog.prog, "solve", lambda **_: Solution(Status.SOLVER_ERROR))
    assert prog.integer_feasible(np.array([True, True])) is None
    monkeypatch.undo()
    assert prog.prog.costs().tolist() == [1.0, -1.0]
    after = prog.solve()  # continuous again: y = 3.5 is not rounded
    assert after.status == before.status == "optimal"
    assert after.v.tolist() == before.v.tolist() == [0.0, 3.5]
