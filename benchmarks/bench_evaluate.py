"""Benchmark of the validated vectorised ``GameModel.evaluate``:
``PYTHONPATH=src python benchmarks/bench_evaluate.py [--points N]``.

Baseline: the bare compiled closed forms (``model.compiled(scenario)(**params)``: no parameter
checks, no statuses, no condition or flag columns), measured in the same run on the same
points. ``evaluate`` adds the per-point validation (bounds and rules), the statuses, NaN
masking and the FLAG texts (process-innovation fails ``cr - r*x >= 0`` at most points, so one
text per point is formatted). Prints one row per scenario: seconds of each and their ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=10**6)
    args = parser.parse_args()
    from clsc.models import get_model

    model = get_model("process-innovation")
    rng = np.random.default_rng(0)
    theta = rng.random(args.points)
    k = 1 + 9 * rng.random(args.points)
    defaults = model.spec.defaults()
    print(f"process-innovation, {args.points} points (theta, k varied); best of 3")
    print(f"{'scenario':<9} {'compiled s':>11} {'evaluate s':>11} {'ratio':>7}")
    for scenario in model.scenarios:
        cs = model.compiled(scenario)
        base = {**{p: defaults[p] for p in cs.params}, "theta": theta, "k": k}
        t_raw = best_of(lambda cs=cs, base=base: cs(**base))
        t_eval = best_of(lambda s=scenario: model.evaluate(s, theta=theta, k=k))
        print(f"{scenario:<9} {t_raw:>11.3f} {t_eval:>11.3f} {t_eval / t_raw:>7.2f}")


if __name__ == "__main__":
    main()
