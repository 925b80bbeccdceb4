"""Exact (rational) nucleolus: rebuild the float answer in Fractions and prove it.

1. **Rebuild.** The float LP sequence fixed, at level k, coalitions S with x(S) + t_k = v(S),
   players at x_i = v({i}) (nucleolus) and x(N) = v(N). These equalities are solved in
   rationals (sympy), unknowns x and t_1..t_K; x must be determined uniquely.
2. **Prove.** Kohlberg's criterion (Kohlberg 1971; see Peleg and Sudhölter 2007, ch. 5-6,
   for the prenucleolus and the imputation version): x is the (pre)nucleolus iff for every
   excess value a, the coalitions B(a) = {S != (), N : e(S, x) >= a} admit weights
   lambda_S > 0 (and mu_i >= 0 on the players with x_i = v({i}), nucleolus only) with
   sum_S lambda_S 1_S + sum_i mu_i e_i = kappa * 1_N. Each test is an exact LP feasibility
   problem (sympy's rational simplex, lambda_S >= 1 by scaling). Once B(a) and N span R^n every
   larger collection passes too, so the test stops there.

If the rebuild is not unique or the criterion fails (a float tie misread), the float answer is
returned with status ``not_proven``; it is never reported as exact.

>>> from clsc.coop.lexicographic import nucleolus
>>> g = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 1, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}
>>> [str(f) for f in nucleolus(g, exact=True).exact]
['1/3', '1/3', '1/3']
>>> is_nucleolus(g, [Fraction(1, 2), Fraction(1, 2), 0])
False
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from clsc.coop.game import Game, GameLike, as_game
from clsc.errors import ParameterError
from clsc.results import Status

#: largest number of players of the exact mode
EXACT_MAX = 8


def prove(game: Game, result: Any, equalities: list[tuple[int, int]]):
    """``result`` (a float Nucleolus) with ``exact`` Fractions, or status ``not_proven``."""
    if game.n > EXACT_MAX:
        raise ParameterError("exact", f"needs n <= {EXACT_MAX} players", game.n)
    imputation = result.kind == "nucleolus"
    x = _rebuild(game, equalities)
    if x is None:
        return replace(
            result,
            status=Status.NOT_PROVEN,
            message="the levels found do not determine x in exact arithmetic",
        )
    if not is_nucleolus(game, x, imputation=imputation):
        return replace(
            result,
            status=Status.NOT_PROVEN,
            message="Kohlberg's criterion fails for the rebuilt x (float tie?)",
        )
    return replace(result, values=np.array([float(f) for f in x]), exact=tuple(x))


def _rebuild(game: Game, equalities: list[tuple[int, int]]) -> list[Fraction] | None:
    import sympy as sp

    n, v = game.n, game.exact_values()
    levels = sorted({k for _, k in equalities if k >= 0})
    col = {k: n + j for j, k in enumerate(levels)}
    rows, rhs = [], []
    for mask, k in equalities:
        row = [1 if mask >> i & 1 else 0 for i in range(n)] + [0] * len(levels)
        if k >= 0:
            row[col[k]] = 1
        rows.append(row)
        rhs.append(sp.Rational(v[mask].numerator, v[mask].denominator))
    try:
        sol, params = sp.Matrix(rows).gauss_jordan_solve(sp.Matrix(rhs))
    except ValueError:  # inconsistent
        return None
    x = sol[:n, 0]
    if any(entry.free_symbols & set(params) for entry in x):
        return None
    return [Fraction(int(e.p), int(e.q)) for e in x]


def is_nucleolus(v: GameLike, x: Any, *, imputation: bool = True) -> bool:
    """Exact Kohlberg test that ``x`` (Fractions or ints) is the nucleolus of ``v`` (the
    prenucleolus with ``imputation=False``); games of up to 8 players."""
    game = as_game(v)
    n = game.n
    if n > EXACT_MAX:
        raise ParameterError("v", f"the exact test needs n <= {EXACT_MAX} players", n)
    vals = game.exact_values()
    x = [Fraction(xi) for xi in x]
    if len(x) != n:
        raise ParameterError("x", f"must have one entry per player (n={n})", len(x))
    full = (1 << n) - 1
    if sum(x) != vals[full]:
        return False
    lows = [i for i in range(n) if x[i] == vals[1 << i]] if imputation else []
    if imputation and any(x[i] < vals[1 << i] for i in range(n)):
        return False
    if n == 1:
        return True
    excess = {m: vals[m] - sum(x[i] for i in range(n) if m >> i & 1) for m in range(1, full)}
    for a in sorted(set(excess.values()), reverse=True):
        masks = [m for m, e in excess.items() if e >= a]
        if not _balanced(masks, lows, n):
            return False
        if _rank(masks, n) == n:
            return True
    return True


def _rank(masks: list[int], n: int) -> int:
    rows = [[m >> i & 1 for i in range(n)] for m in masks] + [[1] * n]
    return int(np.linalg.matrix_rank(np.array(rows, dtype=float)))


def _balanced(masks: list[int], lows: list[int], n: int) -> bool:
    """Exact LP feasibility: lambda_S >= 1 on masks, mu_i >= 0, kappa >= 0 with
    sum lambda_S 1_S + sum mu_i e_i - kappa 1_N = 0 (lambda = 1 + lambda')."""
    import sympy as sp
    from sympy.solvers.simplex import InfeasibleLPError, linprog

    k = len(masks) + len(lows) + 1
    a_eq = sp.zeros(n, k)
    b_eq = sp.zeros(n, 1)
    for j, m in enumerate(masks):
        for i in range(n):
            if m >> i & 1:
                a_eq[i, j] = 1
                b_eq[i] -= 1
    for j, i in enumerate(lows):
        a_eq[i, len(masks) + j] = 1
    for i in range(n):
        a_eq[i, k - 1] = -1
    try:
        # an all-zero inequality row: sympy's linprog needs A when A_eq is given
        linprog(sp.zeros(1, k), A=sp.zeros(1, k), b=sp.zeros(1, 1), A_eq=a_eq, b_eq=b_eq)
    except InfeasibleLPError:
        return False
    return True
