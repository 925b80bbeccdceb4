"""Closed-form solves in a fresh process: first run (derives) vs second run (disk cache).

    python benchmarks/bench_derivation_cache.py [--models cascade-epr process-innovation ...]

Each game model and scenario is solved by ``Model().solve(scenario)`` in a new Python process,
twice, with ``CLSC_CACHE_DIR`` set to an empty temporary directory before the first run. The
table shows CPU seconds (user + sys of the child process): ``import`` (importing the model
package), ``solve`` (the solve, which derives or reads the cache) and ``total``. Goal: the
second run's total under 0.8 s CPU for every solve; the first run is the baseline. Both runs
must print the same decisions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

CHILD = """
import json, sys, time
t0 = time.process_time()
from clsc.models.registry import get_model
import clsc.models
t1 = time.process_time()
model = get_model(sys.argv[1])
r = model.solve(sys.argv[2])
t2 = time.process_time()
print(json.dumps({"import": t1 - t0, "solve": t2 - t1, "status": str(r.status),
                  "decisions": {k: repr(v) for k, v in r.decisions.items()}}))
"""


def game_models() -> list[tuple[str, str]]:
    import clsc.models  # noqa: F401 - registers the models
    from clsc.game.modelbase import GameModel
    from clsc.models.registry import get_model, model_names

    out = []
    for name in model_names():
        model = get_model(name)
        if isinstance(model, GameModel):
            out += [(name, s) for s in model.scenarios]
    return out


def child(name: str, scenario: str, env: dict) -> tuple[dict, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, name, scenario],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(proc.stdout.strip().splitlines()[-1]), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--models", nargs="*", default=None)
    args = ap.parse_args()
    cases = [c for c in game_models() if args.models is None or c[0] in args.models]
    head = f"{'model':<20}{'scenario':<17}{'first: solve':>13}{'total':>8}"
    print(head + f"{'second: import':>16}{'solve':>8}{'total':>8}{'speed-up':>10}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLSC_CACHE_DIR": tmp}
        for name, scenario in cases:
            first, cpu1 = child(name, scenario, env)
            second, cpu2 = child(name, scenario, env)
            if first["decisions"] != second["decisions"] or first["status"] != second["status"]:
                raise AssertionError(f"{name} {scenario}: the cached solve differs")
            ok &= cpu2 < 0.8
            print(
                f"{name:<20}{scenario:<17}{first['solve']:>13.2f}{cpu1:>8.2f}"
                f"{second['import']:>16.2f}{second['solve']:>8.2f}{cpu2:>8.2f}{cpu1 / cpu2:>9.1f}x"
            )
    print("CPU seconds")
    print("goal: second run total < 0.8 s CPU:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
