"""Proven bounds for the big-M KKT reformulation: primal variables, slacks and multipliers.

Method (every bound is a theorem about the problem as posed, never a guessed constant):

1. **Primal and slack bounds** come from LPs over the high-point relaxation (HPR): the leader's
   and the follower's constraints together, integrality relaxed. For each variable ``v_j`` we
   solve ``min/max v_j`` and for each follower row ``i`` we solve ``max s_i``, ``s_i = b_i -
   A_i x - B_i y``. Every bilevel-feasible point lies in the HPR, so these bound it.
2. **Multiplier bounds, LP.** ``max lambda_i`` over the stationarity polyhedron
   ``{Q y + c + D x + B' lambda = 0, lambda >= 0, (x, y) in HPR}`` (complementarity relaxed).
   This bounds every KKT multiplier, but it is infinite whenever ``{lambda >= 0: B' lambda = 0}``
   has a nonzero point, e.g. for any bounded follower region.
3. **Multiplier bounds, vertex enumeration.** For fixed ``(x, y)`` with ``y`` follower-optimal the
   multiplier set is a nonempty face of ``{lambda >= 0: B' lambda = -g}``, ``g = Q y + D x + c``;
   it is pointed (``lambda >= 0``), so it has a vertex, and a vertex has support ``S`` on linearly
   independent rows ``B_S`` with ``lambda_S = -(B_S')^+ g``. Hence the KKT system keeps an exact
   solution if each ``lambda_i`` is bounded by the largest value of ``-(B_S')^+ g`` over all such
   ``S`` containing ``i``, maximised over the HPR box of ``(x, y)`` (``g`` is affine in ``v``).
   The enumeration runs over at most ``max_subsets`` supports; above that it is not attempted.

The bound used is the smaller of 2 and 3. When a row needs a big-M (its slack can be positive
and its multiplier can be positive) and either bound is infinite, the big-M model is not proven
and the solver falls back to branching on the complementarity (see ``branch.py``).
Kleinert, Labbé, Plein & Schmidt (2020, Oper. Res. 68(6)) show that verifying a big-M is as hard
as the bilevel problem in general; the vertex enumeration is exponential for that reason.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np

from clsc.bilevel.highs import INFEASIBLE, OPTIMAL, UNBOUNDED, Program
from clsc.bilevel.problem import StandardForm
from clsc.results import TIME_LIMIT
from clsc.solvers.program import HUGE

TOL = 1e-9
MAX_SUBSETS = 200_000


@dataclass(frozen=True)
class Bounds:
    """HPR status and bounds; ``lam_max[i] = inf`` when no finite bound is proven."""

    hpr_status: str
    v_lo: np.ndarray
    v_hi: np.ndarray
    s_max: np.ndarray
    lam_max: np.ndarray
    lam_method: tuple[str, ...] = ()
    hpr_point: np.ndarray | None = None  # a point of the HPR (None when it has none)

    def needs_big_m(self, tol: float = 1e-9) -> np.ndarray:
        """Rows whose complementarity is not automatic (slack and multiplier can be positive)."""
        return (self.s_max > tol) & (self.lam_max > tol)

    @property
    def proven(self) -> bool:
        """Every row that needs a big-M has a finite slack bound and a finite multiplier bound."""
        need = self.needs_big_m()
        return bool(
            np.all(np.isfinite(self.s_max[need])) and np.all(np.isfinite(self.lam_max[need]))
        )


def hpr_program(sf: StandardForm, extra_cols: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows ``[G; A B] v <= [g; b]`` of the high-point relaxation, padded with ``extra_cols``."""
    rows = np.vstack([sf.G, np.hstack([sf.A, sf.B])]) if sf.G.size else np.hstack([sf.A, sf.B])
    rows = rows.reshape(-1, sf.n + sf.m)
    rhs = np.concatenate([sf.g, sf.b])
    if extra_cols:
        rows = np.hstack([rows, np.zeros((rows.shape[0], extra_cols))])
    return rows, np.full(len(rhs), -np.inf), rhs


