"""Transferable-utility games: coalition values held as a vector indexed by bitmask.

Players are numbered 1..n. A coalition is a tuple of player numbers, e.g. ``(1, 3)``; inside,
coalition S is the bitmask ``sum(1 << (i - 1) for i in S)``, so ``Game.values[m]`` is v(S) for
the coalition with mask ``m`` and ``values[0] = v(()) = 0``.

A game is built from

* a mapping ``{coalition: value}`` naming every nonempty coalition (the empty coalition may be
  given, with value 0; the order inside a tuple does not matter);
* a callable ``f(coalition) -> value`` and the number of players ``n`` (tabulated at once for
  ``n <= TABLE_MAX``, called on demand beyond, e.g. by sampled Shapley values);
* an array of length ``2**n`` indexed by bitmask (entry 0 must be 0).

Values that are all rational (``int``, :class:`fractions.Fraction`) are also kept exactly for
the exact modes (:meth:`Game.exact_values`). :func:`from_costs` turns a cost game c into its
saving game ``v(S) = sum_{i in S} c({i}) - c(S)``.

>>> g = Game({(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1})
>>> g.n, g[(1, 3)], g.values.tolist()
(3, 1.0, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
>>> s = from_costs({(1,): 4, (2,): 3, (1, 2): 5})
>>> s[(1, 2)], s[(1,)]
(2.0, 0.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from clsc.errors import ParameterError

#: largest number of players held as a full table of 2**n values (8 MiB at 20)
TABLE_MAX = 20
#: largest number of players of any game (coalitions are int64 bitmasks)
N_MAX = 62

Coalition = tuple[int, ...]
GameLike = Any  # Game, Mapping[coalition, value] or array of length 2**n


def popcount(masks: np.ndarray) -> np.ndarray:
    """Number of players in each coalition bitmask."""
    return np.bitwise_count(np.asarray(masks, dtype=np.int64)).astype(np.int64)


def subset_sums(x: np.ndarray) -> np.ndarray:
    """``s[m] = sum of x[i] over the bits i of m`` for every mask ``m < 2**len(x)``.

    >>> subset_sums(np.array([1.0, 10.0])).tolist()
    [0.0, 1.0, 10.0, 11.0]
    """
    s = np.zeros(1, dtype=np.result_type(x, float))
    for xi in np.asarray(x):
        s = np.concatenate([s, s + xi])
    return s


def mask_of(coalition: Iterable[int], n: int | None = None) -> int:
    """Bitmask of a coalition of 1-based players (checked against ``n`` when given)."""
    if isinstance(coalition, numbers.Integral):
        coalition = (int(coalition),)
    try:
        players = list(coalition)
    except TypeError:
        raise ParameterError("coalition", "must be a tuple of player numbers", coalition) from None
    mask = 0
    for p in players:
        if isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 1:
            raise ParameterError("coalition", "must hold player numbers 1, 2, ...", coalition)
        if n is not None and p > n:
            raise ParameterError("coalition", f"names a player beyond n={n}", coalition)
        if p > N_MAX:
            raise ParameterError("coalition", f"players must be <= {N_MAX}", coalition)
        bit = 1 << (int(p) - 1)
        if mask & bit:
            raise ParameterError("coalition", "names a player twice", coalition)
        mask |= bit
    return mask


def coalition_of(mask: int) -> Coalition:
    """Tuple of the 1-based players of a bitmask: ``coalition_of(5) == (1, 3)``."""
    mask = int(mask)
    return tuple(i + 1 for i in range(mask.bit_length()) if mask >> i & 1)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, "must be a real number", value)
    out = float(value)
    if not math.isfinite(out):
        raise ParameterError(name, "must be finite", value)
    return out


def _exact_or_none(values: Iterable[Any]) -> tuple[Fraction, ...] | None:
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Rational):
            return None
        out.append(Fraction(value))
    return tuple(out)


class Game:
    """A TU game v on players 1..n (see the module docstring for the accepted inputs).

    ``values`` is the float vector of v indexed by bitmask; ``game[coalition]`` one value.
    """

    __slots__ = ("_exact", "_func", "_values", "n")

    def __init__(self, v: GameLike, n: int | None = None):
        self._exact: tuple[Fraction, ...] | None = None
        self._func: Callable[[Coalition], Any] | None = None
        self._values: np.ndarray | None = None
        if isinstance(v, Game):
            if n is not None and n != v.n:
                raise ParameterError("n", f"differs from the game's {v.n} players", n)
            self.n, self._values, self._exact, self._func = v.n, v._values, v._exact, v._func
        elif isinstance(v, Mapping):
            self._from_mapping(v, n)
        elif callable(v):
            self._from_callable(v, n)
        else:
            self._from_array(v, n)

    # -- construction ------------------------------------------------------------------------
    def _from_mapping(self, v: Mapping, n: int | None) -> None:
        items = {}
        for key, value in v.items():
            mask = mask_of(key, n)
            if mask in items:
                raise ParameterError("v", "names a coalition twice", key)
            items[mask] = (key, value)
        n = max(int(m).bit_length() for m in items) if n is None and items else n
        if not n:
            raise ParameterError("v", "must name at least one player", dict(v))
        _check_n(n, table=True)
        raw = [0] * (1 << n)
        for mask in range(1, 1 << n):
            if mask not in items:
                raise ParameterError(
                    "v", "must give a value for every coalition; missing", coalition_of(mask)
                )
            key, value = items[mask]
            _number(f"v{coalition_of(mask)}", value)
            raw[mask] = value
        if 0 in items and _number("v(())", items[0][1]) != 0:
            raise ParameterError("v(())", "must be 0 (the empty coalition)", items[0][1])
        self._set(n, raw)

    def _from_callable(self, f: Callable, n: int | None) -> None:
        if n is None:
            raise ParameterError("n", "must be given with a callable game", None)
        _check_n(n, table=False)
        if n > TABLE_MAX:
            self.n, self._func = int(n), f
            return
        self._set(n, [0] + [f(coalition_of(m)) for m in range(1, 1 << n)])

    def _from_array(self, v: Any, n: int | None) -> None:
        if isinstance(v, np.ndarray) and v.dtype.kind in "iuf" and v.ndim == 1:
            seq = v  # numeric: checked at once below
        else:
            try:
                seq = list(v)
            except TypeError:
                raise ParameterError(
                    "v", "must be a Game, a mapping, a callable or an array", type(v).__name__
                ) from None
        size = len(seq)
        bits = size.bit_length() - 1
        if size < 2 or size != 1 << bits or (n is not None and n != bits):
            raise ParameterError("v", "must have length 2**n (one value per bitmask)", size)
        _check_n(bits, table=True)
        if _number("v[0]", seq[0]) != 0:
            raise ParameterError("v[0]", "must be 0 (the empty coalition)", seq[0])
        self._set(bits, seq)

    def _set(self, n: int, raw: Any) -> None:
        if isinstance(raw, np.ndarray):
            values = raw.astype(float)
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                m = int(bad[0])
                raise ParameterError(f"v{coalition_of(m)}", "must be finite", values[m])
            values[0] = 0.0
            self.n, self._values, self._exact = int(n), values, None
            return
        values = np.empty(len(raw), dtype=float)
        for m, value in enumerate(raw):
            values[m] = _number(f"v{coalition_of(m)}", value)
        values[0] = 0.0
        self.n, self._values, self._exact = int(n), values, _exact_or_none(raw)

    # -- access ------------------------------------------------------------------------------
    @property
    def tabulated(self) -> bool:
        """True when all 2**n values are held (always for n <= TABLE_MAX)."""
        return self._values is not None

    @property
    def values(self) -> np.ndarray:
        """v as a read-only float vector of length 2**n indexed by bitmask."""
        if self._values is None:
            raise ParameterError(
                "v",
                f"has {self.n} players; a full table needs n <= {TABLE_MAX} (use a sampled method)",
                self.n,
            )
        out = self._values.view()
        out.flags.writeable = False
        return out

    @property
    def players(self) -> tuple[int, ...]:
        return tuple(range(1, self.n + 1))

    @property
    def is_exact(self) -> bool:
        """True when every value was given as an int or Fraction."""
        return self._exact is not None

    def exact_values(self) -> tuple[Fraction, ...]:
        """v as Fractions indexed by bitmask: the given rationals, else each float's exact
        binary value (``Fraction(0.1) != Fraction(1, 10)``: give Fractions for decimal data)."""
        if self._exact is not None:
            return self._exact
        return tuple(Fraction(float(x)) for x in self.values)

    def value(self, coalition: Iterable[int] | int) -> float:
        """v(coalition); ``()`` is 0."""
        mask = mask_of(coalition, self.n)
        if self._values is not None:
            return float(self._values[mask])
        return (
            0.0 if mask == 0 else _number(f"v{coalition_of(mask)}", self._func(coalition_of(mask)))
        )

    __getitem__ = value

    def value_of_mask(self, mask: int) -> float:
        """v of the coalition with bitmask ``mask`` (lazy games call their function)."""
        if self._values is not None:
            return float(self._values[mask])
        return (
            0.0 if mask == 0 else _number(f"v{coalition_of(mask)}", self._func(coalition_of(mask)))
        )

    def singletons(self) -> np.ndarray:
        """(v({1}), ..., v({n}))."""
        return np.array([self.value_of_mask(1 << i) for i in range(self.n)])

    def grand(self) -> float:
        """v(N)."""
        return self.value_of_mask((1 << self.n) - 1)

    def scale(self) -> float:
        """max(1, max |v|): the magnitude absolute tolerances are multiplied by."""
        if self._values is None:
            return max(1.0, abs(self.grand()), float(np.abs(self.singletons()).max()))
        return max(1.0, float(np.abs(self._values).max()))

    def excesses(self, x: Any) -> np.ndarray:
        """e(S, x) = v(S) - x(S) for every bitmask S (``e[0] = 0``)."""
        x = allocation_vector(x, self.n)
        return self.values - subset_sums(x)

    def to_frame(self):
        """One row per nonempty coalition: ``coalition``, ``size``, ``value``."""
        import pandas as pd

        masks = np.arange(1, 1 << self.n)
        return pd.DataFrame(
            {
                "coalition": [coalition_of(m) for m in masks],
                "size": popcount(masks),
                "value": self.values[1:],
            }
        )

    def __repr__(self) -> str:
        return f"Game(n={self.n})"


def _check_n(n: Any, *, table: bool) -> None:
    top = TABLE_MAX + 4 if table else N_MAX
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= top:
        raise ParameterError("n", f"must be an integer in [1, {top}]", n)


def as_game(v: GameLike, n: int | None = None) -> Game:
    """``v`` as a :class:`Game` (a Game is returned as it is)."""
    if isinstance(v, Game) and (n is None or n == v.n):
        return v
    return Game(v, n)


def allocation_vector(x: Any, n: int, name: str = "x") -> np.ndarray:
    """``x`` as a float vector of length n with finite entries (ParameterError otherwise);
    result objects with a ``values`` array (Shapley, nucleolus) are accepted."""
    values = getattr(x, "values", x)
    try:
        arr = np.asarray(values if not callable(values) else x, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a vector of numbers", x) from None
    if arr.shape != (n,):
        raise ParameterError(name, f"must have one entry per player (n={n})", arr.shape)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be finite", arr.tolist())
    return arr


def from_costs(c: GameLike, n: int | None = None) -> Game:
    """The saving game of a cost game: ``v(S) = sum_{i in S} c({i}) - c(S)``.

    Exact (Fraction) costs give an exact saving game.

    >>> from_costs({(1,): 2, (2,): 3, (1, 2): 4}).values.tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    cost = as_game(c, n)
    if not cost.tabulated:
        f = cost.value_of_mask

        def saving(coalition: Coalition) -> float:
            mask = mask_of(coalition)
            return sum(f(1 << (i - 1)) for i in coalition) - f(mask)

        return Game(saving, cost.n)
    if cost.is_exact:
        ex = cost.exact_values()
        single = [ex[1 << i] for i in range(cost.n)]
        sums = [
            sum((single[i] for i in range(cost.n) if m >> i & 1), Fraction(0))
            for m in range(1 << cost.n)
        ]
        return Game([s - e for s, e in zip(sums, ex, strict=True)])
    values = subset_sums(cost.singletons()) - cost.values
    values[0] = 0.0
    return Game(values)


def player_frame(**columns: Any):
    """A ``pandas.DataFrame`` with one row per player: ``player`` (1 .. n, n the length of the
    first column), then ``columns`` (n values each, or a scalar repeated).

    >>> print(player_frame(value=[1.5, 2.5], status="optimal").to_string(index=False))
     player  value  status
          1    1.5 optimal
          2    2.5 optimal
    """
    import pandas as pd

    n = len(next(iter(columns.values())))
    return pd.DataFrame({"player": np.arange(1, n + 1), **columns})
