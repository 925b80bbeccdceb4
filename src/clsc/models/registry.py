"""Model registry: ``@register`` on a :class:`~clsc.models.base.Model` subclass, look-up by name."""

from __future__ import annotations

from clsc.errors import ParameterError
from clsc.models.base import Model

_REGISTRY: dict[str, type[Model]] = {}


def register(cls: type[Model]) -> type[Model]:
    """Class decorator: add a model to the registry under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"model {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def get_model(name: str) -> Model:
    """Instance of the registered model ``name`` (ParameterError listing valid names if unknown)."""
    from clsc import models

    if name not in _REGISTRY:
        models.load(name)  # the model's own module (every module if the name is unknown)
    try:
        return _REGISTRY[name]()
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY))
        raise ParameterError("model", message=f"unknown model '{name}'; valid: {valid}") from None


def model_names() -> list[str]:
    from clsc import models

    models.load()
    return sorted(_REGISTRY)
