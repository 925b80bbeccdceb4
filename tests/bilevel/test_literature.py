"""Published bilevel optima (tests/bilevel/literature.py) reproduced by every reformulation."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.grid import grid_search
from clsc.errors import ParameterError

from .literature import LINEAR, QUADRATIC, Case, close


def _check(result, case: Case) -> None:
    assert result.status == "optimal", result.message
    assert result.semantics == "optimistic"
    assert close(result.F, case.expected_F, case.digits), (result.F, case.expected_F)
    for got, want in zip(result.x.values(), case.expected_x, strict=True):
        assert close(got, want, case.digits), (dict(result.x), case.expected_x)
    for got, want in zip(result.y.values(), case.expected_y, strict=True):
        assert close(got, want, case.digits), (dict(result.y), case.expected_y)


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
