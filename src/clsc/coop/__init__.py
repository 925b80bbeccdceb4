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

Spec 4.6 from coalition costs (the worked example of spec 4.9, rounded inputs):

>>> costs = {(1,): 298.1719, (2,): 152.1158, (3,): 378.1662, (1, 2): 385.975,
...          (1, 3): 587.600, (2, 3): 451.233, (1, 2, 3): 650.210}
>>> d = [costs[(i,)] for i in (1, 2, 3)]
>>> saving = from_costs(costs)                       # v(S) = sum_{i in S} d_i - C(S)
>>> three = nash_bargaining(costs[(1, 2, 3)], d)      # s_i = S/3, x_i = d_i - s_i
>>> allied = alliance_bargaining(costs[(1, 2, 3)], d, costs[(1, 2)], alliance=(1, 2))
>>> phi = shapley(saving)
>>> [round(float(a), 2) for a in (*three.gains, *allied.gains, *phi.values)]
[59.41, 59.41, 59.41, 70.13, 70.13, 37.98, 58.57, 53.73, 65.94]
>>> all(in_core(saving, s) for s in (three.gains, allied.gains, phi.values))
True
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
