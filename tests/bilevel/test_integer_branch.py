"""Integer leaders unbounded in the high-point relaxation: the MibS examples of BilevelJuMP's
tests (files in ``data/mibs``, as published: no hand-added bounds), solved by branch-and-bound
and checked against the published optimum and an independent certified enumeration."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.bounds import compute_bounds
from clsc.bilevel.intbranch import integral, solve_branch
from clsc.bilevel.integer import verify_integer
from clsc.solvers.highs import solve as highs_solve
from clsc.solvers.program import LinearProgram

from .independent import EXACT, check_answer, follower_optimum

DATA = Path(__file__).parent / "data" / "mibs"

# name -> (expected values by variable name, expected_F, method): the published optima
# (BilevelJuMP.jl test/test_mibs.jl and docs/src/examples/MibS_example2.jl, solved there by
# MibS; the files state the source); "integer-branch" where a leader variable is unbounded in
# the high-point relaxation, so that enumeration is impossible.
PUBLISHED = {
    "bilevel_jump_mibs_v1": ({"y": 8, "z": 0, "x": 0}, 8.0, "integer-branch"),
    "bilevel_jump_mibs_v2": ({"x": 6, "y": 5}, -53.0, "integer-branch"),
    "bilevel_jump_mibs_v3": ({"x": 2, "y": 2}, -22.0, "integer-enumeration"),
    "bilevel_jump_mibs_v4": ({"x": 2, "y": 2}, -22.0, "integer-enumeration"),
    "bilevel_jump_mibs_v5": ({"x": 2, "z": 1, "y": 2}, -19.0, "integer-branch"),
    "bilevel_jump_mibs_v6": ({"x": 1, "z": 2, "y": 2}, -19.0, "integer-branch"),
    "bilevel_jump_mibs_example2": ({"x": 6, "z": 0, "y": 5}, -8.0, "integer-branch"),
}


def load(name: str) -> BilevelProblem:
    return BilevelProblem.from_file(DATA / f"{name}.toml")


def assert_nothing_better(problem: BilevelProblem, F_star: float) -> None:
    """Independent proof that no bilevel-feasible point has ``F < F_star`` (min form): the
    high-point relaxation (HPR, a MILP through the solver layer) with ``F <= F_star - 1e-3``
    has a bounded leader box (asserted); at every integer ``x`` of it where that MILP is
    feasible, the follower's MILP is solved and the optimistic MILP (follower-optimal ``y``,
    all rows, ``F <= F_star - 1e-3``) must be infeasible (every coefficient and published
    optimum here is an integer, so 1e-3 is far below any difference of two values of F)."""
    sf = problem.standard_form()
    n, N = sf.n, sf.n + sf.m
    rows = np.vstack([sf.G.reshape(-1, N), np.hstack([sf.A, sf.B]), sf.h])
    rhs = np.concatenate([sf.g, sf.b, [F_star - 1e-3 - sf.h0]])
    free = np.full(N, np.inf)

    def hpr(cost, col_lo=-free, col_hi=free, extra=None, extra_hi=()):
        A = rows if extra is None else np.vstack([rows, extra])
        lp = LinearProgram(cost, A, None, np.concatenate([rhs, extra_hi]), col_lo, col_hi,
                           np.ones(N, bool))  # fmt: skip
        return highs_solve(lp, options=EXACT)

    box = []
    for j in range(n):
        lo, hi = hpr(np.eye(N)[j]), hpr(-np.eye(N)[j])
        if lo.status == "infeasible":
            return  # nothing at all below F_star
        assert lo and hi, "the level set of the relaxation is unbounded"
        box.append(range(round(lo.objective), -round(hi.objective) + 1))
    for x in itertools.product(*box):
        col = np.concatenate([x, np.full(sf.m, np.inf)])
        at_x = (np.where(np.isfinite(col), col, -np.inf), col)
        if hpr(np.zeros(N), *at_x).status == "infeasible":
            continue
        fstar = follower_optimum(problem, np.array(x, dtype=float))
        if fstar is None:
            continue
        sol = hpr(np.zeros(N), *at_x, extra=sf.p[None, :], extra_hi=[fstar - sf.p0 + 1e-9])
        assert sol.status == "infeasible", f"a better point at x = {x}: {sol}"


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_mibs_examples_without_added_bounds(name):
    problem = load(name)
    expected_values, expected_F, expected_method = PUBLISHED[name]
    result = solve(problem)
    assert result.status == "optimal", result.message
    assert result.reformulation == expected_method
    assert math.isclose(result.F, expected_F, abs_tol=1e-9)
    check_answer(problem, result)
    assert_nothing_better(problem, expected_F)  # (every example's sense is min)
    # the published point is optimal too (the optimum is unique in all seven)
    assert {**result.x, **result.y} == pytest.approx(expected_values)
    sf = problem.standard_form()  # branch-and-bound on all seven, v3 and v4 included
    branch = solve_branch(sf, compute_bounds(sf))
    assert branch.status == "optimal" and verify_integer(sf, branch.v).ok
    assert math.isclose(sf.leader_value(branch.v), expected_F, abs_tol=1e-9)


def test_relaxation_unbounded_yet_bilevel_bounded():
    """Leader min -y; follower min y s.t. 0 <= y <= x, x free. The high-point relaxation is
    unbounded (y = x -> inf), but the follower always answers y = 0 (x >= 0; for x < 0 it has
    no feasible point), so the optimum is F = 0 (by hand), at any x >= 0."""
    data = {
        "leader": {"vars": ["x"], "objective": "-y", "constraints": []},
        "follower": {"vars": ["y"], "objective": "y", "constraints": ["y <= x", "y >= 0"]},
        "integer_vars": ["x", "y"],
    }
    problem = BilevelProblem.from_dict(data)
    result = solve(problem)
    expected_F = 0.0
    assert result.status == "optimal", result.message
    assert result.reformulation == "integer-branch"
    assert expected_F == result.F
    check_answer(problem, result)


def test_leader_branching_for_a_follower_cost_with_x_times_y():
    """Follower min (1 + x) y over 0 <= y <= 3: y = 0 for x >= 0, y = 3 for x <= -2, a tie
    at x = -1. Leader min w - 2 y, w >= |x| (x free): by hand, x = -1 with the optimistic
    y = 3 gives F = 1 - 6 = -5; x <= -2 gives w - 6 >= -4, x >= 0 gives w >= 0."""
    data = {
        "leader": {"vars": ["x", "w"], "objective": "w - 2*y",
                   "constraints": ["w >= x", "w >= -x"]},
        "follower": {"vars": ["y"], "objective": "y + x*y",
                     "constraints": ["y >= 0", "y <= 3"]},
        "integer_vars": ["x", "w", "y"],
    }  # fmt: skip
    problem = BilevelProblem.from_dict(data)
    result = solve(problem)
    expected_F = -5.0
    assert result.status == "optimal", result.message
    assert result.reformulation == "integer-branch"
    assert (result.x["x"], result.y["y"], result.F) == (-1.0, 3.0, expected_F)
    check_answer(problem, result)


def test_time_limit_returns_a_status():
    result = solve(load("bilevel_jump_mibs_v2"), time_limit=1e-9)
    assert result.status == "time_limit"
    assert "gave up after" in result.message


def test_node_limit_gives_not_proven_with_the_gap():
    sf = load("bilevel_jump_mibs_example2").standard_form()
    bounds = compute_bounds(sf)
    full = solve_branch(sf, bounds)
    assert full.info["nodes"] > 2
    out = solve_branch(sf, bounds, node_limit=2)
    assert out.status == "not_proven"
    assert out.info["lower_bound"] <= sf.leader_value(full.v) + 1e-9
    if out.v is not None:
        assert verify_integer(sf, out.v).ok
        assert out.info["gap"] == sf.leader_value(out.v) - out.info["lower_bound"]


def test_integral_scaling_of_rows():
    assert integral(np.array([0.5, -1.25, 0.0]))[1] == 4
    assert integral(np.array([0.5, -1.25, 0.0]))[0].tolist() == [2.0, -5.0, 0.0]
    assert integral(np.array([1 / 3, 2.0]))[1] == 3
    assert integral(np.array([math.pi])) is None


def test_follower_unbounded_everywhere_proves_infeasible():
    """Follower max y s.t. y >= 0: unbounded at every leader point (by hand), so no leader
    point has a follower optimum. The leader (min w, w >= |z|, z free) is unbounded in the
    relaxation; branching around each z would never end, the first follower solve proves it."""
    data = {
        "leader": {"vars": ["z", "w"], "objective": "w",
                   "constraints": ["w >= z", "w >= -z", "y <= 10"]},
        "follower": {"vars": ["y"], "sense": "max", "objective": "y", "constraints": ["y >= 0"]},
        "integer_vars": ["z", "w", "y"],
    }  # fmt: skip
    result = solve(BilevelProblem.from_dict(data))
    assert result.status == "infeasible", result.message
    assert result.reformulation == "integer-branch"
    assert "unbounded" in result.message
