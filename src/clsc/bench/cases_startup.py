"""Start-up time: ``import clsc`` and the ``clsc`` command, each in a fresh interpreter.

Each case runs ``python -c ...`` as a subprocess (same interpreter and environment as this
process) and waits for it; ``python -c "pass"`` is the baseline (the interpreter's own
start-up), so the ratio of the others is ``pass`` time / their time (below 1: slower). The
CPU column includes the subprocess. Cases: ``import clsc``; ``clsc --help``; the newsvendor
command of issue #12 (``clsc solve newsvendor --set demand="normal(mean=50, sd=8)" --set
holding=0.18 --set shortage=0.70 --json``).

Accuracy: 0 when the command exited with status 0 and printed what it should (``usage`` for
``--help``), else 1; for the newsvendor command, ``|q - q*|`` with the closed form
``q* = 50 + 8 * Phi^-1(0.70 / 0.88)`` (stdlib ``statistics.NormalDist``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from statistics import NormalDist
from types import SimpleNamespace

from clsc.bench.harness import Case, Group, register

CLI = "import sys; from clsc.cli import main; sys.exit(main(sys.argv[1:]))"
NEWSVENDOR = ("solve", "newsvendor", "--set", "demand=normal(mean=50, sd=8)",
              "--set", "holding=0.18", "--set", "shortage=0.70", "--json")  # fmt: skip


def _setup(quick: bool):
    return SimpleNamespace(expected_q=50.0 + 8.0 * NormalDist().inv_cdf(0.70 / 0.88))


def _python(*args: str):
    def run(s):
        return subprocess.run([sys.executable, *args], capture_output=True, text=True)

    return run


def _ok(s, proc) -> float:
    return 0.0 if proc.returncode == 0 else 1.0


def _help_ok(s, proc) -> float:
    return 0.0 if proc.returncode == 0 and "usage" in proc.stdout.lower() else 1.0


def _q_error(s, proc) -> float:
    if proc.returncode != 0:
        return 1.0
    doc = json.loads(proc.stdout)
    q = doc["decisions"]["q"] if "decisions" in doc else doc["results"][0]["decisions"]["q"]
    return abs(float(q) - s.expected_q)


register(
    Group(
        "startup",
        setup=_setup,
        cases=(
            Case('python -c "pass"', _python("-c", "pass"), _ok, warmup=False),
            Case("import clsc", _python("-c", "import clsc"), _ok, warmup=False),
            Case("clsc --help", _python("-c", CLI, "--help"), _help_ok, warmup=False),
            Case(
                "clsc solve newsvendor --json",
                _python("-c", CLI, *NEWSVENDOR),
                _q_error,
                warmup=False,
                accuracy="|q - q*| vs the normal closed form",
            ),
        ),
        baseline='python -c "pass"',
        accuracy="1 if the command failed, else 0",
        doc="fresh-interpreter start-up",
        goal="clsc --help under 0.3 s CPU; the newsvendor command under 0.6 s CPU",
        tolerance=1e-9,
    )
)
