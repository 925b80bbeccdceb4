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


#: Data files ``empirical(file=...)`` may read; anything else is refused before it is opened.
DATA_EXTENSIONS = (".csv", ".txt", ".parquet")
#: Largest data file read (bytes).
MAX_FILE_BYTES = 200 * 2**20
#: Set this environment variable to a non-empty value to forbid reading files from specs (for
#: specs that come from untrusted users); ``clsc --no-files`` sets it.
NO_FILES_ENV = "CLSC_NO_FILES"


def _check_path(file: Any) -> Path:
    """A readable regular data file (never a device, FIFO or directory), or ParameterError."""
    import os
    import stat

    if os.environ.get(NO_FILES_ENV):
        raise ParameterError(
            "file", message=f"reading files from specs is disabled ({NO_FILES_ENV} is set)"
        )
    path = Path(file)
    if path.suffix.lower() not in DATA_EXTENSIONS:
        raise ParameterError(
            "file", f"must be a data file ({', '.join(DATA_EXTENSIONS)})", str(file)[:200]
        )
    try:
        info = path.stat()
    except (OSError, ValueError):
        raise ParameterError("file", "not found (no such file)", str(file)[:200]) from None
    if not stat.S_ISREG(info.st_mode):
        raise ParameterError("file", "must be a regular file", str(file)[:200])
    if info.st_size > MAX_FILE_BYTES:
        raise ParameterError(
            "file", f"is larger than {MAX_FILE_BYTES // 2**20} MiB", str(file)[:200]
        )
    return path


def _read_frame(path: Path, file: Any):
    import pandas as pd

    kind = "parquet" if path.suffix.lower() == ".parquet" else "CSV"

    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        # the reason is not shown: parser messages can quote the file's contents
        raise ParameterError(
            "file", f"could not be read as {kind} ({type(exc).__name__})", str(file)[:200]
        ) from None
    except Exception as exc:  # pyarrow errors on a malformed parquet file
        raise ParameterError(
            "file", f"could not be read as {kind} ({type(exc).__name__})", str(file)[:200]
        ) from None


def _read_column(file: Any, column: Any) -> np.ndarray:
    """One numeric column of a data file; errors never quote the file's contents."""
    if not isinstance(file, str | Path) or not str(file).strip():
        raise ParameterError("file", "must be a path", file)
    if column is not None and (isinstance(column, bool) or not isinstance(column, str | int)):
        raise ParameterError("column", "must be a column name or a 0-based index", column)
    frame = _read_frame(_check_path(file), file)
    names = [str(c) for c in frame.columns]
    if column is None:
        if len(names) != 1:
            raise ParameterError(
                "column",
                message=f"column is required: {file} has {len(names)} columns (give a header "
                "name or a 0-based index)",
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
                message=f"column {column[:80]!r} not found in {file} ({len(names)} columns)",
            )
        series = frame.iloc[:, names.index(column)]
    import pandas as pd

    data = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(data)
    if bad.any():
        row = int(np.argmax(bad))
        shown = f"column {column!r}" if column is not None else "the column"
        raise ParameterError(
            "column",
            message=f"{shown} of {file} has {int(bad.sum())} missing or non-numeric value(s) "
            f"(first at data row {row + 1})",
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