def compute_bounds(
    sf: StandardForm, max_subsets: int = MAX_SUBSETS, deadline: float | None = None
) -> Bounds:
    """Primal, slack and multiplier bounds for ``sf`` (see the module docstring).

    ``deadline`` (a :func:`time.perf_counter` reading): when it passes, the bounds found so far
    are dropped and ``hpr_status`` is ``time_limit`` (with ``hpr_point`` if one is known)."""
    N, p = sf.n + sf.m, len(sf.b)
    clock = _Clock(deadline)
    rows, lo, hi = hpr_program(sf)
    prog = Program(np.zeros(N), rows, lo, hi, np.full(N, -np.inf), np.full(N, np.inf),
                   time_limit=clock.left())  # fmt: skip
    first = prog.solve()
    point = first.v if first.status == OPTIMAL else None
    try:
        if first.status != OPTIMAL:
            clock.check(first.status)
            status = INFEASIBLE if first.status == INFEASIBLE else first.status
            empty = np.full(N, np.nan)
            return Bounds(status, empty, empty, np.full(p, np.nan), np.full(p, np.nan))
        return _bounds(sf, prog, rows, hi, max_subsets, clock, point)
    except _OutOfTime:
        empty = np.full(N, np.nan)
        return Bounds(TIME_LIMIT, empty, empty, np.full(p, np.nan), np.full(p, np.nan),
                      hpr_point=point)  # fmt: skip


class _OutOfTime(Exception):
    pass


