"""Throughput of the demand-distribution loss functions E[(D - x)+].

Baseline (same run): scipy's own ``rv.expect(lambda d: max(d - x, 0), lb=x)`` per point, which is
what a caller without closed forms would write. Compared: the closed forms (vectorised numpy /
scipy.special), and the tabulated quadrature used for ``scipy:NAME(...)`` distributions.

Run: ``python benchmarks/bench_distributions.py``
"""

from __future__ import annotations

import time

import numpy as np
from scipy import stats

from clsc.distributions import parse


def per_second(fn, n: int, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return n / best


def main() -> None:
    rows = [
        ("normal(mean=100, sd=30)", stats.norm(100, 30)),
        ("truncnormal(mean=100, sd=30, lower=0)", stats.truncnorm(-10 / 3, np.inf, 100, 30)),
        ("gamma(shape=2, scale=50)", stats.gamma(2, scale=50)),
        ("lognormal(mu=4.5, sigma=0.3)", stats.lognorm(0.3, scale=np.exp(4.5))),
        ("poisson(mean=100)", stats.poisson(100)),
        ("scipy:burr12(c=2, d=3, scale=100)", stats.burr12(2, 3, scale=100)),
        ("scipy:nbinom(n=5, p=0.05)", stats.nbinom(5, 0.05)),
    ]
    n_fast, n_slow = 1_000_000, 50
    print(f"{'distribution':40s} {'clsc loss/s':>14s} {'scipy expect/s':>15s} {'ratio':>10s}")
    for spec, rv in rows:
        d = parse(spec)
        d.expected_shortage(1.0)  # build any table outside the timing
        x = np.linspace(rv.ppf(0.001), rv.ppf(0.999), n_fast)
        xs = np.linspace(rv.ppf(0.001), rv.ppf(0.999), n_slow)
        fast = per_second(lambda d=d, x=x: d.expected_shortage(x), n_fast)

        def baseline(rv=rv, xs=xs):
            for t in xs:
                rv.expect(lambda v, t=t: np.maximum(v - t, 0.0), lb=t)

        slow = per_second(baseline, n_slow, repeat=1)
        print(f"{spec:40s} {fast:14.3g} {slow:15.3g} {fast / slow:10.3g}")


if __name__ == "__main__":
    main()
