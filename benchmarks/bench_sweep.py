"""Benchmark of the sweep engine: ``PYTHONPATH=src python benchmarks/bench_sweep.py``.

1. Closed-form throughput and peak memory: process-innovation, all 3 scenarios, Sobol designs of
   10^4, 10^5, 10^6 points, written to Parquet; each size in a fresh process (peak RSS of that
   process). ``prep`` is the one-time symbolic derivation + compilation, ``sweep`` the run
   (wall), ``cpu`` the CPU seconds the run used (a check on a loaded machine).
2. Numeric sweep (process-innovation ``numeric``, 200 and 2,000 points): 1 vs 2 workers.
3. Executor overhead per task: 40 one-point tasks on the process pool and on a Dask
   LocalCluster (2 processes), against the same work run serially in this process.

Options: ``--quick`` (10^4 and 10^5 only), ``--workers N`` for part 1 (default 2).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")

CHILD = r"""
import json, resource, sys, tempfile, time
t0 = time.perf_counter()
from clsc.models import get_model
m = get_model("process-innovation")
for s in m.scenarios:
    m.compiled(s)
prep = time.perf_counter() - t0
from clsc.sweeps.api import sweep
n, workers = int(sys.argv[1]), int(sys.argv[2])
design = {"type": "sobol", "points": n, "theta": {"from": 0, "to": 1}, "k": {"from": 1, "to": 10}}
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
with tempfile.TemporaryDirectory() as out:
    c1 = cpu()
    t1 = time.perf_counter()
    df = sweep("process-innovation", design, scenario="all", out=out + "/s", workers=workers,
               load=False)
    run = time.perf_counter() - t1
    cpu_run = cpu() - c1
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rows = df.attrs["summary"]["rows"]
print(json.dumps({"prep": prep, "run": run, "cpu": cpu_run, "rss_mib": rss, "rows": rows}))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def closed_form(sizes, workers: int) -> None:
    print(f"\n1. closed form, process-innovation x 3 scenarios, {workers} workers (threads)")
    head = ("points", "rows", "prep s", "sweep s", "cpu s", "points/s", "peak MiB")
    print("{:>9} {:>9} {:>8} {:>8} {:>8} {:>10} {:>9}".format(*head))
    for n in sizes:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(workers)],
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(
            f"{n:>9} {r['rows']:>9} {r['prep']:>8.2f} {r['run']:>8.2f} {r['cpu']:>8.2f} "
            f"{n / r['run']:>10.3g} {r['rss_mib']:>9.0f}"
        )


def _numeric(workers: int, points: int = 200, **kw) -> float:
    from clsc.sweeps.api import sweep

    design = {"theta": {"from": 0, "to": 1, "steps": points}}
    t = time.perf_counter()
    df = sweep("process-innovation", design, method="numeric", workers=workers, **kw)
    assert (df["status"] == "optimal").all()
    return time.perf_counter() - t


def numeric() -> None:
    print("\n2. numeric sweep, process-innovation (numeric method), 1 vs 2 workers")
    _numeric(1, points=4)  # warm this process (imports, numeric game preparation)
    print(f"{'points':>8} {'1 worker s':>11} {'2 workers s':>12} {'speedup':>8}")
    for points in (200, 2000):
        t1, t2 = _numeric(1, points), _numeric(2, points)
        print(f"{points:>8} {t1:>11.2f} {t2:>12.2f} {t1 / t2:>8.2f}")
    print(
        "(goal >= 1.6 with 2 workers; includes worker start-up, which dominates when the whole\n"
        " serial sweep takes well under a second)"
    )


def overhead() -> None:
    import distributed

    print("\n3. executor overhead per task (40 one-point numeric tasks, 2 workers)")
    tasks = 40
    serial = _numeric(1, points=tasks, chunk_size=1)
    pool = _numeric(2, points=tasks, chunk_size=1)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(lambda: __import__("clsc.models"))
        with tempfile.TemporaryDirectory() as out:
            dask = _numeric(1, points=tasks, chunk_size=1, scheduler=client, out=out + "/d")
    print(f"{'executor':>12} {'seconds':>8} {'per task ms (vs serial)':>24}")
    print(f"{'serial':>12} {serial:>8.2f} {0.0:>24.1f}")
    for name, t in (("process pool", pool), ("dask local", dask)):
        print(f"{name:>12} {t:>8.2f} {1000 * (t - serial / 2) / tasks:>24.1f}")
    print("(per task = (wall - serial/2)/tasks: start-up and transport amortised over the tasks)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--closed-form-only", action="store_true")
    args = parser.parse_args()
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    sizes = (10**4, 10**5) if args.quick else (10**4, 10**5, 10**6)
    closed_form(sizes, args.workers)
    if not args.closed_form_only:
        numeric()
        overhead()


if __name__ == "__main__":
    main()
