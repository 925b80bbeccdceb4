"""The core of a TU game: its constraints, membership and emptiness.

    core(v) = {x : x(N) = v(N),  x(T) >= v(T) for every coalition T}

* :func:`core_constraints` — the rows sum_{i in T} x_i >= v(T), one per nonempty T != N, as
  a 0/1 matrix and bounds (plus the equality x(N) = v(N));
* :func:`in_core` — membership with an *absolute* tolerance ``tol``: |x(N) - v(N)| <= tol and
  x(T) >= v(T) - tol for every T (all 2**n sums at once);
* :func:`core_is_empty` — the LP m = min sum_i x_i s.t. x(T) >= v(T) (rows generated as in
  :mod:`clsc.coop.rowgen`); the core is empty iff m > v(N) + tol * max(1, max|v|)
  (Bondareva-Shapley). It also reports the least-core value epsilon (core nonempty iff
  epsilon <= 0), a second LP that checks the first.

>>> glove = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}
>>> in_core(glove, [0, 0, 1]), in_core(glove, [0.5, 0, 0.5])
(True, False)
>>> check = core_is_empty(glove)
>>> bool(check), round(check.min_total, 9), round(check.epsilon, 9) + 0.0
(False, 1.0, 0.0)
>>> bool(core_is_empty({(1,): 0, (2,): 0, (3,): 0, (1, 2): 1, (1, 3): 1, (2, 3): 1,
...                     (1, 2, 3): 1}))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.coop.game import GameLike, allocation_vector, as_game, coalition_of
from clsc.coop.lexicographic import LP_MAX, least_core
from clsc.coop.rowgen import WorkingSet, bit_rows, solve_with_rows
from clsc.errors import ParameterError, SolverError
from clsc.results import Status
from clsc.solvers.program import LinearProgram

TOL = 1e-9


@dataclass(frozen=True)
class CoreConstraints:
    """Rows ``A @ x >= lower`` (one per nonempty coalition T != N, in bitmask order) and
    ``x.sum() == grand``. ``A`` is an int8 0/1 matrix, ``coalitions`` the tuples of the rows."""

    A: np.ndarray
    lower: np.ndarray
    coalitions: tuple[tuple[int, ...], ...]
    grand: float

    def to_frame(self):
        """One row per coalition: ``coalition``, ``size``, ``lower`` (v(T))."""
        import pandas as pd

        return pd.DataFrame(
            {
                "coalition": list(self.coalitions),
                "size": self.A.sum(axis=1).astype(int),
                "lower": self.lower,
            }
        )


def core_constraints(v: GameLike) -> CoreConstraints:
    """The core's inequality rows and its equality (module docstring)."""
    game = _table(v)
    masks = np.arange(1, (1 << game.n) - 1)
    a = ((masks[:, None] >> np.arange(game.n)) & 1).astype(np.int8)
    return CoreConstraints(
        a, game.values[masks].copy(), tuple(coalition_of(int(m)) for m in masks), game.grand()
    )


def core_violation(v: GameLike, x: Any) -> float:
    """Largest violation of the core at ``x``: max(|x(N) - v(N)|, max_T v(T) - x(T), 0)."""
    game = _table(v)
    e = game.excesses(allocation_vector(x, game.n))
    return float(max(abs(e[-1]), e[1:-1].max(initial=0.0), 0.0))


def in_core(v: GameLike, x: Any, tol: float = TOL) -> bool:
    """True when ``x`` is in the core of ``v`` up to the absolute tolerance ``tol``."""
    if not tol >= 0:
        raise ParameterError("tol", "must be >= 0", tol)
    return core_violation(v, x) <= tol


@dataclass(frozen=True)
class CoreCheck:
    """Outcome of :func:`core_is_empty`; ``bool(check)`` is ``empty``.

    ``min_total`` = min sum x over x(T) >= v(T), ``grand`` = v(N), ``epsilon`` the least-core
    value, ``point`` a least-core point (x(N) = v(N); in the core when epsilon <= 0).
    """

    empty: bool
    min_total: float
    grand: float
    epsilon: float
    point: np.ndarray
    status: Status
    n_lps: int = 0
    message: str = ""

    def to_frame(self):
        """One row: ``empty``, ``min_total``, ``grand``, ``epsilon``, ``status``."""
        import pandas as pd

        keys = ("empty", "min_total", "grand", "epsilon")
        row = {k: getattr(self, k) for k in keys}
        return pd.DataFrame([{**row, "status": str(self.status)}])

    def __bool__(self) -> bool:
        if self.status != Status.OPTIMAL:
            raise SolverError(f"core emptiness not decided: {self.message or self.status}")
        return self.empty


def core_is_empty(v: GameLike, tol: float = TOL) -> CoreCheck:
    """Decide whether the core of ``v`` is empty (module docstring; ``tol`` is relative to
    max(1, max|v|))."""
    game = _table(v)
    n = game.n
    if n == 1:
        return CoreCheck(
            False, game.grand(), game.grand(), -np.inf, np.array([game.grand()]), Status.OPTIMAL
        )
    cand = np.ones(1 << n, dtype=bool)
    cand[[0, (1 << n) - 1]] = False
    work = WorkingSet.start(n, cand)
    vals = game.values

    def build(masks: np.ndarray) -> LinearProgram:
        return LinearProgram(
            c=np.ones(n), A=bit_rows(masks, n), row_lower=vals[masks], col_lower=-np.inf
        )

    scaled = tol * game.scale()
    sol, lps = solve_with_rows(vals, work, build, lambda s: 0.0, scaled)
    lc = least_core(game)
    if not sol or lc.status != Status.OPTIMAL:
        bad = sol if not sol else lc
        return CoreCheck(
            False,
            np.nan,
            game.grand(),
            np.nan,
            np.full(n, np.nan),
            bad.status,
            lps + lc.n_lps,
            bad.message,
        )
    total = float(sol.x.sum())
    empty = total > game.grand() + scaled
    message = ""
    if empty != (lc.epsilon > scaled):
        message = "the two LPs disagree within the tolerance (a borderline game)"
    return CoreCheck(
        empty, total, game.grand(), lc.epsilon, lc.x, Status.OPTIMAL, lps + lc.n_lps, message
    )


def _table(v: GameLike):
    game = as_game(v)
    if game.n > LP_MAX or not game.tabulated:
        raise ParameterError("v", f"core computations need n <= {LP_MAX} players", game.n)
    return game
