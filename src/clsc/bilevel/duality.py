"""Strong-duality reformulation for LP followers (``Q = 0``).

``y`` solves ``min (c + D x)'y  s.t.  B y <= b - A x`` iff ``y`` is primal feasible, some
``lambda >= 0`` is dual feasible (``D x + B' lambda = -c``) and the duality gap closes::

    (c + D x)'y + lambda'(b - A x) <= 0          (weak duality gives >= 0)

The products ``x_j y_k`` (``D != 0``) and ``lambda_i x_j`` (``A != 0``) are bilinear. They are
linearised exactly when each such ``x_j`` is a bounded integer: ``x_j = lo_j + sum_t 2^t u_jt``
with binaries ``u``, and each ``u_jt w`` (``w = y_k`` or ``lambda_i``) by McCormick's
inequalities, which are exact for a binary ``u`` given finite bounds on ``w`` (HPR bounds for
``y``; the proven multiplier bounds of :mod:`clsc.bilevel.bounds` for ``lambda``: an optimal
dual vertex exists, so bounding ``lambda`` keeps an optimal dual). Continuous leader variables in
a bilinear term are refused: HiGHS cannot solve the resulting non-convex problem.
"""

from __future__ import annotations

import math

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.pyomo_model import affine, base_model, solve
from clsc.bilevel.result import Outcome
from clsc.errors import ParameterError


def _refuse(message: str) -> None:
    raise ParameterError("reformulation", message=f"strong-duality: {message}")


def bilinear_leader_vars(sf: StandardForm) -> list[int]:
    """Leader indices ``j`` that multiply a follower variable or a multiplier."""
    D = sf.P[sf.n :, : sf.n]
    return [j for j in range(sf.n) if np.any(D[:, j]) or np.any(sf.A[:, j])]


def build_model(sf: StandardForm, bounds: Bounds):
    """The pyomo model of the strong-duality reformulation (see module docstring)."""
    import pyomo.environ as pyo

    if sf.follower_quadratic:
        _refuse("the follower's objective is quadratic; use kkt-bigm or kkt-branch")
    if sf.leader_quadratic:
        _refuse("the leader's objective is quadratic (HiGHS has no MIQP); use kkt-branch")
    n, p = sf.n, len(sf.b)
    J = bilinear_leader_vars(sf)
    for j in J:
        if not sf.integer[j]:
            _refuse(
                f"leader variable {sf.names[j]} is continuous and multiplies follower "
                "variables or multipliers in the duality gap; use kkt-bigm or kkt-branch"
            )
        if not (np.isfinite(bounds.v_lo[j]) and np.isfinite(bounds.v_hi[j])):
            _refuse(f"leader variable {sf.names[j]} is unbounded; binary expansion impossible")
    m = base_model(sf, bounds)

    def _lam_bounds(_, i):
        hi = bounds.lam_max[i]
        return (0.0, float(hi) if np.isfinite(hi) else None)

    m.lam = pyo.Var(range(p), bounds=_lam_bounds)
    m.dual_feasibility = pyo.ConstraintList()
    D = sf.P[n:, :n]
    for k in range(sf.m):
        lhs = affine(m.v, D[k]) if np.any(D[k]) else 0.0
        lhs = lhs + sum(float(sf.B[i, k]) * m.lam[i] for i in range(p) if sf.B[i, k])
        m.dual_feasibility.add(lhs == -float(sf.c[k]))
    bits = {}
    for j in J:
        lo, hi = math.ceil(bounds.v_lo[j] - 1e-9), math.floor(bounds.v_hi[j] + 1e-9)
        bits[j] = (lo, max(0, math.ceil(math.log2(hi - lo + 1))) if hi > lo else 0)
    # products x_j * w: (key, j, w-var, w bounds, coefficient in the gap)
    terms = []
    for k in range(sf.m):
        for j in np.nonzero(D[k])[0]:
            wb = (bounds.v_lo[n + k], bounds.v_hi[n + k])
            terms.append((("y", int(j), k), int(j), m.v[n + k], wb, float(D[k, j])))
    for i in range(p):
        for j in np.nonzero(sf.A[i])[0]:
            terms.append(
                (("l", int(j), i), int(j), m.lam[i], (0.0, bounds.lam_max[i]), -float(sf.A[i, j]))
            )
    for _, j, _, (wlo, whi), _ in terms:
        if not (math.isfinite(wlo) and math.isfinite(whi)):
            _refuse(f"no finite bound for a term multiplying {sf.names[j]}")
    m.u = pyo.Var([(j, t) for j in J for t in range(bits[j][1])], domain=pyo.Binary)
    m.r = pyo.Var([(*key, t) for key, j, *_ in terms for t in range(bits[j][1])])
    m.expand = pyo.ConstraintList()
    for j in J:
        lo, T = bits[j]
        m.expand.add(m.v[j] == lo + sum(2**t * m.u[j, t] for t in range(T)))
    gap = sum(float(sf.c[k]) * m.v[n + k] for k in range(sf.m) if sf.c[k])
    gap = gap + sum(float(sf.b[i]) * m.lam[i] for i in range(p) if sf.b[i])
    for key, j, var, (wlo, whi), coef in terms:
        lo, T = bits[j]
        prod = lo * var
        for t in range(T):
            r, u = m.r[(*key, t)], m.u[j, t]
            m.expand.add(r <= whi * u)
            m.expand.add(r >= wlo * u)
            m.expand.add(r <= var - wlo * (1 - u))
            m.expand.add(r >= var - whi * (1 - u))
            prod = prod + 2**t * r
        gap = gap + coef * prod
    m.gap = pyo.Constraint(expr=gap <= 0)
    return m


def solve_strong_duality(
    sf: StandardForm, bounds: Bounds, time_limit: float | None = None
) -> Outcome:
    return solve(build_model(sf, bounds), sf.n + sf.m, time_limit)
