"""Issue 12's speed goals owned by the engines, each measured against its baseline in one run.

    python benchmarks/bench_speed_goals.py [--quick]

Runs the benchmark scripts below (each prints its table and a ``goal:`` line) and repeats the
goal lines at the end:

* ``bench_derivation_cache.py``: closed-form solve in a fresh process, second run (disk cache)
  vs first run (derivation); goal second run < 0.8 s CPU (imports included);
* ``bench_newsvendor_call.py``: newsvendor through the Python API vs stockpyl (or scipy);
  goal >= 3x faster;
* ``bench_saa_resolve.py``: SAA re-solve vs direct highspy (<= 1.5x) and vs rebuilding (>= 5x)
  at N = 100, 1,000, 10,000;
* ``bench_numeric.py``: numeric method per point vs the derivative-free search; goal >= 10x and
  equal to the closed form to 1e-8.

Start-up times (``clsc --help`` and the newsvendor command) are measured by the CLI's own
benchmark. ``--quick`` limits the derivation benchmark to process-innovation.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    runs = [
        ["bench_derivation_cache.py"] + (["--models", "process-innovation"] if args.quick else []),
        ["bench_newsvendor_call.py"],
        ["bench_saa_resolve.py"],
        ["bench_numeric.py"],
    ]
    goals = []
    for argv in runs:
        print(f"== {' '.join(argv)}", flush=True)
        proc = subprocess.run(
            [sys.executable, str(HERE / argv[0]), *argv[1:]], capture_output=True, text=True
        )
        print(proc.stdout, end="")
        if proc.returncode:
            print(proc.stderr[-2000:], end="")
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("goal")]
        goals.append((argv[0], lines[-1] if lines else f"failed (exit {proc.returncode})"))
    print("== summary")
    for name, line in goals:
        print(f"{name:<28}{line}")


if __name__ == "__main__":
    main()
