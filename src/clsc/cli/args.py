"""Shared argument helpers: ``NAME=VALUE`` pairs."""

from __future__ import annotations

from clsc.errors import ParameterError


def pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """Split ``["p=20", "demand=normal(mean=5, sd=1)"]`` at the first '=' into a dict."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise ParameterError(option, message=f"{option} expects NAME=VALUE; got {item!r}")
        if name in out:
            raise ParameterError(name, message=f"{option}: '{name}' given twice")
        out[name] = value.strip()
    return out
