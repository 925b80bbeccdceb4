"""The bilevel package's view of the solver layer: one LP / convex QP / MILP in matrix form.

``solve_qp`` minimises ``0.5 v'Pv + q'v`` subject to ``row_lo <= A v <= row_hi`` and
``lb <= v <= ub`` (``np.inf`` for a missing bound), optionally with integer columns.
:class:`Program` keeps a model loaded so that branch-and-bound can change bounds and re-solve.
Both go through :mod:`clsc.solvers.highs` (its ``STATUS_MAP`` is clsc's one translation of
HiGHS statuses); a HiGHS failure is a ``solver_error`` solution, never a truthy result.

>>> import numpy as np
>>> sol = solve_qp(np.array([1.0]), np.array([[1.0]]), np.array([2.0]), np.array([np.inf]),
...                np.array([-np.inf]), np.array([np.inf]))
>>> str(sol.status), sol.v.tolist(), sol.value
('optimal', [2.0], 2.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.results import Status
from clsc.solvers.highs import ParametricProgram
from clsc.solvers.program import LinearProgram

OPTIMAL, INFEASIBLE, UNBOUNDED = Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED
ERROR = Status.SOLVER_ERROR


@dataclass(frozen=True)
class Solution:
    status: str
    v: np.ndarray | None = None
    value: float | None = None

    def __bool__(self) -> bool:
        return self.status == OPTIMAL


class Program:
    """A program held in HiGHS (:class:`~clsc.solvers.highs.ParametricProgram`); bounds and
    costs can be changed between solves."""

    def __init__(
        self,
        q: np.ndarray,
        A: np.ndarray,
        row_lo: np.ndarray,
        row_hi: np.ndarray,
        lb: np.ndarray,
        ub: np.ndarray,
        P: np.ndarray | None = None,
        integer: np.ndarray | None = None,
        time_limit: float | None = None,
    ):
        n = len(q)
        A = np.asarray(A, dtype=float).reshape(-1, n)
        P = P if P is not None and np.any(P) else None
        try:
            lp = LinearProgram(q, A, row_lo, row_hi, lb, ub, integer, P)
        except ParameterError:  # derived data beyond HiGHS's range (problem.py names the
            self.prog = None  # user's coefficients; this guards programs built from them)
        else:
            self.prog = ParametricProgram(lp, time_limit=time_limit)
        self.n = n
        self.cols = np.arange(n)

    def set_col_bounds(self, j: int, lo: float, hi: float) -> None:
        if self.prog is not None:
            self.prog.set_col_bounds([j], lo, hi)

    def set_row_bounds(self, i: int, lo: float, hi: float) -> None:
        if self.prog is not None:
            self.prog.set_row_bounds([i], lo, hi)

    def set_cost(self, q: np.ndarray) -> None:
        if self.prog is not None:
            self.prog.set_costs(self.cols, q)

    def solve(self) -> Solution:
        if self.prog is None:
            return Solution(ERROR)
        sol = self.prog.solve()
        if sol.status == OPTIMAL and sol.x is not None:
            return Solution(OPTIMAL, sol.x, sol.objective)
        if sol.status in (INFEASIBLE, UNBOUNDED):
            return Solution(sol.status)
        return Solution(ERROR)

    def integer_feasible(self, integer: np.ndarray) -> bool | None:
        """Is there a point with the columns in ``integer`` integral (zero objective, MILP)?
        ``None`` if HiGHS cannot tell. Costs and integrality are restored in every case."""
        if self.prog is None:
            return None
        cols = np.nonzero(np.asarray(integer))[0]
        cost = self.prog.costs()
        self.set_cost(np.zeros(self.n))
        self.prog.set_integrality(cols, True)
        try:
            sol = self.prog.solve(warm=False)
        finally:
            self.prog.set_integrality(cols, False)
            self.set_cost(cost)
        if sol.status == OPTIMAL:
            return True
        if sol.status == INFEASIBLE:
            return False
        return None


def solve_qp(*args: Any, **kwargs: Any) -> Solution:
    """Minimise ``0.5 v'Pv + q'v`` s.t. ``row_lo <= A v <= row_hi``, ``lb <= v <= ub``: one
    solve of the :class:`Program` built from the same arguments."""
    return Program(*args, **kwargs).solve()
