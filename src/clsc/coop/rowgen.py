"""Row generation for LPs with one constraint per coalition (2**n of them).

An LP over ``x`` (one column per player) plus extra columns has a row ``x(S) + a*t >= v(S)``
for every coalition S of a candidate set; only a working subset of these rows is passed to
HiGHS. After each solve the excesses ``e(S) = v(S) - x(S)`` of *all* candidates are computed at
once (:func:`~clsc.coop.game.subset_sums`, O(2**n)) and the most violated rows — those with
``e(S) > level + tol`` — are added with their complements, until none is violated. The last
solution is then optimal for the full LP (it is feasible for it and optimal for a relaxation),
and its row duals, extended by zeros, are optimal duals of the full LP.

Keeping the working set closed under complements keeps the level LPs bounded: the rows of S
and N \\ S give 2t >= v(S) + v(N \\ S) - v(N).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from clsc.coop.game import subset_sums
from clsc.solvers.highs import solve
from clsc.solvers.program import LinearProgram, Solution

#: HiGHS tolerances for the coalition LPs (tighter than the defaults, 1e-7)
#: (presolve only costs time on these small, dense LPs)
HIGHS_OPTIONS = {
    "primal_feasibility_tolerance": 1e-10,
    "dual_feasibility_tolerance": 1e-10,
    "presolve": "off",
}


def bit_rows(masks: np.ndarray, n: int) -> np.ndarray:
    """0/1 matrix with one row per coalition mask and one column per player."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(float)


@dataclass
class WorkingSet:
    """The coalition rows currently in the LP (``masks``) among the ``candidates``."""

    n: int
    candidates: np.ndarray  # bool over all 2**n masks
    masks: np.ndarray
    cap: int

    @classmethod
    def start(cls, n: int, candidates: np.ndarray, *, all_rows: bool = False) -> WorkingSet:
        full = (1 << n) - 1
        if all_rows:
            masks = np.flatnonzero(candidates)
        else:
            single = np.array([1 << i for i in range(n)], dtype=np.int64)
            masks = np.unique(np.concatenate([single, full ^ single]))
            masks = masks[candidates[masks]]
        return cls(n, candidates, masks.astype(np.int64), max(2 * n, 16))

    def restrict(self, candidates: np.ndarray) -> None:
        """Drop rows that are no longer candidates."""
        self.candidates = candidates
        self.masks = self.masks[candidates[self.masks]]

    def add_violated(self, excess: np.ndarray, level: float, tol: float) -> bool:
        """Add the most violated candidate rows (and complements); False if none is."""
        inside = np.zeros(self.candidates.size, dtype=bool)
        inside[self.masks] = True
        viol = np.flatnonzero(self.candidates & ~inside & (excess > level + tol))
        if viol.size == 0:
            return False
        if viol.size > self.cap:
            viol = viol[np.argpartition(-excess[viol], self.cap)[: self.cap]]
        full = (1 << self.n) - 1
        new = np.concatenate([viol, full ^ viol])
        new = new[self.candidates[new] & ~inside[new]]
        self.masks = np.unique(np.concatenate([self.masks, new]))
        return True

    def seed(self, excess: np.ndarray) -> None:
        """Start an empty working set from the candidates of largest excess."""
        cand = np.flatnonzero(self.candidates)
        if cand.size > self.cap:
            cand = cand[np.argpartition(-excess[cand], self.cap)[: self.cap]]
        full = (1 << self.n) - 1
        self.masks = np.unique(np.concatenate([cand, full ^ cand]))
        self.masks = self.masks[self.candidates[self.masks]]


def solve_with_rows(
    values: np.ndarray,
    work: WorkingSet,
    build: Callable[[np.ndarray], LinearProgram],
    level: Callable[[Solution], float],
    tol: float,
    *,
    generate: bool = True,
) -> tuple[Solution, int]:
    """Solve ``build(work.masks)`` adding violated rows until none is left.

    ``level(solution)`` is the threshold of the row test (t for excess rows, 0 for core rows).
    Returns the last solution (not optimal: a failed status) and the number of LPs solved.
    """
    n_lps = 0
    while True:
        sol = solve(build(work.masks), options=HIGHS_OPTIONS)
        n_lps += 1
        if not sol or not generate:
            return sol, n_lps
        excess = values - subset_sums(sol.x[: work.n])
        if not work.add_violated(excess, level(sol), tol):
            return sol, n_lps
