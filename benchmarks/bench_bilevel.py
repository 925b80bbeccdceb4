"""Bilevel solve times per problem: auto, kkt-bigm, strong-duality, kkt-branch vs a grid.

Run: ``python benchmarks/bench_bilevel.py [--repeat 3] [--points 201] [--time-limit 60]``.
Problems are the published test problems of ``tests/bilevel/literature.py``, the toll-setting
problems of BOLIBver2 (``tests/bilevel/toll.py``), three seeded random linear problems
(2 leader, 4 follower variables, 6 coupled rows plus boxes), integer-leader variants (where
strong duality applies) and the integer-follower problems of ``tests/bilevel/test_integer.py``
(issue 13, PAO toy example 2, MibS; solved by enumeration whatever the reformulation). The
baseline is :func:`clsc.bilevel.grid.grid_search`: every integer leader point, or ``--points``
per continuous leader variable (fewer for 2-D leaders); for integer followers the baseline is
the test suite's pure-Python brute force. The tolls of the toll-setting problems have no upper
bound: their grid runs over ``[0, --toll-box]`` per toll (a restriction of the problem, so the
grid's F is only an upper bound on the optimum). Every solve gets ``--time-limit`` seconds
(bound tightening included), so the benchmark ends. Times are the best of ``--repeat`` runs
(seconds, including bound tightening); ``ratio`` = baseline / kkt-bigm.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bilevel.literature import LINEAR, PARAMETRIC, QUADRATIC, with_leader_box  # noqa: E402
from tests.bilevel.test_integer import (  # noqa: E402
    ISSUE_13,
    MIBS_GENERAL,
    PAO_TOY_2,
    _boxed,
    brute_force,
)
from tests.bilevel.toll import TOLL  # noqa: E402

from clsc.bilevel import BilevelProblem, solve  # noqa: E402
from clsc.bilevel.grid import grid_search  # noqa: E402
from clsc.errors import ParameterError  # noqa: E402

REFORMULATIONS = ("auto", "kkt-bigm", "strong-duality", "kkt-branch")
# integer followers: (data, box for the brute force over x, box over y)
INTEGER_FOLLOWERS = {
    "issue_13[int y]": (ISSUE_13, 4, 10),
    "pao_toy_2[int y]": (_boxed(PAO_TOY_2, 14, 30), 14, 30),
    "mibs_general[int y]": (MIBS_GENERAL, 10, 5),
}


def best_time(fn, repeat: int):
    out, best = None, math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def random_problem(seed: int, n: int = 2, m: int = 4, p: int = 6) -> dict:
    """A bounded random linear bilevel problem (integer coefficients in [-5, 5])."""
    rng = np.random.default_rng(seed)
    xs, ys = [f"x{j}" for j in range(n)], [f"y{k}" for k in range(m)]

    def lin(names, coef):
        return " + ".join(f"({c})*{v}" for c, v in zip(coef, names, strict=True))

    rows = [
        f"{lin(xs + ys, rng.integers(-5, 6, n + m))} <= {rng.integers(5, 30)}" for _ in range(p)
    ]
    return {
        "leader": {"vars": xs, "objective": lin(xs + ys, rng.integers(-5, 6, n + m)),
                   "constraints": [c for v in xs for c in (f"{v} >= 0", f"{v} <= 10")]},
        "follower": {"vars": ys, "objective": lin(ys, rng.integers(-5, 6, m)),
                     "constraints": rows + [c for v in ys for c in (f"{v} >= 0", f"{v} <= 10")]},
    }  # fmt: skip


def problems():
    for case in LINEAR + QUADRATIC + TOLL:
        yield case.name, case.problem
    for seed in range(3):
        yield f"random_n2_m4_p6_s{seed}", random_problem(seed)
    for case in LINEAR:
        if all(float(v).is_integer() for v in case.expected_x):
            data = copy.deepcopy(case.problem)
            data["integer_vars"] = list(data["leader"]["vars"])
            yield f"{case.name}[int x]", data
    for name, (data, _, _) in INTEGER_FOLLOWERS.items():
        yield name, data
    for case in PARAMETRIC:  # parametric-QP followers (issue 13); x <= 10 so a grid applies
        yield f"{case.name}[x<=10]", with_leader_box(case.problem, 10.0)


def baseline(name: str, data: dict, points: int, toll_box: float):
    if name in INTEGER_FOLLOWERS:
        _, bx, by = INTEGER_FOLLOWERS[name]
        best = brute_force(data, bx, by)
        return (math.nan if best is None else best[0]), None
    if name.startswith("toll_setting"):
        data = copy.deepcopy(data)
        lead = data["leader"]
        lead["constraints"] = [*lead["constraints"], *(f"{x} >= 0" for x in lead["vars"]),
                               *(f"{x} <= {toll_box:g}" for x in lead["vars"])]  # fmt: skip
    return grid_search(BilevelProblem.from_dict(data), points)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--points", type=int, default=201)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--toll-box", type=float, default=10.0)
    ap.add_argument("--filter", default="", help="only problems whose name contains this")
    args = ap.parse_args(argv)
    solve(BilevelProblem.from_dict(LINEAR[0].problem))  # warm-up: HiGHS imports
    head = f"{'problem':<24}" + "".join(f"{r:>22}" for r in REFORMULATIONS)
    head += f"{'grid (s)':>12}{'grid F':>12}{'ratio':>9}"
    print(head)
    print("-" * len(head))
    for name, data in problems():
        if args.filter not in name:
            continue
        problem = BilevelProblem.from_dict(data)
        cells, bigm = [], None
        for r in REFORMULATIONS:
            try:
                result, t = best_time(
                    lambda r=r, p=problem: solve(p, r, time_limit=args.time_limit), args.repeat
                )
            except ParameterError:
                cells.append(f"{'refused':>22}")
                continue
            tag = "" if result.reformulation == r or r == "auto" else "*"
            F = (
                "-"
                if result.F is None
                else f"{result.F + 0.0:.4g}"
                if abs(result.F) > 1e-9
                else "0"
            )
            cells.append(f"{t * 1e3:>9.1f}ms {F:>8}{tag:1}{result.status[:1]}")
            if r == "kkt-bigm":
                bigm = t
        n = problem.standard_form().n
        points = args.points if n == 1 else max(3, round(args.points ** (1 / n)))
        (F_grid, _), t_grid = best_time(
            lambda d=data, k=points, a=name: baseline(a, d, k, args.toll_box), 1
        )
        ratio = f"{t_grid / bigm:>8.1f}x" if bigm else f"{'-':>9}"
        print(f"{name:<24}" + "".join(cells) + f"{t_grid:>12.2f}{F_grid:>12.4g}{ratio}")
    print("cell: best time, F, '*' = switched to kkt-branch (quadratic leader / no proven M)")
    print("      or to integer enumeration (integer follower),")
    print("      last letter = status (o optimal, t time_limit, n not_proven);")
    print("      refused = the reformulation does not apply to that problem (its message says why)")


if __name__ == "__main__":
    main()
