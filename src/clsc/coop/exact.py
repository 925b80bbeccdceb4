"""Exact (rational) nucleolus: rebuild the float answer in Fractions and prove it.

1. **Rebuild.** The float LP sequence fixed, at level k, coalitions S with x(S) + t_k = v(S),
   players at x_i = v({i}) (nucleolus) and x(N) = v(N). These equalities are solved in
   rationals (sympy), unknowns x and t_1..t_K; x must be determined uniquely.
2. **Prove.** Kohlberg's criterion (Kohlberg 1971; see Peleg and Sudhölter 2007, ch. 5-6,
   for the prenucleolus and the imputation version): x is the (pre)nucleolus iff for every
   excess value a, the coalitions B(a) = {S != (), N : e(S, x) >= a} admit weights
   lambda_S > 0 (and mu_i >= 0 on the players with x_i = v({i}), nucleolus only) with
   sum_S lambda_S 1_S + sum_i mu_i e_i = kappa * 1_N. Each test ends with an exact
   certificate: such weights (lambda_S >= 1 by scaling), or a direction y of Stiemke's
   alternative. HiGHS finds the certificate; it is rebuilt in Fractions from the constraints
   active at the float vertex and checked exactly (sympy's own rational simplex was not used:
   it cycles on some of these degenerate problems). Once B(a) and N span R^n every larger
   collection passes too, so the test stops there.

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
from clsc.coop.rowgen import HIGHS_OPTIONS
from clsc.errors import ParameterError, SolverError
from clsc.results import Status
from clsc.solvers.highs import solve
from clsc.solvers.program import LinearProgram

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
    try:
        proved = is_nucleolus(game, x, imputation=imputation)
    except SolverError:
        proved = False
    if not proved:
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
    """Is {1_S : S in masks} balanced relative to the players ``lows`` (module docstring)?

    Both answers come with an exact certificate: weights lambda_S >= 1, mu_i >= 0 with
    sum lambda_S 1_S + sum mu_i e_i = kappa 1_N; or a direction y with y(N) = 0,
    sum_S y(S) = 1, y(S) >= 0 on masks and y_i >= 0 on ``lows`` (Stiemke's alternative). Each
    is found by HiGHS and rebuilt in Fractions from the constraints active at the float vertex.
    """
    cols = np.zeros((n, len(masks)))
    for j, m in enumerate(masks):
        cols[:, j] = [m >> i & 1 for i in range(n)]
    k = len(masks) + len(lows) + 1
    a_eq = np.zeros((n, k))
    a_eq[:, : len(masks)] = cols
    a_eq[lows, len(masks) + np.arange(len(lows))] = 1.0
    a_eq[:, -1] = -1.0
    bounds = np.eye(k)[:-1]  # lambda >= 1, mu >= 0 (kappa free)
    floor = np.r_[np.ones(len(masks)), np.zeros(len(lows))]
    if _certified(a_eq, np.zeros(n), bounds, floor):
        return True
    a_eq = np.vstack([np.ones(n), cols.sum(axis=1)])
    rows = np.vstack([cols.T, np.eye(n)[lows]])
    if _certified(a_eq, np.array([0.0, 1.0]), rows, np.zeros(rows.shape[0])):
        return False
    raise SolverError("balancedness not decided in exact arithmetic")


def _certified(a_eq: np.ndarray, b_eq: np.ndarray, g: np.ndarray, h: np.ndarray) -> bool:
    """Is there z with a_eq z = b_eq, g z >= h? True only with an exact (Fraction) point."""
    import sympy as sp

    lp = LinearProgram(
        c=np.zeros(a_eq.shape[1]),
        A=np.vstack([a_eq, g]),
        row_lower=np.r_[b_eq, h],
        row_upper=np.r_[b_eq, np.full(h.size, np.inf)],
        col_lower=-np.inf,
    )
    sol = solve(lp, options=HIGHS_OPTIONS)
    if not sol:
        return False
    active = np.abs(g @ sol.x - h) <= 1e-9 * (1.0 + np.abs(h))
    m = sp.Matrix(np.vstack([a_eq, g[active]]).astype(int).tolist())
    rhs = sp.Matrix(np.r_[b_eq, h[active]].astype(int).tolist())
    try:
        z, params = m.gauss_jordan_solve(rhs)
    except ValueError:
        return False
    z = z.subs(dict.fromkeys(params, 0))
    ok_eq = sp.Matrix(a_eq.astype(int).tolist()) * z == sp.Matrix(b_eq.astype(int).tolist())
    gz = sp.Matrix(g.astype(int).tolist()) * z
    return bool(ok_eq and all(gz[i] >= int(h[i]) for i in range(h.size)))
