"""Integer bilevel problems with a leader unbounded in the relaxation: branch-and-bound vs
enumeration after a hand-added bound.

Run: ``python benchmarks/bench_integer_branch.py [--repeat 3] [--bound 100]``. Problems: the
MibS examples of BilevelJuMP's tests (``tests/bilevel/data/mibs``). ``branch`` solves the
file as published (``integer-branch`` where a leader variable is unbounded in the high-point
relaxation); the baseline ``enumerate`` adds ``-bound <= v <= bound`` for every leader
variable, as a user had to before, and enumerates. Times are the best of ``--repeat`` runs
(seconds, including bound tightening); ``ratio`` = enumerate / branch.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "bilevel" / "data" / "mibs"

from clsc.bilevel import BilevelProblem, solve  # noqa: E402


def best_time(problem: BilevelProblem, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = solve(problem)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bound", type=int, default=100)
    args = parser.parse_args(argv)
    header = f"{'problem':30s} {'method':20s} {'F':>6s} {'nodes':>5s} {'branch s':>9s} "
    print(header + f"{'enumerate s':>11s} {'F':>6s} {'ratio':>6s}")
    for path in sorted(DATA.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        t_branch, r = best_time(BilevelProblem.from_dict(data), args.repeat)
        boxed = copy.deepcopy(data)
        boxed["leader"]["constraints"] += [
            row for v in data["leader"]["vars"] for row in (f"{v} >= {-args.bound}",
                                                            f"{v} <= {args.bound}")
        ]  # fmt: skip
        t_enum, e = best_time(BilevelProblem.from_dict(boxed), args.repeat)
        print(f"{path.stem:30s} {r.reformulation:20s} {r.F:6g} {r.info.get('nodes', '-')!s:>5s} "
              f"{t_branch:9.3f} {t_enum:11.3f} {e.F:6g} {t_enum / t_branch:6.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
