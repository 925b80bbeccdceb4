"""Parameter validation on arrays of points: the checks of :class:`~clsc.params.ParamSpec`,
vectorised.

:meth:`ParamSpec.resolve` validates one point and raises :class:`~clsc.errors.ParameterError`.
The functions here apply the same checks to many points at once and return, instead of
raising, a validity mask and, for each invalid point, the message ``resolve`` would raise:

* :func:`bound_errors`: the numeric coercion checks of a :class:`~clsc.params.Param` (finite,
  magnitude, integer, ``lower``/``upper``) on an array;
* :func:`check_rules`: the ``ERR`` rules of a scenario (a rule written with arithmetic and
  single comparisons runs on the arrays; one that cannot take arrays, e.g. a chained
  comparison, is applied point by point);
* :func:`flag_texts`: the messages of the ``FLAG`` rules that fail, '; '-joined per point (the
  flags ``resolve`` returns);
* :func:`validate_arrays`: all of it for keyword arguments as a caller gives them (defaults
  filled, scalars and arrays broadcast), used by the vectorised ``evaluate`` of game models and
  by the sweep engine.

>>> import numpy as np
>>> from clsc.params import Param, ParamSpec, Rule
>>> spec = ParamSpec(
...     (Param("a", 1.0, lower=0, strict=True), Param("b", 2.0)),
...     (Rule(("a", "b"), "must satisfy a < b", lambda v: v["a"] < v["b"]),),
... )
>>> checked = validate_arrays(spec, None, {"a": np.array([0.5, -1.0, 3.0])})
>>> checked.ok.tolist()
[True, False, False]
>>> checked.messages
{1: 'a must be > 0; got a=-1', 2: 'a must satisfy a < b; got a=3, b=2'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clsc.errors import ClscError, ParameterError, format_value
from clsc.params import MAX_MAGNITUDE, Param, ParamSpec, Rule

NUMERIC = ("float", "int")


def bound_errors(param: Param, arr: np.ndarray) -> dict[int, str]:
    """Position -> message of the entries of a numeric array that :meth:`Param.coerce`
    refuses (non-finite, too large, not an integer, outside ``lower``/``upper``)."""
    x = np.asarray(arr, dtype=float).reshape(-1)
    bad = ~np.isfinite(x) if not param.allow_inf else np.isnan(x)
    bad |= np.isfinite(x) & (np.abs(x) > MAX_MAGNITUDE)
    if param.kind == "int":
        bad |= np.isfinite(x) & (x != np.round(x))
    if param.lower is not None:
        bad |= (x <= param.lower) if param.strict else (x < param.lower)
    if param.upper is not None:
        bad |= (x >= param.upper) if param.strict else (x > param.upper)
    out = {}
    for i in np.flatnonzero(bad):
        try:
            param.coerce(float(x[i]))
            out[int(i)] = f"{param.name}: invalid value {format_value(float(x[i]))}"
        except ClscError as exc:
            out[int(i)] = str(exc)
    return out


class _Recorder(Mapping):
    """Mapping that records which keys a rule reads."""

    def __init__(self, values: Mapping[str, Any]):
        self.values, self.read = values, set()

    def __getitem__(self, key):
        self.read.add(key)
        return self.values[key]

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


def point(values: Mapping[str, Any], i: int, varied: set[str]) -> dict[str, Any]:
    """The values of point ``i`` (entry ``i`` of each varied array, the others as they are)."""
    return {k: (v[i] if k in varied else v) for k, v in values.items()}


def rule_holds(rule: Rule, values: Mapping[str, Any], n: int, varied: set[str], ok: np.ndarray):
    """Boolean array: does ``rule`` hold at each of the ``n`` points (points not ``ok`` are
    not checked one by one and count as holding)."""
    rec = _Recorder(values)
    try:
        with np.errstate(all="ignore"):
            out = rule.check(rec)
    except (TypeError, ValueError, AttributeError, ArithmeticError):
        out = None
    if isinstance(out, np.ndarray) and out.dtype == bool and out.shape == (n,):
        return out
    if isinstance(out, bool | np.bool_) and not (rec.read & varied):
        return np.full(n, bool(out))
    holds = np.ones(n, dtype=bool)
    for i in np.flatnonzero(ok):
        try:
            holds[i] = bool(rule.check(point(values, int(i), varied)))
        except (TypeError, ValueError, AttributeError, ArithmeticError):
            holds[i] = False
    return holds


def check_rules(
    spec: ParamSpec, scenario, values: Mapping[str, Any], n: int, varied: set[str], ok
) -> tuple[np.ndarray, dict[int, str]]:
    """Apply the ``ERR`` rules of ``scenario`` to the points still ``ok``: returns the updated
    mask and {position: the rule's message} for the points a rule refuses."""
    messages: dict[int, str] = {}
    for rule in spec.rules:
        if rule.cls != "ERR" or not rule.applies(scenario):
            continue
        holds = rule_holds(rule, values, n, varied, ok)
        for i in np.flatnonzero(ok & ~holds):
            messages[int(i)] = rule.message(point(values, int(i), varied))
        ok = ok & holds
    return ok, messages


def flag_texts(
    spec: ParamSpec, scenario, values: Mapping[str, Any], n: int, varied: set[str], ok
) -> np.ndarray:
    """Per point, the '; '-joined messages of the ``FLAG`` rules of ``scenario`` that fail
    (as :meth:`ParamSpec.resolve` returns them; '' where none fails or the point is not ok)."""
    texts = np.full(n, "", dtype=object)
    for rule in spec.rules:
        if rule.cls != "FLAG" or not rule.applies(scenario):
            continue
        holds = rule_holds(rule, values, n, varied, ok)
        for i in np.flatnonzero(ok & ~holds):
            msg = rule.message(point(values, int(i), varied))
            texts[i] = f"{texts[i]}; {msg}" if texts[i] else msg
    return texts


def join_texts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise '; '-join of two arrays of text, skipping empty entries (rule flags first,
    then condition flags, as ``Model.solve`` orders ``Result.flags``).

    >>> join_texts(np.array(["x", "", "y"], dtype=object), np.array(["z", "w", ""], dtype=object))
    array(['x; z', 'w', 'y'], dtype=object)
    """
    out = np.asarray(a, dtype=object).copy()
    b = np.asarray(b, dtype=object)
    both = (out != "") & (b != "")
    out[both] = [f"{x}; {y}" for x, y in zip(out[both], b[both], strict=True)]
    only_b = (out == "") & (b != "")
    out[only_b] = b[only_b]
    return out


@dataclass
class Checked:
    """Validated points: ``values`` (every parameter: a scalar, or a flat array of ``n``
    entries for the ``varied`` ones), the broadcast ``shape`` of the inputs, the mask ``ok``,
    ``messages`` (position -> why the point is invalid) and ``flags`` (the FLAG rules' texts)."""

    values: dict[str, Any]
    n: int
    shape: tuple[int, ...]
    varied: set[str]
    ok: np.ndarray
    messages: dict[int, str] = field(default_factory=dict)
    flags: np.ndarray | None = None


def validate_arrays(spec: ParamSpec, scenario, given: Mapping[str, Any]) -> Checked:
    """Defaults updated by ``given`` (scalars or arrays, broadcast together), checked point by
    point as :meth:`ParamSpec.resolve` checks one point.

    An unknown or missing parameter, or a non-numeric parameter given as an array, raises
    :class:`ParameterError` (the call is wrong, not a point); a value a point cannot have
    makes that point invalid (``ok`` False, its message in ``messages``).
    """
    for name in given:
        if name not in spec.names:
            raise spec.unknown(name)
    numeric: dict[str, np.ndarray] = {}
    values: dict[str, Any] = {}
    for p in spec.params:
        if p.name not in given and p.required:
            raise ParameterError(p.name, message=f"parameter '{p.name}' is required")
        raw = given.get(p.name, p.default)
        if p.kind in NUMERIC and raw is not None:
            numeric[p.name] = np.asarray(raw)
        elif isinstance(raw, np.ndarray | list | tuple) and p.kind not in ("vector", "matrix"):
            raise ParameterError(p.name, message=f"{p.name}: give one value per call, not an array")
        else:
            values[p.name] = None if raw is None else p.coerce(raw)
    shape = np.broadcast_shapes(*(a.shape for a in numeric.values()))
    n = int(np.prod(shape, dtype=np.int64))
    ok = np.ones(n, dtype=bool)
    messages: dict[int, str] = {}
    varied = set()
    for name, arr in numeric.items():
        flat, errors = _numeric_column(spec[name], arr, shape, n)
        values[name] = flat if arr.ndim else _scalar(spec[name], flat[0])
        if arr.ndim:
            varied.add(name)
        for i, msg in errors.items():
            if ok[i]:
                ok[i] = False
                messages[i] = msg
    values = {p.name: values[p.name] for p in spec.params}
    ok, more = check_rules(spec, scenario, values, n, varied, ok)
    messages.update(more)
    flags = flag_texts(spec, scenario, values, n, varied, ok)
    return Checked(values, n, shape, varied, ok, messages, flags)


def _scalar(param: Param, value: np.floating) -> float | int:
    return int(value) if param.kind == "int" and float(value).is_integer() else float(value)


def _numeric_column(param: Param, arr: np.ndarray, shape, n: int):
    """(flat float array of ``n`` entries, {position: error}) of a numeric input (a 0-d input
    gives a 1-entry array whose error, if any, applies to every point)."""
    if arr.dtype.kind not in "biuf":  # text or objects: the scalar coercion, once per value
        items = arr.reshape(-1)
        flat = np.full(len(items), np.nan)
        errors: dict[int, str] = {}
        for i, item in enumerate(items):
            try:
                flat[i] = param.coerce(item.item() if isinstance(item, np.generic) else item)
            except ClscError as exc:
                errors[i] = str(exc)
        arr, flat_errors = flat.reshape(arr.shape), errors
    else:
        arr = arr.astype(float)
        flat_errors = bound_errors(param, arr)
    if arr.ndim == 0:
        msg = flat_errors.get(0)
        return arr.reshape(1), ({} if msg is None else dict.fromkeys(range(n), msg))
    index = np.broadcast_to(np.arange(arr.size).reshape(arr.shape), shape).reshape(-1)
    flat = arr.reshape(-1)[index]
    errors = {}
    if flat_errors:
        bad = np.isin(index, list(flat_errors))
        errors = {int(i): flat_errors[int(index[i])] for i in np.flatnonzero(bad)}
    return flat, errors
