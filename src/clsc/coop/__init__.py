"""Cooperative (transferable-utility) games: sharing a coalition's saving.

* :class:`Game` — coalition values (a mapping, a callable or a bitmask-indexed array);
  :func:`from_costs` — the saving game of a cost game;
* :func:`shapley` — exact (vectorised, up to 20 players) or sampled with standard errors;
* :func:`nash_bargaining`, :func:`alliance_bargaining` — generalised Nash bargaining with
  transferable utility, for the whole group or with an alliance bargaining as one player.

Player order is 1..n everywhere; coalitions are tuples of 1-based player numbers.
"""

from __future__ import annotations

from clsc.coop.bargaining import BargainingResult, alliance_bargaining, nash_bargaining
from clsc.coop.game import Game, as_game, coalition_of, from_costs, mask_of
from clsc.coop.shapley_value import ShapleyValue, shapley

__all__ = [
    "BargainingResult",
    "Game",
    "ShapleyValue",
    "alliance_bargaining",
    "as_game",
    "coalition_of",
    "from_costs",
    "mask_of",
    "nash_bargaining",
    "shapley",
]
