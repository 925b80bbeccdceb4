"""A small builder for the single-level MILPs of ``kkt-bigm`` and ``strong-duality``.

Columns and rows are appended as arrays and handed to the solver layer as one
:class:`clsc.solvers.program.LinearProgram`; HiGHS's answer comes back through
:func:`clsc.solvers.highs.solve` (clsc's one status map). Rows without any coefficient (a
constant row such as ``0 <= 1``, or the stationarity of a follower variable that appears in
no row) and columns in no row (a declared but unused variable) are ordinary data here: HiGHS
decides them like any other row or column (an unused variable gets a value in its bounds).

>>> import numpy as np
>>> b = Builder()
>>> x = b.add_cols(2, lower=0.0, upper=4.0, integer=True, cost=[-1.0, -1.0])
>>> b.add_row({int(x[0]): 2.0, int(x[1]): 2.0}, upper=5.0)
>>> b.add_row({}, upper=1.0)  # 0 <= 1: a constant row is harmless
>>> out = solve_milp(b, 2)
>>> str(out.status), float(out.v.sum())
('optimal', 2.0)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clsc.bilevel.result import Outcome
from clsc.results import OPTIMAL, TIME_LIMIT
from clsc.solvers.highs import solve
from clsc.solvers.program import LinearProgram

#: prove optimality, not HiGHS's default 0.01 % relative gap
EXACT = {"mip_rel_gap": 0.0, "mip_abs_gap": 1e-9}


class Builder:
    """Columns (bounds, integrality, costs) and sparse rows ``lower <= a'z <= upper``."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.cost: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    @property
    def n_cols(self) -> int:
        return len(self.lower)

    def add_cols(self, k: int, lower=-np.inf, upper=np.inf, integer=False, cost=0.0) -> np.ndarray:
        """Append ``k`` columns (scalars broadcast); returns their indices."""
        start = self.n_cols
        for name, value in (("lower", lower), ("upper", upper), ("integer", integer),
                            ("cost", cost)):  # fmt: skip
            getattr(self, name).extend(np.broadcast_to(np.asarray(value), (k,)).tolist())
        return np.arange(start, start + k)

    def add_row(self, coef: Mapping[int, float], lower=-np.inf, upper=np.inf) -> None:
        """Append ``lower <= sum coef[j] z_j <= upper`` (zero coefficients are dropped)."""
        i = len(self.row_lower)
        for j, a in coef.items():
            if a:
                self.rows.append(i)
                self.cols.append(int(j))
                self.vals.append(float(a))
        self.row_lower.append(float(lower))
        self.row_upper.append(float(upper))

    def program(self, offset: float = 0.0) -> LinearProgram:
        import scipy.sparse as sp

        shape = (len(self.row_lower), self.n_cols)
        A = sp.csc_matrix((self.vals, (self.rows, self.cols)), shape=shape)
        return LinearProgram(
            np.array(self.cost), A, np.array(self.row_lower), np.array(self.row_upper),
            np.array(self.lower), np.array(self.upper), np.array(self.integer), offset=offset,
        )  # fmt: skip


def affine(cols: np.ndarray, coef: np.ndarray) -> dict[int, float]:
    """``{cols[j]: coef[j]}`` over the nonzero coefficients."""
    return {int(c): float(a) for c, a in zip(cols, coef, strict=True) if a}


def solve_milp(builder: Builder, N: int, time_limit: float | None = None) -> Outcome:
    """Solve with HiGHS; ``v`` is the first ``N`` columns of the solution when one is known."""
    sol = solve(builder.program(), options=EXACT, time_limit=time_limit)
    v = None if sol.x is None else np.asarray(sol.x[:N], dtype=float)
    info = {} if sol.gap is None else {"mip_gap": sol.gap}
    if sol.status == OPTIMAL:
        return Outcome(OPTIMAL, v, info=info)
    if sol.status == TIME_LIMIT:
        gap = "" if sol.gap is None or v is None else f"; relative MIP gap {sol.gap:.3g}"
        found = "best point found so far shown" if v is not None else "no point found"
        message = f"gave up after {time_limit:g} s ({found}{gap})"
        return Outcome(TIME_LIMIT, v, message=message, info=info)
    return Outcome(sol.status, None, message=sol.message if sol.status != OPTIMAL else "")
