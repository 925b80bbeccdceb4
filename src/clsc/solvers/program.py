"""A neutral (solver-independent) linear / convex-quadratic / mixed-integer program record.

    minimise    c'x + 0.5 x'Px + offset
    subject to  row_lower <= A x <= row_upper
                col_lower <=   x <= col_upper
                x_j integer for j with integrality[j]

``A`` is any scipy sparse matrix or dense array, stored as CSC. Missing bounds are
``-inf``/``inf``. Every coefficient must be finite and every finite bound smaller than
:data:`HUGE` in magnitude: HiGHS reads 1e20 and more as infinite, which would silently turn a
bound into no bound (and an optimum into ``unbounded``), so such data is refused up front.

>>> import numpy as np
>>> lp = LinearProgram(c=[1.0, 2.0], A=[[1.0, 1.0]], row_lower=[1.0], row_upper=[np.inf])
>>> lp.n_cols, lp.n_rows
(2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from clsc.errors import ParameterError
from clsc.results import Status

#: finite data at or above this magnitude is refused (HiGHS's infinity is 1e20)
HUGE = 1e20


def _vector(name: str, value: Any, n: int, fill: float) -> np.ndarray:
    if value is None:
        return np.full(n, fill, dtype=float)
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise ParameterError(name, f"must have length {n}", f"shape {arr.shape}")
    return arr


def check_finite(name: str, arr: np.ndarray, *, bounds: bool = False) -> None:
    size = np.abs(arr)
    if bounds:
        size = size[size != np.inf]
    if size.size == 0 or size.max() < HUGE:  # the common case (a nan fails the comparison)
        return
    bad = np.isnan(arr) if bounds else ~np.isfinite(arr)
    big = np.isfinite(arr) & (np.abs(arr) >= HUGE)
    for mask, rule in (
        (bad, "must be a number" if bounds else "must be finite"),
        (big, f"must be below {HUGE:g} in magnitude (HiGHS reads larger values as infinite)"),
    ):
        if np.any(mask):
            i = int(np.flatnonzero(mask)[0])
            raise ParameterError(f"{name}[{i}]", rule, float(arr.flat[i]))


@dataclass(frozen=True)
class LinearProgram:
    """Minimise ``c'x + 0.5 x'Px + offset`` s.t. ``row_lower <= A x <= row_upper``,
    ``col_lower <= x <= col_upper`` (default ``x >= 0``), integer where ``integrality``."""

    c: Any
    A: Any = None
    row_lower: Any = None
    row_upper: Any = None
    col_lower: Any = 0.0
    col_upper: Any = np.inf
    integrality: Any = None
    P: Any = None
    offset: float = 0.0
    names: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        c = np.asarray(self.c, dtype=float).ravel()
        n = c.size
        A = sp.csc_matrix((0, n)) if self.A is None else sp.csc_matrix(self.A, dtype=float)
        if A.shape[1] != n:
            raise ParameterError("A", f"must have {n} columns (one per cost)", f"shape {A.shape}")
        m = A.shape[0]
        A.sum_duplicates()
        A.sort_indices()
        fields = {
            "c": c,
            "A": A,
            "row_lower": _vector("row_lower", self.row_lower, m, -np.inf),
            "row_upper": _vector("row_upper", self.row_upper, m, np.inf),
            "col_lower": _vector("col_lower", self.col_lower, n, -np.inf),
            "col_upper": _vector("col_upper", self.col_upper, n, np.inf),
        }
        check_finite("c", c)
        check_finite("A", A.data)
        for key in ("row_lower", "row_upper", "col_lower", "col_upper"):
            check_finite(key, fields[key], bounds=True)
        if self.integrality is not None:
            integ = np.asarray(self.integrality, dtype=bool).ravel()
            if integ.shape != (n,):
                raise ParameterError("integrality", f"must have length {n}", integ.shape)
            fields["integrality"] = integ if integ.any() else None
        if self.P is not None:
            P = sp.csc_matrix(self.P, dtype=float)
            if P.shape != (n, n):
                raise ParameterError("P", f"must be {n} x {n}", P.shape)
            check_finite("P", P.data)
            if fields.get("integrality", self.integrality) is not None and P.nnz:
                raise ParameterError("P", "cannot be combined with integer columns (no MIQP)")
            fields["P"] = P if P.nnz else None
        if not np.isfinite(self.offset):
            raise ParameterError("offset", "must be finite", self.offset)
        for key, value in fields.items():
            object.__setattr__(self, key, value)

    @property
    def n_cols(self) -> int:
        return int(self.c.size)

    @property
    def n_rows(self) -> int:
        return int(self.A.shape[0])

    @property
    def is_mip(self) -> bool:
        return self.integrality is not None


@dataclass(frozen=True)
class Solution:
    """What a backend returns: ``status`` (a :class:`~clsc.results.Status`), the primal point
    ``x``, the ``objective`` (with ``offset``), row duals ``y`` (LPs), MIP ``gap`` and a
    ``message`` saying why when the status is not optimal. ``x`` is ``None`` unless a point is
    known; ``bool(solution)`` is true only for an optimal solution (so an error is never taken
    for a success)."""

    status: Status
    x: np.ndarray | None = None
    objective: float | None = None
    y: np.ndarray | None = None
    gap: float | None = None
    message: str = ""

    def __bool__(self) -> bool:
        return self.status == Status.OPTIMAL

    @property
    def ok(self) -> bool:
        return self.status == Status.OPTIMAL
