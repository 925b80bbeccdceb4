"""Parametric-QP followers: the class checks, then the search of :mod:`clsc.bilevel.pqp`.

**Convexity.** ``Q(x) = Q + sum_j x_j T_j`` is affine in ``x`` and the positive semidefinite
cone is convex, so ``Q(x)`` is PSD on the whole box ``lo <= x <= hi`` (the high-point
relaxation's bounds, which contain every feasible ``x``) iff it is PSD at every vertex of the
box; an infinite side needs the direction ``+-T_j`` itself PSD. :func:`convexity_failure`
checks exactly that; where it fails the problem is refused (KKT conditions would not
characterise the follower's optima), with the point where it fails.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.pqp import solve_pqp
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome

MAX_VERTICES = 4096


def convexity_failure(sf: StandardForm, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """A leader point ``x`` in the box ``[lo, hi]`` where ``Q(x)`` is not PSD (with an
    infinite side: a direction), or None when ``Q(x)`` is PSD on the whole box.

    >>> from clsc.bilevel import BilevelProblem
    >>> def sf(box):
    ...     return BilevelProblem.from_dict({
    ...         "leader": {"vars": ["x"], "objective": "x", "constraints": box},
    ...         "follower": {"vars": ["y"], "objective": "(x - 2)*y^2"}}).standard_form()
    >>> convexity_failure(sf([]), np.array([0.0]), np.array([3.0])).tolist()
    [0.0]
    >>> convexity_failure(sf([]), np.array([2.0]), np.array([np.inf])) is None
    True
    """
    if sf.T is None:
        return None
    J = [j for j in range(sf.n) if np.any(sf.T[j])]
    tol = 1e-9 * max(1.0, float(np.abs(sf.Q).max(initial=0.0)), float(np.abs(sf.T).max()))
    for j in J:  # a side at infinity: the recession direction must keep Q PSD
        for side, sign in ((hi[j], 1.0), (lo[j], -1.0)):
            if not math.isfinite(side) and np.linalg.eigvalsh(sign * sf.T[j]).min() < -tol:
                x = np.zeros(sf.n)
                x[j] = sign * math.inf
                return x
    ends = [[e for e in (lo[j], hi[j]) if math.isfinite(e)] or [0.0] for j in J]
    if math.prod(len(e) for e in ends) > MAX_VERTICES:
        raise ValueError(f"more than {MAX_VERTICES} box vertices to check for convexity")
    for corner in itertools.product(*ends):
        x = np.zeros(sf.n)
        x[J] = corner
        if np.linalg.eigvalsh(sf.Q_at(x)).min() < -tol:
            return x
    return None


def solve_parametric(
    sf: StandardForm,
    bounds: Bounds,
    reformulation: str,
    time_limit: float | None = None,
    node_limit: int = 20_000,
) -> tuple[Outcome, str, str]:
    """Checks of the class, then :func:`solve_pqp`; returns ``(outcome, used, why)``.
    A reformulation that does not cover the class, an integer follower, a non-convex leader
    objective or a follower that is not convex on the leader's box raise ``ParameterError``."""
    from clsc.bilevel.branch import is_convex
    from clsc.errors import ParameterError

    cls = "a parametric-QP follower (terms x*y^2: the follower's Hessian depends on x)"
    if reformulation in ("kkt-bigm", "strong-duality"):
        raise ParameterError("reformulation", message=f"{reformulation} does not cover {cls}: "
                             "its KKT conditions are bilinear in (x, y); use kkt-branch or auto "
                             "(spatial branch-and-bound over complementarity pieces)")  # fmt: skip
    if np.any(sf.integer[sf.n :]):
        raise ParameterError("integer_vars", message=f"integer follower variables with {cls} "
                             "are not supported (no MIQP follower)")  # fmt: skip
    if not is_convex(sf.H):
        raise ParameterError("leader.objective", message=f"the leader's quadratic objective is "
                             f"not convex; with {cls} clsc proves optima only for convex "
                             "leader objectives")  # fmt: skip
    lo, hi = bounds.v_lo[: sf.n], bounds.v_hi[: sf.n]
    try:
        bad = convexity_failure(sf, lo, hi)
    except ValueError as exc:
        raise ParameterError("follower.objective", message=str(exc)) from None
    if bad is not None:
        where = ", ".join(f"{sf.names[j]} = {bad[j]:g}" for j in range(sf.n) if np.any(sf.T[j]))
        raise ParameterError(
            "follower.objective",
            message="the follower's objective is not convex in its variables for every leader "
            f"point in the leader's box (fails at {where}; box from the high-point "
            "relaxation); KKT conditions would not be sufficient, so clsc refuses it (add "
            "leader bounds that keep it convex, or use a global method on the follower's "
            "value function, e.g. branch-and-sandwich)",
        )
    out = solve_pqp(sf, bounds, node_limit, time_limit)
    why = "parametric-QP follower: spatial branch-and-bound over complementarity pieces"
    return out, "kkt-branch", (f"auto: kkt-branch ({why})" if reformulation == "auto" else why)
