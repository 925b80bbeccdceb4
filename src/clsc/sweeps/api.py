"""Public entry points: :func:`sweep`, :func:`sweep_file`, :func:`run_sweep`, :func:`read_sweep`.

>>> df = sweep("process-innovation", {"theta": {"from": 0, "to": 1, "steps": 3}},
...            scenario=["PM", "P"])
>>> print(df[["point", "theta", "scenario", "status"]].to_string(index=False))
 point  theta scenario  status
     0    0.0       PM optimal
     0    0.0        P optimal
     1    0.5       PM optimal
     1    0.5        P optimal
     2    1.0       PM optimal
     2    1.0        P optimal
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from clsc.errors import ParameterError
from clsc.sweeps import executors, store
from clsc.sweeps.engine import Engine, Plan, remember
from clsc.sweeps.progress import Summary, make_bar
from clsc.sweeps.seeding import SEED_POLICY
from clsc.sweeps.spec import SweepSpec, load_file, spec_from_mapping
from clsc.sweeps.store import read_sweep

__all__ = ["read_sweep", "run_sweep", "sweep", "sweep_file"]

ROWS_PER_CHUNK = 200_000  # vectorised chunks: rows held in memory at once
TASK_SECONDS = 0.25  # point-by-point chunks: target work per task (>= 100 ms)
AUDIT_POINTS = 200_000


def clsc_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clsc")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def audit(engine: Engine) -> None:
    """Refuse (``on_invalid = "refuse"``) a design with points breaking the model's rules."""
    spec = engine.spec
    n = spec.design.n
    total: dict[str, list] = {s: [0, None, ""] for s in spec.scenarios}
    for start in range(0, n, AUDIT_POINTS):
        for s, (count, first, msg) in engine.audit(start, min(n, start + AUDIT_POINTS)).items():
            total[s][0] += count
            if total[s][1] is None and first is not None:
                total[s][1:] = [first, msg]
    for s, (count, first, msg) in total.items():
        if count and spec.on_invalid == "refuse":
            cols = spec.design.columns(first, first + 1)
            shown = ", ".join(f"{k}={_fmt(v[0])}" for k, v in cols.items())
            raise ParameterError(
                "design",
                message=f"{count} of {n} points violate the model's assumptions in scenario "
                f'{s}; first: point {first} ({shown}): {msg}. Set on_invalid = "skip" to '
                "record them as skipped rows",
            )


