"""L-shaped decomposition (multi-cut Kelley cutting planes on the stocks) of the pooled SAA.

For N scenarios split into K groups ``G_k`` (weights ``w_k = |G_k|/N``), the SAA of
:mod:`clsc.stochastic.two_stage` is ``min_Q c'Q + sum_k w_k*phi_k(Q)`` with
``phi_k(Q) = mean_{w in G_k} phi(Q, D^w)`` convex and piecewise linear. The master LP

    min  c'Q + sum_k w_k*theta_k
    s.t. theta_k >= phi_k(Q^t) + g_k(Q^t)'(Q - Q^t)     for every iterate Q^t, every k
         Q >= 0 (non-members fixed at 0), theta >= 0 (recourse costs are >= 0)

gives a lower bound; the exact sample average at its solution (numba kernel of
:mod:`clsc.kernels.recourse`, which also returns the subgradients g) gives an upper bound. The
iteration stops when ``upper - lower <= tol*(1 + |upper|)``; the reported stocks are the best
iterate and its objective is the exact SAA objective there, so the answer is feasible and
within the printed gap of the SAA optimum. Memory is O(N*n) for the scenario matrix, never
the extensive form's O(N*n^2) columns.

>>> import numpy as np
>>> from clsc.stochastic.two_stage import TransshipmentCosts
>>> costs = TransshipmentCosts([1.0, 1.0], [1.0, 1.0], [5.0, 5.0], [[0, 0.5], [0.5, 0]])
>>> res = lshaped(costs, np.array([[10.0, 0.0], [0.0, 10.0]]), groups=2)
>>> str(res.status), round(res.objective, 6)
('optimal', 12.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from clsc.errors import ParameterError
from clsc.results import Status
from clsc.stochastic.two_stage import TransshipmentCosts, member_mask
from clsc.stochastic.two_stage_eval import recourse


@dataclass(frozen=True)
class LShapedResult:
    """``Q`` (best iterate), ``objective`` (exact SAA objective at Q), ``lower`` bound,
    ``iterations``, relative ``gap`` = (objective - lower)/(1 + |objective|), ``status``
    (optimal when the gap is within tolerance, not_proven after ``max_iter``)."""

    status: Status
    Q: np.ndarray
    objective: float
    lower: float
    iterations: int
    gap: float
    message: str = ""


def lshaped(
    costs: TransshipmentCosts,
    demand: np.ndarray,
    members: Sequence[int] | None = None,
    *,
    groups: int = 32,
    tol: float = 1e-9,
    max_iter: int = 500,
) -> LShapedResult:
    """Solve the SAA over the rows of ``demand`` by multi-cut L-shaped (module docstring)."""
    from clsc.solvers.highs import solve
    from clsc.solvers.program import LinearProgram

    demand = np.ascontiguousarray(demand, dtype=float)
    mask = member_mask(costs.n, members)
    n, N = costs.n, demand.shape[0]
    if int(groups) != groups or groups < 1:
        raise ParameterError("groups", "must be a positive integer", groups)
    K = min(int(groups), N)
    starts = (np.arange(K) * N) // K
    sizes = np.diff(np.append(starts, N)).astype(float)
    weights = sizes / N
    cost = np.concatenate([costs.c * mask, weights])
    col_upper = np.concatenate([np.where(mask, np.inf, 0.0), np.full(K, np.inf)])
    rows, rhs = [], []
    q = np.zeros(n)
    best_q, best, lower = q, np.inf, -np.inf
    for it in range(1, max_iter + 1):
        share, grad = recourse(costs, q, demand, mask)
        value = np.add.reduceat(share.sum(axis=1), starts) / sizes
        g = np.add.reduceat(grad, starts, axis=0) / sizes[:, None]
        upper = float(costs.c @ q + weights @ value)
        if upper < best:
            best, best_q = upper, q.copy()
        # cut k: theta_k - g_k'Q >= value_k - g_k'q
        rows.append(sp.hstack([sp.csr_matrix(-g), sp.eye(K)]))
        rhs.append(value - g @ q)
        lp = LinearProgram(cost, sp.vstack(rows), np.concatenate(rhs), np.inf, 0.0, col_upper)
        sol = solve(lp)
        if not sol:
            return LShapedResult(sol.status, best_q, best, lower, it, np.inf, sol.message)
        lower = max(lower, float(sol.objective))
        gap = (best - lower) / (1.0 + abs(best))
        if gap <= tol:
            return LShapedResult(Status.OPTIMAL, best_q, best, lower, it, max(gap, 0.0))
        q = np.where(mask, np.maximum(sol.x[:n], 0.0), 0.0)
    return LShapedResult(
        Status.NOT_PROVEN, best_q, best, lower, max_iter, gap, "iteration limit reached"
    )
