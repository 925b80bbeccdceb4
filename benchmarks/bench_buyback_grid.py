"""buyback-effort profit grid: numpy vs sort + prefix sums + numba cube.

A thin entry point over the ``clsc bench`` groups of ``clsc.bench.cases_buyback``:

    python benchmarks/bench_buyback_grid.py [--quick] [--json] [--repeat N] [--filter NAME]

is ``clsc bench --module clsc.bench.cases_buyback ...``: one table of each case's time, its
ratio against the group's baseline measured in the same run, and its error against a known
answer. What is compared, the sizes and the known answers are in that module's docstring.
"""

from __future__ import annotations

import sys

from clsc.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "--module", "clsc.bench.cases_buyback", *sys.argv[1:]]))
