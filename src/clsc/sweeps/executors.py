"""Running chunk tasks: in process, on a standard-library process pool, or on Dask distributed.

A task is one chunk ``(spec JSON, plan, chunk index, [start, stop), out)``. The worker rebuilds
its :class:`~clsc.sweeps.engine.Engine` from the JSON once per process (warming its own caches:
compiled closed forms are never shipped), evaluates the rows and, when ``out`` is given, writes
the chunk file itself (atomic rename) and returns only the status counts; otherwise it returns
the rows. At most ``2 * workers`` tasks are in flight, so the driver's memory stays bounded.

Threads: each worker process gets ``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` (and ``VECLIB_MAXIMUM_THREADS``) set to
``max(1, cores // workers)`` before it imports numpy, so workers x threads <= cores. On Dask the
environment of the workers is set when they start (see ``docs`` in :func:`run_dask`); the task
also calls ``numba.set_num_threads`` when numba is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

THREAD_VARS = (
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
_PINNED: list[int] = []


def threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def pin_threads(threads: int) -> None:
    """Worker initialiser: cap the thread pools of numba and the BLAS libraries."""
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    _PINNED[:] = [threads]
    import sys

    if "numba" in sys.modules:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


@contextmanager
def thread_env(threads: int):
    """Set the thread variables in this process while worker processes are started."""
    saved = {v: os.environ.get(v) for v in THREAD_VARS}
    os.environ.update({v: str(threads) for v in THREAD_VARS})
    try:
        yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


def run_task(task: tuple) -> tuple[int, dict[str, int], Any]:
    """Evaluate one chunk (in whatever process runs it); see the module docstring."""
    from clsc.sweeps.engine import Plan, engine_for
    from clsc.sweeps.store import write_chunk

    spec_json, plan, k, start, stop, out, threads = task
    if threads and [threads] != _PINNED:
        pin_threads(threads)
    engine = engine_for(spec_json)
    plan = Plan.from_dict(plan)
    frame = engine.frame(start, stop, plan)
    tally = frame.column("status").value_counts().to_pylist()
    counts = {str(d["values"]): int(d["counts"]) for d in tally}
    if out is not None:
        write_chunk(out, k, frame, plan.columns)
        return k, counts, None
    return k, counts, frame


def _windowed(submit: Callable, wait_one: Callable, tasks: Iterable, window: int) -> Iterator:
    pending: list = []
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= window:
            done, pending = wait_one(pending)
            yield from done
    while pending:
        done, pending = wait_one(pending)
        yield from done


def run_serial(tasks: Iterable[tuple]) -> Iterator[tuple]:
    for task in tasks:
        yield run_task(task)


def run_threads(tasks: Iterable[tuple], workers: int) -> Iterator[tuple]:
    """Thread pool for vectorised chunks: numpy and pyarrow release the GIL on whole arrays, and
    the threads share the process's compiled closed forms (no per-worker derivation)."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    def wait_one(pending):
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return [f.result() for f in done], list(rest)

    with ThreadPoolExecutor(workers) as pool:
        yield from _windowed(lambda t: pool.submit(run_task, t), wait_one, tasks, 2 * workers)


def fork_safe() -> bool:
    """True when this process runs one thread and no numba thread pool (so ``fork`` is safe)."""
    import sys
    import threading

    if threading.active_count() > 1:
        return False
    numba = sys.modules.get("numba")
    if numba is not None:
        try:
            numba.threading_layer()  # raises ValueError while no parallel region has run
            return False
        except ValueError:
            pass
    return True


def _context():
    """The start method of the pool's workers.

    ``fork`` when :func:`fork_safe` (a single-threaded driver: the workers start in
    milliseconds with the driver's warm caches, copied, never pickled); otherwise
    ``forkserver`` (a fresh single-threaded server that has imported the models once) where
    available, else ``spawn``. Each worker then prepares whatever else it needs itself.
    """
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    if "fork" in methods and fork_safe():
        return mp.get_context("fork")
    if "forkserver" in methods:
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["clsc.sweeps.engine", "clsc.models"])
        return context
    return mp.get_context("spawn")


def run_pool(tasks: Iterable[tuple], workers: int) -> Iterator[tuple]:
    """Standard-library process pool (threads pinned; see :func:`_context`)."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    threads = threads_per_worker(workers)

    def wait_one(pending):
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return [f.result() for f in done], list(rest)

    context = _context()
    with (
        thread_env(threads),
        ProcessPoolExecutor(
            workers, mp_context=context, initializer=pin_threads, initargs=(threads,)
        ) as pool,
    ):
        try:
            yield from _windowed(lambda t: pool.submit(run_task, t), wait_one, tasks, 2 * workers)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def run_dask(tasks: Iterable[tuple], scheduler: Any) -> Iterator[tuple]:
    """Dask distributed: ``scheduler`` is an address (``tcp://host:8786``) or a ``Client``.

    On a SLURM/PBS cluster start the workers with dask-jobqueue, e.g.::

        from dask_jobqueue import SLURMCluster
        cluster = SLURMCluster(cores=8, processes=8, memory="16GB",
                               job_script_prologue=["export OMP_NUM_THREADS=1",
                                                    "export NUMBA_NUM_THREADS=1"])
        cluster.scale(jobs=4)
        # clsc sweep FILE --out DIR --scheduler <cluster.scheduler_address>

    The output directory must be on a file system the workers share (they write the chunks).
    """
    from distributed import Client, wait

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def wait_one(pending):
            res = wait(pending, return_when="FIRST_COMPLETED")
            return [f.result() for f in res.done], list(res.not_done)

        def submit(task):
            return client.submit(run_task, task, pure=False)

        yield from _windowed(submit, wait_one, tasks, 2 * workers)
    finally:
        if client is not scheduler:
            client.close()
