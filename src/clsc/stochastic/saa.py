"""Sample-average approximation (SAA) of the newsvendor as an LP on clsc's solver layer.

For scenarios d_1..d_N, overage cost c_o and underage cost c_u, the SAA LP (primal)

    min_{q >= 0, o >= 0, u >= 0}  (1/N) * sum_i (c_o*o_i + c_u*u_i)
    s.t.  o_i - u_i - q = -d_i                    (i = 1..N)

(o_i, u_i: overage and underage in scenario i). With c_o + c_u > 0 at most one of o_i, u_i is
positive at the optimum, so o_i = (q - d_i)+, u_i = (d_i - q)+ and the objective is the
sample-average overage/underage cost; any q in the optimal interval is a sample quantile of
level c_u/(c_u + c_o). Its LP dual (multipliers y_i of the rows) is

    min_y  sum_i d_i*y_i   s.t.  sum_i y_i >= 0,   -c_u/N <= y_i <= c_o/N

whose optimum is minus the primal optimum and whose row dual is the order q (strong duality).
With y_i = (c_o - (c_o + c_u)*w_i)/N it is the continuous knapsack that clsc solves:

    min_w  -sum_i d_i*w_i   s.t.  sum_i w_i <= N*c_o/(c_o + c_u),   0 <= w_i <= 1

(samples are its costs, the cost ratio its one right-hand side, the bounds never change; the
primal optimum is -(c_o*mean(d) + (c_o + c_u)/N * optimum) and q is minus the row dual).
The primal's column of q is dense, which makes every simplex iteration O(N) and its
interior-point solves slow; the dual has one row and bounded columns, which HiGHS's dual
simplex (bound flipping) solves in a fraction of the time and re-solves warm. Both forms are
kept (``NewsvendorSAA(n, form=...)``; the tests check them against each other).

A program is a :class:`clsc.solvers.program.LinearProgram` loaded once into a
:class:`clsc.solvers.highs.ParametricProgram`; new scenarios and costs are pushed in vectorised
calls before HiGHS re-runs (:meth:`NewsvendorSAA.solve`). :func:`shared_program` keeps one
built program per sample size for the life of the process, so a loop of solves by the models'
``saa`` methods gets the re-solve speed (``benchmarks/bench_saa_resolve.py``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.results import Status

#: HiGHS options used by default
HIGHS_OPTIONS: Mapping[str, Any] = {"output_flag": False}
#: from this many scenarios on, HiGHS uses its interior-point solver (see module docstring)
IPM_FROM = 500
#: built programs kept by :func:`shared_program` (least recently used dropped first)
SHARED_MAX = 8


def highs_options(n: int) -> dict[str, Any]:
    """HiGHS options for an SAA with n scenarios: simplex when small, interior point when large."""
    return {**HIGHS_OPTIONS, "solver": "ipm" if n >= IPM_FROM else "simplex"}


@dataclass(frozen=True)
class SAASolution:
    """Outcome of one SAA solve: status, order quantity and the optimal objective."""

    status: Status
    q: float | None
    objective: float | None
    message: str = ""


def newsvendor_program(n: int, form: str = "dual"):
    """The SAA LP (``form`` ``"primal"``: columns ``q, o_1..o_N, u_1..u_N``; ``"dual"``:
    columns ``y_1..y_N`` and one row) with zero demands and unit costs (data set later).

    >>> lp = newsvendor_program(2, "primal")
    >>> lp.n_cols, lp.n_rows, lp.A.toarray().tolist()
    (5, 2, [[-1.0, 1.0, 0.0, -1.0, 0.0], [-1.0, 0.0, 1.0, 0.0, -1.0]])
    >>> newsvendor_program(2).A.toarray().tolist()
    [[1.0, 1.0]]
    """
    from scipy import sparse

    from clsc.solvers.program import LinearProgram

    if form == "dual":
        a = sparse.csc_matrix(np.ones((1, n)))
        return LinearProgram(c=np.zeros(n), A=a, row_upper=[n / 2], col_lower=0.0, col_upper=1.0)
    rows = np.repeat(np.arange(n), 3)
    cols = np.column_stack([np.zeros(n, int), 1 + np.arange(n), 1 + n + np.arange(n)]).ravel()
    vals = np.tile([-1.0, 1.0, -1.0], n)
    a = sparse.csc_matrix((vals, (rows, cols)), shape=(n, 2 * n + 1))
    cost = np.concatenate([[0.0], np.full(2 * n, 1.0 / n)])
    return LinearProgram(c=cost, A=a, row_lower=np.zeros(n), row_upper=np.zeros(n), col_lower=0.0)


#: HiGHS options of each form (the dual: simplex without presolve, which only costs time here)
FORM_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "dual": {**HIGHS_OPTIONS, "solver": "simplex", "presolve": "off"},
}
#: a status of the dual program -> the primal's (the primal is always feasible)
DUAL_STATUS = {
    Status.INFEASIBLE: (Status.UNBOUNDED, "the SAA program is unbounded (its dual is infeasible)"),
    Status.UNBOUNDED: (Status.INFEASIBLE, "the SAA program is infeasible (its dual is unbounded)"),
}


class NewsvendorSAA:
    """The SAA LP for a fixed number of scenarios, built once and re-solved in place.

    >>> saa = NewsvendorSAA(4)
    >>> saa.solve(np.array([1.0, 2.0, 3.0, 4.0]), overage=1.0, underage=3.0).q
    3.0
    >>> NewsvendorSAA(4, form="primal").solve(np.array([1.0, 2.0, 3.0, 4.0]), 1.0, 3.0).q
    3.0
    """

    def __init__(self, n: int, options: Mapping[str, Any] | None = None, form: str = "dual"):
        from clsc.solvers.highs import ParametricProgram

        if form not in ("dual", "primal"):
            raise ValueError(f"form must be 'dual' or 'primal', not {form!r}")
        self.n, self.form = int(n), form
        if options is None:
            options = FORM_OPTIONS.get(form) or highs_options(self.n)
        self.program = ParametricProgram(newsvendor_program(self.n, form), options=dict(options))
        self._idx = np.arange(self.n, dtype=np.int32)
        self._cols = np.arange(1, 2 * self.n + 1, dtype=np.int32)
        self.overage, self.underage = 1.0, 1.0
        self._pushed: tuple[float, float] | None = None  # costs in the program (None: defaults)
        self._total = 0.0  # sum of the samples (the dual's objective offset)
        self.lock = threading.Lock()  # one solve at a time on a shared program

    def set_params(
        self,
        samples: np.ndarray | None = None,
        overage: float | None = None,
        underage: float | None = None,
    ) -> None:
        """Push the given data into the program (primal: rows ``[-d_i, -d_i]`` and costs
        ``c/N``; dual: costs ``-d_i`` and the right-hand side ``N*c_o/(c_o + c_u)``)."""
        if samples is not None:
            samples = np.asarray(samples, dtype=float)
            if samples.shape != (self.n,):
                raise ValueError(f"expected {self.n} scenarios, got shape {samples.shape}")
            if self.form == "dual":
                self.program.set_costs(self._idx, -samples)
                self._total = float(samples.sum())
            else:
                self.program.set_row_bounds(self._idx, -samples, -samples)
        costs = (
            self.overage if overage is None else float(overage),
            self.underage if underage is None else float(underage),
        )
        if costs != self._pushed:
            self.overage, self.underage = self._pushed = costs
            co, cu = self.overage / self.n, self.underage / self.n
            if self.form == "dual":
                share = self.n * co / (co + cu) if co + cu > 0 else 0.0  # else: not solved
                self.program.set_row_bounds([0], -np.inf, share)
            else:
                self.program.set_costs(self._cols, np.repeat([co, cu], self.n))

    def solve(
        self,
        samples: np.ndarray | None = None,
        overage: float | None = None,
        underage: float | None = None,
    ) -> SAASolution:
        """Update the given data and re-solve; the status comes from the solver layer."""
        with self.lock:
            self.set_params(samples, overage, underage)
            co, cu = self.overage, self.underage
            if self.form == "dual" and not co + cu > 0:
                if co < 0 or co + cu < 0:  # more stock (or both slacks) always pays
                    return SAASolution(Status.UNBOUNDED, None, None, "the SAA program is unbounded")
                return SAASolution(Status.OPTIMAL, 0.0, 0.0)  # zero costs: every q is optimal
            sol = self.program.solve()
        if self.form == "dual":
            if not sol:
                status, message = DUAL_STATUS.get(sol.status, (sol.status, sol.message))
                return SAASolution(status, None, None, message)
            objective = -(co * self._total + (co + cu) * float(sol.objective)) / self.n
            return SAASolution(Status.OPTIMAL, -float(sol.y[0]), objective)
        if not sol:
            return SAASolution(sol.status, None, None, f"the SAA program: {sol.message}")
        return SAASolution(Status.OPTIMAL, float(sol.x[0]), float(sol.objective))


_SHARED: OrderedDict[int, NewsvendorSAA] = OrderedDict()
_SHARED_LOCK = threading.Lock()


def shared_program(n: int) -> NewsvendorSAA:
    """The process's built SAA program for ``n`` scenarios (built on first use).

    >>> shared_program(3) is shared_program(3)
    True
    """
    with _SHARED_LOCK:
        prog = _SHARED.get(n)
        if prog is None:
            prog = _SHARED[n] = NewsvendorSAA(n)
            while len(_SHARED) > SHARED_MAX:
                _SHARED.popitem(last=False)
        _SHARED.move_to_end(n)
        return prog


def solve_shared(samples: np.ndarray, overage: float, underage: float) -> SAASolution:
    """Solve the SAA LP for ``samples`` on the shared program of their size.

    >>> str(solve_shared(np.array([1.0, 2.0, 3.0, 4.0]), 1.0, 3.0).status)
    'optimal'
    """
    samples = np.asarray(samples, dtype=float)
    return shared_program(samples.shape[0]).solve(samples, overage, underage)
