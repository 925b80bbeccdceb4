"""The Shapley value, exact (vectorised over bitmasks) or sampled (random permutations).

    phi_i = sum_{S not containing i} |S|! (n - |S| - 1)! / n! * (v(S + i) - v(S))

* ``exact`` (default up to :data:`EXACT_MAX` = 20 players): for each player the table v is
  viewed as ``v.reshape(-1, 2, 2**(i-1))``, whose two middle slices are v(S) and v(S + i) for
  every S without i, so phi is n weighted sums over 2**(n-1) differences: no loop over
  permutations or coalitions in Python. ``rational=True`` repeats the sum in Fractions (games
  given with int/Fraction values are then exact).
* ``sampled``: phi_i is the mean over m uniformly random orders of i's marginal contribution to
  the players before it; the standard error is the sample standard deviation / sqrt(m). Every
  sampled vector is efficient (sums to v(N)) exactly, not only on average.

The value is linear in v, so a cost game c may be passed as it is: ``shapley(c)`` are cost
shares and ``shapley(from_costs(c))`` the savings c({i}) - share_i.

>>> glove = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}
>>> phi = shapley(glove)
>>> phi.values.round(6).tolist(), phi.method
([0.166667, 0.166667, 0.666667], 'exact')
>>> [str(f) for f in shapley(glove, rational=True).exact]
['1/6', '1/6', '2/3']
>>> est = shapley(glove, method="sampled", n_permutations=4000, seed=1)
>>> bool(np.all(np.abs(est.values - phi.values) < 4 * est.std_errors))
True
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from clsc.coop.game import GameLike, as_game, player_frame, popcount
from clsc.errors import ParameterError

#: largest number of players for the exact (table) method
EXACT_MAX = 20
#: largest number of players for the exact rational method
RATIONAL_MAX = 14
METHODS = ("auto", "exact", "sampled")


@dataclass(frozen=True)
class ShapleyValue:
    """Shapley value in player order 1..n.

    ``values`` the estimates (exact: the value itself), ``std_errors`` their standard errors
    (zeros when exact), ``method`` ``"exact"`` or ``"sampled"``, ``n_permutations`` the number
    of sampled orders (None when exact), ``exact`` Fractions when computed rationally.
    """

    values: np.ndarray
    std_errors: np.ndarray
    method: str
    n_permutations: int | None = None
    exact: tuple[Fraction, ...] | None = None

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)

    def to_frame(self):
        """One row per player: ``player``, ``shapley``, ``se``."""
        return player_frame(shapley=self.values, se=self.std_errors)


def shapley(
    v: GameLike,
    *,
    method: str = "auto",
    n_permutations: int = 10_000,
    seed: Any = None,
    rational: bool = False,
) -> ShapleyValue:
    """Shapley value of the game ``v`` (a :class:`~clsc.coop.game.Game` or mapping).

    ``method``: ``"auto"`` (exact up to 20 players, sampled beyond), ``"exact"`` or
    ``"sampled"`` (``n_permutations`` random orders drawn from ``seed``, an int, a
    ``numpy.random.Generator`` or None for fresh entropy). ``rational=True`` (exact method,
    up to 14 players) also returns the value as Fractions in ``exact``.
    """
    if method not in METHODS:
        raise ParameterError("method", f"must be one of {', '.join(METHODS)}", method)
    game = as_game(v)
    if method == "auto":
        method = "exact" if game.n <= EXACT_MAX and game.tabulated else "sampled"
    if method == "sampled":
        if rational:
            raise ParameterError("rational", "needs method='exact'", rational)
        return _sampled(game, n_permutations, seed)
    if game.n > EXACT_MAX or not game.tabulated:
        raise ParameterError("method", f"'exact' needs n <= {EXACT_MAX} players", game.n)
    values = _exact_float(game.values, game.n)
    exact = None
    if rational:
        if game.n > RATIONAL_MAX:
            raise ParameterError("rational", f"needs n <= {RATIONAL_MAX} players", game.n)
        exact = _exact_rational(game.exact_values(), game.n)
        values = np.array([float(f) for f in exact])
    return ShapleyValue(values, np.zeros(game.n), "exact", None, exact)


def _weights(n: int) -> np.ndarray:
    """w[s] = s! (n - s - 1)! / n! = 1 / (n * C(n - 1, s)) for s = 0..n-1."""
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])


def _exact_float(values: np.ndarray, n: int) -> np.ndarray:
    w = _weights(n)
    size = popcount(np.arange(1 << n))
    phi = np.empty(n)
    for i in range(n):
        v3 = values.reshape(-1, 2, 1 << i)
        s3 = size.reshape(-1, 2, 1 << i)[:, 0, :]  # |S| of the coalitions S without i
        phi[i] = np.sum(w[s3] * (v3[:, 1, :] - v3[:, 0, :]))
    return phi


def _exact_rational(values: tuple[Fraction, ...], n: int) -> tuple[Fraction, ...]:
    w = [Fraction(1, n * math.comb(n - 1, s)) for s in range(n)]
    by_size = [[Fraction(0)] * n for _ in range(n)]  # by_size[i][s]: sum of marginals
    for mask in range(1 << n):
        s = mask.bit_count()
        for i in range(n):
            if not mask >> i & 1:
                by_size[i][s] += values[mask | 1 << i] - values[mask]
    return tuple(sum((w[s] * by_size[i][s] for s in range(n)), Fraction(0)) for i in range(n))


def _sampled(game, n_permutations: Any, seed: Any) -> ShapleyValue:
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, numbers.Integral)
        or n_permutations < 2
    ):
        raise ParameterError("n_permutations", "must be an integer >= 2", n_permutations)
    rng = np.random.default_rng(seed)
    n, m = game.n, int(n_permutations)
    total = np.zeros(n)
    total_sq = np.zeros(n)
    chunk = max(1, 2**18 // n)
    for start in range(0, m, chunk):
        perms = rng.permuted(np.tile(np.arange(n), (min(chunk, m - start), 1)), axis=1)
        marg = _marginals(game, perms)
        total += marg.sum(axis=0)
        total_sq += (marg**2).sum(axis=0)
    mean = total / m
    var = np.maximum(total_sq - m * mean**2, 0.0) / (m - 1)
    return ShapleyValue(mean, np.sqrt(var / m), "sampled", m)


def _marginals(game, perms: np.ndarray) -> np.ndarray:
    """Row r, column i: player i+1's marginal contribution in the order ``perms[r]``."""
    rows, n = perms.shape
    prefix = np.cumsum(np.left_shift(np.int64(1), perms.astype(np.int64)), axis=1)
    if game.tabulated:
        worth = game.values[prefix]
    else:
        worth = np.array([[game.value_of_mask(int(m)) for m in row] for row in prefix])
    gains = np.diff(worth, axis=1, prepend=0.0)
    out = np.empty((rows, n))
    out[np.arange(rows)[:, None], perms] = gains
    return out
