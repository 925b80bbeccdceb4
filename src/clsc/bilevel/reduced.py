"""Exact QP on an affine subspace: eliminate equalities, check convexity, solve the rest.

Used by ``kkt-branch`` when the leader's quadratic objective is not convex on the whole space
(Stackelberg leaders with bilinear terms such as ``w*q``). A node of the branch-and-bound is

    min 0.5 z'Pz + q'z   s.t.  row_lo <= A z <= row_hi,  lb <= z <= ub

where some rows/columns are *equalities* (``lo == hi``: the follower's stationarity, rows fixed
active on the node, multipliers fixed to zero, and pairs of opposite inequality rows). Writing
``z = z0 + Z u`` with ``E z0 = e`` and ``Z`` an orthonormal basis of ``null(E)``, the node is
the QP in ``u`` with Hessian ``Z'PZ`` and the remaining inequalities. When ``Z'PZ`` is positive
semidefinite (tolerance relative to its largest eigenvalue) that QP is convex and HiGHS solves
it exactly. Otherwise the node is ``unbounded`` when its (feasible) polyhedron contains a ray
along an eigenvector of negative curvature, and else ``nonconvex``: the caller must not claim
a bound from it. An inconsistent equality system or violated constant row proves infeasibility.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clsc.bilevel.highs import INFEASIBLE, OPTIMAL, UNBOUNDED, Solution, solve_qp

NONCONVEX = "nonconvex"
EIG_TOL = 1e-9
EQ_TOL = 1e-9


@dataclass(frozen=True)
class NodeData:
    P: np.ndarray
    q: np.ndarray
    A: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    lb: np.ndarray
    ub: np.ndarray


def _equalities(d: NodeData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equality rows ``E z = e`` and a mask of the rows of ``A`` that remain inequalities."""
    n = len(d.q)
    rows, rhs = [], []
    ineq = np.ones(len(d.row_lo), dtype=bool)
    for i in range(len(d.row_lo)):
        lo, hi = d.row_lo[i], d.row_hi[i]
        if np.isfinite(lo) and np.isfinite(hi) and hi - lo <= EQ_TOL * (1 + abs(hi)):
            rows.append(d.A[i])
            rhs.append(hi)
            ineq[i] = False
    # a <= b and a >= b stated as two rows (e.g. a leader equality split in two)
    upper = [i for i in np.nonzero(ineq)[0] if np.isfinite(d.row_hi[i])]
    for a, i in enumerate(upper):
        for j in upper[a + 1 :]:
            if not (ineq[i] and ineq[j]):
                continue
            if np.allclose(d.A[i], -d.A[j], atol=1e-12) and abs(d.row_hi[i] + d.row_hi[j]) <= (
                EQ_TOL * (1 + abs(d.row_hi[i]))
            ):
                rows.append(d.A[i])
                rhs.append(d.row_hi[i])
                ineq[i] = ineq[j] = False
    for j in range(n):
        if np.isfinite(d.lb[j]) and d.lb[j] == d.ub[j]:
            e = np.zeros(n)
            e[j] = 1.0
            rows.append(e)
            rhs.append(d.lb[j])
    return np.array(rows).reshape(-1, n), np.array(rhs, dtype=float), ineq


def reduced_hessian(P: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, bool]:
    """``Z'PZ`` (symmetrised, tiny negative eigenvalues clipped) and whether it is PSD."""
    R = Z.T @ P @ Z
    R = 0.5 * (R + R.T)
    if R.size == 0:
        return R, True
    w, V = np.linalg.eigh(R)
    scale = max(1.0, float(np.abs(w).max()))
    if w.min() < -EIG_TOL * scale:
        return R, False
    w = np.where(w < EIG_TOL * scale, 0.0, w)
    return (V * w) @ V.T, True


