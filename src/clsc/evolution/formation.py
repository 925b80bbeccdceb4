"""Spec 4.7: will the joint inventory form? A two-population join / not-join game.

Upstream (alliance) firms join with share ``x``, downstream users with share ``y``. The gains
of joining over not joining are

    dU(y) = -beta_up*C_run + y*a_U,        a_U = alpha_up*G - E_u + penalty
    dD(x) = -(1 - beta_up)*C_run + x*a_D,  a_D = (1 - alpha_up)*G - E_d + penalty

and the replicator equations ``dx/dt = x(1-x) dU(y)``, ``dy/dt = y(1-y) dD(x)``. As a bimatrix
game (strategy 0 = join) this is ``A = [[a_U - bC, -bC], [0, 0]]`` and
``B = [[a_D - (1-b)C, 0], [-(1-b)C, 0]]``: payoffs normalised so that not joining earns 0 when
the other side does not join (the dynamics depend on payoff differences only).

Closed forms (checked against the generic numeric path and simulation in the tests):

* ``J = [[(1-2x) dU(y), x(1-x) a_U], [y(1-y) a_D, (1-2y) dD(x)]]``; at the corners J is
  diagonal: (0,0) ``(-bC, -(1-b)C)``; (1,0) ``(bC, a_D - (1-b)C)``; (0,1)
  ``(a_U - bC, (1-b)C)``; (1,1) ``(-(a_U - bC), -(a_D - (1-b)C))``;
* (1,1) is an ESS iff ``alpha_up*G + penalty - E_u > beta_up*C_run`` and
  ``(1-alpha_up)*G + penalty - E_d > (1-beta_up)*C_run``;
* the interior saddle ``(x*, y*) = ((1-b)C/a_D, bC/a_U)`` when inside the open unit square
  (trace 0, ``det = -x*(1-x*) y*(1-y*) a_U a_D``);
* the polyline estimate of (1,1)'s basin ``1 - (x* + y*)/2`` (NaN without an interior saddle);
* the simulated basin: classical RK4, step 0.002, horizon ``890/C_run``, starts on the 39x39
  grid ``linspace(0.025, 0.975, 39)^2``; converged to (1,1) if both shares end above 0.99, to
  (0,0) if both end below 0.01 (:func:`clsc.evolution.basin.basin`).

Parameters use the spec's API names; ``None`` takes spec 4.2's default relative to ``G``
(``C_run = 0.5 G``, ``E_u = E_d = 0.2 G``, ``penalty = 0.3 G``; ``beta_up = 0.5``).

>>> f = formation_game(G=100.0, alpha_up=0.9)
>>> f.a_U, f.a_D, [c.holds for c in f.ess_conditions()]
(100.0, 20.0, [True, False])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from clsc.evolution.games import PopulationGame, bimatrix
from clsc.evolution.rest_points import RestPoints, rest_points
from clsc.evolution.stability import TOL, det_tr_type
from clsc.params import Param
from clsc.results import Condition, Table

#: spec 4.7: the horizon is HORIZON_NUMERATOR / C_run
HORIZON_NUMERATOR = 890.0

CORNERS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))


@dataclass(frozen=True)
class FormationGame:
    """The formation game's parameters and closed forms (see the module docstring)."""

    G: float
    alpha_up: float
    C_run: float
    beta_up: float
    E_u: float
    E_d: float
    penalty: float

    @property
    def a_U(self) -> float:
        return self.alpha_up * self.G - self.E_u + self.penalty

    @property
    def a_D(self) -> float:
        return (1.0 - self.alpha_up) * self.G - self.E_d + self.penalty

    def delta_U(self, y):
        """Upstream gain of joining when a share ``y`` of downstream users joins."""
        return -self.beta_up * self.C_run + np.asarray(y) * self.a_U

    def delta_D(self, x):
        """Downstream gain of joining when a share ``x`` of upstream firms joins."""
        return -(1.0 - self.beta_up) * self.C_run + np.asarray(x) * self.a_D

    @cached_property
    def game(self) -> PopulationGame:
        """The bimatrix game (strategy 0 = join) with these replicator dynamics."""
        bC, dC = self.beta_up * self.C_run, (1.0 - self.beta_up) * self.C_run
        return bimatrix([[self.a_U - bC, -bC], [0.0, 0.0]], [[self.a_D - dC, 0.0], [-dC, 0.0]])

    def jacobian(self, x: float, y: float) -> np.ndarray:
        """Spec 4.7's closed-form Jacobian at ``(x, y)``."""
        return np.array(
            [
                [(1 - 2 * x) * self.delta_U(y), x * (1 - x) * self.a_U],
                [y * (1 - y) * self.a_D, (1 - 2 * y) * self.delta_D(x)],
            ]
        )

    def ess_conditions(self) -> tuple[Condition, Condition]:
        """The two closed-form conditions for (1,1) to be an ESS (value = lhs - rhs)."""
        up = self.alpha_up * self.G + self.penalty - self.E_u - self.beta_up * self.C_run
        down = (1 - self.alpha_up) * self.G + self.penalty - self.E_d
        down -= (1 - self.beta_up) * self.C_run
        return (
            Condition("ess_11_up", "alpha_up*G + penalty - E_u > beta_up*C_run", up, up > 0,
                      "decision"),
            Condition("ess_11_down", "(1-alpha_up)*G + penalty - E_d > (1-beta_up)*C_run",
                      down, down > 0, "decision"),
        )  # fmt: skip

    @property
    def joint_is_ess(self) -> bool:
        return all(c.holds for c in self.ess_conditions())

    @property
    def saddle(self) -> tuple[float, float] | None:
        """``(x*, y*)`` if it lies inside the open unit square, else None."""
        if self.a_U <= 0 or self.a_D <= 0:
            return None
        xs = (1 - self.beta_up) * self.C_run / self.a_D
        ys = self.beta_up * self.C_run / self.a_U
        return (xs, ys) if 0 < xs < 1 and 0 < ys < 1 else None

    @property
    def polyline_basin(self) -> float:
        """``1 - (x* + y*)/2``, the polyline estimate of (1,1)'s basin (NaN: no saddle)."""
        s = self.saddle
        return float("nan") if s is None else 1.0 - (s[0] + s[1]) / 2.0

    def closed_form_table(self) -> Table:
        """Rest points from the closed forms: x, y, det J, tr J, spec 4.7 type."""
        points = list(CORNERS) + ([self.saddle] if self.saddle else [])
        rows: dict[str, list] = {"x": [], "y": [], "det": [], "trace": [], "type": []}
        for x, y in points:
            J = self.jacobian(x, y)
            tol = TOL * max(1.0, float(np.max(np.abs(J))))
            values = (x, y, np.linalg.det(J), np.trace(J), det_tr_type(J, tol))
            for key, val in zip(rows, values, strict=True):
                rows[key].append(val)
        return Table("formation_rest_points", rows)

    def rest_points(self) -> RestPoints:
        """Rest points found numerically by support enumeration on :attr:`game`."""
        return rest_points(self.game)

    @property
    def horizon(self) -> float:
        return HORIZON_NUMERATOR / self.C_run

    def basin(self, *, grid=39, step: float = 0.002, horizon: float | None = None, tol=0.01):
        """Spec 4.7's simulated basins (:func:`clsc.evolution.basin.basin`)."""
        from clsc.evolution.basin import basin

        h = self.horizon if horizon is None else horizon
        return basin(self.game, grid=grid, step=step, horizon=h, tol=tol)

    def solve(self, *, simulate: bool = True, **basin_options) -> FormationResult:
        """Closed forms and (if ``simulate``) simulated basins: :func:`solve`."""
        return solve(self, simulate=simulate, **basin_options)


