"""Integer followers: enumerate the leader, solve the follower exactly at every leader point.

With every follower variable integer (and then every leader variable integer too) the
leader's feasible points are enumerated over the box of the high-point relaxation (HPR), which
contains every bilevel-feasible point. At each leader point ``x``:

1. the follower's own problem ``f*(x) = min {f(x, y): B y <= b - A x, y integer}`` is solved
   exactly (its own MILP by HiGHS, over the follower's feasible set at ``x`` only: the
   leader's rows never restrict it); no optimum (infeasible / unbounded) -> ``x`` is not
   admissible;
2. the optimistic response ``min {F(x, y): B y <= b - A x, f(x, y) <= f*(x), G (x, y) <= g,
   y integer}`` is a second MILP; infeasible -> the follower's optimal reactions all violate
   the leader's rows, so ``x`` is not admissible.

A follower or leader objective that is quadratic in ``y`` (HiGHS has no MIQP) is handled by
enumerating the follower's own feasible set at ``x`` instead, inside the box given by LPs over
the follower's rows at ``x`` (exact; refused when that box is unbounded or too large).
:func:`verify_integer` re-solves the follower in the same way, afresh, at the answer's ``x``.
Continuous leaders with an integer follower and mixed-integer followers are refused (their
optimum need not be attained).

>>> from clsc.bilevel import BilevelProblem, solve
>>> p = BilevelProblem.from_dict({"leader": {"vars": ["x"], "objective": "-x - 2*y",
...     "constraints": ["y <= 5", "x >= 0", "x <= 4"]}, "follower": {"vars": ["y"],
...     "sense": "max", "objective": "y", "constraints": ["y <= 2*x + 1", "y >= 0",
...     "y <= 10"]}, "integer_vars": ["x", "y"]})
>>> r = solve(p)
>>> str(r.status), dict(r.x), dict(r.y), r.F
('optimal', {'x': 2.0}, {'y': 5.0}, -12.0)
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome
from clsc.bilevel.verify import Verification, check_rows
from clsc.errors import ParameterError
from clsc.results import INFEASIBLE, OPTIMAL, SOLVER_ERROR, TIME_LIMIT, Status
from clsc.solvers.highs import ParametricProgram
from clsc.solvers.program import LinearProgram

MAX_LEADER_POINTS = 20_000  # about 2 ms per point (two MILPs)
MAX_FOLLOWER_POINTS = 200_000
EXACT = {"mip_rel_gap": 0.0, "mip_abs_gap": 1e-9}
TOL = 1e-7


def check_supported(sf: StandardForm) -> None:
    n, N = sf.n, sf.n + sf.m
    if not np.all(sf.integer[n:N]):
        raise ParameterError(
            "integer_vars",
            message="mixed-integer followers are not supported; make all follower variables "
            "integer or all continuous",
        )
    if not np.all(sf.integer[:n]):
        raise ParameterError(
            "integer_vars",
            message="an integer follower needs integer leader variables too (with a continuous "
            "leader the optimum need not be attained); declare the leader's variables integer",
        )


def leader_axes(sf: StandardForm, bounds: Bounds) -> list[range]:
    """The integers of each leader variable's HPR range (refused when a range is unbounded)."""
    axes = []
    for j in range(sf.n):
        lo, hi = bounds.v_lo[j], bounds.v_hi[j]
        if not (np.isfinite(lo) and np.isfinite(hi)):
            side = "lower" if not np.isfinite(lo) else "upper"
            raise ParameterError(
                sf.names[j], message=f"the integer leader variable {sf.names[j]} has no "
                f"{side} bound in the high-point relaxation; add a leader constraint bounding "
                f"{sf.names[j]} from {'below' if side == 'lower' else 'above'} to make the "
                "problem solvable by enumeration",
            )  # fmt: skip
        axes.append(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    return axes


class IntegerFollower:
    """The follower's MILP at a given ``x`` and the optimistic-response MILP, built once and
    re-solved in place (:class:`clsc.solvers.highs.ParametricProgram`)."""

    def __init__(self, sf: StandardForm):
        self.sf = sf
        n, m = sf.n, sf.m
        self.D = sf.P[n:, :n]
        self.linear = not np.any(sf.Q) and not np.any(sf.H[n:, n:])
        ints = np.ones(m, dtype=bool)
        B = sf.B if len(sf.b) else np.zeros((0, m))
        self.follower = ParametricProgram(
            LinearProgram(np.zeros(m), B, None, np.zeros(len(sf.b)), -np.inf, np.inf, ints),
            options=EXACT,
        )
        self.relaxed = ParametricProgram(
            LinearProgram(np.zeros(m), B, None, np.zeros(len(sf.b)), -np.inf, np.inf)
        )
        Gy = sf.G[:, n:] if len(sf.g) else np.zeros((0, m))
        rows = np.vstack([B, Gy, np.ones((1, m))])  # last row: f-part <= f*(x)
        self.k = len(sf.b) + len(sf.g)
        self.optimistic = ParametricProgram(
            LinearProgram(np.zeros(m), rows, None, np.zeros(len(rows)), -np.inf, np.inf, ints),
            options=EXACT,
        )
        self.cols = np.arange(m)

    def set_deadline(self, deadline: float | None) -> None:
        if deadline is not None:
            left = max(deadline - time.perf_counter(), 1e-3)
            for prog in (self.follower, self.optimistic, self.relaxed):
                prog.h.setOptionValue("time_limit", float(left))

    def optimum(self, x: np.ndarray) -> tuple[Status, np.ndarray | None, float, str]:
        """``(status, y, f*, message)``: one optimum ``y`` of the follower's own MILP at ``x``
        (linear follower objective; its leader-independent terms left out of ``f*``); status
        ``infeasible`` or ``unbounded`` when the follower has no optimum at ``x``."""
        sf = self.sf
        g = sf.c + self.D @ x
        rhs = sf.b - sf.A @ x
        self.follower.set_costs(self.cols, g)
        if len(rhs):
            self.follower.set_row_bounds(np.arange(len(rhs)), -np.inf, rhs)
        sol = self.follower.solve()
        if not sol:
            return sol.status, None, math.nan, sol.message
        y = np.round(sol.x) + 0.0
        return OPTIMAL, y, float(g @ y), ""

    def respond(self, x: np.ndarray) -> tuple[Status, np.ndarray | None, str]:
        """``(status, y, message)``: the optimistic optimal response at ``x`` (``y`` None and
        status ``infeasible`` when ``x`` admits none)."""
        sf = self.sf
        g = sf.c + self.D @ x
        rhs = sf.b - sf.A @ x
        if not self.linear:
            return self._enumerate(x, g, rhs)
        status, _, fstar, message = self.optimum(x)
        if status in (Status.INFEASIBLE, Status.UNBOUNDED):
            return INFEASIBLE, None, ""
        if status != OPTIMAL:
            return status, None, message
        cost = sf.h[sf.n :] + sf.H[sf.n :, : sf.n] @ x
        self.optimistic.set_costs(self.cols, cost)
        for j in range(sf.m):
            self.optimistic.set_coefficient(self.k, j, g[j])
        lead = sf.g - sf.G[:, : sf.n] @ x if len(sf.g) else np.zeros(0)
        hi = np.concatenate([rhs, lead, [fstar + TOL * (1 + abs(fstar))]])
        self.optimistic.set_row_bounds(np.arange(len(hi)), -np.inf, hi)
        best = self.optimistic.solve()
        if not best:
            if best.status == Status.INFEASIBLE:
                return INFEASIBLE, None, ""
            return best.status, None, best.message
        return OPTIMAL, np.round(best.x) + 0.0, ""  # (+ 0.0: no -0.0)

    def follower_box(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Integer box of the follower's own feasible set at ``x`` (LP bounds); None if empty."""
        sf, m = self.sf, self.sf.m
        rhs = sf.b - sf.A @ x
        if len(rhs):
            self.relaxed.set_row_bounds(np.arange(len(rhs)), -np.inf, rhs)
        lo, hi = np.empty(m), np.empty(m)
        for j in range(m):
            for sign, out in ((1.0, lo), (-1.0, hi)):
                cost = np.zeros(m)
                cost[j] = sign
                self.relaxed.set_costs(self.cols, cost)
                sol = self.relaxed.solve()
                if sol.status == Status.INFEASIBLE:
                    return None
                if sol.status == Status.UNBOUNDED:
                    raise ParameterError(
                        sf.names[sf.n + j], message=f"the follower's variable "
                        f"{sf.names[sf.n + j]} is unbounded in its own feasible set at "
                        f"x = {x.tolist()}; its quadratic objective needs a bounded set here",
                    )  # fmt: skip
                if not sol:
                    raise RuntimeError(sol.message)
                out[j] = sign * sol.objective
        return np.ceil(lo - 1e-7), np.floor(hi + 1e-7)

    def _enumerate(self, x, g, rhs) -> tuple[Status, np.ndarray | None, str]:
        sf = self.sf
        try:
            box = self.follower_box(x)
        except RuntimeError as exc:
            return SOLVER_ERROR, None, str(exc)
        if box is None or np.any(box[0] > box[1]):
            return INFEASIBLE, None, ""
        size = math.prod(int(h - lo + 1) for lo, h in zip(*box, strict=True))
        if size > MAX_FOLLOWER_POINTS:
            raise ParameterError(
                "integer_vars", message=f"the follower's own feasible box at x = {x.tolist()} "
                f"has {size} integer points, more than the limit {MAX_FOLLOWER_POINTS}",
            )  # fmt: skip
        axes = [np.arange(lo, h + 1) for lo, h in zip(*box, strict=True)]
        Y = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, sf.m)
        ok = np.all(rhs + 1e-9 * (1 + np.abs(rhs)) >= Y @ sf.B.T, axis=1) if len(rhs) else None
        Y = Y if ok is None else Y[ok]
        if not len(Y):
            return INFEASIBLE, None, ""
        V = np.hstack([np.broadcast_to(x, (len(Y), sf.n)), Y])
        f = 0.5 * np.einsum("ij,jk,ik->i", V, sf.P, V) + V @ sf.p
        fmin = f.min()
        opt = f <= fmin + 1e-9 * (1 + abs(fmin))
        if len(sf.g):
            opt &= np.all(sf.g + 1e-9 * (1 + np.abs(sf.g)) >= V @ sf.G.T, axis=1)
        if not opt.any():
            return INFEASIBLE, None, ""
        F = 0.5 * np.einsum("ij,jk,ik->i", V, sf.H, V) + V @ sf.h
        k = np.nonzero(opt)[0][np.argmin(F[opt])]
        return OPTIMAL, Y[k].copy(), ""


def solve_enumeration(
    sf: StandardForm,
    bounds: Bounds,
    time_limit: float | None = None,
    max_points: int = MAX_LEADER_POINTS,
) -> Outcome:
    """Enumerate the bounded integer leader; exact follower responses (module docstring)."""
    check_supported(sf)
    start = time.perf_counter()
    deadline = None if time_limit is None else start + time_limit
    axes = leader_axes(sf, bounds)
    size = math.prod(len(a) for a in axes)
    if size > max_points:
        raise ParameterError(
            "integer_vars", message=f"the problem is too large for integer enumeration: {size} "
            f"leader points (two MILPs each, about {size * 0.002:.0f} s) exceed the limit "
            f"{max_points}; bound the leader's variables more tightly",
        )  # fmt: skip
    n = sf.n
    Gx_only = np.all(sf.G[:, n:] == 0, axis=1) if len(sf.g) else np.zeros(0, dtype=bool)
    follower = IntegerFollower(sf)
    best, best_v, seen = math.inf, None, 0
    for point in itertools.product(*axes):
        x = np.array(point, dtype=float)
        if np.any(sf.G[Gx_only, :n] @ x > sf.g[Gx_only] + 1e-9 * (1 + np.abs(sf.g[Gx_only]))):
            continue
        if deadline is not None and time.perf_counter() > deadline:
            return _gave_up(time_limit, best_v, seen, size)
        follower.set_deadline(deadline)
        status, y, message = follower.respond(x)
        seen += 1
        if status == TIME_LIMIT:
            return _gave_up(time_limit, best_v, seen, size)
        if status not in (OPTIMAL, INFEASIBLE):
            return Outcome(SOLVER_ERROR, best_v, message=f"at x = {x.tolist()}: {message}")
        if y is None:
            continue
        v = np.concatenate([x, y])
        F = sf.leader_value(v)
        if best - 1e-9 * (1 + abs(best) if math.isfinite(best) else 1) > F:
            best, best_v = F, v
    if best_v is None:
        return Outcome(INFEASIBLE, message="no leader point has an admissible follower response")
    return Outcome(OPTIMAL, best_v, info={"leader_points": size})


def _gave_up(time_limit, best_v, seen: int, size: int) -> Outcome:
    return Outcome(TIME_LIMIT, best_v, info={"leader_points_done": seen, "leader_points": size},
                   message=f"gave up after {time_limit:g} s ({seen} of {size} leader points "
                   "enumerated; the point shown is the best found so far)")  # fmt: skip


def verify_integer(sf: StandardForm, v: np.ndarray) -> Verification:
    """Re-solve the follower afresh at the answer's ``x`` (its own MILP, or its own feasible
    set enumerated for a quadratic objective): ``y`` must be follower-optimal and
    leader-preferred."""
    failure = check_rows(sf, v)
    if failure:
        return Verification(False, failure)
    x = v[: sf.n]
    status, y, message = IntegerFollower(sf).respond(x)
    if status != OPTIMAL or y is None:
        return Verification(False, message or "no admissible follower response at the leader's x")
    best = np.concatenate([x, y])
    f_v, f_best = sf.follower_value(v), sf.follower_value(best)
    F_v, F_best = sf.leader_value(v), sf.leader_value(best)
    if f_v > f_best + 1e-7 * (1 + abs(f_best)) or F_best + 1e-7 * (1 + abs(F_best)) < F_v:
        return Verification(False, "y is not the follower's (optimistic) response at x")
    return Verification(True, "", f_best, F_best)
