"""Per-call overhead of the newsvendor through the Python API vs stockpyl / direct scipy.

    python benchmarks/bench_newsvendor_call.py [--calls 2000]

The same problem (normal demand, mean 50, sd 8; holding 0.18, shortage 0.70) is solved by

* ``clsc``: ``Newsvendor().solve(params={"demand": "normal(mean=50, sd=8)", ...})``, text demand
  included (parsed once per distinct text; normal ppf/loss through scipy.special);
* ``stockpyl``: ``stockpyl.newsvendor.newsvendor_normal(0.18, 0.70, 50, 8)`` when stockpyl is
  installed (``pip install --no-deps stockpyl``; benchmark only, not a clsc dependency);
* ``scipy``: the same q and cost computed directly with ``scipy.stats.norm`` (a frozen
  distribution per call: ppf, pdf, sf), the baseline when stockpyl is not installed.

All must give the same q and cost (to 1e-12). Goal: clsc at least 3x faster than stockpyl
(or than the scipy baseline when stockpyl is missing). CPU microseconds per call, best of 5.
"""

from __future__ import annotations

import argparse
import time

from scipy import stats

from clsc.models.newsvendor import Newsvendor

MEAN, SD, HOLDING, SHORTAGE = 50.0, 8.0, 0.18, 0.70
PARAMS = {"demand": "normal(mean=50, sd=8)", "holding": HOLDING, "shortage": SHORTAGE}


def clsc_call() -> tuple[float, float]:
    r = Newsvendor().solve(params=PARAMS)
    return r.decisions["q"], r.metrics["cost"]


def scipy_call() -> tuple[float, float]:
    d = stats.norm(MEAN, SD)
    q = d.ppf(SHORTAGE / (SHORTAGE + HOLDING))
    z = (q - MEAN) / SD
    loss = SD * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return float(q), float(HOLDING * (q - MEAN + loss) + SHORTAGE * loss)


def best_of(fn, calls: int, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.process_time() - start) / calls)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    runs = {"clsc": clsc_call, "scipy": scipy_call}
    try:
        from stockpyl.newsvendor import newsvendor_normal

        runs["stockpyl"] = lambda: newsvendor_normal(HOLDING, SHORTAGE, MEAN, SD)
    except ImportError:
        print("stockpyl is not installed: the baseline is the direct scipy.stats computation")
    answers = {k: tuple(map(float, f())) for k, f in runs.items()}
    for name, (q, cost) in answers.items():
        if abs(q - answers["clsc"][0]) > 1e-12 * q or abs(cost - answers["clsc"][1]) > 1e-12:
            raise AssertionError(f"{name} disagrees with clsc: {(q, cost)} vs {answers['clsc']}")
    times = {k: best_of(f, args.calls) for k, f in runs.items()}
    base = "stockpyl" if "stockpyl" in times else "scipy"
    print(f"q = {answers['clsc'][0]!r}, cost = {answers['clsc'][1]!r} (all agree)")
    print(f"{'way':<10}{'us/call':>10}{'vs clsc':>10}")
    for name, t in times.items():
        print(f"{name:<10}{t * 1e6:>10.1f}{t / times['clsc']:>9.2f}x")
    ratio = times[base] / times["clsc"]
    print(f"goal: clsc >= 3x faster than {base}: {ratio:.2f}x", "met" if ratio >= 3 else "NOT met")


if __name__ == "__main__":
    main()
