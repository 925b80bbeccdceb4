"""Parametric-QP followers: spatial branch-and-bound over complementarity pieces (``kkt-branch``).

The follower's objective is quadratic in its own variables with coefficients affine in the
leader's (terms ``x_j y_k y_l``)::

    min_y  0.5 y'Q(x)y + (c + D x)'y   s.t.  A x + B y <= b,     Q(x) = Q + sum_j x_j T_j.

The class is checked first (:mod:`clsc.bilevel.parametric`: ``Q(x)`` PSD on the leader's box).

**Single-level problem.** With ``w_jl = x_j y_l`` the follower's KKT conditions read::

    Q y + sum_{j,l} T_j[:, l] w_jl + D x + c + B' lambda = 0,   lambda >= 0,
    s = b - A x - B y >= 0,   lambda_i s_i = 0,

which is linear except for ``w = x y`` and the complementarity. A node of the search fixes
some ``lambda_i = 0`` or ``s_i = 0``, narrows the box of the leader's variables, and replaces
``w_jl = x_j y_l`` by McCormick's envelope over the node's box (``y`` within its HPR bounds);
its LP / convex QP (the leader's objective, ``H`` PSD) is a valid lower bound over the node. A
node branches on a violated complementarity first (Bard & Moore 1990), then on a fractional
integer leader variable, then spatially on the ``x_j`` of the worst McCormick gap; as the box
shrinks to a point ``w = x y`` holds exactly, so the bounds converge (McCormick 1976, Math.
Prog. 10; Al-Khayyal & Falk 1983, Math. Oper. Res. 8). Every node's ``x`` is also turned into
a candidate: the follower's QP is solved at ``x`` (rounded where integer) by a separate HiGHS
solve, the leader's best response among the follower's optima is taken, and the point is
verified (:mod:`clsc.bilevel.verify`) before it becomes the incumbent.

The search ends ``optimal`` when every open node's bound is within ``GAP_TOL`` (relative) of the
incumbent; it ends ``not_proven`` with the gap when nodes remain that cannot be bounded (a box
side at infinity, a box shrunk to the resolution limit) or the node limit is reached, and
``time_limit`` likewise. The verified incumbent is always returned.

Example (closed form: the follower answers ``y = 1/x``, the leader minimises ``x + 6/x``)::

>>> from clsc.bilevel import BilevelProblem, solve
>>> data = {"leader": {"vars": ["x"], "objective": "x + 6*y", "constraints": ["x >= 0.5"]},
...         "follower": {"vars": ["y"], "objective": "0.5*x*y^2 - y",
...                      "constraints": ["y >= 0", "y <= 10"]}}
>>> result = solve(BilevelProblem.from_dict(data), "auto")
>>> str(result.status), round(result.F, 5), round(2 * 6**0.5, 5)
('optimal', 4.89898, 4.89898)
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np

from clsc.bilevel.bounds import Bounds, hpr_program
from clsc.bilevel.highs import INFEASIBLE, OPTIMAL, UNBOUNDED, Program, Solution
from clsc.bilevel.pqp_tail import tail_relaxation
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.reduced import NodeData, solve_reduced
from clsc.bilevel.result import Outcome
from clsc.bilevel.verify import follower_response, optimistic_response, verify
from clsc.results import NOT_PROVEN, TIME_LIMIT

COMP_TOL = 1e-7
INT_TOL = 1e-6
GAP_TOL = 1e-6  # relative optimality tolerance (of max(1, |F|))
SNAP = 1e-3  # candidates also at the box bound when this close (relative)
MIN_WIDTH = 1e-7  # smallest box side branched on (relative to 1 + |x|)
TIGHTEN_ROUNDS = 2  # bound-tightening LPs on the follower variables of bilinear terms
NODE_SECONDS = 10.0  # a node's LP/QP that HiGHS cannot finish in this time stays unresolved


@dataclass(frozen=True)
class _Node:
    lam_zero: frozenset[int] = frozenset()
    slack_zero: frozenset[int] = frozenset()
    box: tuple[tuple[int, float, float], ...] = ()  # narrowed leader-variable bounds


@dataclass
class _Search:
    sf: StandardForm
    lo: np.ndarray  # HPR bounds of v
    hi: np.ndarray
    needs: list[int]  # rows whose complementarity is not automatic
    pairs: list[tuple[int, int]]  # (j, l): w = x_j y_l
    rows: np.ndarray  # static rows over z = (v, lambda, w)
    row_lo: np.ndarray
    row_hi: np.ndarray
    P: np.ndarray | None
    q: np.ndarray
    best: float = math.inf
    incumbent: np.ndarray | None = None
    nodes: int = 0
    heap: list = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)
    open_bound: float = math.inf  # smallest bound of a node left unresolved
    seen: set = field(default_factory=set)


def _setup(sf: StandardForm, bounds: Bounds) -> _Search:
    n, N, p = sf.n, sf.n + sf.m, len(sf.b)
    pairs = [(j, ell) for j in range(n) for ell in range(sf.m) if np.any(sf.T[j][:, ell])]
    k = len(pairs)
    hpr, lo, hi = hpr_program(sf, extra_cols=p + k)
    stat = np.zeros((sf.m, N + p + k))
    stat[:, :N] = sf.K
    stat[:, N : N + p] = sf.B.T
    for t, (j, ell) in enumerate(pairs):
        stat[:, N + p + t] = sf.T[j][:, ell]
    rows = np.vstack([hpr, stat])
    row_lo = np.concatenate([lo, -sf.c])
    row_hi = np.concatenate([hi, -sf.c])
    P = np.zeros((N + p + k, N + p + k))
    P[:N, :N] = sf.H
    q = np.concatenate([sf.h, np.zeros(p + k)])
    needs = [i for i in range(p) if not bounds.s_max[i] <= 1e-9]
    return _Search(sf, bounds.v_lo.copy(), bounds.v_hi.copy(), needs, pairs, rows, row_lo,
                   row_hi, P if np.any(sf.H) else None, q)  # fmt: skip


def _box(search: _Search, node: _Node) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = search.lo.copy(), search.hi.copy()
    for j, a, b in node.box:
        lo[j], hi[j] = a, b
    return lo, hi


def _mccormick(search: _Search, lo: np.ndarray, hi: np.ndarray):
    """McCormick rows ``r' z >= rhs`` (as ``(row, lower, upper)``) for every ``w = x_j y_l``;
    inequalities with an infinite bound are left out (they are not valid)."""
    sf, N, p = search.sf, search.sf.n + search.sf.m, len(search.sf.b)
    width = N + p + len(search.pairs)
    out = []
    for t, (j, ell) in enumerate(search.pairs):
        yl = sf.n + ell
        # (x - a)(y - c) >= 0 etc.: w - c x - a y >= -a c (lower) / <= (upper)
        for a, c, lower in ((lo[j], lo[yl], True), (hi[j], hi[yl], True),
                            (lo[j], hi[yl], False), (hi[j], lo[yl], False)):  # fmt: skip
            if not (math.isfinite(a) and math.isfinite(c)):
                continue
            row = np.zeros(width)
            row[N + p + t], row[j], row[yl] = 1.0, -c, -a
            out.append((row, -a * c, math.inf) if lower else (row, -math.inf, -a * c))
    return out


def _relaxation(search: _Search, node: _Node, seconds: float):
    """The node's LP/QP: ``(solution over v, multipliers, (largest product gap, the leader
    variable to split)), lo, hi``; a box to ``+infinity`` uses :mod:`clsc.bilevel.pqp_tail`."""
    sf = search.sf
    N, p, k = sf.n + sf.m, len(sf.b), len(search.pairs)
    lo, hi = _box(search, node)
    J = sorted({j for j, _ in search.pairs})
    if len(J) == 1 and hi[J[0]] == math.inf and lo[J[0]] > 0:
        sol, mu, gap = tail_relaxation(sf, J[0], lo, hi, node.lam_zero, node.slack_zero, seconds)
        return sol, mu, (gap, J[0]), lo, hi
    for _ in range(TIGHTEN_ROUNDS + 1):
        lb = np.concatenate([lo, np.zeros(p), np.full(k, -np.inf)])
        ub = np.concatenate([hi, np.full(p + k, np.inf)])
        for i in node.lam_zero:
            ub[N + i] = 0.0
        row_lo, row_hi = search.row_lo.copy(), search.row_hi.copy()
        for i in node.slack_zero:
            row_lo[len(sf.g) + i] = sf.b[i]
        mc = _mccormick(search, lo, hi)
        rows = np.vstack([search.rows, *(r for r, _, _ in mc)]) if mc else search.rows
        row_lo = np.concatenate([row_lo, [a for _, a, _ in mc]])
        row_hi = np.concatenate([row_hi, [b for _, _, b in mc]])
        if _ == TIGHTEN_ROUNDS or not _tighten(search, rows, row_lo, row_hi, lb, ub, lo, hi):
            break
    sol = Program(search.q, rows, row_lo, row_hi, lb, ub, P=search.P, time_limit=seconds).solve()
    if sol.status not in (OPTIMAL, INFEASIBLE, UNBOUNDED):  # HiGHS's QP solver can fail on
        P = search.P if search.P is not None else np.zeros((len(lb), len(lb)))  # degenerate
        sol = solve_reduced(NodeData(P, search.q, rows, row_lo, row_hi, lb, ub))  # nodes
    if sol.status != OPTIMAL or sol.v is None:
        return sol, None, (math.inf, -1), lo, hi
    z = sol.v
    v, w = z[:N], z[N + p :]
    gaps = [abs(w[t] - v[j] * v[sf.n + ell]) / (1 + abs(w[t])) for t, (j, ell) in
            enumerate(search.pairs)]  # fmt: skip
    worst = int(np.argmax(gaps)) if gaps else -1
    gap = (gaps[worst], search.pairs[worst][0]) if gaps else (0.0, -1)
    return Solution(OPTIMAL, v, sol.value), z[N : N + p], gap, lo, hi


def _tighten(search: _Search, rows, row_lo, row_hi, lb, ub, lo, hi) -> bool:
    """Bounds of the follower variables in a bilinear term over the node's LP (zero cost,
    complementarity relaxed): ``lo``/``hi`` are narrowed in place; True if any changed."""
    sf = search.sf
    ys = sorted({sf.n + ell for _, ell in search.pairs})
    prog = Program(np.zeros(len(lb)), rows, row_lo, row_hi, lb, ub, time_limit=NODE_SECONDS)
    changed = False
    for col in ys:
        for sign in (1.0, -1.0):
            cost = np.zeros(len(lb))
            cost[col] = sign
            prog.set_cost(cost)
            sol = prog.solve()
            if sol.status != OPTIMAL or sol.v is None:
                return False
            value = sign * float(sol.value)
            if sign > 0 and value > lo[col] + 1e-9 * (1 + abs(value)):
                lo[col], changed = value, True
            elif sign < 0 and value < hi[col] - 1e-9 * (1 + abs(value)):
                hi[col], changed = value, True
    return changed


def _candidates(search: _Search, x: np.ndarray) -> None:
    """:func:`_candidate` at ``x`` and at ``x`` with the coordinates near a bound of the
    leader's box moved onto it (optima often sit on the box)."""
    lo, hi = search.lo[: search.sf.n], search.hi[: search.sf.n]
    _candidate(search, x)
    near = lambda b: np.isfinite(b) & (np.abs(x - b) <= SNAP * (1 + np.abs(b)))  # noqa: E731
    snapped = np.where(near(lo), lo, np.where(near(hi), hi, x))
    if np.any(snapped != x):
        _candidate(search, snapped)


