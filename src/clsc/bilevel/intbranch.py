"""Integer bilevel problems with an unbounded (or large) leader: branch-and-bound on the
follower's value function, in the manner of MibS (DeNegre & Ralphs 2009; Tahernejad, Ralphs
& DeNegre 2020, Math. Prog. Comp. 12(4)), over HiGHS MILPs.

Every variable is integer and the leader's objective is linear::

    min h'v   s.t.  G v <= g,   y in argmin {f(x, y) : A x + B y <= b, y integer}.

A node is a set ``R`` of extra linear rows. Its relaxation is the high-point relaxation (HPR:
all rows, the follower's optimality dropped) with ``R``, a MILP whose optimum ``L`` bounds
every bilevel-feasible point of the node from below. At the optimum ``(x*, y*)``:

* the follower's own MILP at ``x*`` gives ``phi(x*)`` and one optimum ``y^``; the optimistic
  MILP gives the best bilevel-feasible point at ``x*`` (a candidate incumbent);
* ``f(x*, y*) <= phi(x*)``: ``(x*, y*)`` is bilevel feasible and optimal in the node: closed;
* else the node is split so that ``(x*, y*)`` is in no child, while every bilevel-feasible
  point of the node is in one (the children are disjoint):

  - **value disjunction** (follower objective ``c'y`` plus terms in ``x`` only). Write
    ``r_k = b_k - B_k y^``. If ``A_k x <= r_k`` for every row ``k`` then ``y^`` is feasible
    for the follower at ``x``, so ``phi(x) <= c'y^`` and a bilevel-feasible ``y`` has
    ``c'y <= c'y^``; otherwise some row ``i`` has ``A_i x > r_i``, with ``A_i != 0`` (a row
    with ``A_i = 0`` does not depend on ``x``, and ``y^`` satisfies it at ``x*``). With ``s_i A_i``
    integral (``s_i >= 1`` an integer) and ``x`` integer, ``A_i x > r_i`` is the linear row
    ``s_i A_i x >= floor(s_i r_i) + 1``. Children: ``C_0 = {A_k x <= r_k for all k, c'y <=
    c'y^}`` and ``C_i = {A_k x <= r_k for k < i, A_i x > r_i}``. ``(x*, y*)`` is in none:
    ``c'y* > phi(x*) = c'y^`` and ``y^`` is feasible at ``x*``.
  - **leader branching** (terms ``x'Dy`` or quadratic in ``y``, or a row that cannot be made
    integral): the best point at ``x*`` is known exactly, so the children are
    ``{x_k = x*_k (k < j), x_j <= x*_j - 1}`` and ``{x_k = x*_k (k < j), x_j >= x*_j + 1}``.

In value-disjunction mode a follower MILP that is unbounded at ``x*`` (where ``y*`` is
feasible) proves the problem infeasible: its costs ``c`` do not depend on ``x``, and for
rational data a feasible integer program is unbounded exactly when ``{d : B d <= 0, c'd <
0}`` is not empty (Meyer 1974), whatever the right-hand side.

Nodes are taken best-bound first and pruned when ``L`` is no better than the incumbent; when
none is left, the incumbent is optimal (proven). A node whose relaxation is unbounded is
split in the same way at a feasible point of it (found in a box); a chain of more than
``MAX_UNBOUNDED_DEPTH`` unbounded nodes, or more than ``MAX_UNBOUNDED_NODES`` in all, is a
refusal (no bound can be proven; the problem may be unbounded) whose message names the
leader bounds that make it solvable by enumeration. A node or time limit gives the best
verified point with status ``not_proven`` / ``time_limit`` and the gap.

>>> from clsc.bilevel import BilevelProblem, solve
>>> p = BilevelProblem.from_dict({"leader": {"vars": ["x"], "objective": "-3*x - 7*y",
...     "constraints": ["-3*x + 2*y <= 12", "x + 2*y <= 20", "x <= 10"]},
...     "follower": {"vars": ["y"], "objective": "y", "constraints": ["2*x - y <= 7",
...     "-2*x + 4*y <= 16", "y <= 5"]}, "integer_vars": ["x", "y"]})
>>> r = solve(p)          # x has no lower bound: enumeration is impossible
>>> str(r.status), r.reformulation, dict(r.x), dict(r.y), r.F
('optimal', 'integer-branch', {'x': 6.0}, {'y': 5.0}, -53.0)
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from clsc.bilevel.bounds import Bounds, hpr_program
from clsc.bilevel.integer import (
    EXACT,
    MAX_LEADER_POINTS,
    IntegerFollower,
    check_supported,
    solve_enumeration,
)
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome
from clsc.errors import ParameterError
from clsc.results import INFEASIBLE, NOT_PROVEN, OPTIMAL, SOLVER_ERROR, TIME_LIMIT, Status
from clsc.solvers.highs import solve as highs_solve
from clsc.solvers.program import LinearProgram

MAX_NODES = 20_000
MAX_UNBOUNDED_DEPTH = 8
MAX_UNBOUNDED_NODES = 30
MAX_DENOMINATOR = 10**6
BOX = 1_000.0  # box for a feasible point of an unbounded node (any point would do)
TOL = 1e-9
UNBOUNDED_FOLLOWER = (
    "the follower's problem is unbounded at a leader point where it is feasible; its costs do "
    "not depend on the leader, so it is unbounded wherever it is feasible (the integer hull "
    "of a rational polyhedron has the polyhedron's recession cone, Meyer 1974): no leader point "
    "has a follower optimum"
)


def solve_integer(
    sf: StandardForm,
    bounds: Bounds,
    time_limit: float | None = None,
    node_limit: int = MAX_NODES,
) -> tuple[Outcome, str, str]:
    """Enumeration when the leader's HPR box is finite and small, else branch-and-bound
    (linear leader objective); ``(outcome, method, why)``."""  # fmt: skip
    check_supported(sf)
    lo, hi = bounds.v_lo[: sf.n], bounds.v_hi[: sf.n]
    finite = bool(np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)))
    size = math.inf
    if finite:
        size = math.prod(math.floor(b + 1e-9) - math.ceil(a - 1e-9) + 1
                         for a, b in zip(lo, hi, strict=True))  # fmt: skip
    if (finite and size <= MAX_LEADER_POINTS) or sf.leader_quadratic:
        return solve_enumeration(sf, bounds, time_limit), "integer-enumeration", "integer follower"
    why = "integer follower; the leader's range in the high-point relaxation is " + (
        "unbounded" if not finite else f"too large to enumerate ({size} points)"
    )
    return solve_branch(sf, bounds, time_limit, node_limit), "integer-branch", why


@dataclass(order=True)
class Node:
    bound: float
    order: int
    rows: tuple = ()  # ((coefficients over v, upper), ...): coefficients @ v <= upper
    unbounded_depth: int = 0


def solve_branch(
    sf: StandardForm,
    bounds: Bounds,
    time_limit: float | None = None,
    node_limit: int = MAX_NODES,
) -> Outcome:
    """Branch-and-bound on follower-value disjunctions (module docstring)."""  # fmt: skip
    check_supported(sf)
    if sf.leader_quadratic:
        raise ParameterError(
            "leader.objective",
            message="branch-and-bound over integer "
            "bilevel problems needs a linear leader objective (no MIQP)",
        )
    if bounds.hpr_status != OPTIMAL:
        status = INFEASIBLE if bounds.hpr_status == INFEASIBLE else SOLVER_ERROR
        return Outcome(status, message=f"the high-point relaxation is {bounds.hpr_status}")
    start = time.perf_counter()
    deadline = None if time_limit is None else start + time_limit
    search = _Search(sf, bounds, time_limit)
    counter = itertools.count()
    heap = [Node(-math.inf, next(counter))]
    nodes = 0
    while heap:
        if nodes >= node_limit or (deadline is not None and time.perf_counter() > deadline):
            return search.stopped(heap, nodes, "node limit" if nodes >= node_limit else None,
                                  time_limit)  # fmt: skip
        node = heapq.heappop(heap)
        if node.bound >= search.best - TOL * (1 + abs(search.best)):
            continue
        nodes += 1
        search.set_deadline(deadline)
        outcome = search.expand(node)
        if outcome is None:  # the time limit struck inside a MILP
            heapq.heappush(heap, node)
            return search.stopped(heap, nodes, None, time_limit)
        if isinstance(outcome, Outcome):
            return outcome
        for bound, rows, depth in outcome:
            heapq.heappush(heap, Node(bound, next(counter), rows, depth))
    info = {"nodes": nodes, "unbounded_nodes": search.unbounded_nodes}
    if search.best_v is None:
        return Outcome(INFEASIBLE, message="no bilevel-feasible point", info=info)
    return Outcome(OPTIMAL, search.best_v, info=info)


class _Search:
    """The node relaxation, the follower's MILPs and the incumbent."""

    def __init__(self, sf: StandardForm, bounds: Bounds, time_limit: float | None = None):
        self.sf, self.bounds, self.time_limit = sf, bounds, time_limit
        self.rows, _, self.rhs = hpr_program(sf)
        self.follower = IntegerFollower(sf)
        n = sf.n
        self.value_cuts = not np.any(sf.P[n:, :])  # follower objective c'y + terms in x
        self.best, self.best_v = math.inf, None
        self.responses: dict[tuple, np.ndarray | None] = {}
        self.deadline: float | None = None
        self.unbounded_nodes = 0

    def set_deadline(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.follower.set_deadline(deadline)

    def relax(self, node: Node, box: float | None = None, cost: bool = True):
        """The node's HPR MILP (optionally inside ``|v_j| <= box``, or with no objective)."""
        sf, N = self.sf, self.sf.n + self.sf.m
        extra = [r for r, _ in node.rows]
        A = np.vstack([self.rows, *extra]) if extra else self.rows
        hi = np.concatenate([self.rhs, [u for _, u in node.rows]])
        lo, up = self.bounds.v_lo.copy(), self.bounds.v_hi.copy()
        if box is not None:
            lo, up = np.maximum(lo, -box), np.minimum(up, box)
        c = sf.h if cost else np.zeros(N)
        lp = LinearProgram(c, A.reshape(-1, N), None, hi, lo, up, np.ones(N, bool), offset=sf.h0)
        left = None if self.deadline is None else max(self.deadline - time.perf_counter(), 1e-3)
        return highs_solve(lp, options=EXACT, time_limit=left)

    def expand(self, node: Node):
        """Solve ``node``; list of children ``(bound, rows, unbounded_depth)``, or an Outcome
        that ends the search."""
        sol = self.relax(node)
        depth = 0
        if sol.status == Status.INFEASIBLE:
            return []
        if sol.status == Status.UNBOUNDED:
            depth = node.unbounded_depth + 1
            self.unbounded_nodes += 1
            if depth > MAX_UNBOUNDED_DEPTH or self.unbounded_nodes > MAX_UNBOUNDED_NODES:
                return self.unbounded()
            sol = self.relax(node, BOX)
            if sol.status == Status.INFEASIBLE:  # (HiGHS may call an integer-infeasible
                sol = self.relax(node, cost=False)  # MILP with an unbounded LP "unbounded")
                if sol.status == Status.INFEASIBLE:
                    return []
            bound = -math.inf
        elif sol:
            bound = float(sol.objective)
        if sol.status == TIME_LIMIT:
            return None
        if not sol:
            return Outcome(SOLVER_ERROR, self.best_v, message=f"node relaxation: {sol.message}")
        if bound >= self.best - TOL * (1 + abs(self.best)):
            return []
        v = np.round(sol.x)
        x, y = v[: self.sf.n], v[self.sf.n :]
        status, yhat, fstar, message = self._respond(x)
        if status == TIME_LIMIT:
            return None
        if status == Status.UNBOUNDED:  # value mode: the follower's costs do not depend on x
            return Outcome(INFEASIBLE, message=UNBOUNDED_FOLLOWER)
        if status not in (OPTIMAL, INFEASIBLE):
            return Outcome(SOLVER_ERROR, self.best_v, message=f"at x = {x.tolist()}: {message}")
        if bound >= self.best - TOL * (1 + abs(self.best)):
            return []  # the best point at x* attains the node's bound
        if yhat is not None and self.value_cuts:
            fy = float(self.sf.c @ y)
            if fy <= fstar + TOL * (1 + abs(fstar)) and bound > -math.inf:
                self._offer(v)  # bilevel feasible and optimal in the node
                return []
            rows = self.value_children(node.rows, x, yhat)
            if rows is not None:
                return [(bound, r, depth) for r in rows]
        return [(bound, r, depth) for r in self.leader_children(node.rows, x)]

    def _respond(self, x: np.ndarray):
        """Follower optimum at ``x`` and the incumbent update from the optimistic response."""
        key = tuple(x.tolist())
        if key not in self.responses:
            status, y, message = self.follower.respond(x)
            if status not in (OPTIMAL, INFEASIBLE):
                return status, None, math.nan, message
            self.responses[key] = y
            if y is not None:
                self._offer(np.concatenate([x, y]))
        if not self.value_cuts:
            return OPTIMAL, None, math.nan, ""
        return self.follower.optimum(x)

    def _offer(self, v: np.ndarray) -> None:
        F = self.sf.leader_value(v)
        if self.best_v is None or self.best - TOL * (1 + abs(self.best)) > F:
            self.best, self.best_v = F, v + 0.0  # (no -0.0)

    def value_children(self, rows: tuple, x: np.ndarray, yhat: np.ndarray) -> list | None:
        """The children of the value disjunction at ``y^`` (None if a row is not integral)."""
        sf, n, N = self.sf, self.sf.n, self.sf.n + self.sf.m
        r = sf.b - sf.B @ yhat
        linked = np.nonzero(np.any(sf.A != 0, axis=1))[0]
        keep, cut = [], []
        for i in linked:
            scaled = integral(sf.A[i])
            if scaled is None:
                return None
            a, s = scaled
            top = math.floor(s * r[i] + TOL * (1 + abs(s * r[i])))
            keep.append((np.concatenate([a, np.zeros(sf.m)]), float(top)))
            cut.append((np.concatenate([-a, np.zeros(sf.m)]), float(-(top + 1))))
        value = integral(sf.c)
        if value is None:
            c, level = sf.c, float(sf.c @ yhat) + TOL * (1 + abs(float(sf.c @ yhat)))
        else:
            c, s = value
            level = float(round(s * float(sf.c @ yhat)))
        children = [(*rows, *keep, (np.concatenate([np.zeros(n), c]), level))]
        children += [(*rows, *keep[:k], cut[k]) for k in range(len(cut))]
        assert all(len(row) == N for child in children for row, _ in child)
        return children

    def leader_children(self, rows: tuple, x: np.ndarray) -> list:
        """``Z^n`` without ``x``, as ``2n`` disjoint pieces."""
        N, children = self.sf.n + self.sf.m, []
        for j in range(self.sf.n):
            fix = []
            for k in range(j):
                e = np.zeros(N)
                e[k] = 1.0
                fix += [(e, x[k]), (-e, -x[k])]
            e = np.zeros(N)
            e[j] = 1.0
            children += [(*rows, *fix, (e, x[j] - 1)), (*rows, *fix, (-e, -(x[j] + 1)))]
        return children

    def unbounded(self) -> Outcome:
        """Refuse: no lower bound can be proven (the problem itself may be unbounded)."""
        sf, missing = self.sf, missing_bounds(self.sf, self.bounds)
        text = (f"the high-point relaxation stays unbounded after {self.unbounded_nodes - 1} "
                "branchings, so no lower bound on the leader's objective can be proven (the "
                "bilevel problem may be unbounded)")  # fmt: skip
        if missing:
            j, side = missing[0]
            first = (f"the integer leader variable {sf.names[j]} has no {side} bound in the "
                     "high-point relaxation, and ")  # fmt: skip
            names = ", ".join(f"{sf.names[k]} from {'below' if s == 'lower' else 'above'}"
                              for k, s in missing)  # fmt: skip
            hint = (f"; add leader constraints bounding {names} to make it solvable (a box of "
                    f"at most {MAX_LEADER_POINTS} integer points is enumerated)")  # fmt: skip
            raise ParameterError(sf.names[j], message=first + text + hint)
        raise ParameterError(
            "integer_vars",
            message=text + "; bound the leader's variables "
            f"to a box of at most {MAX_LEADER_POINTS} integer points",
        )

    def stopped(self, heap, nodes, why, time_limit) -> Outcome:
        lower = min([n.bound for n in heap], default=self.best)
        info = {"nodes": nodes, "lower_bound": lower}
        if why is None:
            return Outcome(TIME_LIMIT, self.best_v, info=info,
                           message=f"gave up after {time_limit:g} s (branch-and-bound, {nodes} "
                           f"nodes; lower bound {lower:.6g}, the point shown is the best found "
                           "so far)")  # fmt: skip
        gap = self.best - lower if self.best_v is not None else math.inf
        return Outcome(NOT_PROVEN, self.best_v, info={**info, "gap": gap},
                       message=f"{why} reached ({nodes} nodes): the best point found is "
                       f"within {gap:.6g} of the lower bound {lower:.6g}")  # fmt: skip


def integral(a: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``(s a, s)`` with ``s >= 1`` the least integer making ``s a`` integral, where each entry
    is read as the fraction of denominator at most ``MAX_DENOMINATOR`` whose float it is
    exactly; None when there is none (e.g. ``pi``) or ``s`` exceeds ``MAX_DENOMINATOR``."""
    s = 1
    for value in a[a != 0]:
        frac = Fraction(float(value)).limit_denominator(MAX_DENOMINATOR)
        if float(frac) != value:  # (a decimal such as 0.1 is recovered exactly: 1/10)
            return None
        s = math.lcm(s, frac.denominator)
        if s > MAX_DENOMINATOR:
            return None
    return np.round(a * s), s


def missing_bounds(sf: StandardForm, bounds: Bounds) -> list[tuple[int, str]]:
    """The leader variables and sides (``lower``/``upper``) unbounded in the HPR."""
    return [
        (j, side)
        for j in range(sf.n)
        for side, value in (("lower", bounds.v_lo[j]), ("upper", bounds.v_hi[j]))
        if not np.isfinite(value)
    ]
