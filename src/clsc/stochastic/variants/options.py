"""Parsing of variant options that arrive as text from the CLI (never eval)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clsc.errors import ParameterError
from clsc.params import Param

_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def flag(name: str, value: Any) -> bool:
    """A boolean option: Python bool or one of true/false/yes/no/1/0/on/off."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().strip("'\"").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParameterError(name, f"must be one of {', '.join(_TRUE + _FALSE)}", value)


def number(options: Mapping[str, Any], name: str, default: Any = None, **bounds: Any) -> Any:
    """A numeric option coerced by :class:`~clsc.params.Param` (bounds as for Param)."""
    if name not in options:
        return default
    return Param(name, **bounds).coerce(options[name])


def choice(options: Mapping[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    return Param(name, kind="choice", choices=choices).coerce(options.get(name, default))
