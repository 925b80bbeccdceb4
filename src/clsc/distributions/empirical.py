"""Empirical demand: each observed value carries probability 1/n (repeats add up).

Built from a list of samples (``empirical(values=[...])``) or from one column of a CSV file
(``empirical(file='demand.csv', column='units')``; ``column`` is a header name or a 0-based
index, and may be omitted when the file has one column). The loss function, cdf and ppf are
exact sums over the sorted sample (see :class:`~clsc.distributions.discrete.FiniteDiscrete`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from clsc.distributions._checks import number_list
from clsc.distributions.discrete import FiniteDiscrete
from clsc.errors import ParameterError


class Empirical(FiniteDiscrete):
    """The empirical distribution of a sample."""

    family = "empirical"

    def __init__(
        self,
        values: Any = None,
        file: str | None = None,
        column: str | int | None = None,
    ):
        if (values is None) == (file is None):
            raise ParameterError(
                "values",
                message="empirical needs exactly one of values=[...] or file='path.csv'",
            )
        if values is not None:
            if column is not None:
                raise ParameterError("column", "is only allowed with file=", column)
            sample = np.sort(number_list("values", values))
            self.file, self.column = None, None
        else:
            sample = np.sort(_read_column(file, column))
            self.file, self.column = file, column
        self.sample_values = sample
        atoms, counts = np.unique(sample, return_counts=True)
        self._set_atoms(atoms, counts / counts.sum())

    def _spec_args(self) -> list[tuple[str, Any]]:
        if self.file is None:
            return [("values", list(self.sample_values))]
        args: list[tuple[str, Any]] = [("file", self.file)]
        if self.column is not None:
            args.append(("column", self.column))
        return args


def _read_column(file: Any, column: Any) -> np.ndarray:
    if not isinstance(file, str | Path) or not str(file).strip():
        raise ParameterError("file", "must be a path", file)
    if column is not None and (isinstance(column, bool) or not isinstance(column, str | int)):
        raise ParameterError("column", "must be a column name or a 0-based index", column)
    path = Path(file)
    if not path.is_file():
        raise ParameterError("file", "not found (no such file)", str(file))
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParameterError("file", f"could not be read as CSV ({reason})", str(file)) from None
    names = [str(c) for c in frame.columns]
    if column is None:
        if len(names) != 1:
            raise ParameterError(
                "column",
                message=f"column is required: {file} has columns {', '.join(names)}",
            )
        series = frame.iloc[:, 0]
    elif isinstance(column, int):
        if not 0 <= column < len(names):
            raise ParameterError(
                "column", f"must be an index 0..{len(names) - 1} of {file}", column
            )
        series = frame.iloc[:, column]
    else:
        if column not in names:
            raise ParameterError(
                "column",
                message=f"column {column!r} not found in {file}; columns: {', '.join(names)}",
            )
        series = frame.iloc[:, names.index(column)]
    data = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(data)
    if bad.any():
        row = int(np.argmax(bad))
        raise ParameterError(
            "column",
            message=f"column {column if column is not None else names[0]!r} of {file} has "
            f"{int(bad.sum())} missing or non-numeric value(s) (first at data row {row + 1}: "
            f"{series.iloc[row]!r})",
        )
    if len(data) == 0:
        raise ParameterError("file", "has no data rows", str(file))
    return data


def empirical(
    values: list[float] | None = None,
    file: str | None = None,
    column: str | int | None = None,
) -> Empirical:
    """Empirical demand from a sample (``values``) or a CSV column (``file``, ``column``)."""
    return Empirical(values, file, column)
