"""Nucleolus and prenucleolus by a sequence of LPs with row generation.

The (pre)nucleolus minimises lexicographically the excesses e(S, x) = v(S) - x(S) of all
coalitions S != (), N, sorted in decreasing order, over the efficient vectors x(N) = v(N)
(prenucleolus) or the imputations, x_i >= v({i}) as well (nucleolus; the imputation set must
be nonempty: sum_i v({i}) <= v(N)). Level k solves

    min t   s.t.  x(N) = v(N),  x(S) = v(S) - t_j  for S fixed at levels j < k,
                  x(S) + t >= v(S)  for every other coalition S not in the span of the fixed,
                  [x_i >= v({i})  for the nucleolus]

with the coalition rows generated (:mod:`clsc.coop.rowgen`): only violated rows enter the LP.
The coalitions whose rows have a positive dual (> 1e-9; the row duals sum to 1) are tight at
*every* optimum of the level (complementary slackness), so they are fixed at t_k; an
imputation bound with a positive dual fixes x_i = v({i}). Coalitions whose indicator vector
lies in the span of the fixed ones (including N) have a determined excess and are dropped.
Each level raises the rank of the fixed set, so at most n - 1 levels are solved; x is then
the unique solution of the fixed equalities (solved by least squares, which also polishes
the LP's 1e-10 feasibility tolerance away).

A cost game c is shared through its saving game: ``nucleolus(from_costs(c))`` gives savings
s_i and cost shares c({i}) - s_i (the nucleolus of the cost game itself minimises the
largest x(S) - c(S) instead, which is the same allocation).

**Ties and tolerances.** A coalition is a violated row when its excess exceeds t by more than
``tol * max(1, max|v|)`` (tol = 1e-9). Coalitions tied with the level's optimum but without a
positive dual are not fixed at that level; they are fixed at a later level with the same t,
which changes the number of levels, not the answer. ``rows="all"`` passes every remaining
coalition to each LP (the plain sequence, for checks and benchmarks). ``exact=True`` (up to 8
players) rebuilds the answer in Fractions from the levels found and proves it by Kohlberg's
criterion in exact arithmetic (:mod:`clsc.coop.exact`).

>>> glove = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}
>>> nu = nucleolus(glove)
>>> str(nu.status), (nu.values.round(9) + 0.0).tolist()
('optimal', [0.0, 0.0, 1.0])
>>> [str(f) for f in nucleolus(glove, exact=True).exact]
['0', '0', '1']
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from clsc.coop.game import (
    Game,
    GameLike,
    as_game,
    coalition_of,
    player_frame,
    popcount,
    subset_sums,
)
from clsc.coop.rowgen import WorkingSet, bit_rows, solve_with_rows
from clsc.errors import ParameterError
from clsc.results import Status
from clsc.solvers.program import LinearProgram

TOL = 1e-9
DUAL_TOL = 1e-9
#: largest number of players of the LP method (the 2**n excesses are held in memory)
LP_MAX = 20
ROWS = ("generate", "all")


@dataclass(frozen=True)
class Level:
    """One LP of the sequence: its optimal maximal excess ``excess`` (t_k), the coalitions
    fixed at it and the players fixed at their stand-alone value (nucleolus)."""

    excess: float
    coalitions: tuple[tuple[int, ...], ...]
    at_lower_bound: tuple[int, ...] = ()


@dataclass(frozen=True)
class Nucleolus:
    """(Pre)nucleolus in player order 1..n.

    ``values`` the allocation (NaN unless the status is ``optimal``), ``kind``
    ``"nucleolus"`` or ``"prenucleolus"``, ``levels`` the LP sequence, ``n_lps`` the LPs
    solved, ``max_rows`` the most coalition rows in one LP, ``exact`` Fractions (exact mode).
    """

    values: np.ndarray
    status: Status
    kind: str
    levels: tuple[Level, ...] = ()
    n_lps: int = 0
    max_rows: int = 0
    exact: tuple[Fraction, ...] | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == Status.OPTIMAL

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)

    def levels_frame(self):
        """One row per fixed coalition: ``level`` (1, 2, ...), ``excess`` t_k, ``coalition``
        and ``at_lower_bound`` (True for a player fixed at x_i = v({i}))."""
        import pandas as pd

        rows = [
            (k + 1, lv.excess, c, False) for k, lv in enumerate(self.levels) for c in lv.coalitions
        ] + [
            (k + 1, lv.excess, (i,), True)
            for k, lv in enumerate(self.levels)
            for i in lv.at_lower_bound
        ]
        return pd.DataFrame(rows, columns=["level", "excess", "coalition", "at_lower_bound"])

    def to_frame(self):
        """One row per player: ``player``, ``value`` (plus ``kind`` and ``status``)."""
        return player_frame(value=self.values, kind=self.kind, status=str(self.status))


def nucleolus(v: GameLike, *, rows: str = "generate", exact: bool = False) -> Nucleolus:
    """Nucleolus of ``v`` (module docstring: method, ties, tolerances).

    Raises ParameterError when the imputation set is empty (sum_i v({i}) > v(N)).
    """
    return _run(v, imputation=True, rows=rows, exact=exact)


def prenucleolus(v: GameLike, *, rows: str = "generate", exact: bool = False) -> Nucleolus:
    """Prenucleolus of ``v``: the nucleolus over all efficient vectors x(N) = v(N)."""
    return _run(v, imputation=False, rows=rows, exact=exact)


@dataclass(frozen=True)
class LeastCore:
    """The least-core value ``epsilon`` = min_x max_{S != (), N} e(S, x) over x(N) = v(N),
    a point ``x`` attaining it (one of possibly many), the ``status`` and LPs solved. The core
    is nonempty iff epsilon <= 0 (-inf for one player: no coalition but N)."""

    epsilon: float
    x: np.ndarray
    status: Status
    n_lps: int = 0
    message: str = ""

    def to_frame(self):
        """One row per player: ``player``, ``x``, ``epsilon``, ``status``."""
        return player_frame(x=self.x, epsilon=self.epsilon, status=str(self.status))


def least_core(v: GameLike) -> LeastCore:
    """First LP of the prenucleolus sequence: min t s.t. x(S) + t >= v(S), x(N) = v(N).

    >>> lc = least_core({(1,): 0, (2,): 0, (3,): 0, (1, 2): 1, (1, 3): 1, (2, 3): 1,
    ...                  (1, 2, 3): 1})
    >>> round(lc.epsilon, 9), lc.x.round(9).tolist()
    (0.333333333, [0.333333333, 0.333333333, 0.333333333])
    """
    game = as_game(v)
    if game.n > LP_MAX or not game.tabulated:
        raise ParameterError("v", f"the least core needs n <= {LP_MAX} players", game.n)
    if game.n == 1:
        return LeastCore(-np.inf, np.array([game.grand()]), Status.OPTIMAL)
    seq = _Sequence(game, False, False)
    work = WorkingSet.start(game.n, seq.free)
    sol, lps = solve_with_rows(seq.v, work, seq._build, lambda s: s.x[game.n], seq.tol)
    if not sol:
        return LeastCore(np.nan, np.full(game.n, np.nan), sol.status, lps, sol.message)
    return LeastCore(float(sol.x[game.n]), sol.x[: game.n], Status.OPTIMAL, lps)


def _run(v: GameLike, *, imputation: bool, rows: str, exact: bool) -> Nucleolus:
    if rows not in ROWS:
        raise ParameterError("rows", f"must be one of {', '.join(ROWS)}", rows)
    game = as_game(v)
    if game.n > LP_MAX or not game.tabulated:
        raise ParameterError("v", f"the nucleolus needs n <= {LP_MAX} players", game.n)
    kind = "nucleolus" if imputation else "prenucleolus"
    single = game.singletons()
    if imputation and single.sum() > game.grand() + TOL * game.scale():
        raise ParameterError(
            "v",
            "has an empty imputation set (the nucleolus needs sum_i v({i}) <= v(N))",
            f"sum_i v({{i}}) = {single.sum():.10g} > v(N) = {game.grand():.10g}",
        )
    seq = _Sequence(game, imputation, rows == "all")
    result = seq.run(kind)
    if exact and result.ok:
        from clsc.coop.exact import prove

        return prove(game, result, seq.equalities())
    return result


class _Sequence:
    """State of the level LPs: the fixed equalities and the coalitions still free."""

    def __init__(self, game: Game, imputation: bool, all_rows: bool):
        n = game.n
        self.game, self.n, self.imputation, self.all_rows = game, n, imputation, all_rows
        self.v = game.values
        self.full = (1 << n) - 1
        self.tol = TOL * game.scale()
        self.free = np.ones(1 << n, dtype=bool)
        self.free[[0, self.full]] = False
        self.size = popcount(np.arange(1 << n)).astype(float)
        self.eq: list[tuple[int, float, int]] = [(self.full, float(self.v[self.full]), -1)]
        self.at_lower = np.zeros(n, dtype=bool)
        self.basis: list[np.ndarray] = []
        self.projection = np.zeros(1 << n)
        self.levels: list[Level] = []
        self.n_lps = 0
        self.max_rows = 0
        self._extend_basis(np.ones(n))

    # -- span of the fixed coalitions ------------------------------------------------------
    def _extend_basis(self, vector: np.ndarray) -> None:
        for q in self.basis:
            vector = vector - (vector @ q) * q
        norm = np.linalg.norm(vector)
        if norm < 1e-9:
            return
        q = vector / norm
        self.basis.append(q)
        self.projection += subset_sums(q) ** 2  # |proj of 1_S|^2, for every S at once
        self.free &= self.size - self.projection > 1e-7

    # -- one level ---------------------------------------------------------------------------
    def _build(self, masks: np.ndarray) -> LinearProgram:
        n = self.n
        eq_masks = np.array([m for m, _, _ in self.eq], dtype=np.int64)
        eq_rhs = np.array([r for _, r, _ in self.eq])
        blocks = [np.c_[bit_rows(eq_masks, n), np.zeros(len(eq_masks))]]
        lower, upper = [eq_rhs], [eq_rhs]
        if self.imputation:
            open_ = np.flatnonzero(~self.at_lower)
            blocks.append(np.c_[np.eye(n)[open_], np.zeros(open_.size)])
            lower.append(self.v[1 << open_])
            upper.append(np.full(open_.size, np.inf))
        blocks.append(np.c_[bit_rows(masks, n), np.ones(masks.size)])
        lower.append(self.v[masks])
        upper.append(np.full(masks.size, np.inf))
        self.max_rows = max(self.max_rows, int(masks.size))
        c = np.zeros(n + 1)
        c[n] = 1.0
        return LinearProgram(
            c=c,
            A=np.vstack(blocks),
            row_lower=np.concatenate(lower),
            row_upper=np.concatenate(upper),
            col_lower=-np.inf,
        )

    def run(self, kind: str) -> Nucleolus:
        n = self.n
        work = WorkingSet.start(n, self.free, all_rows=self.all_rows)
        while len(self.basis) < n:
            work.restrict(self.free)
            if self.all_rows:
                work.masks = np.flatnonzero(self.free).astype(np.int64)
            elif work.masks.size == 0:
                work.seed(self._excess_at_last())
            sol, lps = solve_with_rows(
                self.v, work, self._build, lambda s: s.x[n], self.tol, generate=not self.all_rows
            )
            self.n_lps += lps
            if not sol or sol.y is None:
                return self._failed(
                    kind,
                    sol.status if not sol else Status.SOLVER_ERROR,
                    sol.message or "HiGHS returned no duals",
                )
            self.x_last = sol.x[:n]
            if not self._fix(sol, work.masks):
                return self._failed(kind, Status.SOLVER_ERROR, "no tight coalition found")
        return self._finish(kind)

    def _excess_at_last(self) -> np.ndarray:
        return self.v - subset_sums(self.x_last)

    def _fix(self, sol, masks: np.ndarray) -> bool:
        n, t = self.n, float(sol.x[self.n])
        y = sol.y
        n_eq = len(self.eq)
        n_imp = int((~self.at_lower).sum()) if self.imputation else 0
        tight = masks[y[n_eq + n_imp :] > DUAL_TOL]
        lows: list[int] = []
        if self.imputation:
            open_ = np.flatnonzero(~self.at_lower)
            lows = [int(i) for i in open_[y[n_eq : n_eq + n_imp] > DUAL_TOL]]
        if tight.size == 0 and not lows:
            return False
        k = len(self.levels)
        for m in tight:
            self.eq.append((int(m), float(self.v[m]) - t, k))
            self.free[m] = False
            self._extend_basis(bit_rows(np.array([m]), n)[0])
        for i in lows:
            self.at_lower[i] = True
            self.eq.append((1 << i, float(self.v[1 << i]), -2))
            self._extend_basis(np.eye(n)[i])
        self.levels.append(
            Level(t, tuple(coalition_of(int(m)) for m in tight), tuple(i + 1 for i in lows))
        )
        return True

    def _finish(self, kind: str) -> Nucleolus:
        masks = np.array([m for m, _, _ in self.eq], dtype=np.int64)
        rhs = np.array([r for _, r, _ in self.eq])
        x = np.linalg.lstsq(bit_rows(masks, self.n), rhs, rcond=None)[0]
        return Nucleolus(x, Status.OPTIMAL, kind, tuple(self.levels), self.n_lps, self.max_rows)

    def _failed(self, kind: str, status: Status, message: str) -> Nucleolus:
        return Nucleolus(
            np.full(self.n, np.nan),
            status,
            kind,
            tuple(self.levels),
            self.n_lps,
            self.max_rows,
            message=message,
        )

    def equalities(self) -> list[tuple[int, int]]:
        """(mask, level) of every fixed equality: level -1 for N, -2 for x_i = v({i})."""
        return [(m, k) for m, _, k in self.eq]
