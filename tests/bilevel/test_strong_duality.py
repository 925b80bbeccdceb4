"""Strong duality on the class it claims, and a refusal naming the class elsewhere.

Claimed class (``clsc.bilevel.duality.CLASS``): linear leader, linear or convex-quadratic
follower, and every leader variable in a leader-dependent follower term a bounded integer.
On the published linear problems whose optimum has integral x (declared integer: a
restriction that keeps the published optimum), strong duality must give the value of
kkt-branch and kkt-bigm and the published one; likewise on a published convex-QP follower.
"""

from __future__ import annotations

import copy

import pytest

from clsc.bilevel import BilevelProblem, solve
from clsc.errors import ParameterError

from .independent import check_answer, check_point
from .literature import LINEAR, PARAMETRIC, QUADRATIC, close

INTEGRAL_X = [c for c in LINEAR if all(float(v).is_integer() for v in c.expected_x)]


def _integer_leader(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["integer_vars"] = list(data["leader"]["vars"])
    return data


@pytest.mark.parametrize("case", INTEGRAL_X, ids=lambda c: c.name)
def test_strong_duality_equals_kkt_on_published_integer_leader_problems(case):
    problem = BilevelProblem.from_dict(_integer_leader(case.problem))
    dual = solve(problem, "strong-duality")
    assert dual.status == "optimal" and dual.reformulation == "strong-duality", dual.message
    check_answer(problem, dual)
    assert close(dual.F, case.expected_F, case.digits)  # published value (source in the case)
    for other in ("kkt-branch", "kkt-bigm"):
        result = solve(problem, other)
        assert result.status == "optimal", result.message
        assert pytest.approx(result.F, abs=1e-7) == dual.F


BY_NAME = {c.name: c for c in LINEAR + QUADRATIC + PARAMETRIC}


@pytest.mark.parametrize(
    ("data", "feature", "instead"),
    [
        (BY_NAME["moore_bard_1990"].problem, "continuous leader variable x", "kkt-"),
        (BY_NAME["sa_1981_01"].problem, "quadratic leader objective", "kkt-branch"),
        (_integer_leader(BY_NAME["tmh_2007_01"].problem), "quadratic leader objective",
         "kkt-branch"),
        (BY_NAME["outrata_1990_2c"].problem, "parametric-QP follower", "kkt-branch"),
    ],
    ids=["continuous-coupling", "qp-quadratic-leader", "quadratic-leader", "parametric-qp"],
)  # fmt: skip
def test_outside_the_class_is_an_error_naming_class_and_alternative(data, feature, instead):
    with pytest.raises(ParameterError, match=feature) as info:
        solve(BilevelProblem.from_dict(data), "strong-duality")
    assert instead in str(info.value)
    if "parametric" not in feature:
        assert "strong-duality covers" in str(info.value)


def test_auto_names_why_strong_duality_was_not_used():
    # QP follower, no finite big-M provable for y >= 0 unbounded: auto falls to kkt-branch
    data = {
        "leader": {"vars": ["x"], "objective": "x - y", "constraints": ["x >= 0", "x <= 2"]},
        "follower": {"vars": ["y"], "objective": "(y - x)^2", "constraints": ["y >= 0"]},
    }
    result = solve(BilevelProblem.from_dict(data), "auto")
    assert result.status == "optimal"
    assert result.reformulation == "kkt-branch"
    assert result.message.startswith("auto: kkt-branch (no finite big-M proven")
    assert "strong-duality covers" in result.message
    assert "continuous leader variable x" in result.message
    # closed form: y = x, F = 0 for every x (several optima: tested by value)
    expected_F = 0.0
    assert pytest.approx(expected_F, abs=1e-7) == result.F


# BOLIB AiyoshiShimizu1984Ex2 (Aiyoshi & Shimizu 1984, IEEE TAC 29(12), Example 2; as coded in
# BOLIB, Zhou, Zemkoho & Tin 2020): linear leader, convex-QP follower. BOLIB lists F = 5 at
# x = (25, 30), y = (5, 10). Its x is integral, so declaring x integer keeps that point.
AIYOSHI_SHIMIZU_1984_2 = {
    "leader": {
        "vars": ["x1", "x2"],
        "objective": "2*x1 + 2*x2 - 3*y1 - 3*y2 - 60",
        "constraints": ["x1 + x2 + y1 - 2*y2 <= 40", "x1 >= 0", "x2 >= 0", "x1 <= 50",
                        "x2 <= 50"],
    },
    "follower": {
        "vars": ["y1", "y2"],
        "objective": "(y1 - x1 + 20)^2 + (y2 - x2 + 20)^2",
        "constraints": ["2*y1 - x1 + 10 <= 0", "2*y2 - x2 + 10 <= 0", "y1 >= -10", "y2 >= -10",
                        "y1 <= 20", "y2 <= 20"],
    },
    "integer_vars": ["x1", "x2"],
}  # fmt: skip
published_F = 5.0  # BOLIB, at x = (25, 30), y = (5, 10)


def test_qp_follower_published_problem():
    """Strong duality with a QP dual (cutting planes on y'Qy) equals kkt-branch and kkt-bigm.
    The published point is bilevel feasible with F = 5 (checked), but not optimal: every
    reformulation finds F = 0 (e.g. x = (0, 0), y = (-10, -10)), checked independently."""
    problem = BilevelProblem.from_dict(AIYOSHI_SHIMIZU_1984_2)
    check_point(problem, {"x1": 25, "x2": 30, "y1": 5, "y2": 10}, published_F)
    dual = solve(problem, "strong-duality")
    assert dual.status == "optimal" and dual.reformulation == "strong-duality", dual.message
    check_answer(problem, dual)
    assert published_F >= dual.F
    for other in ("kkt-branch", "kkt-bigm"):
        result = solve(problem, other)
        assert result.status == "optimal", result.message
        assert pytest.approx(result.F, abs=1e-6) == dual.F
