"""Formation-game basin (spec 4.7): batched RK4 integrators vs a per-start scipy loop.

    python benchmarks/bench_evolution.py [--grid 39] [--baseline-starts 150] [--repeat 3]

The spec's basin computation (G = 178.244, alpha = 0.7869, with penalty): classical RK4, step
0.002, horizon 890/C_run, on the grid x grid interior lattice. Timed ways:

* ``numba 2x2``: :func:`clsc.evolution.kernel.rk4_2x2`, spec 4.7's (x, y) form, parallel over
  starts (what :func:`clsc.evolution.basin` uses for 2x2 bimatrix games);
* ``numba matrix``: the general bimatrix kernel on flat states;
* ``numpy``: all starts vectorised with numpy, one RK4 step at a time;
* ``scipy loop`` (baseline): one ``solve_ivp`` (RK45, rtol 1e-8, atol 1e-10) per start, timed
  on the first ``--baseline-starts`` starts and scaled to the full grid (per-start cost).

Every way must assign the same starts to the same rest points (checked on the baseline
subset for the scipy loop). Times are the best of ``--repeat`` runs after one warm-up (the
warm-up of the numba kernels includes compilation, shown separately); wall and CPU seconds
are printed because the CPU may be shared.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from clsc.evolution import formation_game
from clsc.evolution.basin import grid_starts, rk4_numpy
from clsc.evolution.kernel import rk4_2x2, rk4_matrix
from clsc.evolution.replicator import field

STEP = 0.002


def timed(fn, repeat: int) -> tuple[object, float, float]:
    """Result of ``fn()`` and the best wall and CPU seconds over ``repeat`` runs."""
    best_wall = best_cpu = float("inf")
    out = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return out, best_wall, best_cpu


def classify(finals: np.ndarray) -> np.ndarray:
    """1 -> (1,1), 0 -> (0,0), -1 unsettled (spec 4.7's thresholds on x = col 0, y = col 2)."""
    x, y = finals[:, 0], finals[:, 2]
    return np.where((x > 0.99) & (y > 0.99), 1, np.where((x < 0.01) & (y < 0.01), 0, -1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=39)
    parser.add_argument("--baseline-starts", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    game = formation_game(178.244, 0.7869)
    g = game.game
    starts = grid_starts(g, args.grid)
    horizon = game.horizon
    n_steps = int(np.ceil(horizon / STEP - 1e-9))
    last = horizon - (n_steps - 1) * STEP
    A, B = (np.ascontiguousarray(t) for t in g.payoffs)
    a0, b0 = A[0, 1] - A[1, 1], B[1, 0] - B[1, 1]
    a1, b1 = A[0, 0] - A[1, 0] - a0, B[0, 0] - B[0, 1] - b0
    xy = np.ascontiguousarray(starts[:, [0, 2]])

    def numba_2x2():
        out = np.empty_like(xy)
        rk4_2x2(a0, a1, b0, b1, xy, STEP, n_steps, last, out)
        return np.column_stack([out[:, 0], 1 - out[:, 0], out[:, 1], 1 - out[:, 1]])

    def numba_matrix():
        out = np.empty_like(starts)
        rk4_matrix(A, B, 2, starts, STEP, n_steps, last, out)
        return out

    def numpy_batch():
        return rk4_numpy(g, starts, STEP, horizon)

    def scipy_loop(subset):
        from scipy.integrate import solve_ivp

        rows = []
        for s in subset:
            sol = solve_ivp(lambda _t, z: field(g, z), (0, horizon), s, rtol=1e-8, atol=1e-10)
            rows.append(sol.y[:, -1])
        return np.array(rows)

    rows = measure(
        {"numba 2x2": numba_2x2, "numba matrix": numba_matrix}, numpy_batch, scipy_loop,
        starts, args,
    )  # fmt: skip
    print(f"formation basin: {len(starts)} starts, RK4 step {STEP}, horizon {horizon:.4f} "
          f"({n_steps} steps)")  # fmt: skip
    print_table(rows)


def measure(numba_ways, numpy_batch, scipy_loop, starts, args) -> list[tuple]:
    """Rows (name, starts run, wall s, CPU s, warm-up (wall, CPU) or None, labels)."""
    rows = []
    for name, fn in numba_ways.items():
        w, c = time.perf_counter(), time.process_time()
        fn()  # warm-up (compiles or loads the cached machine code)
        warm = (time.perf_counter() - w, time.process_time() - c)
        out, wall, cpu = timed(fn, args.repeat)
        rows.append((name, len(starts), wall, cpu, warm, classify(out)))
    out, wall, cpu = timed(numpy_batch, max(1, args.repeat - 2))
    rows.append(("numpy", len(starts), wall, cpu, None, classify(out)))
    subset = starts[: args.baseline_starts]
    out, wall, cpu = timed(lambda: scipy_loop(subset), 1)
    scale = len(starts) / len(subset)
    rows.append(("scipy loop", len(subset), wall * scale, cpu * scale, None, classify(out)))
    return rows


def print_table(rows: list[tuple]) -> None:
    base_wall, base_cpu = rows[-1][2], rows[-1][3]
    reference = rows[0][5]
    print(f"{'integrator':<14}{'starts run':>11}{'wall s':>10}{'CPU s':>9}"
          f"{'x faster (wall)':>17}{'x (CPU)':>9}  {'warm-up wall/CPU s':<20}agrees")  # fmt: skip
    for name, n, w, c, warm, labels in rows:
        agree = np.array_equal(labels, reference[: len(labels)])
        warm_txt = "" if warm is None else f"{warm[0]:.2f} / {warm[1]:.2f}"
        print(f"{name:<14}{n:>11}{w:>10.3f}{c:>9.3f}{base_wall / w:>17.1f}{base_cpu / c:>9.1f}"
              f"  {warm_txt:<20}{agree}")  # fmt: skip
    print("scipy loop times are scaled from its subset to the full grid (per-start cost).")
    print(f"share to (1,1) = {float(np.mean(reference == 1)):.4f}, "
          f"to (0,0) = {float(np.mean(reference == 0)):.4f}, "
          f"unsettled = {float(np.mean(reference == -1)):.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
