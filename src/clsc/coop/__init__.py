"""Cooperative (transferable-utility) games: sharing a coalition's saving.

* :class:`Game` — coalition values (a mapping, a callable or a bitmask-indexed array);
  :func:`from_costs` — the saving game of a cost game; :mod:`clsc.coop.games` — weighted
  voting, bankruptcy and airport games;
* :func:`shapley` — exact (vectorised, up to 20 players) or sampled with standard errors;
* :func:`nucleolus`, :func:`prenucleolus` — LP sequence with row generation, or exact
  (Fractions, proved by Kohlberg's criterion) for small games; :func:`least_core`;
* :func:`core_constraints`, :func:`in_core`, :func:`core_is_empty`;
* :func:`nash_bargaining`, :func:`alliance_bargaining` — generalised Nash bargaining with
  transferable utility, for the whole group or with an alliance bargaining as one player.

Player order is 1..n everywhere; coalitions are tuples of 1-based player numbers; every
function accepts a :class:`Game` or a plain mapping ``{coalition: value}``.
"""

from __future__ import annotations

from clsc.coop.bargaining import BargainingResult, alliance_bargaining, nash_bargaining
from clsc.coop.core import CoreCheck, CoreConstraints, core_constraints, core_is_empty, in_core
from clsc.coop.exact import is_nucleolus
from clsc.coop.game import Game, as_game, coalition_of, from_costs, mask_of
from clsc.coop.lexicographic import LeastCore, Nucleolus, least_core, nucleolus, prenucleolus
from clsc.coop.shapley_value import ShapleyValue, shapley

__all__ = [
    "BargainingResult",
    "CoreCheck",
    "CoreConstraints",
    "Game",
    "LeastCore",
    "Nucleolus",
    "ShapleyValue",
    "alliance_bargaining",
    "as_game",
    "coalition_of",
    "core_constraints",
    "core_is_empty",
    "from_costs",
    "in_core",
    "is_nucleolus",
    "least_core",
    "mask_of",
    "nash_bargaining",
    "nucleolus",
    "prenucleolus",
    "shapley",
]
