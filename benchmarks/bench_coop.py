"""Nucleolus and Shapley value times for 8, 12 and 15 players, against baselines of this run.

    python benchmarks/bench_coop.py [--sizes 8 12 15] [--repeats 3] [--games 3] [--no-full]

* nucleolus: ``clsc.coop.nucleolus`` (LP sequence with row generation) vs the same sequence
  with every remaining coalition in every LP (``rows="all"``, the plain full-LP sequence);
  both must agree to 1e-6. Goal: 15 players under 0.5 s.
* Shapley: the vectorised exact value vs a loop over all n! orders (measured at 8 players,
  where it still runs; 12! orders would take hours), and the sampled estimate (10^4 orders).

Random games: v(S) = |S| * (10 + U(0, 20)) for |S| >= 2, v({i}) ~ U(0, 5), and a bankruptcy
game with random claims; times are the median over ``--repeats`` runs of each of ``--games``
games per size (the slow baselines run once).
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from clsc.coop import Game, nucleolus, shapley
from clsc.coop.game import popcount
from clsc.coop.games import bankruptcy


def random_game(n: int, rng: np.random.Generator) -> Game:
    size = popcount(np.arange(1 << n))
    values = size * (10 + rng.uniform(0, 20, size=1 << n))
    values[1 << np.arange(n)] = rng.uniform(0, 5, size=n)
    values[0] = 0
    return Game(values)


def bankruptcy_game(n: int, rng: np.random.Generator) -> Game:
    claims = rng.uniform(10, 100, n)
    return bankruptcy(float(rng.uniform(0.2, 0.8) * claims.sum()), claims.tolist())


def shapley_by_orders(game: Game) -> np.ndarray:
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


def timed(f, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def bench_nucleolus(sizes, repeats, n_games, full, rng, rows):
    for n in sizes:
        for family, make in (("random", random_game), ("bankruptcy", bankruptcy_game)):
            for g in range(n_games):
                game = make(n, rng)
                t_gen, gen = timed(lambda game=game: nucleolus(game), repeats)
                base = "-"
                if full:
                    t_all, ref = timed(lambda game=game: nucleolus(game, rows="all"), 1)
                    err = float(np.abs(gen.values - ref.values).max())
                    assert err < 1e-6, (n, family, err)
                    base = f"{t_all:9.4f}"
                    ratio = f"{t_all / t_gen:8.1f}x"
                else:
                    ratio = "-"
                rows.append(
                    (
                        "nucleolus",
                        family,
                        g,
                        n,
                        f"{t_gen:9.4f}",
                        base,
                        ratio,
                        f"{gen.n_lps:4d}",
                        f"{gen.max_rows:6d}",
                    )
                )


def bench_shapley(sizes, repeats, rng, rows):
    for n in sizes:
        game = random_game(n, rng)
        t_exact, phi = timed(lambda game=game: shapley(game), repeats)
        t_samp, est = timed(
            lambda game=game: shapley(game, method="sampled", n_permutations=10_000, seed=1),
            repeats,
        )
        z = float(np.max(np.abs(est.values - phi.values) / est.std_errors))
        if n <= 8:
            t_loop, ref = timed(lambda game=game: shapley_by_orders(game), 1)
            assert np.allclose(ref, phi.values, atol=1e-9)
            base, ratio = f"{t_loop:9.4f}", f"{t_loop / t_exact:8.1f}x"
        else:
            base, ratio = "-", "-"
        rows.append(("shapley", "exact", 0, n, f"{t_exact:9.4f}", base, ratio, "", ""))
        rows.append(
            ("shapley", f"sampled (max|z|={z:.1f})", 0, n, f"{t_samp:9.4f}", "-", "-", "", "")
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 15])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--games", type=int, default=3)
    ap.add_argument("--no-full", action="store_true", help="skip the full-LP baseline")
    args = ap.parse_args()
    rng = np.random.default_rng(2024)
    nucleolus({(1,): 0, (2,): 0, (1, 2): 1})  # load HiGHS before timing
    rows: list[tuple] = []
    bench_nucleolus(args.sizes, args.repeats, args.games, not args.no_full, rng, rows)
    bench_shapley(args.sizes, args.repeats, rng, rows)
    head = ("what", "game", "#", "n", "time [s]", "baseline [s]", "speed-up", "LPs", "max rows")
    widths = [max(len(str(r[k])) for r in [head, *rows]) for k in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)))
    print(
        "baseline: nucleolus = every remaining coalition in every LP (rows='all'); "
        "shapley = loop over all n! orders (n <= 8 only)"
    )


if __name__ == "__main__":
    main()
