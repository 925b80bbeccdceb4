"""Public face of :class:`GameModel` for model files (implementation in
:mod:`clsc.game.modelbase`). ``clsc.models`` no longer imports the model files on import, so
this module and the model files import in any order.
"""

from __future__ import annotations

from clsc.game.modelbase import (
    GAME_METHODS,
    GameModel,
    solve_closed_form,
    solve_numeric_method,
    spec_assumptions,
)

__all__ = [
    "GAME_METHODS",
    "GameModel",
    "solve_closed_form",
    "solve_numeric_method",
    "spec_assumptions",
]
