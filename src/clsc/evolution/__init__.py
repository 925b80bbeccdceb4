"""Evolutionary game dynamics: replicator equations, rest points, basins, the formation game.

* :mod:`.games` — one population (``symmetric(A)``), two (``bimatrix(A, B)``) or ``N``
  populations (``populations(T_1, ..., T_N)`` or a fitness function);
* :mod:`.replicator` — the vector field, its tangent-space Jacobian and ``trajectory``;
* :mod:`.rest_points` — all rest points by support enumeration, classified by eigenvalues;
* :mod:`.basin` — shares of a grid of starts converging to each rest point (vectorised RK4);
* :mod:`.formation` — spec 4.7's joint-inventory formation game with its closed forms;
* :mod:`.plot` — phase portrait of a 2x2 two-population game (PNG).
"""

from clsc.evolution.basin import BasinResult, basin
from clsc.evolution.formation import FormationGame, FormationResult, formation_game
from clsc.evolution.games import PopulationGame, SymmetricGame, bimatrix, populations, symmetric
from clsc.evolution.replicator import TrajectoryResult, field, jacobian, trajectory
from clsc.evolution.rest_points import RestPoints, rest_points
from clsc.evolution.stability import TYPES, RestPoint

__all__ = [
    "TYPES",
    "BasinResult",
    "FormationGame",
    "FormationResult",
    "PopulationGame",
    "RestPoint",
    "RestPoints",
    "SymmetricGame",
    "TrajectoryResult",
    "basin",
    "bimatrix",
    "field",
    "formation_game",
    "jacobian",
    "populations",
    "rest_points",
    "symmetric",
    "trajectory",
]
