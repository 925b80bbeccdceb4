"""Numeric game method: gradient outer search vs the derivative-free search, per point.

    python benchmarks/bench_numeric.py [--points 20]

For cascade-epr (decentralised) and process-innovation (PM), the same parameter points (the
defaults with one parameter swept) are solved by

* ``gradient``: :class:`clsc.game.numeric.NumericGame` (Newton on the leader's reduced profit,
  follower slopes from the implicit-function theorem; what ``--method numeric`` uses);
* ``baseline``: the same class with ``gradient=False`` (multi-start Nelder-Mead outside,
  finite-difference Newton polish: the method before);

and every answer is compared with the closed form. Goal: gradient at least 10x faster per
point, equal to the closed form to 1e-8 (relative, or absolute near 0).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from clsc.game.numeric import NumericGame
from clsc.models.cascade_epr import CascadeEPR
from clsc.models.process_innovation import ProcessInnovation

CASES = [
    (CascadeEPR, "decentralised", "k", (120.0, 400.0)),
    (ProcessInnovation, "PM", "h", (3.0, 9.0)),
]


def points(cls, sweep: str, span: tuple[float, float], n: int) -> list[dict[str, float]]:
    base = {k: float(v) for k, v in cls.spec.defaults().items() if isinstance(v, int | float)}
    return [{**base, sweep: float(v)} for v in np.linspace(*span, n)]


def per_point(game: NumericGame, pts: list[dict[str, float]]) -> tuple[float, list[dict]]:
    game.solve(pts[0])  # warm: lambdified functions, first calls
    start = time.process_time()
    out = [game.solve(p) for p in pts]
    return (time.process_time() - start) / len(pts), out


def worst_error(numeric: list[dict], closed: list[dict]) -> float:
    worst = 0.0
    for a, b in zip(numeric, closed, strict=True):
        for k, v in b.items():
            if k in a and np.isfinite(v):
                worst = max(worst, abs(a[k] - v) / max(1.0, abs(v)))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--points", type=int, default=20)
    args = ap.parse_args()
    print(f"CPU ms per point over {args.points} points (one parameter swept)")
    print(f"{'model':<34}{'baseline':>10}{'gradient':>10}{'speed-up':>10}{'max rel err':>13}")
    ok = True
    for cls, scenario, sweep, span in CASES:
        model, game = cls(), cls.games[scenario]
        pts = points(cls, sweep, span, args.points)
        closed = []
        for p in pts:
            r = model.solve(scenario, params=p)
            closed.append({**r.decisions, **r.profits})
        t_base, _ = per_point(NumericGame(game, gradient=False), pts)
        t_grad, out = per_point(NumericGame(game, gradient=True), pts)
        err = worst_error(out, closed)
        ok &= t_base / t_grad >= 10 and err <= 1e-8
        label = f"{cls.name} {scenario} ({sweep} swept)"
        print(
            f"{label:<34}{t_base * 1e3:>10.2f}{t_grad * 1e3:>10.2f}"
            f"{t_base / t_grad:>9.1f}x{err:>13.1e}"
        )
    print("goal: >= 10x per point, equal to the closed form to 1e-8:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
