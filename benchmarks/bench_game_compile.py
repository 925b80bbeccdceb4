"""Compiled closed form vs numeric nested best responses vs sympy substitution (one run).

Evaluates the decentralised equilibrium of cascade-epr on N random parameter points
(default 10^6) with the compiled closed form, solves a subsample with the ``numeric`` method
and with sympy ``subs``/``evalf`` (both extrapolated to N), checks that the three agree to 1e-9
relative on the subsample, and prints times, throughputs and speed-ups.

    python benchmarks/bench_game_compile.py [--points 1000000] [--numeric 40] [--sympy 40]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from clsc.game.numeric import numeric_game
from clsc.game.symbols import symbol
from clsc.models.cascade_epr import CascadeEPR

KEYS = ("w", "p1", "tau", "q", "pi_M", "pi_R")


def sample(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random valid parameters around the defaults (b <= B <= delta, Theorem 1 holds)."""
    b = rng.uniform(4, 12, n)
    delta = b + rng.uniform(4, 14, n)
    return {
        "a": rng.uniform(80, 120, n),
        "alpha": rng.uniform(1.5, 2.5, n),
        "cm": rng.uniform(20, 30, n),
        "b": b,
        "delta": delta,
        "B_subsidy": b + rng.uniform(0, 1, n) * (delta - b),
        "k": rng.uniform(150, 300, n),
        "p2": np.full(n, 25.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--numeric", type=int, default=40, help="subsample solved numerically")
    parser.add_argument("--sympy", type=int, default=40, help="subsample by sympy substitution")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    model = CascadeEPR()
    params = sample(args.points, rng)

    start = time.perf_counter()
    cs = model.compiled("decentralised")
    setup = time.perf_counter() - start
    cs(**{k: v[:10] for k, v in params.items()})  # warm-up
    start = time.perf_counter()
    out = cs(**params)
    valid = cs.valid(out)
    t_compiled = time.perf_counter() - start

    ng = numeric_game(model.games["decentralised"])
    idx = rng.choice(args.points, size=max(args.numeric, args.sympy), replace=False)
    points = [{k: float(v[i]) for k, v in params.items()} for i in idx]
    ng.solve(points[0])  # warm-up (lambdify)
    start = time.perf_counter()
    numeric = [ng.solve(p) for p in points[: args.numeric]]
    t_numeric = (time.perf_counter() - start) / args.numeric

    sol = model.symbolic("decentralised")
    exprs = sol.expressions()
    start = time.perf_counter()
    via_sympy = []
    for p in points[: args.sympy]:
        subs = {symbol(k): v for k, v in p.items()}
        via_sympy.append({k: float(exprs[k].subs(subs).evalf()) for k in KEYS})
    t_sympy = (time.perf_counter() - start) / args.sympy

    worst_num = worst_sym = 0.0
    for j, i in enumerate(idx):
        for k in KEYS:
            ref = float(out[k][i])
            scale = max(abs(ref), 1e-12)
            if j < args.numeric:
                worst_num = max(worst_num, abs(numeric[j][k] - ref) / scale)
            if j < args.sympy:
                worst_sym = max(worst_sym, abs(via_sympy[j][k] - ref) / scale)

    per_point = t_compiled / args.points
    print(f"cascade-epr decentralised, {args.points:,} points ({valid.mean():.1%} valid)")
    print(f"symbolic solve + compile (cached per process): {setup:.2f} s")
    print(f"{'method':<26}{'s/point':>12}{'points/s':>14}{'total for N (s)':>18}{'ratio':>12}")
    rows = [
        ("compiled closed form", per_point, t_compiled),
        (f"numeric (n={args.numeric}, extrap.)", t_numeric, t_numeric * args.points),
        (f"sympy subs (n={args.sympy}, extrap.)", t_sympy, t_sympy * args.points),
    ]
    for name, each, total in rows:
        print(f"{name:<26}{each:>12.3e}{1 / each:>14.3e}{total:>18.2f}{each / per_point:>12.0f}x")
    print(f"max relative difference vs compiled: numeric {worst_num:.2e}, sympy {worst_sym:.2e}")
    goal = t_numeric / per_point >= 1000 and worst_num <= 1e-9 and worst_sym <= 1e-9
    print(
        "goal (>= 1000x faster than numeric, equal to 1e-9 relative): "
        + ("met" if goal else "NOT met")
    )


if __name__ == "__main__":
    main()
