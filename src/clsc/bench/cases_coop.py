"""Nucleolus and Shapley value: row generation and vectorised exact values against the plain
methods, on games whose solutions are known in closed form.

* ``nucleolus-small|medium|large`` (n = 8, 12, 15 players; quick: 8, 12, 13): bankruptcy games
  with random claims. :func:`clsc.coop.nucleolus` (LP sequence with row generation) against
  the plain sequence with every remaining coalition in every LP (``rows="all"``, baseline).
  Known answer: the nucleolus of a bankruptcy game is the Talmud rule (Aumann and Maschler
  1985), :func:`talmud`.
* ``nucleolus-random`` (n = 15; quick 12): a random game v(S) = |S| (10 + U(0, 20)), v({i}) ~
  U(0, 5), the harder case for row generation; no closed form, so the accuracy is against the
  full LP sequence, solved once in the setup.
* ``shapley-small`` (n = 8): the vectorised exact value and the sampled estimate (10^4 orders)
  against a Python loop over all n! orders (baseline); ``shapley-large`` (n = 15):
  exact against sampled (baseline). Games: airport cost games, whose Shapley value is the
  sequential equal split (Littlechild and Owen 1973), :func:`airport_shapley`. The sampled
  estimate's tolerance is 5 times its largest standard error.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, register


def _equal_award(amount: float, caps: np.ndarray) -> np.ndarray:
    """Constrained equal awards: x_i = min(cap_i, lam) with sum x = amount <= sum caps."""
    order = np.argsort(caps)
    x = np.empty_like(caps)
    left, n = amount, caps.size
    for k, i in enumerate(order):
        share = left / (n - k)
        if caps[i] <= share:
            x[i], left = caps[i], left - caps[i]
        else:
            x[order[k:]] = share
            break
    return x


def talmud(estate: float, claims) -> np.ndarray:
    """The Talmud rule: equal awards on half-claims below half the total claim, equal losses
    on half-claims above it.

    >>> talmud(200, [100, 200, 300]).tolist()   # Aumann and Maschler (1985), Mishna table
    [50.0, 75.0, 75.0]
    """
    c = np.asarray(claims, dtype=float)
    half = c / 2.0
    if estate <= half.sum():
        return _equal_award(estate, half)
    return c - _equal_award(c.sum() - estate, half)


def airport_shapley(costs) -> np.ndarray:
    """Sequential equal split: each runway segment is shared equally by the players who use it.

    >>> airport_shapley([1.0, 3.0, 6.0]).tolist()
    [0.3333333333333333, 1.3333333333333333, 4.333333333333333]
    """
    c = np.asarray(costs, dtype=float)
    order = np.argsort(c)
    seg = np.diff(np.concatenate([[0.0], c[order]])) / np.arange(c.size, 0, -1)
    out = np.empty_like(c)
    out[order] = np.cumsum(seg)
    return out


def _nucleolus_setup(n_full: int, n_quick: int, quick: bool):
    from clsc.coop import nucleolus
    from clsc.coop.games import bankruptcy

    n = n_quick if quick else n_full
    rng = np.random.default_rng(n)
    claims = rng.uniform(10, 100, n)
    estate = float(rng.uniform(0.2, 0.8) * claims.sum())
    nucleolus({(1,): 0, (2,): 0, (1, 2): 1})  # load HiGHS
    return SimpleNamespace(n=n, game=bankruptcy(estate, claims.tolist()),
                           expected=talmud(estate, claims))  # fmt: skip


def _nucleolus(rows: str):
    def run(s):
        from clsc.coop import nucleolus

        return nucleolus(s.game, rows=rows).values

    return run


def _vs_expected(s, out) -> float:
    return float(np.max(np.abs(np.asarray(out) - s.expected)))


def _nucleolus_group(name: str, setup, game: str, reference: str, doc: str) -> Group:
    """Row generation against the full LP sequence on the games of ``setup``."""
    return Group(
        name,
        setup=setup,
        cases=(
            Case(
                'full LP sequence (rows="all")',
                _nucleolus("all"),
                _vs_expected,
                note=lambda s: f"n={s.n} players, {game} game",
                warmup=False,
            ),
            Case("row generation", _nucleolus("generate"), _vs_expected),
        ),
        baseline='full LP sequence (rows="all")',
        accuracy=f"max abs. diff vs {reference}",
        doc=doc,
        goal="15 players under 0.5 s",
        tolerance=1e-6,
    )


def _bankruptcy_group(name: str, n_full: int, n_quick: int) -> Group:
    setup = lambda quick: _nucleolus_setup(n_full, n_quick, quick)  # noqa: E731
    return _nucleolus_group(
        name, setup, "bankruptcy", "the Talmud rule", "nucleolus of a bankruptcy game"
    )


def _shapley_setup(n_full: int, n_quick: int, quick: bool):
    from clsc.coop.games import airport

    n = n_quick if quick else n_full
    costs = np.round(np.random.default_rng(n).uniform(1, 100, n), 3)
    return SimpleNamespace(n=n, game=airport(costs.tolist()), expected=airport_shapley(costs))


def shapley_by_orders(game) -> np.ndarray:
    """Baseline: the mean marginal vector over all n! orders, in a Python loop."""
    n, v = game.n, game.values
    phi = np.zeros(n)
    count = 0
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            phi[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
        count += 1
    return phi / count


def _exact(s):
    from clsc.coop import shapley

    return shapley(s.game, method="exact").values


def _sampled(s):
    from clsc.coop import shapley

    result = shapley(s.game, method="sampled", n_permutations=10_000, seed=1)
    s.se = float(np.max(result.std_errors))
    return result.values


def _sampled_note(s) -> str:
    return f"largest standard error {s.se:.2g}"


def _orders(s):
    return shapley_by_orders(s.game)


def _size(s) -> str:
    return f"n={s.n} players, airport game"


register(_bankruptcy_group("nucleolus-small", 8, 8))
register(_bankruptcy_group("nucleolus-medium", 12, 12))
register(_bankruptcy_group("nucleolus-large", 15, 13))


def _random_setup(quick: bool):
    from clsc.coop import Game, nucleolus
    from clsc.coop.game import popcount

    n = 12 if quick else 15
    rng = np.random.default_rng(2024)
    size = popcount(np.arange(1 << n))
    values = size * (10 + rng.uniform(0, 20, size=1 << n))
    values[1 << np.arange(n)] = rng.uniform(0, 5, size=n)
    values[0] = 0
    game = Game(values)
    nucleolus({(1,): 0, (2,): 0, (1, 2): 1})  # load HiGHS
    return SimpleNamespace(n=n, game=game, expected=nucleolus(game, rows="all").values)


register(
    _nucleolus_group(
        "nucleolus-random",
        _random_setup,
        "random",
        "the full LP sequence (no closed form)",
        "nucleolus of a random superadditive-ish game",
    )
)
register(
    Group(
        "shapley-small",
        setup=lambda quick: _shapley_setup(8, 8, quick),
        cases=(
            Case("loop over all n! orders", _orders, _vs_expected, note=_size, warmup=False),
            Case("exact, vectorised", _exact, _vs_expected),
            Case(
                "sampled, 10^4 orders",
                _sampled,
                _vs_expected,
                note=_sampled_note,
                tolerance=lambda s: 5.0 * s.se,
            ),
        ),
        baseline="loop over all n! orders",
        accuracy="max abs. diff vs the sequential equal split",
        doc="Shapley value of an airport cost game",
        tolerance=1e-6,
    )
)
register(
    Group(
        "shapley-large",
        setup=lambda quick: _shapley_setup(15, 15, quick),
        cases=(
            Case(
                "sampled, 10^4 orders",
                _sampled,
                _vs_expected,
                note=lambda s: f"{_size(s)}; {_sampled_note(s)}",
                tolerance=lambda s: 5.0 * s.se,
            ),
            Case("exact, vectorised", _exact, _vs_expected),
        ),
        baseline="sampled, 10^4 orders",
        accuracy="max abs. diff vs the sequential equal split",
        doc="Shapley value of an airport cost game",
        goal="exact up to 20 players",
        tolerance=1e-6,
    )
)
