"""Registered models, one module each. Importing this package registers them all."""

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
    "joint_inventory",
)

for _module in MODULES:
    importlib.import_module(f"clsc.models.{_module}")

__all__ = ["get_model", "model_names", "register"]
