"""Exact recourse evaluation of fixed stocks, out-of-sample estimates and the optimality gap.

:func:`evaluate` gives, for stocks ``Q`` of a coalition and a matrix of requirement scenarios,
the exact recourse cost of every scenario (the numba min-cost-flow kernel of
:mod:`clsc.kernels.recourse`, equal to the recourse LP to rounding), hence the estimate

    C_hat(Q) = c'Q + (1/M) sum_w phi(Q, D^w),   se = sd_w(phi(Q, D^w)) / sqrt(M),

the mean cost borne by each node and the mean subgradient of phi in Q (for cutting planes).

:func:`mrp_gap` is the multiple-replication procedure of Mak, Morton and Wood (1999): for a
candidate ``Q_hat`` and ``m`` independent samples of size ``N``, each solved as an SAA with
optimum ``z_k``, the gaps ``G_k = C_hat_k(Q_hat) - z_k >= 0`` (same sample) are iid with mean
at least the true optimality gap of ``Q_hat``, so

    [0, mean(G) + t_{m-1, 1-alpha} * sd(G) / sqrt(m)]

is a conservative one-sided (1 - alpha) confidence interval on the gap.

>>> import numpy as np
>>> from clsc.stochastic.two_stage import TransshipmentCosts
>>> costs = TransshipmentCosts([1.0, 1.0], [1.0, 1.0], [5.0, 5.0], [[0, 0.5], [0.5, 0]])
>>> ev = evaluate(costs, [10.0, 0.0], np.array([[10.0, 0.0], [0.0, 10.0]]))
>>> round(ev.mean, 9), ev.alloc.round(9).tolist()
(12.5, [10.0, 2.5])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from clsc.errors import ParameterError
from clsc.stochastic.two_stage import TransshipmentCosts, member_mask


@dataclass(frozen=True)
class RecourseNetwork:
    """Arc arrays of the flow network of one coalition (see :mod:`clsc.kernels.recourse`)."""

    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray
    role: np.ndarray
    a_i: np.ndarray
    a_j: np.ndarray
    n_vertices: int


def recourse_network(costs: TransshipmentCosts, mask: np.ndarray) -> RecourseNetwork:
    """Vertices: 0 = source, 1..n hubs, n+1..2n gates, 2n+1 = sink; members only."""
    from clsc.kernels.recourse import EXCESS, FILL, GATE, MOVE, STOCK  # (loads numba)

    n = costs.n
    sink = 2 * n + 1
    arcs: list[tuple[int, int, float, int, int, int]] = []
    members = [int(j) for j in np.flatnonzero(mask)]
    for j in members:
        arcs.append((0, 1 + j, 0.0, STOCK, j, j))
        arcs.append((1 + j, 1 + n + j, 0.0, GATE, j, j))
    for i in members:
        for j in members:
            if i != j:
                arcs.append((1 + n + i, 1 + j, float(costs.tau[i, j]), MOVE, i, j))
    for j in members:
        arcs.append((1 + j, sink, -float(costs.p[j]), FILL, j, j))
        arcs.append((1 + j, sink, float(costs.h[j]), EXCESS, j, j))
    cols = list(zip(*arcs, strict=True))
    ints = [np.array(col, dtype=np.int64) for col in (cols[0], cols[1], cols[3], cols[4], cols[5])]
    return RecourseNetwork(
        ints[0], ints[1], np.array(cols[2], dtype=float), ints[2], ints[3], ints[4], 2 * n + 2
    )


def recourse(
    costs: TransshipmentCosts, Q, demand: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-scenario, per-node recourse cost shares and subgradients, both (M, n)."""
    demand = np.ascontiguousarray(demand, dtype=float)
    q = np.where(mask, np.asarray(Q, dtype=float), 0.0)
    if demand.ndim != 2 or demand.shape[1] != costs.n:
        raise ParameterError("demand", f"must have {costs.n} columns", demand.shape)
    if np.any(q < 0) or not np.all(np.isfinite(q)):
        raise ParameterError("Q", "must be finite and >= 0", q.tolist())
    from clsc.kernels.recourse import recourse_kernel

    net = recourse_network(costs, mask)
    share = np.zeros(demand.shape)
    grad = np.zeros(demand.shape)
    recourse_kernel(
        net.tail, net.head, net.cost, net.role, net.a_i, net.a_j, net.n_vertices,
        q, demand, costs.h, costs.p, share, grad,
    )  # fmt: skip
    return share, grad


