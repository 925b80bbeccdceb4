"""Vectorised evaluation of a game model's closed forms, with the statuses of ``solve``.

:func:`evaluate` computes the closed-form equilibrium of a scenario on arrays of parameters
(numpy broadcasting; the other parameters keep their defaults) and returns an
:class:`Evaluation`: a mapping of column name -> array, shaped like the broadcast inputs, that
reads like ``model.solve(...).to_frame()`` row by row:

* ``status``: per point ``skipped`` when a parameter bound or an ``ERR`` rule fails (``message``
  names the rule and the values, as the ``ParameterError`` of ``solve`` would),
  ``condition_failed`` when a second-order (SOC) or interior condition fails or a closed form is
  not finite there (``message`` names the conditions), else ``optimal``;
* ``param.<name>``: the parameters at each point;
* decisions (bare names), ``profit.<key>``, ``metric.<key>``: NaN wherever the status is not
  ``optimal`` (never a number dressed as an equilibrium), and an output that needs a
  reference solution (e.g. an efficiency ratio to the centralised profit) NaN where that
  reference's own conditions fail;
* ``cond.<condition name>``: the value of each condition's expression, which must satisfy the
  relation stated in :attr:`Evaluation.conditions` (``value > 0`` or ``value >= 0``), with the
  expression as ``solve`` prints it (:attr:`ConditionColumn.label`);
* ``conditions_hold``, ``failed_conditions``, ``flags``: as in ``Result.to_frame``; ``flags``
  carries the failing FLAG rules of the parameters and FLAG conditions of the point.

:func:`closed_form_columns` is the part shared with the sweep engine's fast path
(:mod:`clsc.sweeps.vectorised`), so a sweep and ``evaluate`` give the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.game.relations import condition_holds
from clsc.results import CONDITION_FAILED, OPTIMAL, Status
from clsc.validation import join_texts, validate_arrays

#: status of a point whose parameters violate a bound or a rule (nothing is evaluated there;
#: the sweeps' word for such a point too)
SKIPPED = str(Status.SKIPPED)
CATEGORIES = (("decisions", ""), ("profits", "profit."), ("metrics", "metric."))


@dataclass(frozen=True)
class ConditionColumn:
    """Meaning of a ``cond.<name>`` column: the value of ``expression`` at each point, which
    must satisfy ``value relation`` (``">0"`` or ``">=0"``) for the condition to hold.

    ``expression`` is the text ``solve`` prints: the expression with its relation and, when
    the evaluated form is a reduced one, how it relates to the original.
    """

    column: str
    name: str
    kind: str  # SOC, interior or FLAG
    expression: str
    relation: str

    @property
    def label(self) -> str:
        """``[kind] name: expression`` (the line ``clsc solve`` prints, without the value)."""
        return f"[{self.kind}] {self.name}: {self.expression}"


@dataclass(frozen=True)
class Evaluation(Mapping[str, np.ndarray]):
    """Columns of a vectorised evaluation (see the module docstring); ``to_frame()`` gives one
    row per point, with the condition labels in ``frame.attrs["conditions"]``."""

    model: str
    scenario: str
    shape: tuple[int, ...]
    columns: Mapping[str, np.ndarray]
    conditions: tuple[ConditionColumn, ...]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.columns[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def ok(self) -> np.ndarray:
        """Mask of the points whose status is ``optimal``."""
        return self.columns["status"] == str(OPTIMAL)

    def to_frame(self):
        """``pandas.DataFrame``: one row per point (C order), one column per entry."""
        import pandas as pd

        frame = pd.DataFrame({k: np.reshape(v, -1) for k, v in self.columns.items()})
        frame.attrs["conditions"] = {c.column: c.label for c in self.conditions}
        return frame


def evaluate(model, scenario: str | None = None, **params: Any) -> Evaluation:
    """The closed forms of ``scenario`` of the game model ``model`` at (arrays of) ``params``.

    Every point is validated as ``solve`` validates it; an invalid point is a ``skipped``
    status row with NaN outputs. An unknown parameter name, or a non-numeric parameter given as
    an array, raises :class:`~clsc.errors.ParameterError`.

    >>> import numpy as np
    >>> from clsc.models import get_model
    >>> ev = get_model("cascade-epr").evaluate("decentralised", B_subsidy=np.array([0.0, 15.0]))
    >>> ev["status"].tolist()
    ['skipped', 'optimal']
    >>> print(ev["message"][0])
    B_subsidy must be > 0; got B_subsidy=0
    >>> [round(float(t), 4) for t in ev["tau"]]
    [nan, 0.2215]
    >>> round(get_model("cascade-epr").solve(
    ...     "decentralised", params={"B_subsidy": 15}).decisions["tau"], 4)
    0.2215
    >>> cond = ev.conditions[3]
    >>> cond.column, cond.kind, cond.relation, cond.label.startswith("[interior] tau >= 0: ")
    ('cond.tau >= 0', 'interior', '>=0', True)
    >>> [round(float(v), 4) for v in ev[cond.column]]
    [nan, 0.2215]
    """
    scenario = model.resolve_scenario(scenario)
    checked = validate_arrays(model.spec, scenario, params)
    n, ok = checked.n, checked.ok
    cols, conds = closed_form_columns(model, scenario, checked.values, n)
    status, message = cols.pop("status"), cols.pop("message")
    status[~ok] = SKIPPED
    for i, text in checked.messages.items():
        message[i] = text
    for v in cols.values():
        if v.dtype.kind == "f":
            v[~ok] = np.nan
    cols["conditions_hold"] &= ok
    cols["failed_conditions"][~ok] = ""
    flags = np.where(ok, join_texts(checked.flags, cols.pop("flags")), "").astype(object)
    out: dict[str, np.ndarray] = {"status": status, "message": message}
    for name in model.spec.names:
        value = checked.values[name]
        if isinstance(value, int | float | np.ndarray):
            out[f"param.{name}"] = np.broadcast_to(value, (n,))
        elif value is not None:
            out[f"param.{name}"] = np.full(n, getattr(value, "spec", value), dtype=object)
    out.update(cols)
    out["flags"] = flags
    shape = checked.shape
    return Evaluation(
        model.name, scenario, shape, {k: v.reshape(shape) for k, v in out.items()}, conds
    )


def variant_model(model, values: Mapping[str, Any]):
    """The model whose games a point's non-numeric parameters select (a model class may define
    ``variant(params) -> class``); a variant selected by a parameter value without such a hook
    has no vectorised form here and raises :class:`ParameterError`."""
    hook = getattr(type(model), "variant", None)
    if hook is not None:
        cls = hook(dict(values))
        return model if cls is type(model) else cls()
    for v in getattr(model, "variants", ()):
        for key in v.selects:
            name, eq, value = key.partition("=")
            if eq and str(values.get(name)) == value:
                raise ParameterError(
                    name, message=f"{name}={value}: no vectorised closed form; use solve"
                )
    return model


def closed_form_columns(model, scenario: str, values: Mapping[str, Any], n: int):
    """``(columns, conditions)`` of the compiled closed forms on ``n`` points (``values``: each
    parameter a scalar or an array of ``n``), with the statuses of the scalar closed-form
    solve: ``status``, ``message``, the outputs named as in ``Result.to_frame`` (NaN where a
    SOC/interior condition fails or a closed form is not finite), ``cond.<name>`` values,
    ``conditions_hold``, ``failed_conditions`` and ``flags`` (the FLAG conditions that fail).
    """
    target = variant_model(model, values)
    cs, conditions, guarded = closed_forms(target, scenario)
    with np.errstate(all="ignore"):
        raw = cs(**{p: np.asarray(values[p], dtype=float) for p in cs.params})
    out = {k: np.broadcast_to(v, (n,)) for k, v in raw.items()}
    holds = {
        c.name: np.broadcast_to(condition_holds(out[c.name], c.relation), (n,)) for c in conditions
    }
    hard = [c for c in conditions if c.kind in ("SOC", "interior")]
    failed = _any([~holds[c.name] for c in hard], n)
    # an output needing a reference whose conditions fail is NaN there, not "undefined"
    guard = {k: _any([~holds[g] for g in names], n) for k, names in guarded.items()}
    undefined = [(~failed & ~np.isfinite(out[k]) & ~guard.get(k, False), k) for k in cs.names]
    some_undefined = _any([m for m, _ in undefined], n)
    bad = failed | some_undefined
    cols: dict[str, np.ndarray] = {
        "status": np.where(bad, str(CONDITION_FAILED), str(OPTIMAL)).astype(object),
        "message": _failure_messages(hard, holds, failed, undefined, n),
    }
    cols.update(_outputs(target, scenario, cs.names, out, bad, guard))
    conds = []
    for c in conditions:
        column = f"cond.{c.name}"
        cols[column] = np.array(out[c.name], dtype=float)
        conds.append(ConditionColumn(column, c.name, c.kind, c.text, c.relation))
    failed_names = _messages(n, [(~holds[c.name], c.name) for c in hard])
    cols["conditions_hold"] = failed_names == ""
    cols["failed_conditions"] = failed_names
    cols["flags"] = _flag_texts(conditions, out, holds, n, some_undefined)
    return cols, tuple(conds)


def closed_forms(model, scenario: str):
    """``(evaluator, conditions, guarded)`` of what the scalar closed-form solve evaluates: the
    model's closed forms as data (:meth:`~clsc.game.modelbase.GameModel.closed_form`);
    ``evaluator(**params)`` maps to every output and condition."""
    form = model.closed_form(scenario)
    return form, form.conditions, form.guarded


def _any(masks: list[np.ndarray], n: int) -> np.ndarray:
    """Elementwise or of boolean arrays (all False when there are none)."""
    return np.logical_or.reduce([*masks, np.zeros(n, dtype=bool)])


def _failure_messages(hard, holds, failed, undefined, n: int) -> np.ndarray:
    """The scalar solve's message per point: the failing SOC/interior conditions ('; try
    --method numeric' when one is not a SOC), else the closed forms that are not finite."""
    reasons = [(~holds[c.name], f"{c.kind} condition '{c.name}' fails: {c.text}") for c in hard]
    message = _messages(n, reasons)
    hinted = failed & _any([~holds[c.name] for c in hard if c.kind != "SOC"], n)
    message[hinted] = [f"{m}; try --method numeric" for m in message[hinted]]
    undef = _messages(n, undefined, ", ")
    some = ~failed & (undef != "")
    message[some] = [f"closed form undefined at these parameters ({m})" for m in undef[some]]
    return message


