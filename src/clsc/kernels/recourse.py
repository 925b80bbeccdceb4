"""Numba kernel: exact recourse cost of stock re-positioning (pooling with transshipment).

After stocks ``Q`` are set and requirements ``d`` are seen, the recourse problem of one
scenario is the LP

    min  sum_j (h_j*L_j + p_j*U_j) + sum_{i != j} tau_ij*y_ij
    s.t. Q_j - sum_k y_jk + sum_i y_ij - L_j + U_j = d_j,   sum_k y_jk <= Q_j,   y, L, U >= 0

over the member nodes. It is a min-cost flow on ``2n + 2`` vertices: a source S, a *hub*
vertex per node (the stock physically there), a *gate* vertex per node (what it ships, at most
Q_j in total, which is the second constraint) and a sink T::

    S -> hub_j     capacity Q_j, cost 0          (the stocks)
    hub_j -> gate_j capacity Q_j, cost 0          (sum_k y_jk <= Q_j)
    gate_i -> hub_j capacity inf, cost tau_ij     (the moves y_ij)
    hub_j -> T     capacity (d_j)+, cost -p_j     (a unit that fills a shortage)
    hub_j -> T     capacity inf, cost h_j         (a unit left over)

plus the constant ``sum_j p_j*(d_j)+ + h_j*(-d_j)+`` (requirements may be negative: samples
are not truncated). Every unit of stock reaches T, so the flow value is ``sum_j Q_j``. The
kernel solves it exactly by successive shortest paths (Bellman-Ford on the residual graph;
costs ``tau, h >= 0`` leave no negative cycle) and returns, per scenario and node, the cost
borne by the node (``h_j*L_j + p_j*U_j + sum_i tau_ij*y_ij``: the receiver pays the move) and
a subgradient of the recourse cost in ``Q``: with ``dist(v)`` the residual shortest distance
from ``v`` to T at the optimum (LP duals of the flow problem),
``dphi/dQ_j = min(dist(hub_j), dist(gate_j))`` (one more unit kept at j, or one more unit
both held and shippable from j).

Arrays in, preallocated arrays out; the topology is built by the caller
(:func:`clsc.stochastic.two_stage_eval.recourse_network`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: arc roles (the ``role`` array of a network)
STOCK, GATE, MOVE, FILL, EXCESS = 0, 1, 2, 3, 4
#: scenarios per parallel work item
CHUNK = 4096


@njit(cache=True)
def _capacities(role, a_i, a_j, q, d, cap):
    for k in range(role.shape[0]):
        r = role[k]
        if r in (STOCK, GATE):
            cap[k] = q[a_i[k]]
        elif r == FILL:
            cap[k] = max(d[a_j[k]], 0.0)
        else:
            cap[k] = np.inf


@njit(cache=True)
def _shortest_from_source(tail, head, cost, cap, flow, n_vertices, eps, dist, pred):
    """Bellman-Ford from vertex 0 on the residual graph; pred codes 2k (forward), 2k+1."""
    for v in range(n_vertices):
        dist[v] = np.inf
        pred[v] = -1
    dist[0] = 0.0
    for _ in range(n_vertices - 1):
        changed = False
        for k in range(tail.shape[0]):
            u, v = tail[k], head[k]
            if cap[k] - flow[k] > eps and dist[u] + cost[k] < dist[v] - 1e-12:
                dist[v] = dist[u] + cost[k]
                pred[v] = 2 * k
                changed = True
            if flow[k] > eps and dist[v] - cost[k] < dist[u] - 1e-12:
                dist[u] = dist[v] - cost[k]
                pred[u] = 2 * k + 1
                changed = True
        if not changed:
            break


@njit(cache=True)
def _distance_to_sink(tail, head, cost, cap, flow, role, n_vertices, sink, eps, dist):
    """Residual shortest distance from every vertex to the sink (arcs at S left out)."""
    for v in range(n_vertices):
        dist[v] = np.inf
    dist[sink] = 0.0
    for _ in range(n_vertices - 1):
        changed = False
        for k in range(tail.shape[0]):
            if role[k] == STOCK:
                continue
            u, v = tail[k], head[k]
            if cap[k] - flow[k] > eps and cost[k] + dist[v] < dist[u] - 1e-12:
                dist[u] = cost[k] + dist[v]
                changed = True
            if flow[k] > eps and dist[u] - cost[k] < dist[v] - 1e-12:
                dist[v] = dist[u] - cost[k]
                changed = True
        if not changed:
            break


@njit(cache=True)
def _one_scenario(
    tail,
    head,
    cost,
    role,
    a_i,
    a_j,
    n_vertices,
    n,
    q,
    d,
    h,
    p,
    cap,
    flow,
    dist,
    pred,
    dist2,
    share,
    grad,
):
    sink = n_vertices - 1
    _capacities(role, a_i, a_j, q, d, cap)
    need = 0.0
    scale = 1.0
    for k in range(role.shape[0]):
        flow[k] = 0.0
        if role[k] == STOCK:
            need += cap[k]
    for j in range(n):
        scale = max(scale, abs(d[j]), q[j])
    eps = 1e-13 * max(scale, need)
    while need > eps:
        _shortest_from_source(tail, head, cost, cap, flow, n_vertices, eps, dist, pred)
        if dist[sink] == np.inf:
            break
        push = need
        v = sink
        while v != 0:
            code = pred[v]
            k = code // 2
            if code % 2 == 0:
                push = min(push, cap[k] - flow[k])
                v = tail[k]
            else:
                push = min(push, flow[k])
                v = head[k]
        v = sink
        while v != 0:
            code = pred[v]
            k = code // 2
            if code % 2 == 0:
                flow[k] += push
                v = tail[k]
            else:
                flow[k] -= push
                v = head[k]
        need -= push
    for j in range(n):
        share[j] = 0.0
    for k in range(role.shape[0]):
        r = role[k]
        if r == MOVE:
            share[a_j[k]] += cost[k] * flow[k]
        elif r == FILL:
            j = a_j[k]
            share[j] += p[j] * (max(d[j], 0.0) - flow[k])
        elif r == EXCESS:
            j = a_j[k]
            share[j] += h[j] * (flow[k] + max(-d[j], 0.0))
    _distance_to_sink(tail, head, cost, cap, flow, role, n_vertices, sink, eps, dist2)
    for j in range(n):
        grad[j] = 0.0
    for k in range(role.shape[0]):
        if role[k] == GATE:
            j = a_i[k]
            grad[j] = min(dist2[head[k]], dist2[tail[k]])


@njit(cache=True, parallel=True)
def recourse_kernel(
    tail, head, cost, role, a_i, a_j, n_vertices, q, demand, h, p, share_out, grad_out
):
    """Fill ``share_out[s, j]`` (cost borne by node j in scenario s) and ``grad_out[s, j]``
    (subgradient of the scenario's recourse cost in Q_j) for every row s of ``demand``.

    Non-member nodes have no arc in the network: their shares and gradients are 0.
    """
    n_scen, n = demand.shape
    n_arcs = tail.shape[0]
    n_chunks = (n_scen + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        cap = np.empty(n_arcs)
        flow = np.empty(n_arcs)
        dist = np.empty(n_vertices)
        dist2 = np.empty(n_vertices)
        pred = np.empty(n_vertices, dtype=np.int64)
        for s in range(c * CHUNK, min(n_scen, (c + 1) * CHUNK)):
            _one_scenario(
                tail,
                head,
                cost,
                role,
                a_i,
                a_j,
                n_vertices,
                n,
                q,
                demand[s],
                h,
                p,
                cap,
                flow,
                dist,
                pred,
                dist2,
                share_out[s],
                grad_out[s],
            )