def _fmt(v: Any) -> str:
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def chunk_size(spec: SweepSpec, plan: Plan, workers: int) -> int:
    if spec.chunk_size:
        return spec.chunk_size
    n = spec.design.n
    if len(plan.vectorised) == len(spec.scenarios):
        return max(1000, ROWS_PER_CHUNK // len(spec.scenarios))
    per_point = max(plan.seconds_per_point, 1e-5) * len(spec.scenarios)
    size = math.ceil(TASK_SECONDS / per_point)
    return max(1, min(size, math.ceil(n / (4 * max(1, workers)))))


def manifest_for(spec: SweepSpec, digest: str, plan: Plan, size: int) -> dict[str, Any]:
    return {
        "format": store.FORMAT,
        "hash": digest,
        "clsc_version": clsc_version(),
        "model": spec.model,
        "scenarios": list(spec.scenarios),
        "method": spec.method,
        "design": spec.design.describe(),
        "seed": spec.seed,
        "seed_drawn": spec.seed_drawn,
        "seed_policy": SEED_POLICY,
        "points": spec.design.n,
        "chunk_size": size,
        "chunks": math.ceil(spec.design.n / size),
        "columns": [list(c) for c in plan.columns],
        "plan": plan.to_dict(),
        "spec": spec.to_dict(),
    }


def _executor(tasks, workers: int, scheduler: Any, vectorised: bool):
    if scheduler is not None:
        return executors.run_dask(tasks, scheduler)
    if workers > 1 and vectorised:
        return executors.run_threads(tasks, workers)
    if workers > 1:
        return executors.run_pool(tasks, workers)
    return executors.run_serial(tasks)


def _prepare(engine: Engine, out, resume: bool, digest: str, workers: int) -> tuple[Plan, int]:
    """Check the directory, then audit and plan a new sweep (writing its manifest) or take
    the plan and chunk size of the sweep being resumed."""
    spec = engine.spec
    old = None
    if out is not None:
        probe = {"format": store.FORMAT, "hash": digest, "clsc_version": clsc_version()}
        probe |= {"model": spec.model, "design": spec.design.describe(), "seed": spec.seed}
        old = store.check_resume(out, {**probe, "seed_policy": SEED_POLICY}, resume)
    if old is not None:
        return Plan.from_dict(old["plan"]), int(old["chunk_size"])
    audit(engine)
    plan = engine.plan()
    size = chunk_size(spec, plan, workers)
    if out is not None:
        store.write_manifest(out, manifest_for(spec, digest, plan, size))
    return plan, size


def adopt_seed(spec: SweepSpec, out: str | Path | None, resume: bool) -> SweepSpec:
    """On a resume of a sweep that gives no seed, the spec with the seed recorded in the
    manifest of ``out`` (the seed drawn when the sweep started); otherwise ``spec`` itself."""
    if not (resume and spec.seed_drawn and out is not None):
        return spec
    old = store.read_manifest(out)
    seed = None if old is None else old.get("seed")
    if not old or isinstance(seed, bool) or not isinstance(seed, int):
        return spec  # nothing to adopt: check_resume names what is wrong
    return replace(spec_from_mapping({**spec.source, "seed": seed}), seed_drawn=True)


def run_sweep(
    spec: SweepSpec,
    out: str | Path | None = None,
    *,
    workers: int = 1,
    scheduler: Any = None,
    resume: bool = False,
    quiet: bool = False,
    digest: str | None = None,
):
    """Run a checked sweep; returns ``(summary, frames)`` (``frames`` empty when ``out``).

    The summary carries the sweep seed (``seed``; ``seed_drawn`` when it was drawn from fresh
    entropy): the same spec with that seed repeats the sweep bit for bit.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError("workers", "must be an integer >= 1", workers)
    started = time.perf_counter()
    spec = adopt_seed(spec, out, resume)
    engine = Engine(spec)
    plan, size = _prepare(engine, out, resume, digest or spec.digest, workers)
    done = set()
    if out is not None:
        store.clean_temporary(out)
        done = store.done_chunks(out)
    n = spec.design.n
    todo = [k for k in range(math.ceil(n / size)) if k not in done]
    spec_json = json.dumps(spec.to_dict(), sort_keys=True)
    remember(spec_json, engine)
    threads = 0
    if scheduler is None and workers > 1 and len(plan.vectorised) < len(spec.scenarios):
        threads = executors.threads_per_worker(workers)
    plan_d = plan.to_dict()
    where = None if out is None else str(out)
    tasks = ((spec_json, plan_d, k, k * size, min(n, (k + 1) * size), where, threads) for k in todo)
    summary = Summary(n, 0, chunks_done_before=len(done), notes=list(plan.notes))
    summary.seed, summary.seed_drawn = spec.seed, spec.seed_drawn
    frames: dict[int, Any] = {}
    bar = make_bar(n, initial=sum(min(n, (k + 1) * size) - k * size for k in done), quiet=quiet)
    try:
        vectorised = len(plan.vectorised) == len(spec.scenarios)
        for k, counts, frame in _executor(tasks, workers, scheduler, vectorised):
            summary.add(counts)
            summary.chunks_run += 1
            if frame is not None:
                frames[k] = frame
            bar.update(min(n, (k + 1) * size) - k * size)
    finally:
        bar.close()
    if out is not None and done:
        summary.statuses = _status_counts(out)
    summary.rows = sum(summary.statuses.values())
    summary.seconds = time.perf_counter() - started
    return summary, [frames[k] for k in sorted(frames)]


def _status_counts(out) -> dict[str, int]:
    frame = read_sweep(out, columns=["status"])
    return {str(k): int(v) for k, v in frame["status"].value_counts().items()}


def _result(summary: Summary, frames, out, load: bool):
    import pandas as pd

    if out is not None:
        df = read_sweep(out) if load else pd.DataFrame()
    elif frames:
        import pyarrow as pa

        from clsc.sweeps.schema import to_pandas

        df = to_pandas(pa.concat_tables(frames))
    else:
        df = pd.DataFrame()
    df.attrs["summary"] = summary.to_dict()
    return df


def sweep(
    model: str,
    design: Mapping[str, Any],
    scenario: str | Sequence[str] | None = None,
    method: str | None = None,
    workers: int = 1,
    out: str | Path | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    fix: Mapping[str, Any] | None = None,
    seed: int | None = None,
    samples: int | None = None,
    on_invalid: str = "refuse",
    outputs: Sequence[str] | None = None,
    chunk_size: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    quiet: bool = True,
    load: bool = True,
):
    """Run ``model`` over ``design`` (a ``[design]`` table as a dict); returns a DataFrame.

    One row per point and scenario (see :mod:`clsc.sweeps.schema`); with ``out`` the rows are
    also written as Parquet chunks to that directory (``resume=True`` continues it). The run's
    summary is in ``df.attrs["summary"]``. ``load=False`` skips reading ``out`` back.
    ``seed=None`` draws fresh entropy; the seed used is ``df.attrs["summary"]["seed"]`` (and
    the manifest's ``seed``): passing it again repeats the sweep bit for bit.
    """
    raw: dict[str, Any] = {"model": model, "design": dict(design), "seed": seed}
    if isinstance(scenario, str):
        raw["scenario"] = scenario
    elif scenario is not None:
        raw["scenarios"] = list(scenario)
    optional = {
        "method": method,
        "params": params,
        "options": options,
        "fix": fix,
        "samples": samples,
        "outputs": None if outputs is None else list(outputs),
        "chunk_size": chunk_size,
    }
    raw.update({k: (dict(v) if isinstance(v, Mapping) else v) for k, v in optional.items() if v})
    raw["on_invalid"] = on_invalid
    spec = spec_from_mapping(raw)
    summary, frames = run_sweep(
        spec, out, workers=workers, scheduler=scheduler, resume=resume, quiet=quiet
    )
    return _result(summary, frames, out, load)


def sweep_file(
    path: str | Path,
    out: str | Path | None = None,
    *,
    workers: int = 1,
    scheduler: Any = None,
    resume: bool = False,
    quiet: bool = True,
    load: bool = True,
):
    """Run a TOML sweep file (the manifest records the file's sha256); returns a DataFrame."""
    spec, digest = load_file(path)
    summary, frames = run_sweep(
        spec, out, workers=workers, scheduler=scheduler, resume=resume, quiet=quiet, digest=digest
    )
    return _result(summary, frames, out, load)
