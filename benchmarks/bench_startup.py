"""Start-up cost of the ``clsc`` command: CPU seconds and peak memory of whole processes.

Run: ``python benchmarks/bench_startup.py [--repeat 5]``. Each command runs in a fresh
``python -m clsc.cli`` process; the table shows the median user+sys CPU seconds and the median
peak resident memory (``resource.getrusage`` of the child), the goal of issue 12 and the ratio
to a baseline measured in the same run: ``python -c "import numpy"``, the floor any numeric
command pays. Then the import time of each sub-command's module (``-X importtime``, in-process
cumulative microseconds) and the ten slowest imports of the newsvendor solve.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
NEWSVENDOR = [
    "solve",
    "newsvendor",
    "--set",
    "demand=normal(mean=50, sd=8)",
    "--set",
    "holding=0.18",
    "--set",
    "shortage=0.70",
    "--json",
]
#: (label, command, goal CPU s, goal peak MB) of issue 12.
CASES = (
    ("clsc --help", ["--help"], 0.3, None),
    ("clsc --version", ["--version"], 0.3, None),
    ("clsc solve newsvendor ... --json", NEWSVENDOR, 0.6, 120),
)


def run(argv: list[str]) -> tuple[float, float]:
    """CPU seconds (user + sys) and peak RSS (MB) of one child process (its own rusage)."""
    child = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{argv} failed with exit code {child.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KB on Linux


def median_of(argv: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(argv) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def import_times(argv: list[str]) -> list[tuple[int, str]]:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "clsc.cli", *argv],
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), m.group(4)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base_cpu, base_mb = median_of([sys.executable, "-c", "import numpy"], args.repeat)
    print(f"{'command':<36} {'cpu s':>7} {'goal':>6} {'peak MB':>8} {'goal':>6} {'cpu/numpy':>10}")
    print(f"{'baseline: python -c import numpy':<36} {base_cpu:>7.3f} {'':>6} {base_mb:>8.0f}")
    for label, argv, goal_cpu, goal_mb in CASES:
        cpu, mb = median_of([sys.executable, "-m", "clsc.cli", *argv], args.repeat)
        gm = f"{goal_mb}" if goal_mb else "-"
        print(
            f"{label:<36} {cpu:>7.3f} {goal_cpu:>6.2f} {mb:>8.0f} {gm:>6} {cpu / base_cpu:>10.2f}"
        )
    print("\nimport of each sub-command module after `import clsc.cli` (wall ms, fresh process):")
    sys.path.insert(0, str(ROOT / "src"))
    from clsc.cli import COMMANDS

    for name in COMMANDS:
        module = f"clsc.cli.{name.replace('-', '_')}_cmd"
        code = (
            "import time, importlib, clsc.cli; t = time.perf_counter(); "
            f"importlib.import_module({module!r}); print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True
        )
        print(f"  {name:<12} {1000 * float(out.stdout):>8.1f} ms")
    print("\nslowest imports of the newsvendor solve (cumulative ms):")
    for total, module in sorted(import_times(NEWSVENDOR), reverse=True)[:10]:
        print(f"  {module:<44} {total / 1000:>8.1f}")


if __name__ == "__main__":
    main()