def solve_reduced(d: NodeData) -> Solution:
    """Solve the node exactly when it is convex on its equality subspace (see module doc)."""
    n = len(d.q)
    E, e, ineq = _equalities(d)
    if E.shape[0]:
        z0, *_ = np.linalg.lstsq(E, e, rcond=None)
        if np.linalg.norm(E @ z0 - e) > 1e-8 * (1 + np.linalg.norm(e)):
            return Solution(INFEASIBLE)
        _, s, Vt = np.linalg.svd(E)
        rank = int(np.sum(s > 1e-10 * max(1.0, s.max(initial=0.0))))
        Z = Vt[rank:].T
    else:
        z0, Z = np.zeros(n), np.eye(n)
    R, convex = reduced_hessian(d.P, Z)
    k = Z.shape[1]
    # inequality rows and finite column bounds as rows in u
    A_in = d.A[ineq]
    lo_in, hi_in = d.row_lo[ineq], d.row_hi[ineq]
    fixed = np.isfinite(d.lb) & (d.lb == d.ub)
    cols = ~fixed & (np.isfinite(d.lb) | np.isfinite(d.ub))
    A_all = np.vstack([A_in, np.eye(n)[cols]]) if n else np.zeros((0, 0))
    lo_all = np.concatenate([lo_in, d.lb[cols]])
    hi_all = np.concatenate([hi_in, d.ub[cols]])
    base = A_all @ z0
    M = A_all @ Z
    lo_u, hi_u = lo_all - base, hi_all - base
    zero = np.all(np.abs(M) <= 1e-12, axis=1)
    tol = 1e-9 * (1 + np.abs(base[zero]))
    if np.any(lo_u[zero] > tol) or np.any(hi_u[zero] < -tol):
        return Solution(INFEASIBLE)
    M, lo_u, hi_u = M[~zero], lo_u[~zero], hi_u[~zero]
    const = float(0.5 * z0 @ d.P @ z0 + d.q @ z0)
    if not convex:
        return Solution(_negative_recession(R, M, lo_u, hi_u))
    if k == 0:
        return Solution(OPTIMAL, z0, const)
    g = Z.T @ (d.P @ z0 + d.q)
    free = np.full(k, np.inf)
    sol = solve_qp(g, M, lo_u, hi_u, -free, free, P=R if np.any(R) else None)
    if sol.status != OPTIMAL or sol.v is None:
        return Solution(sol.status)
    z = z0 + Z @ polish(R, g, M, lo_u, hi_u, sol.v)
    return Solution(OPTIMAL, z, float(0.5 * z @ d.P @ z + d.q @ z))


def _negative_recession(R: np.ndarray, M: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> str:
    """``unbounded`` if the (feasible) polyhedron ``lo <= M u <= hi`` contains a ray along an
    eigenvector of negative curvature of ``R`` (then the objective tends to minus infinity on
    it), ``infeasible`` if the polyhedron is empty, else ``nonconvex`` (nothing proven)."""
    free = np.full(R.shape[0], np.inf)
    feasible = solve_qp(np.zeros(R.shape[0]), M, lo, hi, -free, free)
    if feasible.status == INFEASIBLE:
        return INFEASIBLE
    if feasible.status != OPTIMAL:
        return NONCONVEX
    w, V = np.linalg.eigh(R)
    scale = max(1.0, float(np.abs(w).max()))
    for j in np.nonzero(w < -EIG_TOL * scale)[0]:
        for direction in (V[:, j], -V[:, j]):
            Md = M @ direction
            up = np.isfinite(hi) & (Md > 1e-10)
            down = np.isfinite(lo) & (Md < -1e-10)
            if not (np.any(up) or np.any(down)):
                return UNBOUNDED
    return NONCONVEX


def polish(
    P: np.ndarray, q: np.ndarray, A: np.ndarray, lo: np.ndarray, hi: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """Refine a QP solution ``v`` of ``min 0.5 v'Pv + q'v, lo <= A v <= hi`` (``P`` PSD) to
    machine precision: solve the KKT equations with the rows active at ``v`` as equalities.
    The refined point is kept only if it is feasible and not worse; else ``v`` is returned."""
    act = A @ v
    scale = 1e-7 * (1 + np.abs(act))
    at_lo = np.isfinite(lo) & (np.abs(act - lo) <= scale)
    at_hi = np.isfinite(hi) & (np.abs(act - hi) <= scale) & ~at_lo
    rows = at_lo | at_hi
    Aa = A[rows]
    rhs = np.where(at_lo, lo, hi)[rows]
    n, k = len(v), int(rows.sum())
    K = np.block([[P, Aa.T], [Aa, np.zeros((k, k))]])
    sol, *_ = np.linalg.lstsq(K, np.concatenate([-q, rhs]), rcond=None)
    w = sol[:n]
    if not np.allclose(K @ sol, np.concatenate([-q, rhs]), rtol=1e-9, atol=1e-9):
        return v
    aw = A @ w
    tol = 1e-9 * (1 + np.abs(aw))
    if np.any(aw < lo - tol) or np.any(aw > hi + tol):
        return v
    value = lambda u: 0.5 * u @ P @ u + q @ u  # noqa: E731
    return w if value(w) <= value(v) + 1e-9 * (1 + abs(value(v))) else v
