"""Branching on the complementarity (``kkt-branch``): exact without any big-M.

Each node is the KKT system of :mod:`clsc.bilevel.kkt` with the complementarity
``lambda_i s_i = 0`` *relaxed* except for rows already branched on, where either ``lambda_i = 0``
or ``s_i = 0`` is imposed; integer leader variables are branched on as in ordinary
branch-and-bound (``v_j <= floor``, ``v_j >= ceil``). The node problem is an LP, or a convex QP
when the leader's objective ``0.5 v'Hv + h'v`` has ``H`` positive semidefinite (HiGHS QP), so
its value is a valid lower bound over the node. A node whose solution is integral and
complementary is a bilevel-feasible point (KKT is sufficient for the convex follower): it
updates the incumbent. Nodes are explored best-bound first; the search is exhaustive, so when
it ends the incumbent is optimal, and with no incumbent the problem is infeasible. A node with
every complementarity fixed (one *piece*) whose LP is unbounded proves the bilevel problem
unbounded (every point of the piece is a KKT point). This is the scheme of Bard & Moore (1990,
SIAM J. Sci. Stat. Comput. 11(2)) with QP nodes.

**Speed.** Among nodes with equal bounds (in particular the ``-inf`` of nodes without a bound)
the newest is explored first, so that the search dives to complete pieces. A primal heuristic
(:mod:`clsc.bilevel.heuristic`: the follower re-solved at the node's ``x``) gives incumbents
early (nodes 1 to 16, then every 16th), which prune nodes and are what a time limit shows. When
the leader's bilinear term is a multiple of the follower's and the follower's rows hold no
leader variable (toll setting), the node objective is the duality-substituted ``F~`` of
:mod:`clsc.bilevel.substitute`: convex (often linear) nodes with valid bounds instead of
non-convex ones without.

**Non-convex quadratic leaders** (continuous variables only). Stackelberg leaders typically have
bilinear terms (``w*q``) and an indefinite ``H``, yet are convex on the follower's response.
Then a node is first checked for feasibility (LP, zero cost; infeasible -> pruned with proof);
next its equalities (stationarity, rows fixed active, multipliers fixed to zero) are eliminated
and the objective's Hessian on the remaining subspace is checked (:mod:`clsc.bilevel.reduced`).
When it is positive semidefinite the node is solved exactly as a convex QP in the reduced
variables (a valid bound, exactly as above). When it is not, but the node's polyhedron contains
a ray along a direction of negative curvature, the node is unbounded (on a piece that proves the
bilevel problem unbounded, as above). Otherwise an inner node gets no bound and is branched
further; a *piece* (every complementarity fixed) that is feasible and non-convex cannot be
solved with proof: the search goes on, and the outcome is ``not_proven`` with the number of
such pieces (the best point found is returned). If *every* feasible piece is non-convex, the
problem is outside what clsc can prove and :class:`NonconvexLeader` is raised.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np

from clsc.bilevel.bounds import Bounds, hpr_program
from clsc.bilevel.heuristic import response_point
from clsc.bilevel.highs import ERROR, INFEASIBLE, OPTIMAL, UNBOUNDED, Program
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.reduced import NONCONVEX, NodeData, solve_reduced
from clsc.bilevel.result import Outcome
from clsc.bilevel.substitute import substituted_objective
from clsc.results import NOT_PROVEN, SOLVER_ERROR, TIME_LIMIT
from clsc.results import UNBOUNDED as UNBOUNDED_STATUS

COMP_TOL = 1e-7
INT_TOL = 1e-6
NODE_LIMIT = 50_000


@dataclass(frozen=True)
class Node:
    lam_zero: frozenset[int] = frozenset()
    slack_zero: frozenset[int] = frozenset()
    col_bounds: tuple[tuple[int, float, float], ...] = ()

    def fixed(self) -> frozenset[int]:
        return self.lam_zero | self.slack_zero


@dataclass
class _Search:
    sf: StandardForm
    bounds: Bounds
    prog: Program
    needs: list[int]
    nodes: int = 0
    best: float = math.inf
    incumbent: np.ndarray | None = None
    heap: list = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)
    defaults: tuple = ()  # (lb, ub, row_lo, row_hi) of the root program
    convex: bool = True  # leader Hessian PSD: HiGHS QP nodes; else reduced-space nodes
    P: np.ndarray | None = None
    q: np.ndarray | None = None
    A: np.ndarray | None = None
    nonconvex_pieces: int = 0
    convex_pieces: int = 0
    substituted: bool = False  # node objective F~ of clsc.bilevel.substitute (F at KKT points)
    heuristic_points: int = 0  # incumbents found by the primal heuristic
    piece_points: int = 0  # incumbents found as complementary node solutions
    point: np.ndarray | None = None  # the last node's feasible point (non-convex leaders)


class NonconvexLeader(ValueError):
    """The leader's objective is not convex on any feasible complementarity piece."""