def _candidate(search: _Search, x: np.ndarray) -> None:
    """Verified bilevel point at leader ``x`` (rounded where integer) -> incumbent if better."""
    sf = search.sf
    x = np.where(sf.integer[: sf.n], np.round(x), x)
    x = np.clip(x, search.lo[: sf.n], search.hi[: sf.n])
    key = tuple(np.round(x, 12))
    if key in search.seen:
        return
    search.seen.add(key)
    follower = follower_response(sf, x)
    if follower.status != OPTIMAL or follower.v is None:
        return
    best = optimistic_response(sf, x, follower.v)
    if best.status != OPTIMAL or best.v is None:
        return
    v = np.concatenate([x, best.v])
    value = sf.leader_value(v)
    if value < search.best - 1e-12 * max(1.0, abs(value)) and verify(sf, v).ok:
        search.best, search.incumbent = value, v


def _cutoff(best: float) -> float:
    return best - GAP_TOL * max(1.0, abs(best)) if math.isfinite(best) else math.inf


def solve_pqp(
    sf: StandardForm, bounds: Bounds, node_limit: int = 20_000, time_limit: float | None = None
) -> Outcome:
    """Spatial branch-and-bound for a parametric-QP follower (see the module docstring); the
    caller has checked the class (:func:`clsc.bilevel.parametric.solve_parametric`)."""
    start = time.perf_counter()
    search = _setup(sf, bounds)
    search.heap.append((-math.inf, next(search.counter), _Node()))
    while search.heap:
        bound, _, node = heapq.heappop(search.heap)
        if bound >= _cutoff(search.best):
            continue
        search.nodes += 1
        if search.nodes > node_limit:
            return _finish(search, bound, NOT_PROVEN, f"node limit {node_limit} reached")
        if time_limit is not None and time.perf_counter() - start > time_limit:
            return _finish(search, bound, TIME_LIMIT, f"gave up after {time_limit:g} s")
        left = math.inf if time_limit is None else time_limit - (time.perf_counter() - start)
        _process(search, node, bound, max(0.1, min(NODE_SECONDS, left)))
    return _finish(search, math.inf, None, "")


