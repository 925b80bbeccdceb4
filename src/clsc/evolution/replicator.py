"""Replicator dynamics: the vector field, its Jacobian on the simplex, and trajectories.

For every population ``p`` with shares ``x^p`` and fitness ``f^p`` (see :mod:`.games`)

    dx^p_i/dt = x^p_i * (f^p_i - phi^p),    phi^p = sum_j x^p_j f^p_j / sum_j x^p_j.

On the simplex ``sum_j x^p_j = 1`` and ``phi^p`` is the mean fitness ``x^p . f^p``, so this is
``dx_i/dt = x_i((Ax)_i - x'Ax)`` for one population. Dividing by ``sum_j x^p_j`` makes the
sum of every population's shares an exact invariant of the ODE (for any sum), and explicit
Runge-Kutta methods keep linear invariants exactly, so integrated states stay on the simplex to
rounding; the factor ``x^p_i`` keeps a zero share exactly zero. Remaining negatives from an
overshooting step are clipped and each population renormalised; the largest such correction is
reported (``TrajectoryResult.max_correction``) rather than hidden.

**Jacobian convention.** The dynamics live on a product of simplices. :func:`jacobian` returns
the Jacobian in the chart that drops the *last* strategy of each population
(``x^p_{n_p} = 1 - sum_{i < n_p} x^p_i``): a ``(dim - N) x (dim - N)`` matrix
``J = P DF V`` where ``DF`` is the full Jacobian, ``V`` maps chart directions to tangent vectors
(``e_i - e_last`` per population) and ``P`` keeps the non-last coordinates. Its eigenvalues are
those of ``DF`` on the tangent space; the spurious transverse eigenvalue of ``DF`` is excluded.
For a 2x2 bimatrix game the chart coordinates are the shares ``(x, y)`` of strategy 0.

>>> from clsc.evolution import symmetric
>>> hd = symmetric([[-1, 2], [0, 1]])            # Hawk-Dove, V = 2, C = 4: mixed ESS at V/C
>>> float(jacobian(hd, [0.5, 0.5])[0, 0])
-0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.evolution.games import Game, as_game
from clsc.results import Status, Table


def field(game: Game, flat: np.ndarray) -> np.ndarray:
    """Replicator vector field at flat state(s) ``(..., dim)`` (vectorised over leading axes)."""
    states = game.split(flat)
    out = []
    for x, f in zip(states, game.fitness(states), strict=True):
        phi = np.sum(x * f, axis=-1, keepdims=True) / np.sum(x, axis=-1, keepdims=True)
        out.append(x * (f - phi))
    return np.concatenate(out, axis=-1)


def full_jacobian(game: Game, flat: np.ndarray) -> np.ndarray:
    """``dim x dim`` Jacobian of :func:`field` at a state on the simplex.

    ``dF^p_i/dx^q_k = [p=q][i=k](f^p_i - phi^p) + x^p_i (Df[p_i, q_k] - dphi^p/dx^q_k)`` with
    ``dphi^p/dx^q_k = [p=q](f^p_k - phi^p) + sum_l x^p_l Df[p_l, q_k]`` and ``Df`` the fitness
    Jacobian (``A`` for one population; the tensor contractions otherwise).
    """
    flat = np.asarray(flat, dtype=float)
    states = game.split(flat)
    fits = game.fitness(states)
    dfit = game.fitness_jacobian(states)
    offs = np.concatenate([[0], np.cumsum(game.sizes)])
    jac = np.zeros((game.dim, game.dim))
    for p, (x, f) in enumerate(zip(states, fits, strict=True)):
        rows = slice(offs[p], offs[p + 1])
        phi = float(x @ f)
        dphi = x @ dfit[rows, :]
        dphi[rows] += f - phi
        jac[rows, :] = x[:, None] * (dfit[rows, :] - dphi[None, :])
        jac[rows, rows] += np.diag(f - phi)
    return jac


def chart(sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``(P, V)`` of the drop-the-last-strategy chart (see the module docstring)."""
    dim, red = sum(sizes), sum(sizes) - len(sizes)
    P, V = np.zeros((red, dim)), np.zeros((dim, red))
    off = r = 0
    for n in sizes:
        for i in range(n - 1):
            P[r, off + i] = 1.0
            V[off + i, r] = 1.0
            V[off + n - 1, r] = -1.0
            r += 1
        off += n
    return P, V