@dataclass(frozen=True)
class FormationResult:
    """Everything the formation scenario reports, as data.

    ``metrics``: ``a_U``, ``a_D``, ``x_star``, ``y_star`` (NaN without an interior saddle),
    ``polyline_basin``, ``joint_is_ess`` (1.0 / 0.0) and, when simulated, ``basin_11``,
    ``basin_00``, ``basin_unsettled`` (shares of the deterministic grid: no standard error).
    ``conditions``: the two closed-form ESS conditions of (1,1). ``tables``:
    ``formation_rest_points`` (closed forms) and, when simulated, ``basin``.
    """

    metrics: dict
    conditions: tuple[Condition, ...]
    tables: dict

    def to_frame(self):
        """One row: ``metric.*`` columns and ``cond.*`` (holds) columns."""
        import pandas as pd

        row = {f"metric.{k}": v for k, v in self.metrics.items()}
        row.update({f"cond.{c.name}": c.holds for c in self.conditions})
        return pd.DataFrame([row])


def solve(game: FormationGame, *, simulate: bool = True, **basin_options) -> FormationResult:
    """Closed forms of ``game`` and, if ``simulate``, spec 4.7's simulated basins.

    >>> r = solve(formation_game(178.244, 0.7869), simulate=False)
    >>> round(r.metrics["x_star"], 4), r.metrics["joint_is_ess"]
    (0.7985, 1.0)
    """
    saddle = game.saddle or (float("nan"), float("nan"))
    metrics = {
        "a_U": game.a_U,
        "a_D": game.a_D,
        "x_star": saddle[0],
        "y_star": saddle[1],
        "polyline_basin": game.polyline_basin,
        "joint_is_ess": float(game.joint_is_ess),
    }
    tables = {"formation_rest_points": game.closed_form_table()}
    if simulate:
        b = game.basin(**basin_options)
        metrics.update(
            basin_11=b.share_of([1.0, 0.0, 1.0, 0.0]),
            basin_00=b.share_of([0.0, 1.0, 0.0, 1.0]),
            basin_unsettled=b.unsettled,
        )
        tables["basin"] = b.table()
    return FormationResult(metrics, game.ess_conditions(), tables)


def _num(name: str, value, **bounds) -> float:
    return Param(name, **bounds).coerce(value)


def formation_game(
    G: float,
    alpha_up: float,
    C_run: float | None = None,
    beta_up: float = 0.5,
    E_u: float | None = None,
    E_d: float | None = None,
    penalty: float | None = None,
) -> FormationGame:
    """Build and validate the formation game (``0 <= alpha_up, beta_up <= 1``, ``C_run > 0``).

    >>> f = formation_game(178.244, 0.7869)
    >>> round(f.polyline_basin, 4), f.joint_is_ess
    (0.4598, True)
    """
    G = _num("G", G)
    return FormationGame(
        G=G,
        alpha_up=_num("alpha_up", alpha_up, lower=0.0, upper=1.0),
        C_run=_num("C_run", 0.5 * G if C_run is None else C_run, lower=0.0, strict=True),
        beta_up=_num("beta_up", beta_up, lower=0.0, upper=1.0),
        E_u=_num("E_u", 0.2 * G if E_u is None else E_u),
        E_d=_num("E_d", 0.2 * G if E_d is None else E_d),
        penalty=_num("penalty", 0.3 * G if penalty is None else penalty),
    )
