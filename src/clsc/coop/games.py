"""Classic TU games built from a few numbers (vectorised over all 2**n coalitions).

* :func:`weighted_voting` — ``[q; w_1, ..., w_n]``: v(S) = 1 if sum_{i in S} w_i >= q else 0;
* :func:`bankruptcy` — estate E and claims d: v(S) = max(0, E - sum_{i not in S} d_i)
  (O'Neill 1982; Aumann and Maschler 1985);
* :func:`airport` — runway costs c: the cost game c(S) = max_{i in S} c_i (Littlechild and
  Owen 1973); pass it to :func:`~clsc.coop.game.from_costs` for its saving game.

Integer or Fraction inputs give games with exact values (:meth:`Game.exact_values`).

>>> weighted_voting(51, [49, 48, 3]).values.tolist()
[0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]
>>> bankruptcy(200, [100, 200, 300])[(2, 3)]
100.0
>>> airport([1, 3])[(1, 2)]
3.0
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from clsc.coop.game import TABLE_MAX, Game, subset_sums
from clsc.errors import ParameterError


def _numbers(name: str, values: Any, *, positive: bool = False) -> list:
    try:
        items = list(values)
    except TypeError:
        raise ParameterError(name, "must be a list of numbers", values) from None
    if not 1 <= len(items) <= TABLE_MAX:
        raise ParameterError(name, f"must have 1 to {TABLE_MAX} entries", len(items))
    for x in items:
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not np.isfinite(float(x)):
            raise ParameterError(name, "must hold finite numbers", items)
        if x < 0 or (positive and x == 0):
            raise ParameterError(name, "must be > 0" if positive else "must be >= 0", items)
    return items


def _exact(items: list) -> bool:
    """True when the Fraction path is needed: all inputs rational, some not an integer
    (integers are exact in the float table too, and :meth:`Game.exact_values` recovers them)."""
    rational = all(isinstance(x, numbers.Rational) for x in items)
    return rational and any(Fraction(x).denominator != 1 for x in items)


def _game(items: list, rule) -> Game:
    """Apply ``rule(sums, extra)`` to the subset sums, exactly when every input is rational."""
    if _exact(items):
        n = len(items) - 1
        sums = [Fraction(0)]
        for x in items[1:]:
            sums = sums + [s + Fraction(x) for s in sums]
        return Game([rule(s, Fraction(items[0]), sums[-1]) for s in sums], n)
    arr = np.array([float(x) for x in items])
    sums = subset_sums(arr[1:])
    return Game(rule(sums, arr[0], sums[-1]), len(items) - 1)


def weighted_voting(quota: float, weights: Any) -> Game:
    """Simple game ``[quota; weights]``: winning coalitions are worth 1."""
    w = _numbers("weights", weights)
    q = _numbers("quota", [quota], positive=True)[0]
    if q > sum(w):
        raise ParameterError("quota", "must not exceed the sum of the weights", quota)

    def rule(s, q_, _):
        return (s >= q_) * 1 if isinstance(s, Fraction) else (s >= q_).astype(float)

    return _game([q, *w], rule)


def bankruptcy(estate: float, claims: Any) -> Game:
    """Bankruptcy game of an estate and claims (requires 0 <= estate <= sum of claims)."""
    d = _numbers("claims", claims)
    e = _numbers("estate", [estate])[0]
    if e > sum(d):
        raise ParameterError("estate", "must not exceed the sum of the claims", estate)

    def rule(s, e_, total):
        # s = claims inside S, so the claims outside are total - s
        if isinstance(s, Fraction):
            return max(Fraction(0), e_ - (total - s))
        return np.maximum(0.0, e_ - (total - s))

    return _game([e, *d], rule)


def airport(costs: Any) -> Game:
    """Airport cost game: a coalition pays for the longest runway any member needs."""
    c = _numbers("costs", costs)
    n = len(c)
    masks = np.arange(1 << n)
    best = np.zeros(1 << n, dtype=int)  # index of the dearest member (0 for the empty set)
    order = sorted(range(n), key=lambda i: c[i])
    for i in order:  # ascending: the last member seen in a mask is its dearest
        best[(masks >> i & 1).astype(bool)] = i
    values = [0] + [c[int(best[m])] for m in masks[1:]]
    return Game(values if _exact(c) else np.array(values, dtype=float), n)
