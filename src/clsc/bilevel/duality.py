"""Strong-duality reformulation for LP followers and convex-QP followers (``Q`` PSD, constant).

``y`` solves ``min 0.5 y'Qy + (c + D x)'y  s.t.  B y <= b - A x`` iff ``y`` is primal feasible,
some ``lambda >= 0`` makes ``(y, lambda)`` feasible for the (Wolfe) dual
(``Q y + D x + B' lambda = -c``) and the duality gap closes::

    y'Qy + (c + D x)'y + lambda'(b - A x) <= 0    (weak duality gives >= 0; = lambda's)

For ``Q != 0`` the convex term ``y'Qy`` is a column ``t`` with Kelley's cutting planes
``t >= 2 y0'Q y - y0'Q y0`` added at each MILP solution ``y0`` that violates ``t >= y'Qy``
(each cut is valid, so every MILP is a relaxation; the loop stops when the violation is below
``CUT_TOL``, and the verification then re-solves the follower exactly).

The products ``x_j y_k`` (``D != 0``) and ``lambda_i x_j`` (``A != 0``) are bilinear. They are
linearised exactly when each such ``x_j`` is a bounded integer: ``x_j = lo_j + sum_t 2^t u_jt``
with binaries ``u``, and each ``u_jt w`` (``w = y_k`` or ``lambda_i``) by McCormick's
inequalities, which are exact for a binary ``u`` given finite bounds on ``w`` (HPR bounds for
``y``; the proven multiplier bounds of :mod:`clsc.bilevel.bounds` for ``lambda``: an optimal
dual vertex exists, so bounding ``lambda`` keeps an optimal dual). Continuous leader variables in
a bilinear term are refused: HiGHS cannot solve the resulting non-convex problem.

Strong duality is therefore *not* a general reformulation. Outside its class (:data:`CLASS`:
quadratic or parametric-QP followers, quadratic leaders, continuous coupling variables) it is an
error that names the feature and the reformulation that applies (:func:`applies_instead`);
``auto`` tries it only after ``kkt-bigm`` and says why it was or was not used.
"""

from __future__ import annotations

import math
import time

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.kkt import base_program, multipliers
from clsc.bilevel.milp import Builder, affine, solve_milp
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome
from clsc.errors import ParameterError
from clsc.results import NOT_PROVEN, OPTIMAL, TIME_LIMIT

MAX_CUTS = 200
CUT_TOL = 1e-9

#: the class strong duality covers (named in every refusal)
CLASS = (
    "strong-duality covers a linear leader objective and a linear or convex-quadratic follower "
    "whose leader-dependent terms (x'Dy, lambda'Ax) involve only bounded integer leader variables"
)


def applies_instead(sf: StandardForm, bounds: Bounds) -> str:
    """The reformulation that covers ``sf`` when strong duality does not."""
    if sf.T is None and not sf.leader_quadratic and bounds.proven:
        return "kkt-bigm (every big-M is proven) or auto"
    return "kkt-branch or auto"


def _refuse(feature: str, sf: StandardForm, bounds: Bounds) -> None:
    raise ParameterError(
        "reformulation",
        message=f"{CLASS}; this problem has {feature}: use {applies_instead(sf, bounds)}",
    )


def bilinear_leader_vars(sf: StandardForm) -> list[int]:
    """Leader indices ``j`` that multiply a follower variable or a multiplier."""
    D = sf.P[sf.n :, : sf.n]
    return [j for j in range(sf.n) if np.any(D[:, j]) or np.any(sf.A[:, j])]


def build_program(sf: StandardForm, bounds: Bounds) -> Builder:
    """The MILP of the strong-duality reformulation (see module docstring); for a QP
    follower ``t >= y'Qy`` has only the cut ``t >= 0`` (:func:`solve_strong_duality` adds more)."""
    return _build(sf, bounds)[0]


