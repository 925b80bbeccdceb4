"""Parameter declarations and validation.

A model declares its parameters once as :class:`Param` rows in a :class:`ParamSpec` and its
assumptions as :class:`Rule` rows (class ``ERR`` raises :class:`~clsc.errors.ParameterError`,
class ``FLAG`` is recorded in the result). Values arriving as text (CLI ``--set``, config files)
are converted by :meth:`Param.coerce` through the safe literal parser; nothing is ``eval``-ed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from clsc.errors import ParameterError, SpecError, format_value


class _Required:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()

KINDS = ("float", "int", "demand", "choice", "vector", "matrix", "text")

#: Largest accepted parameter magnitude: beyond it products of parameters overflow float64.
MAX_MAGNITUDE = 1e100


@dataclass(frozen=True)
class Param:
    """One model parameter.

    ``kind``: ``float`` (finite unless ``allow_inf``), ``int``, ``demand`` (a demand
    distribution or its text spec, converted by ``convert``, e.g.
    :func:`clsc.distributions.as_distribution`: the core layer does not import distributions),
    ``choice`` (one of ``choices``), ``vector`` (list of floats), ``text``. ``lower``/``upper``
    are simple bounds checked on coercion (``strict`` for < and >).

    >>> Param("h", lower=0).coerce("0.18")
    0.18
    """

    name: str
    default: Any = REQUIRED
    doc: str = ""
    kind: str = "float"
    symbol: str = ""
    unit: str = ""
    lower: float | None = None
    upper: float | None = None
    strict: bool = False
    choices: tuple[str, ...] = ()
    allow_inf: bool = False
    convert: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Param {self.name!r}: kind must be one of {KINDS}")
        if self.kind == "demand" and self.convert is None:
            raise ValueError(f"Param {self.name!r}: kind 'demand' needs a convert function")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def coerce(self, value: Any) -> Any:
        """Convert ``value`` (text or Python object) to this parameter's type and check bounds."""
        return _COERCERS[self.kind](self, value)

    def _check_bounds(self, value: float) -> float:
        lo, hi = self.lower, self.upper
        if lo is not None and (value <= lo if self.strict else value < lo):
            raise ParameterError(self.name, f"must be {'>' if self.strict else '>='} {lo:g}", value)
        if hi is not None and (value >= hi if self.strict else value > hi):
            raise ParameterError(self.name, f"must be {'<' if self.strict else '<='} {hi:g}", value)
        return value


def _literal(param: Param, value: Any) -> Any:
    if isinstance(value, str):
        from clsc.expr import parse_literal  # sympy-backed parser: loaded on first text value

        try:
            return parse_literal(value)
        except SpecError as exc:
            raise ParameterError(param.name, message=f"{param.name}: {exc}") from None
    return value


def _as_float(param: Param, value: Any) -> float:
    value = _literal(param, value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            import numpy as np

            if isinstance(value, np.integer | np.floating):
                value = float(value)
            else:
                raise TypeError
        except TypeError:
            raise ParameterError(param.name, "must be a number", value) from None
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not param.allow_inf):
        raise ParameterError(param.name, "must be a finite number", value)
    if math.isfinite(value) and abs(value) > MAX_MAGNITUDE:
        raise ParameterError(param.name, f"must have magnitude <= {MAX_MAGNITUDE:g}", value)
    return param._check_bounds(value)


def _as_int(param: Param, value: Any) -> int:
    number = _as_float(param, value)
    if not float(number).is_integer():
        raise ParameterError(param.name, "must be an integer", number)
    return int(number)


def _as_demand(param: Param, value: Any) -> Any:
    try:
        return param.convert(value)
    except ParameterError as exc:
        raise ParameterError(param.name, message=f"{param.name}: {exc}") from None


def _as_choice(param: Param, value: Any) -> str:
    if isinstance(value, str):
        value = value.strip().strip("'\"")
    if value not in param.choices:
        raise ParameterError(param.name, f"must be one of {', '.join(param.choices)}", value)
    return value


