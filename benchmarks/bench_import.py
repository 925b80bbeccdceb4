"""Start-up cost: ``import clsc`` in a fresh interpreter vs the interpreter alone (baseline), and
the first ``clsc.solve`` of the newsvendor (which loads numpy, scipy and the model).

Run: ``python benchmarks/bench_import.py [--repeat 7]``. Each time is the best of ``--repeat``
fresh interpreters (``python -c ...``, wall clock, seconds); ``ratio`` = time / baseline. The
goal of issue 8 is ``import clsc`` under 0.3 s.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
CASES = {
    "python (baseline)": "pass",
    "import clsc": "import clsc",
    "import clsc.models.base": "import clsc.models.base",
    "first clsc.solve(newsvendor)": (
        "import clsc; clsc.solve('newsvendor', demand='normal(mean=50, sd=8)', holding=0.18, "
        "shortage=0.7)"
    ),
}


def fresh(code: str, repeat: int) -> float:
    env = {**os.environ, "PYTHONPATH": SRC}
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    base = None
    print(f"{'case':<32} {'seconds':>9} {'ratio':>8}")
    for name, code in CASES.items():
        t = fresh(code, args.repeat)
        base = base or t
        print(f"{name:<32} {t:9.3f} {t / base:8.2f}")


if __name__ == "__main__":
    main()
