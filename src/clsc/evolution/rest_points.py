"""Rest points of replicator dynamics, found by support enumeration, and their stability.

A state is a rest point iff, in every population, all strategies in use earn the same
fitness. For each *support profile* (a non-empty set of strategies per population) the
indifference conditions are solved directly; no random starts:

* one population: ``A_SS p = v 1``, ``sum p = 1`` — a linear system per support ``S``
  (the vertices are the supports of size one);
* ``N`` populations with at most two of them mixed: each mixed population's conditions are
  linear in the other mixed population's shares (the pure ones are fixed), so again linear;
* three or more mixed populations: a polynomial system, solved exactly by sympy (Groebner
  basis on the payoffs converted exactly to rationals).

A solution counts when all its shares on the support are ``> POSITIVE`` (one on the boundary is
found on the smaller face). A singular but consistent linear system means a *continuum*: an LP
(HiGHS, through :mod:`clsc.solvers`) decides whether it meets the face's relative interior and
returns a witness point, reported with ``isolated=False``; a single mixed population that is
indifferent on a whole face gives the face's barycentre as witness. A witness's Jacobian has a
zero eigenvalue along the continuum, so it classifies as ``degenerate``. Continua of the
polynomial case are listed in ``RestPoints.continua`` without a witness.

**Classification** from the eigenvalues ``lambda`` of the tangent-space Jacobian
(:func:`clsc.evolution.replicator.jacobian`, drop-last chart), with ``tol = 1e-9 max(1, |J|)``:

* ``ESS``: all ``Re lambda < -tol`` and, for one population, the static ESS test holds (strict
  Nash outside the support, ``A`` negative definite on the support's tangent space); for several
  populations the point is pure (a strict Nash equilibrium, Selten's ESS);
* ``stable``: all ``Re lambda < -tol`` but the ESS test fails (e.g. Zeeman's game);
* ``saddle``: some ``Re lambda < -tol`` and some ``> tol``;
* ``unstable``: some ``Re lambda > tol``, none ``< -tol``;
* ``centre``: every ``|Re lambda| <= tol`` and every ``|lambda| > tol`` (purely imaginary pairs;
  neutrally stable in the linearisation);
* ``degenerate``: otherwise (a zero eigenvalue, or an imaginary pair with no unstable direction
  beside stable ones: the linearisation does not decide). An empty Jacobian (one strategy)
  is ``degenerate``.

For a 2x2 bimatrix game ``type_det_tr`` also gives spec 4.7's rule: ``det J > 0, tr J < 0``
ESS; ``det J < 0`` saddle; ``det J > 0, tr J > 0`` unstable; otherwise degenerate.

>>> rps = rest_points([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
>>> [(p.support, p.type) for p in rps.points][-1]
(((0, 1, 2),), 'centre')
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from clsc.evolution.games import PopulationGame, SymmetricGame, as_game
from clsc.evolution.stability import TOL, RestPoint, make_point
from clsc.results import Table

#: shares on the support must exceed this to count (smaller: the point is on a smaller face)
POSITIVE = 1e-10
#: support enumeration refuses games with more support profiles than this (2^16 - 1)
MAX_PROFILES = 65_535


@dataclass(frozen=True)
class RestPoints:
    """All rest points of a game; ``continua`` lists supports whose rest points are not
    isolated but could not be represented by a witness (polynomial case only)."""

    points: tuple[RestPoint, ...]
    sizes: tuple[int, ...]
    continua: tuple[tuple[tuple[int, ...], ...], ...] = ()

    def of_type(self, *types: str) -> tuple[RestPoint, ...]:
        return tuple(p for p in self.points if p.type in types)

    def table(self) -> Table:
        """Long format: one row per rest point, population and strategy (1-based)."""
        rows: dict[str, list] = {k: [] for k in ("point", "type", "det", "trace", "isolated",
                                                  "population", "strategy", "share")}  # fmt: skip
        for k, p in enumerate(self.points):
            off = 0
            for q, n in enumerate(self.sizes):
                for i in range(n):
                    for key, val in (("point", k), ("type", p.type), ("det", p.det),
                                     ("trace", p.trace), ("isolated", p.isolated),
                                     ("population", q + 1), ("strategy", i + 1),
                                     ("share", p.state[off + i])):  # fmt: skip
                        rows[key].append(val)
                off += n
        return Table("rest_points", rows)

    def to_frame(self):
        return self.table().to_frame()


def _indifference(M: np.ndarray) -> tuple[str, np.ndarray | None]:
    """Solve ``M y = v 1, sum y = 1`` for ``y`` (length ``M.shape[1]``) and ``v``.

    Returns ``("unique", y)``, ``("continuum", witness y > 0)`` or ``("none", None)``.
    """
    k, m = M.shape
    K = np.zeros((k + 1, m + 1))
    K[:k, :m], K[:k, m], K[k, :m] = M, -1.0, 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    scale = max(1.0, float(np.max(np.abs(K))))
    sol, *_ = np.linalg.lstsq(K, rhs, rcond=None)
    sv = np.linalg.svd(K, compute_uv=False)
    rank = int(np.sum(sv > TOL * scale))
    if np.max(np.abs(K @ sol - rhs)) > TOL * scale * max(1.0, float(np.max(np.abs(sol)))):
        return "none", None
    if rank == m + 1:
        return "unique", sol[:m]
    return _interior_witness(K, rhs, m)


def _interior_witness(K: np.ndarray, rhs: np.ndarray, m: int) -> tuple[str, np.ndarray | None]:
    """LP ``max t: K (y, v) = rhs, y_i >= t``: a point of the continuum inside the face."""
    from clsc.solvers.highs import solve
    from clsc.solvers.program import LinearProgram

    n_rows = K.shape[0]
    A = np.zeros((n_rows + m, m + 2))
    A[:n_rows, : m + 1] = K
    A[n_rows:, :m] = np.eye(m)
    A[n_rows:, m + 1] = -1.0
    lower = np.concatenate([rhs, np.zeros(m)])
    upper = np.concatenate([rhs, np.full(m, np.inf)])
    c = np.zeros(m + 2)
    c[m + 1] = -1.0
    lp = LinearProgram(c, A, lower, upper, col_lower=-np.inf, col_upper=[np.inf] * (m + 1) + [1.0])
    sol = solve(lp)
    if sol and sol.x[m + 1] > POSITIVE:
        return "continuum", sol.x[:m]
    return "none", None


def _supports(n: int):
    for k in range(1, n + 1):
        yield from itertools.combinations(range(n), k)


def _symmetric(game: SymmetricGame) -> tuple[list[RestPoint], list]:
    n, points = game.sizes[0], []
    for S in _supports(n):
        kind, y = _indifference(game.A[np.ix_(S, S)])
        if kind == "none" or y is None or np.any(y <= POSITIVE):
            continue
        state = np.zeros(n)
        state[list(S)] = y
        points.append(make_point(game, state, (S,), isolated=kind == "unique"))
    return points, []


def _block(game: PopulationGame, p: int, profile, keep: list[int]) -> np.ndarray:
    """Tensor ``p`` restricted to the supports, pure populations fixed, axes ``keep`` left."""
    index = np.ix_(*[list(s) for s in profile])
    sub = game.payoffs[p][index]  # type: ignore[index]
    drop = tuple(q for q in range(len(profile)) if q not in keep)
    return sub.squeeze(axis=drop) if drop else sub


def _profile_point(game: PopulationGame, profile) -> tuple[list[np.ndarray], bool] | None:
    """Shares on the supports of a profile with at most two mixed populations, or None."""
    mixed = [q for q, s in enumerate(profile) if len(s) > 1]
    shares: list = [np.ones(1) if len(s) == 1 else None for s in profile]
    isolated = True
    if len(mixed) == 1:
        (q,) = mixed
        f = _block(game, q, profile, [q])
        if np.ptp(f) > TOL * max(1.0, float(np.max(np.abs(f)))):
            return None
        shares[q], isolated = np.full(len(f), 1.0 / len(f)), False
    elif len(mixed) == 2:
        for q, r in (mixed, mixed[::-1]):
            M = _block(game, q, profile, sorted((q, r)))
            kind, y = _indifference(M if q < r else M.T)
            if kind == "none" or y is None or np.any(y <= POSITIVE):
                return None
            shares[r], isolated = y, isolated and kind == "unique"
    return shares, isolated


def _multi(game: PopulationGame) -> tuple[list[RestPoint], list]:
    points, continua = [], []
    per_pop = [list(_supports(n)) for n in game.sizes]
    for profile in itertools.product(*per_pop):
        n_mixed = sum(len(s) > 1 for s in profile)
        if n_mixed <= 2:
            found = _profile_point(game, profile)
            solutions = [] if found is None else [found]
        else:
            from clsc.evolution.polynomial import solve_profile

            solutions, continuum = solve_profile(game, profile, POSITIVE)
            if continuum:
                continua.append(tuple(profile))
        for shares, isolated in solutions:
            state = np.zeros(game.dim)
            off = 0
            for s, x, n in zip(profile, shares, game.sizes, strict=True):
                state[[off + i for i in s]] = x
                off += n
            points.append(make_point(game, state, profile, isolated))
    return points, continua


def rest_points(game) -> RestPoints:
    """All rest points of the replicator dynamics of ``game`` (matrix, pair or game object).

    >>> hd = rest_points([[-1, 2], [0, 1]])          # Hawk-Dove V=2, C=4
    >>> [(p.state.round(3).tolist(), p.type) for p in hd.points]
    [([1.0, 0.0], 'unstable'), ([0.0, 1.0], 'unstable'), ([0.5, 0.5], 'ESS')]
    """
    from clsc.errors import ParameterError

    game = as_game(game)
    n_profiles = int(np.prod([2.0**n - 1 for n in game.sizes]))
    if n_profiles > MAX_PROFILES:
        rule = f"has {n_profiles} support profiles; at most {MAX_PROFILES} are enumerated"
        raise ParameterError("game", rule, f"sizes {game.sizes}")
    if isinstance(game, SymmetricGame):
        points, continua = _symmetric(game)
    elif not game.has_tensors:
        raise ParameterError("game", "needs payoff tensors to find rest points", "a function")
    else:
        points, continua = _multi(game)
    return RestPoints(tuple(points), game.sizes, tuple(continua))