def is_convex(H: np.ndarray) -> bool:
    return bool(np.linalg.eigvalsh(H).min(initial=0.0) >= -1e-9) if H.size else True


def solve_kkt_branch(
    sf: StandardForm,
    bounds: Bounds,
    node_limit: int = NODE_LIMIT,
    time_limit: float | None = None,
) -> Outcome:
    """Branch-and-bound over complementarity pieces (and integer leader variables); at the
    ``time_limit`` (seconds) the incumbent is returned with status ``time_limit`` and the gap
    to the smallest open node bound."""
    start = time.perf_counter()
    search = _setup(sf, bounds)
    if not search.convex and np.any(sf.integer):
        raise ValueError("the leader's quadratic objective is not convex (integer variables)")
    _push(search, -math.inf, Node())
    while search.heap:
        bound, _, node = heapq.heappop(search.heap)
        if bound >= _cutoff(search.best):
            continue
        search.nodes += 1
        if search.nodes > node_limit:
            return _stopped(search, f"node limit {node_limit} reached")
        if time_limit is not None and time.perf_counter() - start > time_limit:
            return _gave_up(search, bound, time_limit)
        outcome = _process(search, node)
        if outcome is not None:
            return outcome
    info = _info(search)
    if not search.convex:
        info["convex_pieces"] = search.convex_pieces
        info["nonconvex_pieces"] = search.nonconvex_pieces
    if search.nonconvex_pieces:
        if not search.convex_pieces:
            _grid_responses(search)
        if not search.convex_pieces and not search.piece_points and search.incumbent is None:
            raise NonconvexLeader(
                f"the leader's objective is not convex on any of the {search.nonconvex_pieces} "
                "feasible complementarity piece(s)"
            )
        if not search.convex_pieces:  # a verified point, but no bound at all
            return Outcome(NOT_PROVEN, search.incumbent, info=info,
                           message="the leader's objective is not convex on any of the "
                           f"{search.nonconvex_pieces} feasible complementarity piece(s); the "
                           "point shown is bilevel-feasible (follower re-solved at x), its "
                           "optimality is not proven and the gap is unknown")  # fmt: skip
        return Outcome(NOT_PROVEN, search.incumbent, info=info,
                       message=f"the leader's objective is not convex on "
                       f"{search.nonconvex_pieces} complementarity piece(s); "
                       "their optima are not proven")  # fmt: skip
    if search.incumbent is None:
        return Outcome(INFEASIBLE, info=info, message="no complementary point exists")
    return Outcome(OPTIMAL, search.incumbent, info=info)


def _cutoff(best: float) -> float:
    return best - 1e-9 * max(1.0, abs(best)) if math.isfinite(best) else math.inf


def _setup(sf: StandardForm, bounds: Bounds) -> _Search:
    N, p = sf.n + sf.m, len(sf.b)
    rows, lo, hi = hpr_program(sf, extra_cols=p)
    stat = np.hstack([sf.K, sf.B.T])
    A = np.vstack([rows, stat])
    row_lo = np.concatenate([lo, -sf.c])
    row_hi = np.concatenate([hi, -sf.c])
    lam_hi = np.where(bounds.lam_max <= 1e-9, 0.0, bounds.lam_max)
    lb = np.concatenate([bounds.v_lo, np.zeros(p)])
    ub = np.concatenate([bounds.v_hi, lam_hi])
    needs = [int(i) for i in np.nonzero(bounds.needs_big_m())[0]]
    defaults = (lb, ub, row_lo, row_hi)
    substituted = substituted_objective(sf) if not is_convex(sf.H) else None
    if substituted is not None:  # bilinear leader term replaced through duality: convex nodes
        P, q = substituted
        prog = Program(q, A, row_lo, row_hi, lb, ub, P=P)
        return _Search(sf, bounds, prog, needs, defaults=defaults, substituted=True)
    P = np.zeros((N + p, N + p))
    P[:N, :N] = sf.H
    q = np.concatenate([sf.h, np.zeros(p)])
    if is_convex(sf.H):
        prog = Program(q, A, row_lo, row_hi, lb, ub, P=P)
        return _Search(sf, bounds, prog, needs, defaults=defaults)
    prog = Program(np.zeros(N + p), A, row_lo, row_hi, lb, ub)  # feasibility LP of a node
    return _Search(sf, bounds, prog, needs, defaults=defaults, convex=False, P=P, q=q, A=A)


