"""Population games for replicator dynamics: one population, bimatrix, N populations.

A *state* is a list of share vectors, one per population, each on its simplex; as a flat
array it is their concatenation (population 1's shares first). Three kinds of game:

* :class:`SymmetricGame` – one population, an ``n x n`` payoff matrix ``A``; the fitness of
  strategy ``i`` at state ``x`` is ``f_i(x) = (A x)_i``.
* :class:`PopulationGame` with payoff tensors – ``N >= 2`` populations of sizes
  ``(n_1, ..., n_N)``; ``payoffs[p]`` has shape ``(n_1, ..., n_N)`` and holds population
  ``p``'s payoff at each pure profile, so ``f^p_i = sum T_p[.., i, ..] prod_{q != p} x^q``.
  A bimatrix game ``(A, B)`` is the case ``N = 2``: ``A[i, j]`` (row population) and
  ``B[i, j]`` (column population) are the payoffs when row plays ``i`` and column plays
  ``j``, so ``f^1 = A y`` and ``f^2 = B^T x``.
* :class:`PopulationGame` with a payoff function – ``fitness(states) -> tuple of arrays``,
  vectorised over leading axes (``states[p]`` has shape ``(..., n_p)``). Trajectories and
  basins work; rest points need tensors.

>>> g = bimatrix([[1, -1], [-1, 1]])          # matching pennies, B = -A
>>> g.sizes
(2, 2)
>>> [f.tolist() for f in g.fitness(g.split(np.array([0.5, 0.5, 0.25, 0.75])))]
[[-0.5, 0.5], [0.0, 0.0]]
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.params import MAX_MAGNITUDE

#: Tolerance on a starting state's sum (each population's shares must sum to 1 within it).
SUM_TOL = 1e-9


def _matrix(name: str, value: Any, ndim: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, "must be an array of numbers", value) from None
    if ndim is not None and arr.ndim != ndim:
        raise ParameterError(name, f"must have {ndim} dimensions", f"shape {arr.shape}")
    if arr.size == 0 or min(arr.shape, default=0) < 1:
        raise ParameterError(name, "must not be empty", f"shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must contain finite numbers only", value)
    if np.max(np.abs(arr)) > MAX_MAGNITUDE:
        raise ParameterError(name, f"must have magnitude <= {MAX_MAGNITUDE:g}", np.max(np.abs(arr)))
    return arr


class _GameBase:
    sizes: tuple[int, ...]

    @property
    def n_populations(self) -> int:
        return len(self.sizes)

    @property
    def dim(self) -> int:
        """Length of a flat state (sum of the population sizes)."""
        return int(sum(self.sizes))

    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        """Flat state(s) ``(..., dim)`` -> list of per-population views ``(..., n_p)``."""
        cuts = np.cumsum(self.sizes)[:-1]
        return np.split(flat, cuts, axis=-1)

    def state(self, x0: Any, name: str = "x0") -> np.ndarray:
        """Validate a starting state and return it flat, each population summing to exactly 1.

        Accepted: a flat vector of length ``dim``; a list of per-population vectors; or, when
        every population has two strategies, one number per population (the share of strategy
        0, e.g. ``(x, y)`` for a 2x2 bimatrix game).
        """
        if isinstance(x0, list | tuple) and any(np.ndim(v) == 1 for v in x0):
            parts = [np.asarray(v, dtype=float).ravel() for v in x0]
            flat = np.concatenate(parts) if parts else np.zeros(0)
        else:
            flat = np.asarray(x0, dtype=float).ravel()
        if flat.size == self.n_populations and all(n == 2 for n in self.sizes):
            flat = np.column_stack([flat, 1.0 - flat]).ravel()
        if flat.size != self.dim:
            raise ParameterError(name, f"must have {self.dim} shares (sizes {self.sizes})", x0)
        if not np.all(np.isfinite(flat)) or np.any(flat < 0):
            raise ParameterError(name, "shares must be finite and >= 0", x0)
        parts = self.split(flat)
        for p, part in enumerate(parts):
            if abs(part.sum() - 1.0) > SUM_TOL:
                raise ParameterError(name, f"shares of population {p + 1} must sum to 1", x0)
        return np.concatenate([part / part.sum() for part in parts])


@dataclass(frozen=True, eq=False)
class SymmetricGame(_GameBase):
    """One population playing the ``n x n`` matrix game ``A``: fitness ``f(x) = A x``."""

    A: np.ndarray

    def __post_init__(self) -> None:
        A = _matrix("A", self.A, ndim=2)
        if A.shape[0] != A.shape[1]:
            raise ParameterError("A", "must be square", f"shape {A.shape}")
        object.__setattr__(self, "A", A)

    @property
    def sizes(self) -> tuple[int, ...]:  # type: ignore[override]
        return (self.A.shape[0],)

    def fitness(self, states: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
        (x,) = states
        return (x @ self.A.T,)

    def fitness_jacobian(self, states: Sequence[np.ndarray]) -> np.ndarray:
        """``d f_i / d x_j`` as a ``dim x dim`` matrix (here simply ``A``)."""
        return self.A.copy()


@dataclass(frozen=True, eq=False)
class PopulationGame(_GameBase):
    """``N >= 2`` populations given by payoff tensors or by a vectorised fitness function."""

    payoffs: tuple[np.ndarray, ...] | None = None
    function: Callable[..., Sequence[np.ndarray]] | None = None
    shape: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.payoffs is None:
            if self.function is None or not callable(self.function):
                raise ParameterError("payoffs", "must be tensors or a callable", self.function)
            sizes = tuple(int(n) for n in (self.shape or ()))
            if len(sizes) < 1 or min(sizes) < 1:
                raise ParameterError("sizes", "must list each population's size", self.shape)
            object.__setattr__(self, "shape", sizes)
            return
        tensors = tuple(_matrix(f"payoffs[{p}]", t) for p, t in enumerate(self.payoffs))
        shape = tensors[0].shape
        if len(tensors) < 2 or len(tensors) != len(shape):
            raise ParameterError("payoffs", "need one tensor per population (>= 2)", len(tensors))
        for p, t in enumerate(tensors):
            if t.shape != shape:
                raise ParameterError(f"payoffs[{p}]", f"must have shape {shape}", t.shape)
        if len(shape) > 20:
            raise ParameterError("payoffs", "at most 20 populations", len(shape))
        object.__setattr__(self, "payoffs", tensors)
        object.__setattr__(self, "shape", tuple(int(n) for n in shape))

    @property
    def sizes(self) -> tuple[int, ...]:  # type: ignore[override]
        return self.shape  # type: ignore[return-value]

    @property
    def has_tensors(self) -> bool:
        return self.payoffs is not None

    def fitness(self, states: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
        """Fitness vectors of every population; states may carry leading batch axes."""
        if self.payoffs is None:
            out = tuple(np.asarray(f, dtype=float) for f in self.function(*states))  # type: ignore[misc]
            return out
        return tuple(self._contract(p, states, keep=(p,)) for p in range(self.n_populations))

    def _contract(self, p: int, states: Sequence[np.ndarray], keep: tuple[int, ...]):
        """Contract tensor ``p`` with every population's state except those in ``keep``."""
        axes = string.ascii_lowercase[: self.n_populations]
        operands: list[Any] = [self.payoffs[p]]  # type: ignore[index]
        terms = [axes]
        for q, x in enumerate(states):
            if q not in keep:
                operands.append(x)
                terms.append("..." + axes[q])
        out = "..." + "".join(axes[q] for q in keep)
        return np.einsum(",".join(terms) + "->" + out, *operands)

    def fitness_jacobian(self, states: Sequence[np.ndarray]) -> np.ndarray:
        """``d f^p_i / d x^q_k`` as a ``dim x dim`` block matrix (zero diagonal blocks)."""
        if self.payoffs is None:
            raise ParameterError("game", "needs payoff tensors for a Jacobian", "a function")
        offs = np.concatenate([[0], np.cumsum(self.sizes)])
        jac = np.zeros((self.dim, self.dim))
        for p in range(self.n_populations):
            for q in range(self.n_populations):
                if q != p:
                    block = self._contract(p, states, keep=(p, q))
                    jac[offs[p] : offs[p + 1], offs[q] : offs[q + 1]] = block
        return jac


