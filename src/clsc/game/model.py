"""Public face of :class:`GameModel` (implementation in :mod:`clsc.game.modelbase`).

Model files do ``from clsc.game.model import GameModel`` while ``clsc.models`` imports every
model file, and ``GameModel`` subclasses ``clsc.models.base.Model``. To keep that cycle safe
whichever module is imported first, the names are resolved lazily (PEP 562): the model
package is initialised first, then the implementation module is loaded.
"""

from __future__ import annotations

from typing import Any

__all__ = [  # noqa: F822 (resolved lazily by __getattr__)
    "GAME_METHODS",
    "GameModel",
    "solve_closed_form",
    "solve_numeric_method",
    "spec_assumptions",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        import clsc.models  # noqa: F401  (package first: its model files import GameModel)
        from clsc.game import modelbase

        return getattr(modelbase, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