def _process(search: _Search, node: _Node, parent: float, seconds: float) -> None:
    sf = search.sf
    sol, lam, (gap, j), lo, hi = _relaxation(search, node, seconds)
    ys = sorted({sf.n + ell for _, ell in search.pairs})
    kept = tuple(t for t in node.box if t[0] not in ys)
    node = _Node(node.lam_zero, node.slack_zero,
                 (*kept, *((i, float(lo[i]), float(hi[i])) for i in ys)))  # fmt: skip
    if sol.status == INFEASIBLE:
        return
    free = [i for i in search.needs if i not in node.lam_zero | node.slack_zero]
    if sol.status == UNBOUNDED:
        if free:
            _push_comp(search, node, free[0], parent)
        elif not _push_split(search, node, lo, hi, None, parent):
            search.open_bound = -math.inf
        return
    if sol.status != OPTIMAL or sol.v is None:  # HiGHS failed or timed out: split the box
        if not _push_split(search, node, lo, hi, None, parent):
            search.open_bound = min(search.open_bound, parent)
        return
    value, v = float(sol.value) + sf.h0, sol.v
    _candidates(search, v[: sf.n])
    if value >= _cutoff(search.best):
        return
    s = sf.b - np.hstack([sf.A, sf.B]) @ v
    viol = [(min(lam[i], s[i]), i) for i in free if min(lam[i], s[i]) > COMP_TOL]
    if viol:
        _push_comp(search, node, max(viol)[1], value)
        return
    frac = [i for i in np.nonzero(sf.integer[: sf.n])[0] if abs(v[i] - round(v[i])) > INT_TOL]
    if frac:
        i = int(frac[0])
        for a, b in ((lo[i], math.floor(v[i])), (math.ceil(v[i]), hi[i])):
            _push(search, node, i, a, b, value)
        return
    if j < 0 or gap <= 1e-7 or not _push_split(search, node, lo, hi, (j, v), value):
        search.open_bound = min(search.open_bound, value)  # an exact point not accepted


