"""Basins of attraction: the share of a grid of starts converging to each rest point.

Every start is integrated by classical fourth-order Runge-Kutta with a fixed ``step``: for
matrix games (one population, bimatrix) by a parallel numba kernel (:mod:`.kernel`), for
other games vectorised with numpy over all starts at once (``(m, dim)`` arrays). There are
``n = ceil(horizon / step)`` steps, the last one shortened so the integration ends exactly at
``t = horizon``. The field is
:func:`clsc.evolution.replicator.field` (sums of shares are invariant; final states are
clipped at 0 and renormalised, the largest change reported as ``max_correction``).

**Grid.** ``grid = k`` puts, in each population with ``n`` strategies, the interior lattice
points ``x = c / (k + 1)`` with positive integers ``c_1 + ... + c_n = k + 1``; the starts are
all combinations across populations. For two strategies that is ``linspace(1/(k+1), k/(k+1),
k)`` per population, e.g. ``k = 39`` gives spec 4.7's ``linspace(0.025, 0.975, 39)``.
An explicit ``(m, dim)`` array of flat starts may be passed instead.

**Convergence.** A start converged to a rest point when every share of its final state is
within ``tol`` of the rest point's share (sup norm ``< tol``; for 2x2 games and ``tol = 0.01``
"both coordinates above 0.99" for (1,1) and "below 0.01" for (0,0)); to the nearest one if
several qualify. Otherwise it is *unsettled*. Shares are fractions of a deterministic grid,
not samples: they carry no standard error.

>>> from clsc.evolution import symmetric
>>> b = basin(symmetric([[4, 1], [3, 3]]), grid=99, step=0.01, horizon=40)   # Stag Hunt
>>> list(zip(b.types, b.counts.tolist())), b.unsettled     # x > 2/3 goes to (1, 0)
([('ESS', 33), ('ESS', 66), ('unstable', 0)], 0.0)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.evolution.games import Game, SymmetricGame, as_game
from clsc.evolution.replicator import field
from clsc.params import Param
from clsc.results import Table


@dataclass(frozen=True)
class BasinResult:
    """Counts and shares of starts converging to each target (rest point); ``unsettled``."""

    targets: np.ndarray
    types: tuple[str, ...]
    counts: np.ndarray
    n_starts: int
    starts: np.ndarray
    finals: np.ndarray
    assignment: np.ndarray
    step: float
    horizon: float
    n_steps: int
    tol: float
    max_correction: float

    @property
    def shares(self) -> list[float]:
        return [float(c) / self.n_starts for c in self.counts]

    @property
    def unsettled(self) -> float:
        return float(np.sum(self.assignment < 0)) / self.n_starts

    def share_of(self, state: Any) -> float:
        """Share of starts converging to the target equal (within 1e-9) to ``state``."""
        state = np.asarray(state, dtype=float)
        for k, t in enumerate(self.targets):
            if t.shape == state.shape and np.max(np.abs(t - state)) < 1e-9:
                return self.shares[k]
        raise KeyError(f"no target at {state.tolist()}")

    def table(self) -> Table:
        """One row per target (``point`` 0..) plus a row ``point = -1`` for unsettled starts."""
        k = len(self.targets)
        return Table(
            "basin",
            {
                "point": np.append(np.arange(k), -1),
                "type": [*self.types, "unsettled"],
                "state": [str(np.round(t, 6).tolist()) for t in self.targets] + [""],
                "count": np.append(self.counts, np.sum(self.assignment < 0)),
                "share": [*self.shares, self.unsettled],
            },
        )

    def to_frame(self):
        return self.table().to_frame()


def _simplex_lattice(n: int, k: int) -> np.ndarray:
    m = k + 1
    rows = []
    for cuts in itertools.combinations(range(1, m), n - 1):
        edges = (0, *cuts, m)
        rows.append([(edges[i + 1] - edges[i]) / m for i in range(n)])
    return np.asarray(rows, dtype=float).reshape(-1, n)


def grid_starts(game: Game, grid: int) -> np.ndarray:
    """Flat starting states ``(m, dim)`` of the interior lattice (see the module docstring)."""
    grid = Param("grid", kind="int", lower=1).coerce(grid)
    per_pop = [_simplex_lattice(n, grid) for n in game.sizes]
    count = math.prod(len(p) for p in per_pop)
    if count > 10_000_000:
        raise ParameterError("grid", "gives more than 10,000,000 starts", grid)
    rows = [np.concatenate(c) for c in itertools.product(*per_pop)]
    return np.asarray(rows, dtype=float).reshape(count, game.dim)


def _schedule(step: float, horizon: float) -> tuple[int, float]:
    n = max(1, math.ceil(horizon / step - 1e-9))
    return n, horizon - (n - 1) * step


def rk4_numpy(game: Game, starts: np.ndarray, step: float, horizon: float) -> np.ndarray:
    """Classical RK4 on all starts at once, vectorised with numpy (any game)."""
    n, last = _schedule(step, horizon)
    z = np.array(starts, dtype=float)
    for i in range(n):
        h = step if i < n - 1 else last
        k1 = field(game, z)
        k2 = field(game, z + 0.5 * h * k1)
        k3 = field(game, z + 0.5 * h * k2)
        k4 = field(game, z + h * k3)
        z += (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return z


def has_kernel(game: Game) -> bool:
    """True for the games the numba kernel handles: one population, or a bimatrix game."""
    return isinstance(game, SymmetricGame) or (game.has_tensors and game.n_populations == 2)


def rk4(game: Game, starts: np.ndarray, step: float, horizon: float, integrator: str = "auto"):
    """Final states of classical RK4 from every start; ``(finals, n_steps)``.

    ``integrator``: ``"numba"`` (matrix games; per-start loops in parallel; a 2x2 bimatrix game
    in the shares ``(x, y)`` of strategy 0, spec 4.7's form), ``"numpy"`` (all starts
    vectorised; any game) or ``"auto"`` (numba when it applies).
    """
    if integrator not in ("auto", "numba", "numpy"):
        raise ParameterError("integrator", "must be auto, numba or numpy", integrator)
    n, last = _schedule(step, horizon)
    if integrator == "numpy" or not has_kernel(game):
        if integrator == "numba":
            raise ParameterError("integrator", "numba needs a matrix or bimatrix game", "numba")
        return rk4_numpy(game, starts, step, horizon), n
    if game.sizes == (2, 2) and not isinstance(game, SymmetricGame):
        return _rk4_2x2(game, starts, step, n, last), n
    from clsc.evolution.kernel import rk4_matrix

    if isinstance(game, SymmetricGame):
        A, B, m1 = game.A, np.zeros((1, 1)), game.dim
    else:
        A, B, m1 = game.payoffs[0], game.payoffs[1], game.sizes[0]  # type: ignore[index]
    starts = np.ascontiguousarray(starts, dtype=float)
    out = np.empty_like(starts)
    rk4_matrix(np.ascontiguousarray(A), np.ascontiguousarray(B), m1, starts, step, n, last, out)
    return out, n


def _rk4_2x2(game, starts: np.ndarray, step: float, n: int, last: float) -> np.ndarray:
    """2x2 bimatrix: integrate ``(x, y)`` in the form of spec 4.7 and rebuild flat states."""
    from clsc.evolution.kernel import rk4_2x2

    A, B = game.payoffs
    a0, b0 = A[0, 1] - A[1, 1], B[1, 0] - B[1, 1]
    a1, b1 = A[0, 0] - A[1, 0] - a0, B[0, 0] - B[0, 1] - b0
    xy = np.ascontiguousarray(starts[:, [0, 2]], dtype=float)
    out = np.empty_like(xy)
    rk4_2x2(float(a0), float(a1), float(b0), float(b1), xy, step, n, last, out)
    return np.column_stack([out[:, 0], 1.0 - out[:, 0], out[:, 1], 1.0 - out[:, 1]])


def _assign(finals: np.ndarray, targets: np.ndarray, tol: float) -> np.ndarray:
    if len(targets) == 0:
        return np.full(len(finals), -1)
    dist = np.max(np.abs(finals[:, None, :] - targets[None, :, :]), axis=2)
    nearest = np.argmin(dist, axis=1)
    ok = dist[np.arange(len(finals)), nearest] < tol
    return np.where(ok, nearest, -1)


def basin(
    game: Any,
    *,
    grid: Any = 39,
    step: float = 0.002,
    horizon: float = 10.0,
    tol: float = 0.01,
    targets: Any = None,
    integrator: str = "auto",
) -> BasinResult:
    """Share of a grid of starts converging to each rest point of ``game``.

    ``targets``: flat states to test convergence to (default: every rest point found by
    :func:`clsc.evolution.rest_points`, in its order; required for a game given by a fitness
    function). ``integrator``: see :func:`rk4`. Options as in the module docstring.
    """
    game = as_game(game)
    step = Param("step", lower=0.0, strict=True).coerce(step)
    horizon = Param("horizon", lower=0.0, strict=True).coerce(horizon)
    tol = Param("tol", lower=0.0, upper=0.5, strict=True).coerce(tol)
    if horizon / step > 1e8:
        raise ParameterError("step", "gives more than 1e8 steps for this horizon", step)
    if isinstance(grid, int | np.integer | float | str):
        starts = grid_starts(game, grid)
    else:
        starts = np.array([game.state(s, "grid") for s in np.asarray(grid, dtype=float)])
    if targets is None:
        from clsc.evolution.rest_points import rest_points

        points = rest_points(game).points
        targ = np.array([p.state for p in points]).reshape(-1, game.dim)
        types = tuple(p.type for p in points)
    else:
        targ = np.array([game.state(t, "targets") for t in targets]).reshape(-1, game.dim)
        types = ("",) * len(targ)
    raw, n_steps = rk4(game, starts, step, horizon, integrator)
    clipped = np.maximum(raw, 0.0)
    finals = np.concatenate([x / x.sum(axis=1, keepdims=True) for x in game.split(clipped)], 1)
    assignment = _assign(finals, targ, tol)
    counts = np.array([int(np.sum(assignment == k)) for k in range(len(targ))], dtype=int)
    return BasinResult(
        targ, types, counts, len(starts), starts, finals, assignment, step, horizon, n_steps,
        tol, float(np.max(np.abs(finals - raw), initial=0.0)),
    )  # fmt: skip