def _solve_node(search: _Search, node: Node):
    if search.convex:
        return _with_node(search, node, search.prog.solve)
    feasible = _with_node(search, node, search.prog.solve)
    search.point = feasible.v
    if feasible.status != OPTIMAL:
        return feasible
    lb, ub, row_lo, row_hi = (a.copy() for a in search.defaults)
    N, offset = search.sf.n + search.sf.m, len(search.sf.g)
    for i in node.lam_zero:
        lb[N + i] = ub[N + i] = 0.0
    for i in node.slack_zero:
        row_lo[offset + i] = row_hi[offset + i] = search.sf.b[i]
    for j, lo, hi in node.col_bounds:
        lb[j], ub[j] = lo, hi
    return solve_reduced(NodeData(search.P, search.q, search.A, row_lo, row_hi, lb, ub))


def _with_node(search: _Search, node: Node, action):
    """Run ``action()`` with the node's fixings applied to the program, then undo them."""
    sf, prog = search.sf, search.prog
    lb, ub, row_lo, row_hi = search.defaults
    N, offset = sf.n + sf.m, len(sf.g)
    for i in node.lam_zero:
        prog.set_col_bounds(N + i, 0.0, 0.0)
    for i in node.slack_zero:
        prog.set_row_bounds(offset + i, sf.b[i], sf.b[i])
    for j, lo, hi in node.col_bounds:
        prog.set_col_bounds(j, lo, hi)
    try:
        return action()
    finally:
        for i in node.lam_zero:
            prog.set_col_bounds(N + i, lb[N + i], ub[N + i])
        for i in node.slack_zero:
            prog.set_row_bounds(offset + i, row_lo[offset + i], row_hi[offset + i])
        for j, _, _ in node.col_bounds:
            prog.set_col_bounds(j, lb[j], ub[j])


def _integer_feasible(search: _Search, node: Node) -> bool | None:
    N = search.sf.n + search.sf.m
    integer = np.concatenate([search.sf.integer, np.zeros(search.prog.n - N, dtype=bool)])
    return _with_node(search, node, lambda: search.prog.integer_feasible(integer))


def _process(search: _Search, node: Node) -> Outcome | None:
    sf = search.sf
    sol = _solve_node(search, node)
    if sol.status == INFEASIBLE:
        return None
    if sol.status == ERROR:
        return Outcome(SOLVER_ERROR, message="HiGHS failed on a branch-and-bound node")
    optimal = sol.status == OPTIMAL and sol.value is not None
    point = sol.v if optimal else search.point
    promising = not optimal or sol.value < _cutoff(search.best)
    if point is not None and promising and (search.nodes <= 16 or search.nodes % 16 == 0):
        _try_response(search, point[: sf.n])  # a primal heuristic
    free = [i for i in search.needs if i not in node.fixed()]
    if sol.status == NONCONVEX:
        if free:
            _branch_comp(search, node, free[0], -math.inf)
        else:
            search.nonconvex_pieces += 1
        return None
    if not search.convex and not free:
        search.convex_pieces += 1
    if sol.status == UNBOUNDED:
        if free:
            _branch_comp(search, node, free[0], -math.inf)
            return None
        if np.any(sf.integer):
            # Meyer (1974): a rational MILP with an unbounded relaxation is unbounded iff feasible
            feasible = None if sf.leader_quadratic else _integer_feasible(search, node)
            if feasible is None:
                return _stopped(search, "a piece is unbounded in its continuous relaxation")
            if not feasible:
                return None
        return Outcome(UNBOUNDED_STATUS, info=_info(search),
                       message="a complementarity piece is unbounded")  # fmt: skip
    assert sol.status == OPTIMAL and sol.v is not None
    if sol.value >= _cutoff(search.best):
        return None
    N = sf.n + sf.m
    v, lam = sol.v[:N], sol.v[N:]
    frac = [j for j in np.nonzero(sf.integer)[0] if abs(v[j] - round(v[j])) > INT_TOL]
    if frac:
        j = max(frac, key=lambda k: abs(v[k] - round(v[k])))
        lo, hi = _current(search, node, j)
        for new in ((lo, math.floor(v[j])), (math.ceil(v[j]), hi)):
            child = Node(node.lam_zero, node.slack_zero, (*_drop(node.col_bounds, j), (j, *new)))
            _push(search, sol.value, child)
        return None
    s = sf.b - np.hstack([sf.A, sf.B]) @ v
    viol = [(min(lam[i], s[i]), i) for i in free if min(lam[i], s[i]) > COMP_TOL]
    if not viol:
        v = np.where(sf.integer, np.round(v), v)
        value = max(sol.value, sf.leader_value(v)) if search.substituted else sol.value
        if value < search.best:
            search.best, search.incumbent = value, v
            search.piece_points += 1
        return None
    _branch_comp(search, node, max(viol)[1], sol.value)
    return None


