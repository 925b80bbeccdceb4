"""Column names and types of sweep output, taken from the models' schemas.

No model column name is written here: the model columns of a sweep are those of
:meth:`clsc.models.base.Model.schema` for each of its scenarios (the fixed columns of
``Result.to_frame()``, the same for every method; see :mod:`clsc.glossary`), known before any
solve, so a sweep whose first points fail a condition still has every value column.

Every chunk of a sweep has the columns ``point``, the varied parameters (and any parameter filled
from a template), ``scenario``, ``status``, ``message``, (``seed`` for sampled methods), then the
model columns, with one dtype per column (:func:`conform`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from clsc.models.base import CONDITION_COLUMNS, ID_COLUMNS

TEXT_COLUMNS = ("failed_conditions", "flags")


def base_columns() -> tuple[str, ...]:
    """Identifier columns of ``to_frame`` (model, scenario, method, status, seed)."""
    return ID_COLUMNS


def condition_columns(holds: Mapping[str, Any], n: int) -> dict[str, np.ndarray]:
    """The condition columns of ``to_frame`` (``conditions_hold``, ``failed_conditions``: the
    '; '-joined names of the second-order/interior conditions that fail) from arrays of
    ``holds`` per condition name, as :meth:`clsc.results.Result.row` forms them for one result.

    >>> cols = condition_columns({"a": np.array([True, False]), "b": np.array([False, False])}, 2)
    >>> cols["conditions_hold"].tolist(), cols["failed_conditions"].tolist()
    ([False, False], ['b', 'a; b'])
    """
    failed = np.full(n, "", dtype=object)
    for name, h in holds.items():
        bad = ~np.broadcast_to(np.asarray(h, dtype=bool), (n,))
        failed[bad] = [f"{f}; {name}" if f else name for f in failed[bad]]
    return {"conditions_hold": failed == "", "failed_conditions": failed}


def column_for(category: str, key: str) -> str:
    """The ``to_frame`` column of ``key`` in ``category`` (as :meth:`clsc.results.Result.row`
    names it: decisions bare, ``profit.<key>``, ``metric.<key>``, ``se.<key>``, ``param.<key>``).

    >>> column_for("decisions", "q"), column_for("profits", "pi_R"), column_for("params", "c")
    ('q', 'profit.pi_R', 'param.c')
    """
    prefixes = {
        "decisions": "",
        "profits": "profit.",
        "metrics": "metric.",
        "std_errors": "se.",
        "params": "param.",
    }
    if category not in prefixes:
        raise ValueError(f"cannot place {category} key {key!r}")
    return prefixes[category] + key


def model_columns(model, scenarios: Iterable[str | None]) -> list[tuple[str, str]]:
    """(column, dtype) of the model columns of a sweep over ``scenarios``: the union, in order,
    of ``model.schema(scenario)`` without the identifiers and the ``param.*`` columns (the sweep
    has its own identifier and parameter columns). ``conditions_hold`` is ``boolean``, the
    condition texts ``string``, every value ``float64``.

    >>> from clsc.models import get_model
    >>> model_columns(get_model("newsvendor"), [None])[:2]
    [('q', 'float64'), ('price', 'float64')]
    """
    drop = set(ID_COLUMNS) | {column_for("params", p) for p in model.spec.names}
    out: dict[str, str] = {}
    for s in scenarios:
        for c in model.schema(s):
            if c in drop or c in out:
                continue
            if c in TEXT_COLUMNS:
                out[c] = "string"
            elif c in CONDITION_COLUMNS:
                out[c] = "boolean"
            else:
                out[c] = "float64"
    return list(out.items())


def dtype_of(values) -> str:
    """Storage dtype of a column: ``boolean`` (nullable), ``float64`` or ``string``."""
    import pandas as pd

    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series) or (
        series.dtype == object
        and series.dropna().map(type).isin([bool, np.bool_]).all()
        and len(series.dropna())
    ):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "float64"
    return "string"


def conform(columns: Mapping[str, Any], schema: Sequence[tuple[str, str]]):
    """A ``pyarrow.Table`` of exactly the schema's columns, in order, of the schema's types.

    ``columns`` maps names to equal-length arrays; a column absent from ``columns`` is all null.
    Booleans may come as bool arrays, as floats (NaN = missing) or as objects.
    """
    import pyarrow as pa

    n = len(next(iter(columns.values()))) if columns else 0
    arrays = []
    target = arrow_schema(schema)
    for (name, dtype), field_ in zip(schema, target, strict=True):
        col = columns.get(name)
        if col is None:
            arrays.append(pa.nulls(n, field_.type))
        else:
            arrays.append(_typed(np.asarray(col), dtype, field_.type))
    return pa.Table.from_arrays(arrays, schema=target)


def _typed(col: np.ndarray, dtype: str, typ):
    import pyarrow as pa

    if dtype == "float64":
        if col.dtype.kind not in "fiub":
            col = np.array([_number(v) for v in col], dtype=float)
        return pa.array(col.astype(float, copy=False), type=typ)
    if dtype == "int64":
        return pa.array(col.astype(np.int64), type=typ)
    if dtype == "boolean":
        if col.dtype == bool:
            return pa.array(col, type=typ)
        if col.dtype.kind == "f":
            return pa.array(col == 1.0, mask=np.isnan(col), type=typ)
        return pa.array([None if v is None else bool(v) for v in col], type=typ)
    return _strings(col, typ)


def _strings(col: np.ndarray, typ):
    """Text column through its distinct values (statuses, scenarios: a handful of them)."""
    import pandas as pd
    import pyarrow as pa

    if col.dtype != object:
        col = col.astype(str).astype(object)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    words = pa.array(np.asarray(uniques, dtype=object), type=typ)
    coded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), words)
    return coded.cast(typ)


def _number(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def to_pandas(table):
    """DataFrame of sweep rows: strings as objects, booleans as nullable ``boolean``."""
    import pandas as pd
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)


def arrow_schema(schema: Sequence[tuple[str, str]]):
    """pyarrow schema of the sweep columns (the same for every chunk)."""
    import pyarrow as pa

    types = {"float64": pa.float64(), "int64": pa.int64(), "boolean": pa.bool_()}
    return pa.schema([(name, types.get(dtype, pa.string())) for name, dtype in schema])


def merge_schema(parts: Iterable[Mapping[str, str]]) -> list[tuple[str, str]]:
    """Union of ordered column -> dtype mappings (first dtype wins)."""
    merged: dict[str, str] = {}
    for part in parts:
        for k, v in part.items():
            merged.setdefault(k, v)
    return list(merged.items())