def scenario_costs(
    costs: TransshipmentCosts, q: np.ndarray, demand: np.ndarray, members
) -> tuple[np.ndarray, np.ndarray]:
    """Per-scenario, per-node cost (first stage ``c_j Q_j`` included) and cost gradient
    ``c_j + dphi/dQ_j``, both (scenarios, n); zero off the coalition."""
    mask = member_mask(costs.n, members)
    qm = np.where(mask, np.asarray(q, dtype=float), 0.0)
    share, grad = recourse(costs, qm, demand, mask)
    first = np.where(mask, costs.c * qm, 0.0)
    return share + first, np.where(mask, grad + costs.c, 0.0)


def mean_se(values: np.ndarray) -> float:
    """``sd/sqrt(n)`` of per-scenario values (nan for fewer than 2)."""
    n = values.shape[0]
    return float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan


@dataclass(frozen=True)
class Evaluation:
    """Sample estimate of the expected cost of fixed stocks: ``mean`` (first stage included),
    its standard error ``se``, per-node ``alloc`` (c_j*Q_j + mean share), the mean
    subgradient ``grad`` of the recourse in Q, and ``n`` scenarios."""

    mean: float
    se: float
    alloc: np.ndarray
    grad: np.ndarray
    n: int


def evaluate(
    costs: TransshipmentCosts,
    Q: Sequence[float],
    demand: np.ndarray,
    members: Sequence[int] | None = None,
) -> Evaluation:
    """Exact recourse on every scenario of ``demand`` at stocks ``Q`` (see module docstring)."""
    mask = member_mask(costs.n, members)
    q = np.where(mask, np.asarray(Q, dtype=float), 0.0)
    share, grad = recourse(costs, q, demand, mask)
    total = share.sum(axis=1)
    m = total.size
    se = mean_se(total)
    first = costs.c * q
    return Evaluation(
        float(first.sum() + total.mean()), se, first + share.mean(axis=0), grad.mean(axis=0), m
    )


@dataclass(frozen=True)
class GapEstimate:
    """MRP estimate of the optimality gap of a candidate: ``mean`` and ``se`` of the
    replication gaps, one-sided ``upper`` confidence bound at ``confidence``, the gaps."""

    mean: float
    se: float
    upper: float
    confidence: float
    gaps: np.ndarray

    @property
    def replications(self) -> int:
        return int(self.gaps.size)


def mrp_gap(
    candidate_cost: Callable[[np.ndarray], float],
    saa_optimum: Callable[[np.ndarray], float],
    draw: Callable[[np.random.Generator], np.ndarray],
    replications: int,
    rng: np.random.Generator,
    confidence: float = 0.95,
) -> GapEstimate:
    """Mak-Morton-Wood gap CI. ``draw(rng)`` gives one sample (a scenario matrix),
    ``candidate_cost(D)`` the sample-average cost of the candidate on it and
    ``saa_optimum(D)`` the SAA optimum on it (see module docstring)."""
    from scipy import stats

    if replications < 2:
        raise ParameterError("replications", "must be >= 2", replications)
    if not 0.0 < confidence < 1.0:
        raise ParameterError("confidence", "must be in (0, 1)", confidence)
    gaps = np.empty(replications)
    for k in range(replications):
        sample = draw(rng)
        gaps[k] = candidate_cost(sample) - saa_optimum(sample)
    mean = float(gaps.mean())
    se = float(gaps.std(ddof=1) / math.sqrt(replications))
    upper = mean + float(stats.t.ppf(confidence, replications - 1)) * se
    return GapEstimate(mean, se, max(upper, 0.0), confidence, gaps)
