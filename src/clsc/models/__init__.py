"""Registered models, one module (or package) each.

Importing this package imports only the registry; :func:`get_model` and :func:`model_names`
import the model modules listed in :data:`clsc.models.registry.MODULES` on first use, so that
``clsc.models.base`` (the core interface) can be imported first, without any model.

The package itself is callable: ``clsc.models()`` lists the models' descriptions (the public
function of the issue's API; a package and a function cannot share the name ``clsc.models``
otherwise, since importing a submodule rebinds the package attribute).

>>> import clsc
>>> [d["name"] for d in clsc.models()][:2]
['buyback-effort', 'cascade-epr']
>>> "closed-form" in clsc.models()[0]["methods"]
True
"""

from __future__ import annotations

import sys
import types
from typing import Any

from clsc.models.registry import get_model, model_names, register

__all__ = ["describe_all", "get_model", "model_names", "register"]


def describe_all() -> list[dict[str, Any]]:
    """Descriptions (:meth:`clsc.models.base.Model.describe`) of every model, sorted by name.

    >>> describe_all()[-1]["name"]
    'sorting-collection'
    """
    return [get_model(name).describe() for name in model_names()]


class _CallablePackage(types.ModuleType):
    """``clsc.models()`` = :func:`describe_all` (module class customisation, Python data model
    "Customizing module attribute access"; no attribute is resolved lazily)."""

    def __call__(self) -> list[dict[str, Any]]:
        return describe_all()


sys.modules[__name__].__class__ = _CallablePackage