def _build(sf: StandardForm, bounds: Bounds) -> tuple[Builder, int | None]:
    if sf.T is not None:
        _refuse("a parametric-QP follower (its Hessian depends on x)", sf, bounds)
    if sf.leader_quadratic:
        _refuse("a quadratic leader objective (HiGHS has no MIQP)", sf, bounds)
    n, p = sf.n, len(sf.b)
    J = bilinear_leader_vars(sf)
    for j in J:
        if not sf.integer[j]:
            _refuse(
                f"the continuous leader variable {sf.names[j]}, which multiplies follower "
                "variables or multipliers in the duality gap (continuous and multiplies)",
                sf, bounds,
            )  # fmt: skip
        if not (np.isfinite(bounds.v_lo[j]) and np.isfinite(bounds.v_hi[j])):
            _refuse(f"the unbounded integer leader variable {sf.names[j]} (no binary expansion)",
                    sf, bounds)  # fmt: skip
    b, v = base_program(sf, bounds)
    lam = multipliers(b, sf, bounds, v)  # dual feasibility: D x + B' lambda = -c (Q = 0)
    D = sf.P[n:, :n]
    # products x_j * w: (j, column of w, bounds of w, coefficient in the gap)
    terms = []
    for k in range(sf.m):
        for j in np.nonzero(D[k])[0]:
            wb = (bounds.v_lo[n + k], bounds.v_hi[n + k])
            terms.append((int(j), int(v[n + k]), wb, float(D[k, j])))
    for i in range(p):
        for j in np.nonzero(sf.A[i])[0]:
            terms.append((int(j), int(lam[i]), (0.0, bounds.lam_max[i]), -float(sf.A[i, j])))
    for j, _, (wlo, whi), _ in terms:
        if not (math.isfinite(wlo) and math.isfinite(whi)):
            _refuse(f"a term multiplying {sf.names[j]} without a finite bound", sf, bounds)
    bits = {j: _expand(b, sf, bounds, v, j) for j in J}
    gap = affine(v[n:], sf.c)
    gap.update(affine(lam, sf.b))
    t_col = None
    if sf.follower_quadratic:  # y'Qy >= 0 (Q PSD): the first cut
        t_col = int(b.add_cols(1, 0.0)[0])
        gap[t_col] = 1.0
    for j, w, (wlo, whi), coef in terms:
        lo, us = bits[j]
        gap[w] = gap.get(w, 0.0) + coef * lo
        for t, u in enumerate(us):  # r = u * w exactly (McCormick, u binary, w bounded)
            r = int(b.add_cols(1)[0])
            b.add_row({r: 1.0, u: -whi}, upper=0.0)
            b.add_row({r: 1.0, u: -wlo}, lower=0.0)
            b.add_row({r: 1.0, w: -1.0, u: -wlo}, upper=-wlo)
            b.add_row({r: 1.0, w: -1.0, u: -whi}, lower=-whi)
            gap[r] = gap.get(r, 0.0) + coef * 2**t
    b.add_row(gap, upper=0.0)
    return b, t_col


def _expand(b: Builder, sf: StandardForm, bounds: Bounds, v: np.ndarray, j: int):
    """``x_j = lo + sum_t 2^t u_t`` with binaries ``u``; returns ``(lo, columns of u)``."""
    lo, hi = math.ceil(bounds.v_lo[j] - 1e-9), math.floor(bounds.v_hi[j] + 1e-9)
    T = max(0, math.ceil(math.log2(hi - lo + 1))) if hi > lo else 0
    us = [int(c) for c in b.add_cols(T, 0.0, 1.0, True)]
    coef = {int(v[j]): 1.0}
    coef.update({u: -(2.0**t) for t, u in enumerate(us)})
    b.add_row(coef, lo, lo)
    return lo, us


def solve_strong_duality(
    sf: StandardForm, bounds: Bounds, time_limit: float | None = None
) -> Outcome:
    """Solve the MILP; for a QP follower add cuts ``t >= 2 y0'Q y - y0'Q y0`` at each solution
    ``y0`` with ``y0'Q y0 > t`` (Kelley) until ``y'Qy - t <= CUT_TOL (1 + y'Qy)``."""
    b, t = _build(sf, bounds)
    N = sf.n + sf.m
    if t is None:
        return solve_milp(b, N, time_limit)
    start, Q = time.perf_counter(), sf.Q
    for cuts in range(MAX_CUTS):
        left = None if time_limit is None else time_limit - (time.perf_counter() - start)
        if left is not None and left <= 0:
            return Outcome(TIME_LIMIT, None, f"gave up after {time_limit:g} s (cutting planes)")
        out = solve_milp(b, b.n_cols, left)
        if out.status != OPTIMAL or out.v is None:
            return Outcome(out.status, None if out.v is None else out.v[:N], out.message)
        y0 = out.v[sf.n : N]
        quad = float(y0 @ Q @ y0)
        if quad - out.v[t] <= CUT_TOL * (1.0 + abs(quad)):
            return Outcome(OPTIMAL, out.v[:N], info={"cuts": cuts})
        coef = {t: 1.0}
        coef.update(affine(np.arange(sf.n, N), -2.0 * (Q @ y0)))
        b.add_row(coef, lower=-quad)
    return Outcome(NOT_PROVEN, out.v[:N], f"{MAX_CUTS} cutting planes did not close y'Qy <= t")
