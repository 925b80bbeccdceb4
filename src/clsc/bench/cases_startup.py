"""Start-up cost (issues #8, #12): ``import clsc`` and the ``clsc`` command in fresh processes.

Each case runs one fresh Python process (same interpreter and environment as this one) through
a small launcher (:func:`measure`) and reads that process's own resource usage: CPU seconds
(user + sys) and peak resident memory. ``python -c "pass"`` is the baseline (the interpreter's
own start-up), measured in the same run. The table's wall and CPU columns include the launcher;
the notes give the measured process alone.

Cases: ``import clsc``; ``clsc --help``; the newsvendor command of issue #12 (``python -m
clsc.cli solve newsvendor --set demand="normal(mean=50, sd=8)" --set holding=0.18 --set
shortage=0.70 --json``); and the same command under ``python -X importtime``, whose note lists
the slowest top-level imports (cumulative ms) and the import self time summed by package.

The note of each case gives the median over at least :data:`RUNS` runs (:data:`QUICK_RUNS` with
``--quick``; runs beyond the harness's timed ones are added for the median) of the child's CPU
seconds and peak MB against the goal: ``import clsc`` and ``clsc --help`` under 0.3 s CPU;
the newsvendor command under 0.6 s CPU and 120 MB.

Accuracy: 0 when the command exited with status 0 and printed what it should (``usage`` for
``--help``), else 1; for the newsvendor command, ``|q - q*|`` with the closed form
``q* = 50 + 8 * Phi^-1(0.70 / 0.88)`` (stdlib ``statistics.NormalDist``).

>>> rows = parse_importtime("import time: self [us] | cumulative | imported package\\n"
...     "import time:       100 |       5000 | scipy.special\\n"
...     "import time:      4900 |      4900 |   scipy.special._ufuncs\\n")
>>> rows[1]
(4900, 4900, 'scipy.special._ufuncs', 1)
>>> top_imports(rows), by_package(rows)
([('scipy.special', 5.0)], [('scipy', 5.0)])
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from statistics import NormalDist
from types import SimpleNamespace

from clsc.bench.harness import Case, Group, register

NEWSVENDOR = ("solve", "newsvendor", "--set", "demand=normal(mean=50, sd=8)",
              "--set", "holding=0.18", "--set", "shortage=0.70", "--json")  # fmt: skip
CLI = ("-P", "-m", "clsc.cli")  # -P: not the working directory first on sys.path, as the script
BASELINE = 'python -c "pass"'
#: runs per case behind the medians of the notes (at least; quick: QUICK_RUNS)
RUNS, QUICK_RUNS = 5, 1
#: case name -> (goal CPU seconds, goal peak MB or None)
GOALS: dict[str, tuple[float, float | None]] = {
    "import clsc": (0.3, None),
    "clsc --help": (0.3, None),
    "clsc solve newsvendor --json": (0.6, 120.0),
}


@dataclass(frozen=True)
class Child:
    """One finished child process: exit code, output, its CPU seconds and peak RSS (MB)."""

    returncode: int
    stdout: str
    stderr: str
    cpu: float
    peak_mb: float


#: a small launcher process that starts the measured command and reports that child's own
#: rusage: a child's peak RSS counts the memory of the process it was forked from (Linux keeps
#: the high-water mark across fork and exec), so the command is not forked from this (large)
#: process but from this launcher, smaller than any Python command
LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.executable, [sys.executable, *sys.argv[2:]], os.environ)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {ru.ru_utime + ru.ru_stime!r} {ru.ru_maxrss}")
"""


def measure(args: tuple[str, ...] | list[str], env: dict[str, str] | None = None) -> Child:
    """Run ``python *args`` in a fresh process (environment ``env``, default this one's); its
    output, exit code and own resource usage (CPU seconds, peak resident MB; ru_maxrss is in
    KiB on Linux).

    >>> child = measure(("-c", "print(6 * 7)"))
    >>> child.returncode, child.stdout.strip(), child.cpu >= 0 and child.peak_mb > 0
    (0, '42', True)
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "usage")
        proc = subprocess.run(
            [sys.executable, "-c", LAUNCHER, report, *args], capture_output=True, text=True, env=env
        )
        with open(report) as f:
            code, cpu, rss = f.read().split()
    return Child(int(code), proc.stdout, proc.stderr, float(cpu), int(rss) / 1024.0)


def parse_importtime(text: str) -> list[tuple[int, int, str, int]]:
    """(self us, cumulative us, module, depth) of each line of ``python -X importtime``."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(4), len(m.group(3)) // 2))
    return rows