Game = SymmetricGame | PopulationGame


def symmetric(A: Any) -> SymmetricGame:
    """One-population game with payoff matrix ``A`` (``A[i, j]``: payoff of ``i`` against ``j``).

    >>> symmetric([[0, 3], [1, 2]]).sizes
    (2,)
    """
    return SymmetricGame(A)


def bimatrix(A: Any, B: Any = None) -> PopulationGame:
    """Two-population game; ``B`` defaults to ``-A`` (zero-sum). Shapes ``(m, n)`` both.

    >>> bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]).sizes
    (2, 2)
    """
    A = _matrix("A", A, ndim=2)
    B = -A if B is None else _matrix("B", B, ndim=2)
    if B.shape != A.shape:
        raise ParameterError("B", f"must have the shape of A {A.shape}", B.shape)
    return PopulationGame(payoffs=(A, B))


def populations(*payoffs: Any, fitness: Callable | None = None, sizes: Any = None):
    """``N``-population game from ``N`` payoff tensors, or from a fitness function and sizes.

    ``fitness(x_1, ..., x_N)`` returns one fitness array per population, each ``(..., n_p)``.

    >>> T = np.zeros((2, 2, 2)); populations(T, T, T).sizes
    (2, 2, 2)
    """
    if fitness is not None:
        if payoffs:
            raise ParameterError("payoffs", "give tensors or fitness, not both", len(payoffs))
        return PopulationGame(function=fitness, shape=tuple(np.atleast_1d(sizes).tolist()))
    return PopulationGame(payoffs=tuple(payoffs))


def as_game(game: Any) -> Game:
    """A game object as is; a square matrix -> :func:`symmetric`; a pair -> :func:`bimatrix`."""
    if isinstance(game, SymmetricGame | PopulationGame):
        return game
    if isinstance(game, tuple) and len(game) == 2:
        return bimatrix(*game)
    return symmetric(game)