def _push(search: _Search, node: _Node, j: int, a: float, b: float, bound: float) -> None:
    if a > b:
        return
    box = (*(t for t in node.box if t[0] != j), (j, float(a), float(b)))
    child = _Node(node.lam_zero, node.slack_zero, box)
    heapq.heappush(search.heap, (bound, next(search.counter), child))


def _push_comp(search: _Search, node: _Node, i: int, bound: float) -> None:
    for child in (_Node(node.lam_zero | {i}, node.slack_zero, node.box),
                  _Node(node.lam_zero, node.slack_zero | {i}, node.box)):  # fmt: skip
        heapq.heappush(search.heap, (bound, next(search.counter), child))


def _push_split(search, node, lo, hi, at, bound: float) -> bool:
    """Split the box of a leader variable in a bilinear term (``at = (j, v)``: that variable,
    near the relaxation's value; None: the widest). False when no side can be split."""
    J = sorted({j for j, _ in search.pairs})
    if at is None:
        widths = [(hi[j] - lo[j], j) for j in J]
        if not widths:
            return False
        j, value = max(widths)[1], None
    else:
        j, v = at
        value = float(v[j])
    a, b = lo[j], hi[j]
    if b - a <= MIN_WIDTH * (1 + abs(a) + abs(b) if math.isfinite(b - a) else 1):
        return False
    if math.isfinite(a) and math.isfinite(b):
        cut = 0.5 * (a + b) if value is None else min(max(value, a + 0.25 * (b - a)),
                                                      b - 0.25 * (b - a))  # fmt: skip
    elif math.isfinite(a) and a > 0:  # geometric steps: the tail relaxation's u <= 1/a halves
        cut = 2.0 * a
    elif math.isfinite(a):
        cut = max(value if value is not None else a, a) + max(1.0, abs(a))
    elif math.isfinite(b):
        cut = min(value if value is not None else b, b) - max(1.0, abs(b))
    else:
        cut = 0.0 if value is None else value
    _push(search, node, j, a, cut, bound)
    _push(search, node, j, cut, b, bound)
    return True


def _finish(search: _Search, bound: float, status, why: str) -> Outcome:
    lower = min([bound, search.open_bound, *(b for b, _, _ in search.heap)])
    info: dict = {"nodes": search.nodes}
    if search.incumbent is None:
        if status is None and not math.isfinite(search.open_bound):
            return Outcome(INFEASIBLE, None, "no bilevel-feasible point exists", info)
        return Outcome(status or NOT_PROVEN, None, f"{why or 'search ended'} (no point found)",
                       info)  # fmt: skip
    gap = (search.best - lower) / max(1.0, abs(search.best)) if lower < math.inf else 0.0
    info["gap"] = max(gap, 0.0)
    if status is None and gap <= GAP_TOL:
        return Outcome(
            OPTIMAL,
            search.incumbent,
            f"parametric-QP follower: optimal within relative gap {GAP_TOL:g}",
            info,
        )
    shown = f"{gap:.3g}" if math.isfinite(gap) else "unknown (a node has no finite bound)"
    why = why or "some nodes could not be bounded (an unbounded or unresolved leader box)"
    return Outcome(status or NOT_PROVEN, search.incumbent,
                   f"{why}; best verified point shown, relative gap {shown}", info)  # fmt: skip