def _outputs(model, scenario, names, out, bad, guard) -> dict[str, np.ndarray]:
    """Decisions, ``profit.*`` and ``metric.*`` columns (as ``Result.row`` names them)."""
    keys = model.result_keys(scenario)
    cols = {}
    for k in names:
        prefix = next((p for cat, p in CATEGORIES if k in keys[cat]), "metric.")
        value = np.array(out[k], dtype=float)
        value[bad | guard.get(k, False)] = np.nan
        cols[prefix + k] = value
    return cols


def _flag_texts(conditions, out, holds, n: int, skip: np.ndarray) -> np.ndarray:
    """Per point, the texts ``solve`` records for its failing FLAG conditions (none where a
    closed form is undefined, as the scalar solve reports none there)."""
    flags = np.full(n, "", dtype=object)
    for c in conditions:
        if c.kind != "FLAG":
            continue
        idx = np.flatnonzero(~holds[c.name] & ~skip)
        if not len(idx):
            continue
        name = c.name.replace("{", "{{").replace("}", "}}")
        text = f"FLAG {name} fails (value {{:.6g}})".format
        values = np.asarray(out[c.name], dtype=float)[idx].tolist()
        flags[idx] = join_texts(flags[idx], np.array(list(map(text, values)), dtype=object))
    return flags


def _messages(n: int, reasons: list[tuple[np.ndarray, str]], sep: str = "; ") -> np.ndarray:
    """Per point, the ``sep``-joined texts of the ``reasons`` whose mask is true there (one
    join per distinct pattern of reasons, so millions of points cost one pass)."""
    message = np.full(n, "", dtype=object)
    if not reasons:
        return message
    masks = np.stack([np.broadcast_to(m, (n,)) for m, _ in reasons], axis=1)
    if not masks.any():
        return message
    if masks.shape[1] < 63:
        weights = np.int64(1) << np.arange(masks.shape[1], dtype=np.int64)
        codes = masks.astype(np.int64) @ weights
        patterns, inverse = np.unique(codes, return_inverse=True)
        rows = [[(int(code) >> j) & 1 for j in range(len(reasons))] for code in patterns]
    else:
        rows, inverse = np.unique(masks, axis=0, return_inverse=True)
    texts = [sep.join(t for j, (_, t) in enumerate(reasons) if row[j]) for row in rows]
    message[:] = np.asarray(texts, dtype=object)[np.asarray(inverse).reshape(-1)]
    return message