def _info(search: _Search) -> dict:
    info: dict = {"nodes": search.nodes, "heuristic_points": search.heuristic_points}
    if search.substituted:
        info["leader_objective"] = "bilinear term replaced through the follower's duality"
    return info


def _grid_responses(search: _Search, points: int = 256) -> None:
    """No piece gives a bound: try the follower's response at ``points`` points of the
    leader's finite box (every side needs a finite bound) for a better incumbent: a grid while
    one of at least 2 values per axis fits, else a fixed pseudo-random sample."""
    n = search.sf.n
    lo, hi = search.bounds.v_lo[:n], search.bounds.v_hi[:n]
    if n == 0 or not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        return
    k = int(points ** (1.0 / n) + 1e-9)
    if k >= 2:
        axes = [np.linspace(a, b, k) for a, b in zip(lo, hi, strict=True)]
        xs = itertools.product(*axes)
    else:
        xs = np.random.default_rng(0).uniform(lo, hi, size=(points, n))
    for x in xs:
        _try_response(search, np.array(x))


def _push(search: _Search, bound: float, node: Node) -> None:
    """Best bound first; among equal bounds (e.g. the ``-inf`` of nodes without a bound) the
    newest first, so that the search dives to complete pieces instead of going level by level."""
    heapq.heappush(search.heap, (bound, -next(search.counter), node))


def _try_response(search: _Search, x: np.ndarray) -> None:
    """The follower's response at the node's ``x`` (:mod:`clsc.bilevel.heuristic`) as the
    incumbent when it is better: a bilevel-feasible point bounds the optimum from above."""
    if np.any(search.sf.integer[search.sf.n :]):
        return
    found = response_point(search.sf, x)
    if found is not None and found[0] < _cutoff(search.best):
        search.best, search.incumbent = found
        search.heuristic_points += 1


def _branch_comp(search: _Search, node: Node, i: int, bound: float) -> None:
    for child in (
        Node(node.lam_zero | {i}, node.slack_zero, node.col_bounds),
        Node(node.lam_zero, node.slack_zero | {i}, node.col_bounds),
    ):
        _push(search, bound, child)


def _current(search: _Search, node: Node, j: int) -> tuple[float, float]:
    for k, lo, hi in node.col_bounds:
        if k == j:
            return lo, hi
    return float(search.bounds.v_lo[j]), float(search.bounds.v_hi[j])


def _drop(col_bounds: tuple, j: int) -> tuple:
    return tuple(t for t in col_bounds if t[0] != j)


def _gave_up(search: _Search, bound: float, time_limit: float) -> Outcome:
    """Status ``time_limit``: the incumbent (if any) and its relative gap to the open nodes."""
    lower = min([bound, *(b for b, _, _ in search.heap)])
    info: dict = _info(search)
    if search.incumbent is None:
        return Outcome(TIME_LIMIT, None, info=info,
                       message=f"gave up after {time_limit:g} s (no point found)")  # fmt: skip
    gap = (search.best - lower) / max(1.0, abs(search.best))
    info["gap"] = gap
    shown = f"{gap:.3g}" if math.isfinite(gap) else "unknown (a node has no finite bound)"
    return Outcome(TIME_LIMIT, search.incumbent, info=info,
                   message=f"gave up after {time_limit:g} s; best point found so far shown, "
                   f"relative gap {shown}")  # fmt: skip


def _stopped(search: _Search, why: str) -> Outcome:
    return Outcome(NOT_PROVEN, search.incumbent, info=_info(search),
                   message=f"branch-and-bound stopped: {why}")  # fmt: skip
