"""``auto``: clsc chooses the reformulation and says why; the choice agrees with the others."""

from __future__ import annotations

import pytest

from clsc.bilevel import BilevelProblem, solve
from clsc.errors import SpecError

from .independent import check_answer
from .literature import LINEAR, QUADRATIC

# Self-constructed: the follower answers y = max(x - 2, 0) (closed form), so
# F(x) = -3x + 2 max(x - 2, 0) on the integers 0..5: x = 5, y = 3, F = -9. The slack of
# y >= 0 is unbounded (no big-M can be proven), but the only coupling is lambda * x with x a
# bounded integer: strong duality applies.
STRONG = {
    "leader": {"vars": ["x"], "objective": "-3*x + 2*y", "constraints": ["x >= 0", "x <= 5"]},
    "follower": {"vars": ["y"], "objective": "y", "constraints": ["y >= x - 2", "y >= 0"]},
    "integer_vars": ["x"],
}
expected_strong_F = -9.0  # closed form above


@pytest.mark.parametrize(
    ("data", "expected_used", "expected_why"),
    [
        (LINEAR[0].problem, "kkt-bigm", "every big-M proven"),
        (QUADRATIC[0].problem, "kkt-branch", "quadratic leader"),
        (STRONG, "strong-duality", "strong duality applies"),
    ],
    ids=["bigm", "branch", "strong-duality"],
)
def test_auto_chooses_and_says_why(data, expected_used, expected_why):
    problem = BilevelProblem.from_dict(data)
    result = solve(problem, "auto")
    assert result.status == "optimal", result.message
    assert result.reformulation == expected_used
    assert result.message.startswith("auto: ") and expected_why in result.message
    check_answer(problem, result)
    branch = solve(problem, "kkt-branch")
    assert pytest.approx(branch.F, abs=1e-7) == result.F


def test_strong_duality_case_value():
    result = solve(BilevelProblem.from_dict(STRONG), "strong-duality")
    assert result.status == "optimal"
    assert pytest.approx(expected_strong_F, abs=1e-9) == result.F


def test_nonconvex_follower_refusal_names_the_alternative():
    data = {
        "leader": {"vars": ["x"], "objective": "x", "constraints": ["x >= 0", "x <= 1"]},
        "follower": {"vars": ["y"], "objective": "-y^2", "constraints": ["y >= x", "y <= 2"]},
    }
    with pytest.raises(SpecError, match=r"not convex.*value function"):
        BilevelProblem.from_dict(data)
