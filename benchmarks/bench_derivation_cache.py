"""Closed-form solves in a fresh process, per game-model scenario: derivation vs stored forms.

    python benchmarks/bench_derivation_cache.py [--models cascade-epr process-innovation ...]

Each scenario (``clsc solve MODEL --scenario S --json``; sorting-collection also with
``sorting=per_unit``) runs in a new Python process, with ``CLSC_CACHE_DIR`` set to an empty
temporary directory for:

* ``derive``: no shipped form, empty cache: sympy derives (baseline);
* ``old 2nd``: the sympy solution read from the disk cache and lambdified (the second run
  before forms were data, ``CLSC_CLOSED_FORMS=derive``);
* ``2nd run``: the closed form read from the disk cache as data (no shipped form);
* ``installed``: the first run after an install: the shipped form, empty cache.

The table shows CPU seconds (user + sys of the child process) and the speed-up of the
second run over the baseline. Goal: ``2nd run`` and ``installed`` under 0.8 s CPU for every
scenario. Every run must print the same decisions.
"""

from __future__ import annotations

import argparse
import tempfile

from clsc.bench.cases_speed import game_scenarios, solve_child

GOAL = 0.8


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--models", nargs="*", default=None)
    args = ap.parse_args()
    cases = [c for c in game_scenarios(False) if args.models is None or c[1][0] in args.models]
    print(f"{'scenario':<38}{'derive':>8}{'old 2nd':>9}{'2nd run':>9}{'installed':>10}"
          f"{'speed-up':>10}")  # fmt: skip
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, solve_args) in enumerate(cases):
            warm, cold = f"{tmp}/warm{i}", f"{tmp}/cold{i}"
            runs = [
                solve_child(solve_args, warm, "no-shipped"),
                solve_child(solve_args, warm, "derive"),
                solve_child(solve_args, warm, "no-shipped"),
                solve_child(solve_args, cold, ""),
            ]
            if any(d != runs[0][0] for d, _ in runs):
                raise AssertionError(f"{label}: the runs print different decisions")
            cpu = [c for _, c in runs]
            ok &= cpu[2] < GOAL and cpu[3] < GOAL
            print(f"{label:<38}{cpu[0]:>8.2f}{cpu[1]:>9.2f}{cpu[2]:>9.2f}{cpu[3]:>10.2f}"
                  f"{cpu[0] / cpu[2]:>9.1f}x")  # fmt: skip
    print("CPU seconds per process")
    print(f"goal: 2nd run and installed < {GOAL} s CPU:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
