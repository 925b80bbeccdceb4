"""Numeric game method: gradient outer search vs the derivative-free search, per point.

    python benchmarks/bench_numeric.py [--points 20]

For cascade-epr (decentralised), process-innovation (PM) and the three-stage
sorting-collection N (M -> C -> R, both sorting variants), the same parameter points (the
defaults with one parameter swept) are solved by

* ``gradient``: :class:`clsc.game.numeric.NumericGame` (Newton on each earlier mover's reduced
  profit, the later stages' slopes from the implicit-function theorem, recursively: what
  ``--method numeric`` uses);
* ``baseline``: the same class with ``gradient=False`` (multi-start Nelder-Mead outside,
  finite-difference Newton polish: the method before);

and every answer is compared with the closed form. Goals: gradient at least 10x faster per
point on cascade-epr and process-innovation (issue 12), at least 5x on sorting-collection N,
equal to the closed form to 1e-8 (relative, or absolute near 0). The baseline of
sorting-collection N takes about 0.4 s per point, so its rows use a quarter of the points.
(Before the later stages' slopes were nested, ``gradient`` fell back to the baseline's
Nelder-Mead for its leader M with Newton for C inside: about 1.5 s per point.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from clsc.game.numeric import NumericGame
from clsc.models.cascade_epr import CascadeEPR
from clsc.models.process_innovation import ProcessInnovation
from clsc.models.sorting_collection import SortingCollection

PER_UNIT = {"sorting": "per_unit"}
# (model, scenario, fixed parameters, swept parameter, span, goal speed-up, share of points)
CASES = [
    (CascadeEPR, "decentralised", {}, "k", (120.0, 400.0), 10.0, 1.0),
    (ProcessInnovation, "PM", {}, "h", (3.0, 9.0), 10.0, 1.0),
    (SortingCollection, "N", {}, "k", (2000.0, 3500.0), 5.0, 0.25),
    (SortingCollection, "N", PER_UNIT, "k", (3000.0, 4500.0), 5.0, 0.25),
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
    print("CPU ms per point (one parameter swept)")
    head = f"{'model':<44}{'points':>7}{'baseline':>10}{'gradient':>10}{'speed-up':>10}"
    print(f"{head}{'goal':>7}{'max rel err':>13}")
    ok = True
    for cls, scenario, fixed, sweep, span, goal, share in CASES:
        model = cls()
        game = cls.variant(fixed).games[scenario] if fixed else cls.games[scenario]
        n = max(3, round(args.points * share))
        pts = points(cls, sweep, span, n)
        closed = []
        for p in pts:
            r = model.solve(scenario, params={**p, **fixed})
            closed.append({**r.decisions, **r.profits})
        t_base, _ = per_point(NumericGame(game, gradient=False), pts)
        t_grad, out = per_point(NumericGame(game, gradient=True), pts)
        err = worst_error(out, closed)
        ok &= t_base / t_grad >= goal and err <= 1e-8
        label = f"{cls.name} {scenario}{' per-unit' if fixed else ''} ({sweep} swept)"
        print(
            f"{label:<44}{n:>7}{t_base * 1e3:>10.2f}{t_grad * 1e3:>10.2f}"
            f"{t_base / t_grad:>9.1f}x{goal:>6.0f}x{err:>13.1e}"
        )
    print("goals: speed-up per point as listed, equal to the closed form to 1e-8:",
          "met" if ok else "NOT met")  # fmt: skip


if __name__ == "__main__":
    main()
