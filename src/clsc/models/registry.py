"""Model registry: ``@register`` on a :class:`~clsc.models.base.Model` subclass, look-up by name.

The registry is part of the core layer: it names the model modules (:data:`MODULES`) as data
and imports them with :func:`importlib.import_module` on the first look-up, so nothing here
depends on a model at import time.

>>> model_names()[:3]
['buyback-effort', 'cascade-epr', 'contracts']
>>> get_model("newsvendor").name
'newsvendor'
"""

from __future__ import annotations

import importlib

from clsc.errors import ParameterError
from clsc.models.base import Model

#: the module (under ``clsc.models``) that registers each model when imported, so that a
#: command needing one model imports only that one
MODULE_OF = {
    "newsvendor": "newsvendor",
    "cascade-epr": "cascade_epr",
    "process-innovation": "process_innovation",
    "buyback-effort": "buyback_effort_methods",
    "contracts": "contracts_methods",
    "sorting-collection": "sorting_collection",
    "joint-inventory": "joint_inventory",
}
#: every model module
MODULES = tuple(dict.fromkeys(MODULE_OF.values()))

_REGISTRY: dict[str, type[Model]] = {}


def register(cls: type[Model]) -> type[Model]:
    """Class decorator: add a model to the registry under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"model {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def load_all() -> None:
    """Import every module of :data:`MODULES` (each registers its models; idempotent)."""
    for module in MODULES:
        importlib.import_module(f"clsc.models.{module}")


def get_model(name: str) -> Model:
    """Instance of the registered model ``name`` (ParameterError listing valid names if unknown).
    Only the model's own module is imported (every module when the name is unknown).

    >>> get_model("newsvendr")
    Traceback (most recent call last):
    ...
    clsc.errors.ParameterError: unknown model 'newsvendr'; valid: buyback-effort, ...
    """
    if name not in _REGISTRY:
        if name in MODULE_OF:
            importlib.import_module(f"clsc.models.{MODULE_OF[name]}")
        else:
            load_all()
    try:
        return _REGISTRY[name]()
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY))
        raise ParameterError("model", message=f"unknown model '{name}'; valid: {valid}") from None


def model_names() -> list[str]:
    """Names of every registered model, sorted."""
    load_all()
    return sorted(_REGISTRY)