def _as_vector(param: Param, value: Any) -> tuple[float, ...]:
    value = _literal(param, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise ParameterError(param.name, "must be a list of numbers", value) from None
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            raise ParameterError(f"{param.name}[{i}]", "must be a number", item)
        sub = Param(f"{param.name}[{i}]", lower=param.lower, upper=param.upper, strict=param.strict)
        out.append(_as_float(sub, item))
    return tuple(out)


def _as_matrix(param: Param, value: Any) -> tuple[tuple[float, ...], ...]:
    """Kind ``matrix``: a rectangular matrix as rows of floats, e.g. ``[[1, 0.3], [0.3, 1]]``
    (each entry checked against ``lower``/``upper``, named ``name[i][j]`` in errors)."""
    value = _literal(param, value)
    try:
        rows = [list(row) for row in value]
    except TypeError:
        raise ParameterError(param.name, "must be a matrix [[...], [...]]", value) from None
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise ParameterError(param.name, "must be a non-empty rectangular matrix", value)
    out = []
    for i, row in enumerate(rows):
        sub = Param(f"{param.name}[{i}]", lower=param.lower, upper=param.upper, strict=param.strict)
        out.append(_as_vector(sub, row))
    return tuple(out)


def _as_text(param: Param, value: Any) -> str:
    if not isinstance(value, str):
        raise ParameterError(param.name, "must be text", value)
    return value


_COERCERS: Mapping[str, Callable[[Param, Any], Any]] = {
    "float": _as_float,
    "int": _as_int,
    "demand": _as_demand,
    "choice": _as_choice,
    "vector": _as_vector,
    "matrix": _as_matrix,
    "text": _as_text,
}


@dataclass(frozen=True)
class Rule:
    """An assumption over several parameters.

    ``check(values) -> bool``; ``involved`` names the parameters shown in the error (the first
    is the one blamed); ``rule`` is the human text, e.g. ``"must satisfy cm < v < b < w < p"``.
    ``cls`` is ``"ERR"`` (raise) or ``"FLAG"`` (recorded as a flag string).
    """

    involved: tuple[str, ...]
    rule: str
    check: Callable[[Mapping[str, Any]], bool]
    cls: str = "ERR"
    scenarios: tuple[str, ...] | None = None

    def applies(self, scenario: str | None) -> bool:
        return self.scenarios is None or scenario in self.scenarios

    def message(self, values: Mapping[str, Any]) -> str:
        shown = ", ".join(f"{n}={format_value(values[n])}" for n in self.involved if n in values)
        return f"{self.involved[0]} {self.rule}; got {shown}"


@dataclass(frozen=True)
class ParamSpec:
    """Ordered parameter declarations of a model, plus its assumption rules."""

    params: tuple[Param, ...]
    rules: tuple[Rule, ...] = field(default=())

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @cached_property
    def _name_set(self) -> frozenset[str]:
        return frozenset(self.names)

    @cached_property
    def _coerced_defaults(self) -> dict[str, Any]:
        """Defaults already coerced, for the immutable ones (numbers, text, tuples, None):
        a solve that keeps a default does not parse it again."""
        out = {}
        for p in self.params:
            if p.required:
                continue
            try:
                value = p.coerce(p.default) if p.default is not None else None
            except (ParameterError, SpecError):  # reported by resolve, as before
                continue
            if value is None or type(value) in (float, int, str, bool, tuple):
                out[p.name] = value
        return out

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise self.unknown(name)

    def unknown(self, name: str) -> ParameterError:
        return ParameterError(
            name, message=f"unknown parameter '{name}'; valid parameters: {', '.join(self.names)}"
        )

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params if not p.required}

    def resolve(
        self, overrides: Mapping[str, Any] | None = None, scenario: str | None = None
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Defaults updated by ``overrides``, coerced and checked.

        Returns ``(values, flags)``; raises :class:`ParameterError` for an unknown or missing
        parameter, a bad value, or a violated ``ERR`` rule.
        """
        overrides = dict(overrides or {})
        for name in overrides:
            if name not in self._name_set:
                raise self.unknown(name)
        values: dict[str, Any] = {}
        cached = self._coerced_defaults
        for p in self.params:
            if p.name in overrides:
                values[p.name] = p.coerce(overrides[p.name])
            elif p.required:
                raise ParameterError(p.name, message=f"parameter '{p.name}' is required")
            elif p.name in cached:
                values[p.name] = cached[p.name]
            else:
                values[p.name] = p.coerce(p.default) if p.default is not None else None
        return values, self.check(values, scenario)

    def check(self, values: Mapping[str, Any], scenario: str | None = None) -> tuple[str, ...]:
        flags = []
        for rule in self.rules:
            if not rule.applies(scenario) or rule.check(values):
                continue
            if rule.cls == "ERR":
                raise ParameterError(rule.involved[0], message=rule.message(values))
            flags.append(rule.message(values))
        return tuple(flags)


def ordered(names: Sequence[str], strict: bool = True) -> Callable[[Mapping[str, Any]], bool]:
    """Check that the named values increase (strictly by default): ``ordered(["cm","v","b"])``."""

    def check(values: Mapping[str, Any]) -> bool:
        seq = [values[n] for n in names]
        return all((a < b) if strict else (a <= b) for a, b in itertools.pairwise(seq))

    return check