def top_imports(rows: list[tuple[int, int, str, int]], n: int = 6) -> list[tuple[str, float]]:
    """The ``n`` slowest top-level imports (depth 0) as (module, cumulative ms)."""
    top = sorted(((cum, name) for _, cum, name, depth in rows if depth == 0), reverse=True)
    return [(name, cum / 1000.0) for cum, name in top[:n]]


def by_package(rows: list[tuple[int, int, str, int]], n: int = 6) -> list[tuple[str, float]]:
    """Self time summed by top-level package (``scipy.special._ufuncs`` counts for scipy), the
    ``n`` largest as (package, ms): where the time goes whoever imported it."""
    total: dict[str, int] = {}
    for own, _, name, _ in rows:
        root = name.split(".")[0]
        total[root] = total.get(root, 0) + own
    top = sorted(((us, root) for root, us in total.items()), reverse=True)
    return [(root, us / 1000.0) for us, root in top[:n]]


def _setup(quick: bool):
    return SimpleNamespace(
        expected_q=50.0 + 8.0 * NormalDist().inv_cdf(0.70 / 0.88),
        runs=QUICK_RUNS if quick else RUNS,
        children={},
    )


def _python(name: str, *args: str):
    """A case body: run ``python *args`` once and keep the child's record under ``name``."""

    def run(s):
        child = measure(args)
        s.children.setdefault(name, []).append(child)
        return child

    return run


def medians(children: list[Child]) -> tuple[float, float]:
    """(median CPU seconds, median peak MB) of finished children."""
    return (statistics.median(c.cpu for c in children),
            statistics.median(c.peak_mb for c in children))  # fmt: skip


def _verdict(value: float, goal: float | None, unit: str, digits: int) -> str:
    text = f"{value:.{digits}f} {unit}"
    if goal is None:
        return text
    return f"{text} (goal < {goal:g}: {'met' if value < goal else 'NOT met'})"


def _usage_note(name: str, args: tuple[str, ...]):
    """Note of a case: medians over at least ``s.runs`` children (runs are added if the
    harness timed fewer) against the goal, and the ``python -c pass`` baseline's medians."""

    def note(s) -> str:
        kids = s.children.setdefault(name, [])
        while len(kids) < s.runs:
            kids.append(measure(args))
        cpu, mb = medians(kids)
        goal_cpu, goal_mb = GOALS.get(name, (None, None))
        text = (f"median of {len(kids)}: CPU {_verdict(cpu, goal_cpu, 's', 3)}, "
                f"peak {_verdict(mb, goal_mb, 'MB', 0)}")  # fmt: skip
        base = s.children.get(BASELINE)
        if name != BASELINE and base:
            base_cpu, base_mb = medians(base)
            text += f"; python -c pass: {base_cpu:.3f} s, {base_mb:.0f} MB"
        return text

    return note


def _importtime_note(s) -> str:
    rows = parse_importtime(s.children["importtime"][-1].stderr)
    top = ", ".join(f"{name} {ms:.0f}" for name, ms in top_imports(rows))
    own = ", ".join(f"{name} {ms:.0f}" for name, ms in by_package(rows))
    return f"import ms, slowest top-level: {top}; self time by package: {own}"


def _ok(s, child: Child) -> float:
    return 0.0 if child.returncode == 0 else 1.0


def _help_ok(s, child: Child) -> float:
    return 0.0 if child.returncode == 0 and "usage" in child.stdout.lower() else 1.0


def _q_error(s, child: Child) -> float:
    if child.returncode != 0:
        return 1.0
    return abs(float(json.loads(child.stdout)["decisions"]["q"]) - s.expected_q)


def _case(name: str, args: tuple[str, ...], error, **kw) -> Case:
    return Case(name, _python(name, *args), error, note=_usage_note(name, args), warmup=False,
                **kw)  # fmt: skip


register(
    Group(
        "startup",
        setup=_setup,
        cases=(
            _case(BASELINE, ("-c", "pass"), _ok),
            _case("import clsc", ("-c", "import clsc"), _ok),
            _case("clsc --help", (*CLI, "--help"), _help_ok),
            _case(
                "clsc solve newsvendor --json",
                (*CLI, *NEWSVENDOR),
                _q_error,
                accuracy="|q - q*| vs the normal closed form",
            ),
            Case(
                "newsvendor -X importtime",
                _python("importtime", "-X", "importtime", *CLI, *NEWSVENDOR),
                _q_error,
                note=_importtime_note,
                warmup=False,
                accuracy="|q - q*| vs the normal closed form",
            ),
        ),
        baseline=BASELINE,
        accuracy="1 if the command failed, else 0",
        doc="fresh-interpreter start-up: CPU seconds and peak MB of the child process",
        goal="import clsc and clsc --help under 0.3 s CPU; the newsvendor command under "
        "0.6 s CPU and 120 MB peak",
        tolerance=1e-9,
    )
)
