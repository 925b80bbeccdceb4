"""Start-up cost of the ``clsc`` command: CPU seconds and peak memory of whole processes.

Run: ``PYTHONPATH=src python benchmarks/bench_startup.py [--repeat 5]``. Each command runs in a
fresh ``python -m clsc.cli`` process (through :func:`clsc.bench.cases_startup.measure`, which
reads the process's own rusage); the table shows the median user+sys CPU seconds and the median
peak resident memory, the goal of issue 12, and the ratio to the baseline ``python -c pass``
(the interpreter's own start-up) measured in the same run; ``python -c "import numpy,
scipy.special"`` is shown as the floor of any command that evaluates a normal quantile, with
OpenBLAS's default threads and single-threaded (as the ``clsc`` program starts it). Then
the import time of each sub-command's module (in-process, fresh interpreter) and the
``python -X importtime`` top entries of the newsvendor solve.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
)

from clsc.bench.cases_startup import (  # noqa: E402
    CLI,
    NEWSVENDOR,
    by_package,
    measure,
    medians,
    parse_importtime,
    top_imports,
)

#: what the clsc program does before numpy loads (clsc.cli.blas_threads_default)
ONE_THREAD = "import os; os.environ.setdefault('OPENBLAS_NUM_THREADS', '1'); "
#: (label, python arguments, goal CPU s, goal peak MB) of issue 12; goals None: reference rows
CASES = (
    ('python -c "import numpy, scipy.special"', ("-c", "import numpy, scipy.special"), None, None),
    (
        "  the same, OpenBLAS single-threaded",
        ("-c", ONE_THREAD + "import numpy, scipy.special"),
        None,
        None,
    ),
    ("import clsc", ("-c", "import clsc"), 0.3, None),
    ("clsc --help", (*CLI, "--help"), 0.3, None),
    ("clsc --version", (*CLI, "--version"), 0.3, None),
    ("clsc solve newsvendor ... --json", (*CLI, *NEWSVENDOR), 0.6, 120),
)


def median_of(args: tuple[str, ...], repeat: int) -> tuple[float, float]:
    runs = [measure(args) for _ in range(repeat)]
    failed = [r for r in runs if r.returncode != 0]
    if failed:
        raise SystemExit(f"{args} failed: {failed[0].stderr.strip()[-300:]}")
    return medians(runs)


def _goal(value: float, goal: float | None) -> str:
    if goal is None:
        return f"{'-':>6} {'':>4}"
    return f"{goal:>6g} {'ok' if value < goal else 'MISS':>4}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base_cpu, base_mb = median_of(("-c", "pass"), args.repeat)
    print(f"medians of {args.repeat} fresh processes")
    head = f"{'command':<42} {'cpu s':>7} {'goal':>6} {'':>4} {'peak MB':>8} {'goal':>6} {'':>4}"
    print(f"{head} {'cpu/baseline':>12}")
    print(f"{'baseline: python -c pass':<42} {base_cpu:>7.3f} {'':>11} {base_mb:>8.0f}")
    for label, argv, goal_cpu, goal_mb in CASES:
        cpu, mb = median_of(argv, args.repeat)
        print(
            f"{label:<42} {cpu:>7.3f} {_goal(cpu, goal_cpu)} {mb:>8.0f} "
            f"{_goal(mb, goal_mb)} {cpu / base_cpu:>12.2f}"
        )
    print("\nimport of each sub-command module after `import clsc.cli` (wall ms, fresh process):")
    from clsc.cli import COMMANDS

    for name in COMMANDS:
        module = f"clsc.cli.{name.replace('-', '_')}_cmd"
        code = (
            "import time, importlib, clsc.cli; t = time.perf_counter(); "
            f"importlib.import_module({module!r}); print(time.perf_counter() - t)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        shown = f"{1000 * float(out.stdout):>8.1f} ms" if out.returncode == 0 else "failed"
        print(f"  {name:<12} {shown}")
    rows = parse_importtime(measure(("-X", "importtime", *CLI, *NEWSVENDOR)).stderr)
    print("\npython -X importtime of the newsvendor solve, slowest top-level imports (cum. ms):")
    for module, ms in top_imports(rows, 10):
        print(f"  {module:<44} {ms:>8.1f}")
    print("import self time by package (ms):")
    for package, ms in by_package(rows, 10):
        print(f"  {package:<44} {ms:>8.1f}")


if __name__ == "__main__":
    main()
