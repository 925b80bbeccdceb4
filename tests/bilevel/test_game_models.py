"""Stackelberg games as bilevel programs: non-convex (bilinear) leaders solved piece by piece.

The leader's objective of a pricing game is indefinite (``w*q``) but convex on the follower's
response; ``kkt-branch`` eliminates each piece's equalities and proves the piece's optimum.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.reduced import NodeData, polish, reduced_hessian, solve_reduced

w, x, q = sp.symbols("w x q", real=True)


def process_innovation_p(a=100, c0=8, cr=7, h=5, r=2, k=6, cap=None) -> BilevelProblem:
    """Spec 6.4 with theta = 1 (mode P); the NEV maker's output optionally capped."""
    leader = (w - cr + r * x) * q - sp.Rational(h) / 2 * x**2 - sp.Rational(k, 2) * q**2
    follower = (a - q - c0 - w) * q
    fcons = [q >= 0] + ([q <= cap] if cap is not None else [])
    return BilevelProblem.from_sympy(
        [w, x], [q], leader, follower, [x >= 0], fcons, leader_sense="max", follower_sense="max"
    )


def test_indefinite_leader_is_solved_exactly():
    problem = process_innovation_p()
    assert np.linalg.eigvalsh(problem.standard_form().H).min() < 0  # not jointly convex
    result = solve(problem)
    # spec 6.9 Table 4, mode P (exact fractions): w = 1691/23, x = 85/23, q = 425/46
    expected_w, expected_x, expected_q = 1691 / 23, 85 / 23, 425 / 46
    expected_pi_PB = 36125 / 92
    assert result.status == "optimal", result.message
    assert result.reformulation == "kkt-branch"
    assert result.x["w"] == pytest.approx(expected_w, rel=1e-9)
    assert result.x["x"] == pytest.approx(expected_x, rel=1e-9)
    assert result.y["q"] == pytest.approx(expected_q, rel=1e-9)
    assert pytest.approx(expected_pi_PB, rel=1e-9) == result.F
    assert result.info["nonconvex_pieces"] == 0 and result.info["verified"]


def test_capacity_binding_gives_the_corner():
    result = solve(process_innovation_p(cap=5))
    # q = (a - c0 - w)/2 >= 5 for w <= 82: the leader takes w = 82 and x = r*q/h = 2
    assert result.status == "optimal", result.message
    assert (result.x["w"], result.x["x"], result.y["q"]) == pytest.approx((82, 2, 5), rel=1e-9)


def test_nonconvex_piece_with_a_descent_ray_is_unbounded():
    # h = 0.1: (4 + k)*h - r^2 < 0, the leader's profit on the response is convex: unbounded
    result = solve(process_innovation_p(h=sp.Rational(1, 10)))
    assert result.status == "unbounded" and result.F is None


def test_piece_not_convex_is_not_proven():
    # leader -x^2 + ... is concave in x on the piece y = x but convex on the piece y = 0
    y = sp.Symbol("y", real=True)
    problem = BilevelProblem.from_sympy(
        [x], [y], -(x**2) + 3 * y, y, [x >= 0, x <= 2], [y >= 0, y >= x - 1]
    )
    result = solve(problem)
    assert result.status == "not_proven"
    assert "not convex" in result.message
    assert result.info["nonconvex_pieces"] >= 1


def test_no_convex_piece_gives_a_verified_point_not_an_optimum():
    # issue 13: never a refusal when a feasible point is known. The follower's response to x
    # is y = x, so F(x) = -x^2 - x on [0, 1]: minimum -2 at x = 1 (by hand).
    y = sp.Symbol("y", real=True)
    problem = BilevelProblem.from_sympy([x], [y], -(x**2) - y, y, [x >= 0, x <= 1], [y >= x])
    result = solve(problem)
    assert result.status == "not_proven" and "not convex on any" in result.message
    assert "gap is unknown" in result.message
    xv, yv = result.x["x"], result.y["y"]
    assert 0 <= xv <= 1 and yv == pytest.approx(xv, abs=1e-6)  # the follower's own response
    assert pytest.approx(-(xv**2) - yv, abs=1e-9) == result.F
    expected_F = -2.0
    assert pytest.approx(expected_F, abs=1e-6) == result.F


def test_no_convex_piece_unbounded_leader_is_unbounded():
    # F(x) = -x^2 - x on x >= 0 goes to -inf: status unbounded, no point
    y = sp.Symbol("y", real=True)
    problem = BilevelProblem.from_sympy([x], [y], -(x**2) - y, y, [x >= 0], [y >= x])
    result = solve(problem)
    assert result.status == "unbounded" and result.F is None and not result.x


def test_reduced_hessian_and_polish():
    P = np.array([[0.0, 1.0], [1.0, 0.0]])  # indefinite; convex on z1 = z2, concave on z1 = -z2
    R, convex = reduced_hessian(P, np.array([[1.0], [1.0]]) / np.sqrt(2))
    assert convex and R[0, 0] == pytest.approx(1.0)
    assert not reduced_hessian(P, np.array([[1.0], [-1.0]]) / np.sqrt(2))[1]
    # min z1*z2 + z1 on the line z1 = z2, 0 <= z1 <= 10 -> z = (-1/2, -1/2) infeasible -> z = 0
    d = NodeData(P, np.array([1.0, 0.0]), np.array([[1.0, -1.0]]), np.array([0.0]),
                 np.array([0.0]), np.array([0.0, -np.inf]), np.array([10.0, np.inf]))  # fmt: skip
    sol = solve_reduced(d)
    assert sol.status == "optimal" and sol.v == pytest.approx([0.0, 0.0], abs=1e-12)
    # polish: min (v - 1/3)^2 over v <= 1 from a rough start gives 1/3 exactly
    v = polish(np.array([[2.0]]), np.array([-2 / 3]), np.array([[1.0]]), np.array([-np.inf]),
               np.array([1.0]), np.array([0.3333]))  # fmt: skip
    assert v[0] == 1 / 3


def test_no_convex_piece_search_is_capped_in_many_leader_dimensions(monkeypatch):
    # 9 leader variables: a 2-per-axis grid would be 512 follower solves; the cap is 256
    from clsc.bilevel import branch

    calls = []
    real = branch.response_point
    monkeypatch.setattr(branch, "response_point", lambda sf, v: calls.append(1) or real(sf, v))
    xs = sp.symbols("x1:10", real=True)
    y = sp.Symbol("y", real=True)
    box = [c for xi in xs for c in (xi >= 0, xi <= 1)]
    problem = BilevelProblem.from_sympy(list(xs), [y], -sum(xi**2 for xi in xs) - y, y, box,
                                        [y >= xs[0]])  # fmt: skip
    result = solve(problem)
    assert result.status == "not_proven"
    assert len(calls) <= 256 + 64  # the sample plus the branch nodes' own responses
    # the point shown is the follower's response at the leader's x, and feasible
    assert result.y["y"] == pytest.approx(result.x["x1"], abs=1e-6)
    assert all(-1e-9 <= v <= 1 + 1e-9 for v in result.x.values())