class _Clock:
    """The deadline of :func:`compute_bounds`; :meth:`check` raises once it has passed."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    def left(self) -> float | None:
        return None if self.deadline is None else max(self.deadline - time.perf_counter(), 1e-3)

    def check(self, status: str | None = None) -> None:
        if status == TIME_LIMIT or (
            self.deadline is not None and time.perf_counter() > self.deadline
        ):
            raise _OutOfTime


def _bounds(sf, prog, rows, hi, max_subsets: int, clock: _Clock, point) -> Bounds:
    N, p = sf.n + sf.m, len(sf.b)
    v_lo, v_hi = np.empty(N), np.empty(N)
    for j in range(N):
        e = np.zeros(N)
        e[j] = 1.0
        v_lo[j] = _optimum(prog, e, clock)
        v_hi[j] = -_optimum(prog, -e, clock)
    AB = np.hstack([sf.A, sf.B])
    s_max = np.array([sf.b[i] - _optimum(prog, AB[i], clock) for i in range(p)])
    s_max = np.maximum(s_max, 0.0)
    lam_lp = _lp_multiplier_bounds(sf, rows, hi, clock)
    lam_vx = _vertex_multiplier_bounds(sf, v_lo, v_hi, max_subsets, clock)
    lam = np.minimum(lam_lp, lam_vx)
    method = tuple(
        "lp" if a <= b_ else "vertex" if np.isfinite(b_) else "none"
        for a, b_ in zip(lam_lp, lam_vx, strict=True)
    )
    # a bound at or beyond HiGHS's infinity cannot be passed on as a number: no bound
    v_lo, v_hi, s_max, lam = (
        np.where(a >= HUGE, math.inf, np.where(a <= -HUGE, -math.inf, a))
        for a in (v_lo, v_hi, s_max, lam)
    )
    return Bounds(OPTIMAL, v_lo, v_hi, s_max, lam, method, point)


def _optimum(prog: Program, cost: np.ndarray, clock: _Clock | None = None) -> float:
    if clock is not None:
        clock.check()
    prog.set_cost(cost)
    sol = prog.solve()
    if sol.status == OPTIMAL:
        return float(sol.value)
    if sol.status == UNBOUNDED:
        return -math.inf
    if clock is not None:
        clock.check()  # HiGHS stopped at the time limit: out of time, not an error
    raise RuntimeError(f"HiGHS returned {sol.status} on a feasible bounding LP")


def _lp_multiplier_bounds(
    sf: StandardForm, rows: np.ndarray, rhs: np.ndarray, clock: _Clock | None = None
) -> np.ndarray:
    """``max lambda_i`` over stationarity + HPR, complementarity relaxed."""
    N, p, m = sf.n + sf.m, len(sf.b), sf.m
    stat = np.hstack([sf.K, sf.B.T])  # K v + B' lambda = -c
    A = np.vstack([np.hstack([rows, np.zeros((rows.shape[0], p))]), stat])
    row_lo = np.concatenate([np.full(rows.shape[0], -np.inf), -sf.c])
    row_hi = np.concatenate([rhs, -sf.c])
    lb = np.concatenate([np.full(N, -np.inf), np.zeros(p)])
    ub = np.full(N + p, np.inf)
    clock = clock or _Clock(None)
    prog = Program(np.zeros(N + p), A, row_lo, row_hi, lb, ub, time_limit=clock.left())
    out = np.full(p, math.inf)
    if m == 0:
        return out
    for i in range(p):
        clock.check()
        cost = np.zeros(N + p)
        cost[N + i] = -1.0
        prog.set_cost(cost)
        sol = prog.solve()
        if sol.status == OPTIMAL:
            out[i] = max(-sol.value, 0.0)
        elif sol.status == INFEASIBLE:  # no KKT point at all: every multiplier bound is 0
            return np.zeros(p)
        else:
            clock.check()  # HiGHS stopped at the time limit
    return out


def _vertex_multiplier_bounds(
    sf: StandardForm,
    v_lo: np.ndarray,
    v_hi: np.ndarray,
    max_subsets: int,
    clock: _Clock | None = None,
) -> np.ndarray:
    """Largest ``lambda_i`` over vertex supports ``S`` (linearly independent rows of ``B``)."""
    B, p = sf.B, len(sf.b)
    out = np.full(p, math.inf)
    if p == 0:
        return out
    rank = int(np.linalg.matrix_rank(B))
    if sum(math.comb(p, k) for k in range(1, rank + 1)) > max_subsets:
        return out
    out[:] = 0.0
    for k in range(1, rank + 1):
        combos = itertools.combinations(range(p), k)
        while chunk := list(itertools.islice(combos, CHUNK)):
            if clock is not None:
                clock.check()
            _support_bounds(sf, np.array(chunk), v_lo, v_hi, out)
            if np.all(np.isinf(out)):  # a maximum that is infinite stays so: nothing to gain
                return out
    return out


CHUNK = 20_000


def _support_bounds(sf, S: np.ndarray, v_lo, v_hi, out: np.ndarray) -> None:
    """Update ``out`` with the multiplier bounds of the supports ``S`` (one per row), batched."""
    BS = sf.B[S]  # (C, k, m)
    sv = np.linalg.svd(BS, compute_uv=False)  # (C, k)
    independent = sv[:, -1] > 1e-10 * np.maximum(sv[:, 0], 1.0)
    S, BS = S[independent], BS[independent]
    if not len(S):
        return
    pinv = np.linalg.pinv(np.swapaxes(BS, 1, 2))  # (C, k, m)
    l0 = -pinv @ sf.c  # (C, k)
    if not np.any(sf.K):
        residual = np.einsum("ckm,ck->cm", BS, l0) + sf.c
        ok = np.linalg.norm(residual, axis=1) <= 1e-8 * (1 + np.linalg.norm(sf.c))
        upper = l0
    else:
        L = -pinv @ sf.K  # (C, k, N)
        upper = l0 + _box_max(L, v_lo, v_hi)
        ok = np.ones(len(S), dtype=bool)
    ok &= np.all(upper >= -1e-9, axis=1)
    for Srow, urow in zip(S[ok], upper[ok], strict=True):
        np.maximum.at(out, Srow, urow)


def _box_max(L: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``max_{lo <= v <= hi} L v`` over the last axis (``inf`` along an unbounded direction)."""
    with np.errstate(invalid="ignore"):
        a = np.where(L > 0, L * hi, np.where(L < 0, L * lo, 0.0))
    return np.nan_to_num(a, nan=0.0, posinf=math.inf, neginf=-math.inf).sum(axis=-1)
