"""Final check of every answer: re-solve the follower at the leader's ``x``.

A point ``v = (x, y)`` passes when (tolerance ``tol``, relative to ``1 + |value|``)

1. integer variables are integral and the leader's and follower's rows hold;
2. ``y`` is follower-optimal: ``f(x, y) <= f*(x)``, where ``f*(x)`` is the optimum of the
   follower's LP/QP at ``x`` solved afresh by HiGHS;
3. ``y`` is leader-preferred (optimistic): ``F(x, y) <= min F(x, y')`` over the follower's
   optimal set intersected with the leader's rows. For a convex QP follower that optimal set is
   ``{y' feasible : Q y' = Q y*, g'y' = g'y*}`` with ``g = c + D x`` (Mangasarian 1988,
   Oper. Res. Lett. 7(1)), so the check is one more LP/QP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clsc.bilevel.highs import OPTIMAL, UNBOUNDED, Solution, solve_qp
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.reduced import polish

TOL = 1e-6


@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str = ""
    follower_optimum: float | None = None
    leader_best: float | None = None
    response: np.ndarray | None = None  # the optimistic response y re-solved at x


def _close_le(a: float, b: float, tol: float) -> bool:
    return a <= b + tol * (1.0 + abs(b))


def check_rows(sf: StandardForm, v: np.ndarray, tol: float = TOL) -> str:
    """'' when ``v`` is integral where required and satisfies all rows; else the failure."""
    bad = np.nonzero(sf.integer & (np.abs(v - np.round(v)) > tol))[0]
    if bad.size:
        return f"integer variable {sf.names[bad[0]]} = {v[bad[0]]:.6g} is not integral"
    if sf.G.size and np.any(sf.G @ v > sf.g + tol * (1 + np.abs(sf.g))):
        return "the leader's constraints are violated"
    if sf.b.size and np.any(np.hstack([sf.A, sf.B]) @ v > sf.b + tol * (1 + np.abs(sf.b))):
        return "the follower's constraints are violated"
    return ""


def follower_response(sf: StandardForm, x: np.ndarray) -> Solution:
    """The follower's LP/QP at ``x``: ``min 0.5 y'Qy + (c + D x)'y  s.t.  B y <= b - A x``."""
    g, rhs = sf.c + sf.P[sf.n :, : sf.n] @ x, sf.b - sf.A @ x
    Q = sf.Q_at(x)  # parametric-QP followers: the Hessian at x
    free = np.full(sf.m, np.inf)
    lo = np.full(len(rhs), -np.inf)
    sol = solve_qp(g, sf.B, lo, rhs, -free, free, P=Q)
    if sol.status != OPTIMAL or sol.v is None:
        return sol
    y = polish(Q, g, sf.B, lo, rhs, sol.v)  # exact active-set solve of the follower's QP
    return Solution(OPTIMAL, y, float(0.5 * y @ Q @ y + g @ y))


def optimistic_response(
    sf: StandardForm, x: np.ndarray, ystar: np.ndarray, slack: float = 1e-9
) -> Solution:
    """``min F(x, y)`` over the follower's optimal set at ``x`` (given one optimum ``ystar``)
    intersected with the leader's rows; ``slack`` relaxes ``g'y <= g'y*`` relatively."""
    n, m = sf.n, sf.m
    Q, g, rhs = sf.Q_at(x), sf.c + sf.P[n:, :n] @ x, sf.b - sf.A @ x
    if m and np.linalg.eigvalsh(Q).min() > 1e-9 * max(1.0, np.abs(Q).max()):
        # Q positive definite: the follower's optimum is unique (no QP needed; the leader's
        # Hessian in y may then be indefinite, e.g. a bilinear Stackelberg profit)
        v = np.concatenate([x, ystar])
        return Solution(OPTIMAL, np.asarray(ystar, dtype=float), sf.leader_value(v))
    Gx, Gy = (sf.G[:, :n], sf.G[:, n:]) if sf.G.size else (np.zeros((0, n)), np.zeros((0, m)))
    gy = g @ ystar
    rows = np.vstack([sf.B, Q, g[None, :], Gy])
    lo = np.concatenate(
        [np.full(len(rhs), -np.inf), Q @ ystar, [-np.inf], np.full(len(sf.g), -np.inf)]
    )
    hi = np.concatenate([rhs, Q @ ystar, [gy + slack * (1 + abs(gy))], sf.g - Gx @ x])
    free = np.full(m, np.inf)
    cost = sf.h[n:] + sf.H[n:, :n] @ x
    return solve_qp(cost, rows, lo, hi, -free, free, P=sf.H[n:, n:])


def verify(sf: StandardForm, v: np.ndarray, tol: float = TOL) -> Verification:
    """Check that ``v`` is bilevel feasible and leader-preferred (see module docstring)."""
    failure = check_rows(sf, v, tol)
    if failure:
        return Verification(False, failure)
    n = sf.n
    x, y = v[:n], v[n:]
    follower = follower_response(sf, x)
    if follower.status == UNBOUNDED:
        return Verification(False, "the follower's problem is unbounded at the leader's x")
    if follower.status != OPTIMAL or follower.v is None:
        return Verification(False, f"re-solving the follower at x gave {follower.status}")
    g = sf.c + sf.P[n:, :n] @ x
    fy = float(0.5 * y @ sf.Q_at(x) @ y + g @ y)
    if not _close_le(fy, follower.value, tol):
        return Verification(
            False,
            f"y is not follower-optimal: f-part {fy:.8g} > re-solved optimum {follower.value:.8g}"
            " (bounds too small or numerical trouble)",
            follower.value,
        )
    best = optimistic_response(sf, x, follower.v)
    if best.status != OPTIMAL:  # numerically empty: retry with the verification tolerance
        best = optimistic_response(sf, x, follower.v, slack=tol)
    if best.status != OPTIMAL or best.v is None:
        return Verification(
            False, f"the leader-preference check returned {best.status}", follower.value
        )
    best_F = sf.leader_value(np.concatenate([x, best.v]))
    F = sf.leader_value(v)
    if not _close_le(F, best_F, tol):
        return Verification(
            False,
            f"y is not leader-preferred among the follower's optima: F {F:.8g} > {best_F:.8g}",
            follower.value,
            best_F,
        )
    return Verification(True, "", follower.value, best_F, best.v)
