"""Validation of distribution parameters and the canonical text form of a spec.

Every check raises :class:`~clsc.errors.ParameterError` naming the argument, the rule and the
value, e.g. ``sd must be > 0; got sd=-1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from clsc.errors import ParameterError, format_value

#: Relative probability slack of the discrete ``ppf``: a level ``u`` with
#: ``u*(1 - PPF_TOL) <= F(q)`` counts as reached, so ``F(q) = 0.7`` computed as
#: ``0.6999999999999999`` still gives ``ppf(0.7) = q``. (Relative, so tiny levels such as
#: F(2) = 2.5e-15 keep their meaning.)
PPF_TOL = 1e-12


#: Largest magnitude accepted for a parameter (squares and products stay finite).
MAX_MAGNITUDE = 1e100
#: Smallest value accepted for a positive parameter (reciprocals and squares stay normal).
MIN_POSITIVE = 1e-100


def number(name: str, value: Any, *, finite: bool = True) -> float:
    """``value`` as a float; refuses booleans, text, NaN, (with ``finite``) infinities, and
    finite magnitudes above :data:`MAX_MAGNITUDE`."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ParameterError(name, "must be a number", _show(value))
    try:
        out = float(value)
    except OverflowError:
        raise ParameterError(name, "must be a finite number", _show(value)) from None
    if math.isnan(out) or (finite and math.isinf(out)):
        raise ParameterError(name, "must be a finite number", out)
    if math.isfinite(out) and abs(out) > MAX_MAGNITUDE:
        raise ParameterError(name, f"must satisfy |{name}| <= {MAX_MAGNITUDE:g}", out)
    return out


def positive(name: str, value: Any) -> float:
    """A finite number > 0 (and >= :data:`MIN_POSITIVE`)."""
    out = number(name, value)
    if not out > 0:
        raise ParameterError(name, "must be > 0", out)
    if out < MIN_POSITIVE:
        raise ParameterError(name, f"must be >= {MIN_POSITIVE:g}", out)
    return out


def integer(name: str, value: Any, *, minimum: int = 0) -> int:
    """An integer >= ``minimum`` (a float with an integer value is accepted)."""
    out = number(name, value)
    if not out.is_integer() or out < minimum:
        raise ParameterError(name, f"must be an integer >= {minimum}", _show(value))
    return int(out)


def probability(name: str, value: Any) -> float:
    """A number with 0 <= value <= 1."""
    out = number(name, value)
    if not 0.0 <= out <= 1.0:
        raise ParameterError(name, f"must satisfy 0 <= {name} <= 1", out)
    return out


def number_list(name: str, value: Any) -> np.ndarray:
    """A non-empty list of finite numbers as a float array."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ParameterError(name, "must be a list of numbers", _show(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.ndim == 1:
        out = value.astype(float)  # fast path for numeric arrays
        if out.size and np.all(np.isfinite(out)) and np.abs(out).max() <= MAX_MAGNITUDE:
            return out
    items = list(value)
    if not items:
        raise ParameterError(name, "must not be empty", "[]")
    out = np.empty(len(items))
    for i, item in enumerate(items):
        try:
            out[i] = number(name, item)
        except ParameterError:
            raise ParameterError(
                name, "must contain only finite numbers", _show(item), context={"index": i}
            ) from None
    return out


def sample_size(n: Any, rng: Any) -> int:
    """Validate the arguments of ``sample(n, rng)``."""
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", "must be a numpy.random.Generator", type(rng).__name__)
    return integer("n", n, minimum=0)


def fmt(value: Any) -> str:
    """Canonical text of a literal: shortest round-tripping numbers, quoted strings, lists."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Sequence | np.ndarray):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    value = float(value)
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def spec_text(family: str, args: Iterable[tuple[str, Any]], prefix: str | None = None) -> str:
    """``family(key=value, ...)`` with an optional ``prefix:``."""
    body = ", ".join(f"{k}={fmt(v)}" for k, v in args)
    head = f"{prefix}:{family}" if prefix else family
    return f"{head}({body})"


def _show(value: Any) -> str:
    try:
        text = repr(value) if isinstance(value, str) else format_value(value)
    except ValueError:  # e.g. an integer with more digits than Python will print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."
