"""The HiGHS backend: one program, or a program built once and re-solved in place.

:data:`STATUS_MAP` is clsc's only translation of HiGHS model statuses. An ambiguous
"infeasible or unbounded" answer is settled (presolve off, then a zero-cost feasibility solve),
never reported as one or the other by guess. HiGHS's C++ exceptions become a
``solver_error`` solution, never a traceback and never a truthy result.

>>> import numpy as np
>>> from clsc.solvers.program import LinearProgram
>>> lp = LinearProgram(c=[1.0, 2.0], A=[[1.0, 1.0]], row_lower=[1.0], col_lower=0.0)
>>> sol = solve(lp)
>>> str(sol.status), sol.x.tolist(), sol.objective
('optimal', [1.0, 0.0], 1.0)
>>> prog = ParametricProgram(lp)
>>> prog.set_costs([0], [3.0])
>>> prog.solve().x.tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from clsc.results import Status
from clsc.solvers.program import LinearProgram, Solution, check_finite

#: HiGHS model status name -> (clsc status, message); the one status map of clsc
STATUS_MAP: Mapping[str, tuple[Status, str]] = {
    "kOptimal": (Status.OPTIMAL, ""),
    "kModelEmpty": (Status.OPTIMAL, ""),
    "kInfeasible": (Status.INFEASIBLE, "the program is infeasible"),
    "kUnbounded": (Status.UNBOUNDED, "the program is unbounded"),
    "kTimeLimit": (Status.TIME_LIMIT, "gave up after the time limit"),
    "kIterationLimit": (Status.SOLVER_ERROR, "HiGHS reached its iteration limit"),
    "kSolutionLimit": (Status.SOLVER_ERROR, "HiGHS reached its solution limit"),
    "kMemoryLimit": (Status.SOLVER_ERROR, "HiGHS ran out of memory"),
    "kInterrupt": (Status.SOLVER_ERROR, "HiGHS was interrupted"),
    "kObjectiveBound": (Status.SOLVER_ERROR, "HiGHS stopped at its objective bound"),
    "kObjectiveTarget": (Status.SOLVER_ERROR, "HiGHS stopped at its objective target"),
}
#: statuses for which HiGHS may hold a usable primal point
_WITH_POINT = {Status.OPTIMAL, Status.TIME_LIMIT}
_HIGHS_ERRORS = (ValueError, RuntimeError, MemoryError, OverflowError)


_BANNER_LOCK = threading.Lock()
_banner_done = False


def new_highs():
    """A fresh ``highspy.Highs`` with its output off. HiGHS prints a banner on standard output
    (C level, not ``sys.stdout``) the first time one is built in a process; that first build
    runs with file descriptor 1 pointed at ``os.devnull`` so that ``--json`` output stays one
    JSON document."""
    global _banner_done
    import highspy

    with _BANNER_LOCK:
        if _banner_done:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    return h


def map_status(name: str) -> tuple[Status, str]:
    """clsc status and message for a HiGHS model status name (e.g. ``"kOptimal"``)."""
    return STATUS_MAP.get(name, (Status.SOLVER_ERROR, f"HiGHS stopped with model status {name}"))


def _idx(index: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(index, dtype=np.int32).ravel())


class ParametricProgram:
    """A :class:`LinearProgram` loaded into HiGHS once; costs, bounds, coefficients and
    integrality change in place and :meth:`solve` re-runs HiGHS (warm-started from the last
    basis for LPs). The structure (sparsity of ``A``) is fixed after the build."""

    def __init__(
        self,
        lp: LinearProgram,
        *,
        options: Mapping[str, Any] | None = None,
        time_limit: float | None = None,
    ):
        import highspy

        self._hs = highspy
        h = new_highs()
        for key, value in (options or {}).items():
            h.setOptionValue(key, value)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        self.h = h
        self.n_cols, self.n_rows = lp.n_cols, lp.n_rows
        self.inf = float(h.getInfinity())
        self._is_mip = lp.is_mip
        status = h.passModel(self._model(lp))
        if status == highspy.HighsStatus.kError:
            raise ValueError("HiGHS refused the program")

    def _model(self, lp: LinearProgram):
        hs = self._hs
        hlp = hs.HighsLp()
        hlp.num_col_, hlp.num_row_ = lp.n_cols, lp.n_rows
        hlp.col_cost_ = lp.c
        hlp.offset_ = float(lp.offset)
        hlp.col_lower_, hlp.col_upper_ = self._clip(lp.col_lower), self._clip(lp.col_upper)
        hlp.row_lower_, hlp.row_upper_ = self._clip(lp.row_lower), self._clip(lp.row_upper)
        hlp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        hlp.a_matrix_.start_ = lp.A.indptr.astype(np.int32)
        hlp.a_matrix_.index_ = lp.A.indices.astype(np.int32)
        hlp.a_matrix_.value_ = lp.A.data
        if lp.integrality is not None:
            kinds = (hs.HighsVarType.kContinuous, hs.HighsVarType.kInteger)
            hlp.integrality_ = [kinds[int(i)] for i in lp.integrality]
        model = hs.HighsModel()
        model.lp_ = hlp
        if lp.P is not None:
            import scipy.sparse as sp

            lower = sp.tril(lp.P, format="csc")
            lower.sort_indices()
            hess = hs.HighsHessian()
            hess.dim_ = lp.n_cols
            hess.format_ = hs.HessianFormat.kTriangular
            hess.start_ = lower.indptr.astype(np.int32)
            hess.index_ = lower.indices.astype(np.int32)
            hess.value_ = lower.data
            model.hessian_ = hess
        return model

    def _clip(self, values: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(values, dtype=float), -self.inf, self.inf)

    # -- in-place changes ---------------------------------------------------------------------
    def set_costs(self, cols: Sequence[int], values: Sequence[float]) -> None:
        """Change the costs of columns ``cols``."""
        idx, vals = _idx(cols), np.asarray(values, dtype=float).ravel()
        check_finite("c", vals)
        self.h.changeColsCost(len(idx), idx, vals)

    def _bounds(self, what: str, index: Sequence[int], lower: Any, upper: Any) -> tuple:
        """HiGHS's ``(count, indices, lower, upper)`` for new bounds of ``what`` (``col`` or
        ``row``): scalars broadcast, checked, infinities clipped to HiGHS's infinity."""
        idx = _idx(index)
        lo, hi = (np.broadcast_to(np.asarray(v, float), idx.shape) for v in (lower, upper))
        check_finite(f"{what}_lower", lo, bounds=True)
        check_finite(f"{what}_upper", hi, bounds=True)
        return len(idx), idx, self._clip(lo), self._clip(hi)

    def set_col_bounds(self, cols: Sequence[int], lower: Any, upper: Any) -> None:
        """Change the bounds of columns ``cols`` (scalars broadcast)."""
        self.h.changeColsBounds(*self._bounds("col", cols, lower, upper))

    def set_row_bounds(self, rows: Sequence[int], lower: Any, upper: Any) -> None:
        """Change the bounds (right-hand sides) of rows ``rows`` (scalars broadcast)."""
        self.h.changeRowsBounds(*self._bounds("row", rows, lower, upper))

    def set_coefficient(self, row: int, col: int, value: float) -> None:
        """Change one entry of ``A`` (may add a nonzero)."""
        check_finite("A", np.array([value], dtype=float))
        self.h.changeCoeff(int(row), int(col), float(value))

    def set_integrality(self, cols: Sequence[int], integer: Any) -> None:
        """Make columns ``cols`` integer (True) or continuous (False)."""
        hs = self._hs
        idx = _idx(cols)
        flags = np.broadcast_to(np.asarray(integer, dtype=bool), idx.shape)
        kinds = (hs.HighsVarType.kContinuous, hs.HighsVarType.kInteger)
        self.h.changeColsIntegrality(len(idx), idx, np.array([kinds[int(f)] for f in flags]))
        self._is_mip = bool(np.any(np.array(self.h.getLp().integrality_, dtype=object)))

    def costs(self) -> np.ndarray:
        """The current cost vector."""
        return np.array(self.h.getLp().col_cost_, dtype=float)

    # -- solving ------------------------------------------------------------------------------
    def solve(self, *, warm: bool = True) -> Solution:
        """Run HiGHS on the current data and return a :class:`Solution`."""
        if not warm:
            self.h.clearSolver()
        status = self._run()
        if status is not None and status.name == "kUnknown" and warm:
            # a warm start from the last basis can end "unknown" (seen on LPs with a free
            # column in no row that turn unbounded): solve again from scratch
            self.h.clearSolver()
            status = self._run()
        if status is None:
            return Solution(Status.SOLVER_ERROR, message="HiGHS raised an internal error")
        name = status.name
        if name == "kUnboundedOrInfeasible":
            return self._settle()
        clsc_status, message = map_status(name)
        if clsc_status not in _WITH_POINT:
            return Solution(clsc_status, message=message)
        return self._read(clsc_status, message)

    def _run(self):
        try:
            self.h.run()
        except _HIGHS_ERRORS:
            return None
        return self.h.getModelStatus()

    def _read(self, status: Status, message: str) -> Solution:
        h = self.h
        info = h.getInfo()
        sol = h.getSolution()
        if not sol.value_valid:
            return Solution(status, message=message or "no feasible point was found")
        x = np.array(sol.col_value, dtype=float)
        y = np.array(sol.row_dual, dtype=float) if sol.dual_valid and not self._is_mip else None
        gap = float(info.mip_gap) if self._is_mip else None
        objective = float(info.objective_function_value)
        return Solution(status, x=x, objective=objective, y=y, gap=gap, message=message)

    def _settle(self) -> Solution:
        """HiGHS said "infeasible or unbounded": decide which, without guessing."""
        h = self.h
        h.setOptionValue("presolve", "off")
        status = self._run()
        h.setOptionValue("presolve", "choose")
        decided = {"kInfeasible", "kOptimal"} | (set() if self._is_mip else {"kUnbounded"})
        if status is not None and status.name in decided:
            # read this run's answer (re-running with presolve on would ask again, for ever);
            # a MIP's "unbounded" is settled by the feasibility solve below (Meyer 1974)
            clsc_status, message = map_status(status.name)
            if clsc_status not in _WITH_POINT:
                return Solution(clsc_status, message=message)
            return self._read(clsc_status, message)
        cost = self.costs()
        idx = np.arange(self.n_cols, dtype=np.int32)
        self.h.changeColsCost(self.n_cols, idx, np.zeros(self.n_cols))
        status = self._run()
        self.h.changeColsCost(self.n_cols, idx, cost)
        if status is None:
            return Solution(Status.SOLVER_ERROR, message="HiGHS raised an internal error")
        if status.name in ("kOptimal", "kModelEmpty"):
            return Solution(Status.UNBOUNDED, message="the program is unbounded")
        if status.name == "kInfeasible":
            return Solution(Status.INFEASIBLE, message="the program is infeasible")
        return Solution(Status.SOLVER_ERROR, message="HiGHS could not decide feasibility")


def solve(
    lp: LinearProgram,
    *,
    options: Mapping[str, Any] | None = None,
    time_limit: float | None = None,
) -> Solution:
    """Solve one program with HiGHS (see :class:`ParametricProgram` for re-solves)."""
    return ParametricProgram(lp, options=options, time_limit=time_limit).solve()
