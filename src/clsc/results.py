"""Typed, frozen results shared by every model and solver.

A :class:`Result` is data: the status says whether the numbers are an equilibrium/optimum
(``optimal``), an evaluation at fixed decisions (``evaluated``), or not valid at all
(``condition_failed``, ``infeasible``, ``unbounded``, ...). When the status is not valid the
decision and profit fields are empty: a failed condition is never dressed as an equilibrium.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Status(StrEnum):
    """Outcome of a solve, shared by every model, method and solver backend.

    Members compare equal to their text (``Status.OPTIMAL == "optimal"``), which is what JSON,
    Parquet and the CLI print.
    """

    OPTIMAL = "optimal"
    """The numbers are a proven optimum or equilibrium (all its conditions hold)."""
    EVALUATED = "evaluated"
    """The numbers are an evaluation at decisions the user fixed, not an optimum."""
    CONDITION_FAILED = "condition_failed"
    """A second-order or existence condition fails: no equilibrium numbers are reported."""
    INFEASIBLE = "infeasible"
    """The problem has no feasible point."""
    UNBOUNDED = "unbounded"
    """The objective is unbounded in the direction of optimisation."""
    NO_AGREEMENT = "no_agreement"
    """Bargaining has no gain to share (surplus <= 0): the disagreement point is returned."""
    SOLVER_ERROR = "solver_error"
    """A numerical backend failed for a reason that is not a property of the model."""
    NOT_PROVEN = "not_proven"
    """A verified feasible point is returned, but its optimality could not be proven (gap given)."""
    TIME_LIMIT = "time_limit"
    """The time limit was reached; the best verified point so far (if any) is returned."""
    SKIPPED = "skipped"
    """Not solved: the point was rejected before solving (e.g. a sweep point violating a rule)."""


OPTIMAL = Status.OPTIMAL
EVALUATED = Status.EVALUATED
CONDITION_FAILED = Status.CONDITION_FAILED
INFEASIBLE = Status.INFEASIBLE
UNBOUNDED = Status.UNBOUNDED
NO_AGREEMENT = Status.NO_AGREEMENT
SOLVER_ERROR = Status.SOLVER_ERROR
NOT_PROVEN = Status.NOT_PROVEN
TIME_LIMIT = Status.TIME_LIMIT

VALID_STATUSES = frozenset({OPTIMAL, EVALUATED})


def _freeze(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy of ``mapping`` (a read-only view is kept as it is: ``replace`` of a
    result does not copy its mappings again)."""
    if type(mapping) is MappingProxyType:
        return mapping
    return MappingProxyType(dict(mapping or {}))


def jsonable(value: Any) -> Any:
    """Convert a value to plain JSON types (numpy scalars, arrays, inf/nan, objects with a spec).

    >>> jsonable({"a": float("inf"), "b": (1, 2.5)})
    {'a': 'inf', 'b': [1, 2.5]}
    """
    import numpy as np  # numpy is not needed to import this core module

    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "spec"):
        return value.spec
    return str(value)


