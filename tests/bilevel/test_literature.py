"""Published bilevel optima (tests/bilevel/literature.py) reproduced by every reformulation."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.grid import grid_search
from clsc.errors import ParameterError

from .independent import check_answer, check_point
from .literature import LINEAR, QUADRATIC, Case, close


def _check(result, case: Case) -> None:
    """Value, feasibility and follower optimality (independent re-solve): never one optimum,
    since a problem may have several (tmh_2007_01: F = 22.5 at (1.5, 4.5) and (4.5, 1.5))."""
    assert result.status == "optimal", result.message
    assert result.semantics == "optimistic"
    assert close(result.F, case.expected_F, case.digits), (result.F, case.expected_F)
    check_answer(BilevelProblem.from_dict(case.problem), result)


@pytest.mark.parametrize("case", LINEAR + QUADRATIC, ids=lambda c: c.name)
def test_published_points_are_optimal_points(case):
    """The published optimum is feasible, follower-optimal and has the published F (to the
    printed digits): the data of each case is transcribed right."""
    problem = BilevelProblem.from_dict(case.problem)
    names = [str(s) for s in (*problem.leader_vars, *problem.follower_vars)]
    values = dict(zip(names, (*case.expected_x, *case.expected_y), strict=True))
    check_point(problem, values, case.expected_F, tol=10.0**-case.digits)


def test_tmh_2007_01_has_two_optima():
    """Both (1.5, 4.5) and (4.5, 1.5) are optimal with F = 22.5 (computed: at x = 4.5 the row
    3x + y <= 15 caps the follower's y at 1.5); a solver may return either."""
    case = next(c for c in QUADRATIC if c.name == "tmh_2007_01")
    problem = BilevelProblem.from_dict(case.problem)
    for x, y in ((1.5, 4.5), (4.5, 1.5)):
        check_point(problem, {"x": x, "y": y}, case.expected_F)


@pytest.mark.parametrize("reformulation", ["kkt-bigm", "kkt-branch"])
@pytest.mark.parametrize("case", LINEAR, ids=lambda c: c.name)
def test_linear_bilevel_literature(case, reformulation):
    result = solve(BilevelProblem.from_dict(case.problem), reformulation)
    _check(result, case)
    assert result.reformulation == reformulation


@pytest.mark.parametrize("reformulation", ["kkt-bigm", "kkt-branch"])
@pytest.mark.parametrize("case", QUADRATIC, ids=lambda c: c.name)
def test_quadratic_leader_literature(case, reformulation):
    result = solve(BilevelProblem.from_dict(case.problem), reformulation)
    _check(result, case)
    # HiGHS has no MIQP: the quadratic leader is solved piece by piece (convex QPs)
    assert result.reformulation == "kkt-branch"


def _integer_leader(case: Case) -> Case:
    problem = copy.deepcopy(case.problem)
    problem["integer_vars"] = list(problem["leader"]["vars"])
    return dataclasses.replace(case, problem=problem)


# Cases whose published x* is integral: declaring x integer keeps the same optimum (the
# integer problem is a restriction that still contains the published optimum).
INTEGRAL_X = [c for c in LINEAR if all(float(v).is_integer() for v in c.expected_x)]


@pytest.mark.parametrize("reformulation", ["strong-duality", "kkt-bigm", "kkt-branch"])
@pytest.mark.parametrize("case", INTEGRAL_X, ids=lambda c: c.name)
def test_integer_leader_variants(case, reformulation):
    case = _integer_leader(case)
    result = solve(BilevelProblem.from_dict(case.problem), reformulation)
    _check(result, case)
    assert result.reformulation == reformulation


def test_strong_duality_refuses_continuous_bilinear_terms():
    with pytest.raises(ParameterError, match="continuous and multiplies"):
        solve(BilevelProblem.from_dict(LINEAR[0].problem), "strong-duality")


def test_strong_duality_without_coupling_needs_no_integers():
    # follower's constraints and objective do not involve x: the gap constraint is linear
    problem = BilevelProblem.from_dict(
        {
            "leader": {
                "vars": ["x"],
                "objective": "x - y",
                "constraints": ["x >= 0", "x + y <= 3"],
            },
            "follower": {"vars": ["y"], "objective": "-y", "constraints": ["y <= 2", "y >= 0"]},
        }
    )
    a = solve(problem, "strong-duality")
    b = solve(problem, "kkt-bigm")
    # closed form: the follower always picks y = 2; the leader then picks x = 0: F = -2
    expected_F = -2.0
    assert a.status == b.status == "optimal"
    assert pytest.approx(expected_F, abs=1e-7) == a.F
    assert pytest.approx(expected_F, abs=1e-7) == b.F


@pytest.mark.parametrize(
    "case",
    [c for c in LINEAR + QUADRATIC if c.name in ("tmh_2007_01", "b_1984_01", "b_1988_01")],
    ids=lambda c: c.name,
)
def test_integer_leader_matches_exhaustive_grid(case):
    """With integer leader variables the grid over x is exhaustive, hence exact."""
    problem = BilevelProblem.from_dict(_integer_leader(case).problem)
    F_grid, _ = grid_search(problem)
    result = solve(problem, "kkt-branch")
    assert result.status == "optimal"
    assert pytest.approx(F_grid, abs=1e-6) == result.F
    assert all(float(v).is_integer() for v in result.x.values())
