"""The relaxation of a parametric-QP node whose leader box runs to ``+infinity``.

On a box ``a <= x_j < infinity`` (``a > 0``, ``x_j`` the only leader variable in the follower's
Hessian) McCormick's envelope of ``x_j y`` does not exist, and on wide finite boxes it is weak
in proportion to ``x_j``. Dividing the follower's stationarity by ``x_j`` with ``u = 1/x_j``
in ``(0, 1/a]`` and ``mu = lambda / x_j >= 0`` gives the equivalent system::

    Q (u y) + T_j y + D_j + sum_{i != j} D_i (u x_i) + c u + B' mu = 0,
    mu >= 0,  mu_i s_i = 0  (the same complementarity as lambda),

whose products ``u y`` and ``u x_i`` have bounded factors, so McCormick's envelope applies and
tightens as ``a`` grows (at ``u = 0`` it is exact: the limit problem as ``x_j -> infinity``).
``u = 1/x_j`` is relaxed to ``0 <= u <= 1/a`` and tangent cuts ``u >= 2/t - x_j/t^2`` of the
convex ``1/x_j`` at ``t = a, 2a, 4a, ...``. The leader's objective and rows are kept in ``v``.
"""

from __future__ import annotations

import math

import numpy as np

from clsc.bilevel.highs import OPTIMAL, Program, Solution
from clsc.bilevel.problem import StandardForm

TANGENTS = 12


def _mc_rows(width: int, w: int, a_col: int, b_col: int, alo, ahi, blo, bhi):
    """McCormick rows for ``z_w = z_a z_b`` (finite bounds only) as ``(row, lo, hi)``."""
    out = []
    for a, b, lower in ((alo, blo, True), (ahi, bhi, True), (alo, bhi, False),
                        (ahi, blo, False)):  # fmt: skip
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        row = np.zeros(width)
        row[w], row[b_col], row[a_col] = 1.0, -a, -b
        out.append((row, -a * b, math.inf) if lower else (row, -math.inf, -a * b))
    return out


def tail_relaxation(
    sf: StandardForm,
    j: int,
    lo: np.ndarray,
    hi: np.ndarray,
    lam_zero: frozenset[int],
    slack_zero: frozenset[int],
    time_limit: float,
) -> tuple[Solution, np.ndarray | None, float]:
    """Solve the node's tail relaxation (see the module docstring): ``(solution over v with
    the leader's value, mu, largest product gap)``; the gap includes ``|u x_j - 1|``."""
    n, m, p = sf.n, sf.m, len(sf.b)
    N, a = n + m, float(lo[j])
    D = sf.K[:, :n]
    others = [i for i in range(n) if i != j and np.any(D[:, i])]
    R, U = N + p, N + p + m  # columns: v, mu, r = u*y, u, ux = u*x_others
    width = U + 1 + len(others)
    AB = np.hstack([sf.A, sf.B])
    rows = [(np.concatenate([r, np.zeros(width - N)]), -math.inf, b)
            for r, b in zip(sf.G, sf.g, strict=True)]  # fmt: skip
    for i in range(p):
        row = np.concatenate([AB[i], np.zeros(width - N)])
        rows.append((row, sf.b[i] if i in slack_zero else -math.inf, sf.b[i]))
    for k in range(m):
        row = np.zeros(width)
        row[R : R + m] = sf.Q[k]
        row[n:N] = sf.T[j][k]
        row[N : N + p] = sf.B[:, k]
        row[U] = sf.c[k]
        for t, i in enumerate(others):
            row[U + 1 + t] = D[k, i]
        rows.append((row, -D[k, j], -D[k, j]))
    for ell in range(m):
        rows += _mc_rows(width, R + ell, U, n + ell, 0.0, 1.0 / a, lo[n + ell], hi[n + ell])
    for t, i in enumerate(others):
        rows += _mc_rows(width, U + 1 + t, U, i, 0.0, 1.0 / a, lo[i], hi[i])
    for k in range(TANGENTS):
        x0 = a * 2.0**k
        row = np.zeros(width)
        row[U], row[j] = 1.0, 1.0 / x0**2
        rows.append((row, 2.0 / x0, math.inf))
    lb = np.full(width, -math.inf)
    ub = np.full(width, math.inf)
    lb[:N], ub[:N] = lo, hi
    lb[N : N + p] = 0.0
    for i in lam_zero:
        ub[N + i] = 0.0
    lb[U], ub[U] = 0.0, 1.0 / a
    q = np.zeros(width)
    q[:N] = sf.h
    P = None
    if np.any(sf.H):
        P = np.zeros((width, width))
        P[:N, :N] = sf.H
    A = np.array([r for r, _, _ in rows])
    row_lo = np.array([lo_ for _, lo_, _ in rows])
    row_hi = np.array([hi_ for _, _, hi_ in rows])
    sol = Program(q, A, row_lo, row_hi, lb, ub, P=P, time_limit=time_limit).solve()
    if sol.status != OPTIMAL or sol.v is None:
        return sol, None, math.inf
    z = sol.v
    v, mu, u = z[:N], z[N : N + p], z[U]
    gaps = [abs(z[R + ell] - u * v[n + ell]) for ell in range(m)]
    gaps += [abs(z[U + 1 + t] - u * v[i]) for t, i in enumerate(others)]
    gaps.append(abs(u * v[j] - 1.0))
    return Solution(OPTIMAL, v, sol.value), mu, max(gaps)
