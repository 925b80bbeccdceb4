"""Registered models, one module each, imported on first use by :func:`get_model`."""

from __future__ import annotations

import importlib

from clsc.models.registry import get_model, model_names, register

MODULES = (
    "newsvendor",
    "cascade_epr",
    "process_innovation",
    "buyback_effort",
    "contracts",
    "sorting_collection",
)


def load(name: str | None = None) -> None:
    """Import the module of model ``name`` (its module is the name with '-' -> '_'), or of
    every model when ``name`` is None or not one of :data:`MODULES`. Importing this package
    alone imports no model, so a command that needs one model does not pay for all."""
    module = None if name is None else str(name).replace("-", "_")
    for m in (module,) if module in MODULES else MODULES:
        importlib.import_module(f"clsc.models.{m}")


__all__ = ["get_model", "load", "model_names", "register"]
