"""Text form of demand distributions: ``normal(mean=50, sd=8)`` -> a Distribution.

The text is parsed by :func:`clsc.expr.parse_call` (no eval). ``FAMILIES`` maps each family name
to its factory; the factory's signature defines the family's arguments. The prefix ``scipy:``
selects any scipy.stats distribution by name (see :mod:`clsc.distributions.scipy_family`).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from clsc.distributions.base import Distribution
from clsc.distributions.continuous import FACTORIES as CONTINUOUS
from clsc.distributions.discrete import FACTORIES as DISCRETE
from clsc.distributions.empirical import empirical
from clsc.distributions.scipy_family import from_frozen, from_scipy
from clsc.errors import ClscError, ParameterError, SpecError
from clsc.expr import parse_call

#: family name -> factory, in the order of the help texts
FAMILIES: Mapping[str, Callable[..., Distribution]] = {
    **CONTINUOUS,
    **DISCRETE,
    "empirical": empirical,
}
PREFIXES = ("scipy",)
#: Longest spec accepted: room for an empirical sample of about a million values.
MAX_SPEC_LENGTH = 20_000_000


def family_arguments(family: str) -> tuple[list[str], list[str]]:
    """(all argument names, required argument names) of a family, from its factory."""
    params = inspect.signature(FAMILIES[family]).parameters.values()
    names = [p.name for p in params]
    return names, [p.name for p in params if p.default is inspect.Parameter.empty]


#: texts up to this length are parsed once per process (see :func:`parse`)
CACHED_SPEC_LENGTH = 4_096


def parse(text: str) -> Distribution:
    """Parse a distribution spec such as ``truncnormal(mean=100, sd=30, lower=0)``.

    Raises :class:`SpecError` for malformed text, unknown families or arguments, and
    :class:`ParameterError` for invalid values (``sd must be > 0; got sd=-1``).

    A short text is parsed once per distinct text: the result (distributions are not changed
    after construction) comes from a bounded cache. Specs that read a file are always parsed
    anew (the file may have changed), so are very long texts.

    >>> parse("normal(mean=50, sd=8)") is parse("normal(mean=50, sd=8)")
    True
    """
    if isinstance(text, str) and len(text) <= CACHED_SPEC_LENGTH and "file" not in text:
        return _parse_cached(text)
    return _parse(text)


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> Distribution:
    return _parse(text)


def _parse(text: str) -> Distribution:
    try:
        prefix, name, kwargs = parse_call(text, max_length=MAX_SPEC_LENGTH)
    except ClscError:
        raise
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise SpecError(f"cannot parse spec: {type(exc).__name__}", token=str(text)[:40]) from None
    if prefix is not None:
        if prefix not in PREFIXES:
            raise SpecError(
                f"unknown prefix '{prefix}:' in {text!r}; valid prefixes: {', '.join(PREFIXES)}",
                token=prefix,
            )
        return from_scipy(name, **kwargs)
    if name not in FAMILIES:
        close = difflib.get_close_matches(name, FAMILIES, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SpecError(
            f"unknown distribution family '{name}'{hint}; valid families: {', '.join(FAMILIES)} "
            "(or scipy:NAME(...) for any scipy.stats distribution)",
            token=name,
        )
    names, required = family_arguments(name)
    for key in kwargs:
        if key not in names:
            raise SpecError(
                f"unknown argument '{key}' for {name}; arguments: {_listing(name)}", token=key
            )
    for key in required:
        if key not in kwargs:
            raise SpecError(
                f"missing argument '{key}' for {name}; arguments: {_listing(name)}", token=key
            )
    return FAMILIES[name](**kwargs)


def _listing(family: str) -> str:
    names, required = family_arguments(family)
    return ", ".join(n if n in required else f"{n} (optional)" for n in names)


def as_distribution(obj: Any) -> Distribution:
    """A Distribution from a Distribution (returned as is), a spec string, or a frozen
    scipy.stats distribution (e.g. ``scipy.stats.norm(50, 8)``)."""
    if isinstance(obj, Distribution):
        return obj
    if isinstance(obj, str):
        return parse(obj)
    if hasattr(obj, "dist") and hasattr(obj, "args") and hasattr(obj, "kwds"):
        return from_frozen(obj)
    raise ParameterError(
        "distribution",
        "must be a Distribution, a spec string like 'normal(mean=50, sd=8)' or a frozen "
        "scipy.stats distribution",
        type(obj).__name__,
    )