@dataclass(frozen=True)
class Condition:
    """An existence, second-order, interior or decision condition, symbolic and evaluated.

    ``kind`` is ``"SOC"`` (second-order / existence: failure invalidates the result),
    ``"interior"`` (a declared bound is respected), ``"FLAG"`` (recorded, never enforced) or
    ``"decision"`` (a model's comparative condition, e.g. M gains iff k <= k_bar).
    """

    name: str
    expression: str
    value: float | None
    holds: bool
    kind: str = "SOC"

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain JSON values."""
        return {**asdict(self), "value": jsonable(self.value), "holds": bool(self.holds)}


@dataclass(frozen=True)
class Table:
    """A long-format table carried by a result: per node, per coalition, per rest point, a
    trajectory... ``columns`` maps a column name to a 1-d array (all of one length).

    >>> t = Table("nodes", {"node": [1, 2], "Q": [112.9, 97.9]})
    >>> t.to_frame().shape
    (2, 2)
    """

    name: str
    columns: Mapping[str, Any]

    def __post_init__(self) -> None:
        import numpy as np

        cols = {str(k): np.asarray(v) for k, v in self.columns.items()}
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise ValueError(f"table {self.name!r}: columns of different lengths {sorted(lengths)}")
        object.__setattr__(self, "columns", MappingProxyType(cols))

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def to_dict(self) -> dict[str, Any]:
        """Column-oriented plain-JSON form."""
        return {k: jsonable(v) for k, v in self.columns.items()}

    def to_frame(self):
        """``pandas.DataFrame`` with one column per entry of ``columns``."""
        import pandas as pd

        return pd.DataFrame(dict(self.columns))


@dataclass(frozen=True)
class Result:
    """Outcome of one solve.

    Attributes mirror the JSON printed by ``clsc solve --json``: ``model``, ``scenario``,
    ``method``, ``status``, ``params``, ``decisions``, ``profits``, ``metrics``, ``conditions``;
    plus ``std_errors`` (Monte Carlo / SAA estimates), ``flags`` (FLAG-class warnings),
    ``message``, ``seconds``, ``tables`` (named long-format :class:`Table` objects, e.g.
    per-node stocks or one row per coalition; ``Result.table(name).to_frame()``) and ``seed``
    (the seed of a sampled method, fresh entropy when none was given: rerun with it to repeat);
    ``columns`` are the model's :meth:`~clsc.models.base.Model.schema` (set by ``Model.solve``),
    the columns of :meth:`to_frame`.
    """

    model: str
    scenario: str | None
    method: str
    status: str
    params: Mapping[str, Any] = field(default_factory=dict)
    decisions: Mapping[str, float] = field(default_factory=dict)
    profits: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()
    std_errors: Mapping[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    message: str = ""
    seconds: float | None = None
    tables: Mapping[str, Table] = field(default_factory=dict)
    seed: int | None = None
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("params", "decisions", "profits", "metrics", "std_errors", "tables"):
            object.__setattr__(self, name, _freeze(getattr(self, name)))
        object.__setattr__(self, "conditions", tuple(self.conditions))
        object.__setattr__(self, "flags", tuple(self.flags))
        object.__setattr__(self, "columns", tuple(self.columns))

    @classmethod
    def of(cls, model: Any, req: Any, status: str, **fields: Any) -> Result:
        """The result of ``model`` (anything with a ``name``) for the solve request ``req``:
        scenario, method and parameters from ``req`` (``params=`` overrides), the rest from
        ``fields``."""
        fields.setdefault("params", dict(req.params))
        name = model if isinstance(model, str) else model.name
        return cls(model=name, scenario=req.scenario, method=req.method, status=status, **fields)

    @property
    def ok(self) -> bool:
        """True when the numbers are a valid optimum/equilibrium or a valid evaluation."""
        return self.status in VALID_STATUSES

    @property
    def failed_conditions(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.kind == "SOC" and not c.holds)

    def condition(self, name: str) -> Condition:
        for c in self.conditions:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "model": self.model,
            "scenario": self.scenario,
            "method": self.method,
            "status": self.status,
            "params": jsonable(self.params),
            "decisions": jsonable(self.decisions),
            "profits": jsonable(self.profits),
            "metrics": jsonable(self.metrics),
            "conditions": [c.to_dict() for c in self.conditions],
        }
        if self.std_errors:
            out["std_errors"] = jsonable(self.std_errors)
        if self.flags:
            out["flags"] = list(self.flags)
        if self.message:
            out["message"] = self.message
        if self.seconds is not None:
            out["seconds"] = self.seconds
        if self.seed is not None:
            out["seed"] = self.seed
        if self.tables:
            out["tables"] = {k: t.to_dict() for k, t in self.tables.items()}
        return out

    def table(self, name: str) -> Table:
        """The table ``name`` (KeyError listing the available ones)."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables)}") from None

    def row(self) -> dict[str, Any]:
        """The flat record of :meth:`to_frame` (column name -> value; see :mod:`clsc.glossary`)."""
        row: dict[str, Any] = {
            "model": self.model,
            "scenario": self.scenario,
            "method": self.method,
            "status": str(self.status),
            "seed": self.seed,
        }
        for k, v in self.params.items():
            row[f"param.{k}"] = v.spec if hasattr(v, "spec") else v
        row.update({f"{k}": v for k, v in self.decisions.items()})
        row.update({f"profit.{k}": v for k, v in self.profits.items()})
        row.update({f"metric.{k}": v for k, v in self.metrics.items()})
        row.update({f"se.{k}": v for k, v in self.std_errors.items()})
        failed = [c.name for c in self.conditions if c.kind in ("SOC", "interior") and not c.holds]
        row["conditions_hold"] = not failed
        row["failed_conditions"] = "; ".join(failed)
        row["flags"] = "; ".join(self.flags)
        return row

    def to_frame(self, columns: Sequence[str] | None = None):
        """One-row ``pandas.DataFrame`` with the columns of the model's schema
        (:meth:`clsc.models.base.Model.schema`, the same for every method and option of a
        scenario; missing values NaN); ``columns`` overrides the schema. A value outside the
        schema is never dropped: it is appended as an extra column.
        """
        import pandas as pd

        row = self.row()
        if columns is None:
            columns = self.columns or list(row)
        extra = [k for k in row if k not in set(columns)]
        nan = float("nan")
        return pd.DataFrame([{c: row.get(c, nan) for c in [*columns, *extra]}])
