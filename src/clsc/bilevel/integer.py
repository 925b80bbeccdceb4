"""Integer followers by enumeration (small problems only).

When every follower variable is integer, the follower's reaction is found by enumerating its
finite feasible set ``Y`` (bounded by the high-point relaxation): for each leader point ``x``,
``S(x) = argmin {f(x, y): y in Y, A x + B y <= b}``, and the optimistic leader value is
``min {F(x, y): y in S(x), G (x, y) <= g}``. The leader's variables must then be integer and
bounded too, and ``x`` is enumerated as well; the product of both grid sizes is limited to
``max_points``. Larger problems, mixed-integer followers and continuous leaders with an integer
follower are refused with a clear message (their optimum need not be attained).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome
from clsc.bilevel.verify import Verification, check_rows
from clsc.errors import ParameterError
from clsc.results import INFEASIBLE, OPTIMAL

MAX_POINTS = 2_000_000
TOL = 1e-9


def _grid(sf: StandardForm, bounds: Bounds, cols: range, what: str) -> np.ndarray:
    axes = []
    for j in cols:
        lo, hi = bounds.v_lo[j], bounds.v_hi[j]
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ParameterError(
                sf.names[j], message=f"integer follower enumeration needs bounded {what} "
                f"variables; {sf.names[j]} is unbounded in the relaxation",
            )  # fmt: skip
        axes.append(np.arange(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1, dtype=float))
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(cols))


def check_supported(sf: StandardForm) -> None:
    n, N = sf.n, sf.n + sf.m
    if not np.all(sf.integer[n:N]):
        raise ParameterError(
            "integer_vars",
            message="mixed-integer followers are not supported; make all follower variables "
            "integer or all continuous",
        )
    if not np.all(sf.integer[:n]):
        raise ParameterError(
            "integer_vars",
            message="an integer follower needs integer leader variables too (with a continuous "
            "leader the optimum need not be attained); declare the leader's variables integer",
        )


def solve_enumeration(sf: StandardForm, bounds: Bounds, max_points: int = MAX_POINTS) -> Outcome:
    """Enumerate bounded integer ``x`` and ``y`` (see module docstring)."""
    check_supported(sf)
    n, N = sf.n, sf.n + sf.m
    X = _grid(sf, bounds, range(n), "leader")
    Y = _grid(sf, bounds, range(n, N), "follower")
    if len(X) * len(Y) > max_points:
        raise ParameterError(
            "integer_vars",
            message=f"integer enumeration needs {len(X)} x {len(Y)} points, more than the limit "
            f"{max_points}; the problem is too large for clsc's integer-follower method",
        )
    best, best_v = math.inf, None
    for x in X:
        yb = _leader_best(sf, x, Y)
        if yb is not None and yb[0] < best - TOL:
            best, best_v = yb
    if best_v is None:
        return Outcome(INFEASIBLE, message="no leader point has a feasible follower response")
    return Outcome(OPTIMAL, best_v, info={"points": len(X) * len(Y)})


def _leader_best(sf: StandardForm, x: np.ndarray, Y: np.ndarray):
    """``(F, v)`` of the optimistic response at ``x``, or None when no admissible response."""
    n = sf.n
    V = np.hstack([np.broadcast_to(x, (len(Y), n)), Y])
    feasible = np.all(sf.b + 1e-9 >= V @ np.hstack([sf.A, sf.B]).T, axis=1)
    if not feasible.any():
        return None
    f = 0.5 * np.einsum("ij,jk,ik->i", V, sf.P, V) + V @ sf.p
    fmin = f[feasible].min()
    opt = feasible & (f <= fmin + 1e-9 * (1 + abs(fmin)))
    if sf.G.size:
        opt &= np.all(sf.g + 1e-9 >= V @ sf.G.T, axis=1)
    if not opt.any():
        return None
    F = 0.5 * np.einsum("ij,jk,ik->i", V, sf.H, V) + V @ sf.h + sf.h0
    k = np.nonzero(opt)[0][np.argmin(F[opt])]
    return float(F[k]), V[k].copy()


def verify_enumeration(sf: StandardForm, bounds: Bounds, v: np.ndarray) -> Verification:
    """Re-enumerate the follower at ``x``; ``v`` must be follower-optimal and leader-preferred."""
    failure = check_rows(sf, v)
    if failure:
        return Verification(False, failure)
    Y = _grid(sf, bounds, range(sf.n, sf.n + sf.m), "follower")
    found = _leader_best(sf, v[: sf.n], Y)
    if found is None:
        return Verification(False, "no follower response at the leader's x")
    F = sf.leader_value(v)
    f_v = sf.follower_value(v)
    f_best = sf.follower_value(found[1])
    if f_v > f_best + 1e-7 * (1 + abs(f_best)) or found[0] + 1e-7 * (1 + abs(found[0])) < F:
        return Verification(False, "y is not the follower's (optimistic) response at x")
    return Verification(True, "", f_best, found[0])