def jacobian(game: Any, state: Any) -> np.ndarray:
    """Jacobian of the replicator dynamics on the tangent space (drop-last chart)."""
    game = as_game(game)
    flat = game.state(state, "state")
    P, V = chart(game.sizes)
    return P @ full_jacobian(game, flat) @ V


def is_pure(game: Game, flat: np.ndarray) -> bool:
    """True when every population plays one strategy (a vertex: always a rest point)."""
    return all(int(np.count_nonzero(x)) == 1 for x in game.split(flat))


@dataclass(frozen=True)
class TrajectoryResult:
    """Times ``(k,)`` and flat states ``(k, dim)`` of one replicator trajectory.

    ``at_rest`` is True when the starting state is a rest point (every pure state is); then
    the states are constant and no integration is done. ``max_correction`` is the largest
    change made by clipping negatives and renormalising (0 when none was needed).
    """

    times: np.ndarray
    states: np.ndarray
    sizes: tuple[int, ...]
    status: str
    at_rest: bool = False
    max_correction: float = 0.0
    message: str = ""

    @property
    def final(self) -> np.ndarray:
        return self.states[-1]

    def table(self) -> Table:
        """Long format: one row per time, population (1-based) and strategy (1-based)."""
        k = len(self.times)
        pop = np.concatenate([np.full(n, p + 1) for p, n in enumerate(self.sizes)])
        strat = np.concatenate([np.arange(1, n + 1) for n in self.sizes])
        return Table(
            "trajectory",
            {
                "t": np.repeat(self.times, len(pop)),
                "population": np.tile(pop, k),
                "strategy": np.tile(strat, k),
                "share": self.states.ravel(),
            },
        )

    def to_frame(self):
        return self.table().to_frame()


def _project(game: Game, states: np.ndarray) -> tuple[np.ndarray, float]:
    """Clip negatives, renormalise each population; return states and the largest change."""
    clipped = np.maximum(states, 0.0)
    parts = game.split(clipped)
    out = np.concatenate([x / np.sum(x, axis=-1, keepdims=True) for x in parts], axis=-1)
    return out, float(np.max(np.abs(out - states), initial=0.0))


def trajectory(
    game: Any,
    x0: Any,
    horizon: float = 10.0,
    *,
    n_points: int = 201,
    method: str = "DOP853",
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> TrajectoryResult:
    """Integrate the replicator dynamics from ``x0`` to ``t = horizon`` with ``solve_ivp``.

    ``x0`` as in :meth:`Game.state` (for 2x2 games ``(x, y)`` shares of strategy 0). States
    are reported at ``n_points`` equally spaced times.

    >>> from clsc.evolution import symmetric
    >>> r = trajectory(symmetric([[-1, 2], [0, 1]]), [0.9, 0.1], horizon=40)
    >>> round(float(r.final[0]), 6)                 # Hawk-Dove: to the mixed ESS V/C = 0.5
    0.5
    >>> trajectory(symmetric([[-1, 2], [0, 1]]), [1, 0]).at_rest
    True
    """
    from clsc.errors import ParameterError
    from clsc.params import Param

    game = as_game(game)
    flat = game.state(x0)
    horizon = Param("horizon", lower=0.0, strict=True).coerce(horizon)
    n_points = Param("n_points", kind="int", lower=2).coerce(n_points)
    times = np.linspace(0.0, horizon, n_points)
    if is_pure(game, flat) or not np.any(field(game, flat)):
        what = "pure starting state" if is_pure(game, flat) else "starting state"
        return TrajectoryResult(
            times,
            np.tile(flat, (n_points, 1)),
            game.sizes,
            Status.EVALUATED,
            at_rest=True,
            message=f"{what} is a rest point",
        )
    from scipy.integrate import solve_ivp

    try:
        sol = solve_ivp(
            lambda _t, z: field(game, z), (0.0, horizon), flat, method=method,
            t_eval=times, rtol=rtol, atol=atol,
        )  # fmt: skip
    except ValueError as exc:
        raise ParameterError("method", str(exc), method) from None
    if not sol.success:
        return TrajectoryResult(
            times, np.full((n_points, game.dim), np.nan), game.sizes, Status.SOLVER_ERROR,
            message=str(sol.message),
        )  # fmt: skip
    states, corr = _project(game, sol.y.T)
    return TrajectoryResult(sol.t, states, game.sizes, Status.EVALUATED, max_correction=corr)
