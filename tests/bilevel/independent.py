"""Independent checks of a bilevel answer, for tests: feasibility and follower optimality.

The follower is re-solved at the returned leader point ``x`` straight through the solver layer
(``clsc.solvers``: LP, convex QP, or MILP for integer followers), not through
``clsc.bilevel.verify``, so a test of a problem with several optima checks value, feasibility
and optimality instead of pinning one arbitrary optimum.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from clsc.bilevel import BilevelProblem, BilevelResult
from clsc.solvers.highs import solve as highs_solve
from clsc.solvers.program import LinearProgram

TOL = 1e-6
EXACT = {"mip_rel_gap": 0.0, "mip_abs_gap": 1e-9}


def point(problem: BilevelProblem, values: Mapping[str, float]) -> np.ndarray:
    names = [str(s) for s in (*problem.leader_vars, *problem.follower_vars)]
    return np.array([values[name] for name in names], dtype=float)


def follower_optimum(problem: BilevelProblem, x: np.ndarray) -> float | None:
    """``min_y f(x, y)`` over the follower's own rows at ``x`` (min form), exactly; ``None``
    when the follower has no optimum there (infeasible or unbounded)."""
    sf = problem.standard_form()
    n = sf.n
    g = sf.p[n:] + sf.P[n:, :n] @ x
    const = float(0.5 * x @ sf.P[:n, :n] @ x + sf.p[:n] @ x + sf.p0)
    A, rhs = (sf.B, sf.b - sf.A @ x) if len(sf.b) else (None, None)
    integer = sf.integer[n:] if np.any(sf.integer[n:]) else None
    if integer is not None and np.any(sf.Q):  # no MIQP: enumerate the follower's own set
        return _enumerated_optimum(sf, x, g, A, rhs) + const
    lp = LinearProgram(c=g, A=A, row_upper=rhs, col_lower=-np.inf,
                       P=sf.Q if np.any(sf.Q) else None, integrality=integer)  # fmt: skip
    sol = highs_solve(lp, options=EXACT)
    return float(sol.objective) + const if sol else None


def _enumerated_optimum(sf, x, g, A, rhs) -> float | None:
    """Integer follower with a quadratic objective: every integer point of the LP box of its
    own feasible set at ``x`` (the box must be bounded)."""
    m = sf.m
    lo, hi = np.empty(m), np.empty(m)
    for j in range(m):
        for sign, out in ((1.0, lo), (-1.0, hi)):
            sol = highs_solve(LinearProgram(c=sign * np.eye(m)[j], A=A, row_upper=rhs,
                                            col_lower=-np.inf))  # fmt: skip
            if not sol:
                return None
            out[j] = sign * sol.objective
    axes = [
        range(int(np.ceil(a - 1e-7)), int(np.floor(b + 1e-7)) + 1)
        for a, b in zip(lo, hi, strict=True)
    ]
    values = [
        0.5 * y @ sf.Q @ y + g @ y
        for y in map(np.array, itertools.product(*axes))
        if A is None or np.all(A @ y <= rhs + 1e-9)
    ]
    return float(min(values)) if values else None


def check_answer(problem: BilevelProblem, result: BilevelResult, tol: float = TOL) -> None:
    """Assert that the returned point is bilevel feasible: integral where declared, every
    leader and follower row satisfied, ``y`` optimal for the follower at ``x``, and the
    reported ``F`` is the leader's objective there."""
    check_point(problem, {**dict(result.x), **dict(result.y)}, result.F, tol)


def check_point(
    problem: BilevelProblem, values: Mapping[str, float], F_reported: float, tol: float = TOL
) -> None:
    """:func:`check_answer` for a point given by name (e.g. a published optimum)."""
    sf = problem.standard_form()
    v = point(problem, values)
    scale = lambda a: tol * (1 + np.abs(a))  # noqa: E731
    assert np.all(np.abs(v - np.round(v))[sf.integer] <= tol), "not integral"
    if len(sf.g):
        assert np.all(sf.G @ v <= sf.g + scale(sf.g)), "a leader row is violated"
    if len(sf.b):
        assert np.all(np.hstack([sf.A, sf.B]) @ v <= sf.b + scale(sf.b)), "a follower row"
    fstar = follower_optimum(problem, v[: sf.n])
    assert fstar is not None, "the follower has no optimum at the returned x"
    f = sf.follower_value(v)
    assert f <= fstar + tol * (1 + abs(fstar)), f"y is not follower-optimal: {f} > {fstar}"
    F = sf.sign_F * sf.leader_value(v)
    assert abs(F - F_reported) <= tol * (1 + abs(F)), f"F(x, y) = {F}, not {F_reported}"
