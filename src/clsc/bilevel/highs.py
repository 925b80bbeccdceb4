"""Thin highspy wrapper: one LP / convex QP / MILP in matrix form, status as a word.

``solve_qp`` minimises ``0.5 v'Pv + q'v`` subject to ``row_lo <= A v <= row_hi`` and
``lb <= v <= ub`` (``np.inf`` for a missing bound), optionally with integer columns.
HiGHS solves LPs, convex QPs and MILPs (not MIQPs); callers never pass both ``P`` and integers.
:class:`Program` keeps a model loaded so that branch-and-bound can change bounds and re-solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OPTIMAL, INFEASIBLE, UNBOUNDED, ERROR = "optimal", "infeasible", "unbounded", "error"


@dataclass(frozen=True)
class Solution:
    status: str
    v: np.ndarray | None = None
    value: float | None = None


def _inf(a: np.ndarray, highs_inf: float) -> np.ndarray:
    return np.clip(np.asarray(a, dtype=float), -highs_inf, highs_inf)


class Program:
    """A HiGHS model held in memory; bounds can be changed between solves."""

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
        import highspy

        self._hs = highspy
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        inf = h.getInfinity()
        self.inf = inf
        n = len(q)
        A = np.asarray(A, dtype=float).reshape(-1, n)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, A.shape[0]
        lp.col_cost_ = np.asarray(q, dtype=float)
        lp.col_lower_, lp.col_upper_ = _inf(lb, inf), _inf(ub, inf)
        lp.row_lower_, lp.row_upper_ = _inf(row_lo, inf), _inf(row_hi, inf)
        csc = _csc(A)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc
        if integer is not None and np.any(integer):
            kinds = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                for i in integer
            ]
            lp.integrality_ = kinds
        model = highspy.HighsModel()
        model.lp_ = lp
        if P is not None and np.any(P):
            hess = highspy.HighsHessian()
            hess.dim_ = n
            hess.format_ = highspy.HessianFormat.kTriangular
            lower = np.tril(np.asarray(P, dtype=float))
            hess.start_, hess.index_, hess.value_ = _csc(lower)
            model.hessian_ = hess
        h.passModel(model)
        self.h = h
        self.n = n

    def set_col_bounds(self, j: int, lo: float, hi: float) -> None:
        self.h.changeColBounds(int(j), float(max(lo, -self.inf)), float(min(hi, self.inf)))

    def set_row_bounds(self, i: int, lo: float, hi: float) -> None:
        self.h.changeRowBounds(int(i), float(max(lo, -self.inf)), float(min(hi, self.inf)))

    def set_cost(self, q: np.ndarray) -> None:
        self.h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.asarray(q, float))

    def solve(self) -> Solution:
        h, ms = self.h, self._hs.HighsModelStatus
        h.clearSolver()
        try:
            h.run()
        except (ValueError, RuntimeError, MemoryError):
            # HiGHS's C++ exceptions (e.g. on data with astronomically large coefficients)
            # surface as these; the answer is a solver error, never a traceback.
            return Solution(ERROR)
        status = h.getModelStatus()
        if status == ms.kOptimal:
            v = np.array(h.getSolution().col_value, dtype=float)
            return Solution(OPTIMAL, v, float(h.getInfo().objective_function_value))
        if status == ms.kInfeasible:
            return Solution(INFEASIBLE)
        if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
            if status == ms.kUnboundedOrInfeasible:
                return Solution(self._infeasible_or_unbounded())
            return Solution(UNBOUNDED)
        return Solution(ERROR)

    def integer_feasible(self, integer: np.ndarray) -> bool | None:
        """Is there a point with the columns in ``integer`` integral (zero objective, MILP)?
        ``None`` if HiGHS cannot tell. The model is restored afterwards."""
        h, hs = self.h, self._hs
        cols = np.nonzero(np.asarray(integer))[0].astype(np.int32)
        kinds = np.array([hs.HighsVarType.kInteger] * len(cols))
        cost = np.array(h.getLp().col_cost_, dtype=float)
        self.set_cost(np.zeros(self.n))
        h.changeColsIntegrality(len(cols), cols, kinds)
        h.clearSolver()
        try:
            h.run()
        except (ValueError, RuntimeError, MemoryError):
            # HiGHS's C++ exceptions (e.g. on data with astronomically large coefficients)
            # surface as these; the answer is a solver error, never a traceback.
            return Solution(ERROR)
        status = h.getModelStatus()
        h.changeColsIntegrality(
            len(cols), cols, np.array([hs.HighsVarType.kContinuous] * len(cols))
        )
        self.set_cost(cost)
        if status == hs.HighsModelStatus.kOptimal:
            return True
        if status == hs.HighsModelStatus.kInfeasible:
            return False
        return None

    def _infeasible_or_unbounded(self) -> str:
        # Decide by re-solving with zero cost: feasible -> the original was unbounded.
        h = self.h
        cost = np.array(h.getLp().col_cost_, dtype=float)
        self.set_cost(np.zeros(self.n))
        h.clearSolver()
        h.run()
        feasible = h.getModelStatus() == self._hs.HighsModelStatus.kOptimal
        self.set_cost(cost)
        return UNBOUNDED if feasible else INFEASIBLE


def _csc(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A = np.asarray(A, dtype=float)
    starts, index, value = [0], [], []
    for j in range(A.shape[1]):
        nz = np.nonzero(A[:, j])[0]
        index.extend(nz.tolist())
        value.extend(A[nz, j].tolist())
        starts.append(len(index))
    return (
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )


def solve_qp(
    q: np.ndarray,
    A: np.ndarray,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    P: np.ndarray | None = None,
    integer: np.ndarray | None = None,
) -> Solution:
    """Minimise ``0.5 v'Pv + q'v`` s.t. ``row_lo <= A v <= row_hi``, ``lb <= v <= ub``."""
    return Program(q, A, row_lo, row_hi, lb, ub, P=P, integer=integer).solve()
