"""Resource limits of the command line: sample sizes, grids, memory estimates and time limits.

Work and memory are estimated *before* anything is allocated; a request above the limit is
refused with a message that states the estimate and the limit and names the flag that raises
it (``--max-memory GIB``). ``--time-limit SECONDS`` interrupts Python-level work with SIGALRM
(POSIX main thread) and turns it into status ``time_limit``.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from collections.abc import Iterator

from clsc.errors import ParameterError

#: Default memory budget (GiB) of one command.
DEFAULT_MAX_MEMORY_GIB = 4.0
#: Bytes per Monte Carlo / SAA sample: demand draws, uniforms, sorted copy and sums (float64).
BYTES_PER_SAMPLE = 8 * 6
#: Bytes per grid point of a threshold scan or statics sample (values of two scenarios + work).
BYTES_PER_POINT = 8 * 64


def nonnegative_int(text: str) -> int:
    """argparse type: a non-negative integer, also written as ``1e6``.

    >>> nonnegative_int("1e3")
    1000
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer; got {text!r}") from None
    if not math.isfinite(value) or value < 0 or not value.is_integer():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer; got {text!r}")
    return int(value)


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds > 0; got {text!r}")
    return value


def add_limit_flags(parser: argparse.ArgumentParser, *, time: bool = True) -> None:
    """Add ``--max-memory`` (and ``--time-limit``) to a sub-command's parser."""
    parser.add_argument(
        "--max-memory",
        type=positive_seconds,
        default=DEFAULT_MAX_MEMORY_GIB,
        metavar="GIB",
        help=f"refuse work estimated above this memory (default {DEFAULT_MAX_MEMORY_GIB:g} GiB)",
    )
    if time:
        parser.add_argument(
            "--time-limit",
            type=positive_seconds,
            default=None,
            metavar="SECONDS",
            help="give up after this many seconds (status time_limit)",
        )


def _size(nbytes: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes / 2**10:.3g} KiB"


def check_memory(count: int | None, per_item: int, what: str, option: str, limit_gib: float):
    """Refuse ``count`` items of ``per_item`` bytes above ``limit_gib`` (estimate in the message).

    >>> check_memory(10**12, BYTES_PER_SAMPLE, "sample", "--samples", 4.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clsc.errors.ParameterError: --samples 1000000000000 needs about 43.7 TiB ...
    """
    if count is None:
        return
    need = float(count) * per_item
    if need > limit_gib * 2**30:
        raise ParameterError(
            option.lstrip("-"),
            message=f"{option} {count} needs about {_size(need)} ({per_item} bytes per {what}); "
            f"the limit is {limit_gib:g} GiB (raise it with --max-memory GIB)",
        )


def check_samples(samples: int | None, limit_gib: float, option: str = "--samples") -> None:
    """Refuse a sample size < 1 or one whose arrays would not fit ``limit_gib``."""
    if samples is not None and samples < 1:
        raise ParameterError(option.lstrip("-"), "must be a positive integer", samples)
    check_memory(samples, BYTES_PER_SAMPLE, "sample", option, limit_gib)


class TimeUp(BaseException):
    """Raised by the alarm inside the solve (a BaseException so library code cannot swallow it)."""


class Timer:
    """State of one :func:`time_limit` block: ``expired`` and the seconds used."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.expired = False
        self.start = time.perf_counter()

    def result(self, model, args):
        """The ``time_limit`` result of a solve that was stopped."""
        from clsc.results import TIME_LIMIT, Result

        return Result(
            model=model.name,
            scenario=getattr(args, "scenario", None),
            method=getattr(args, "method", None) or getattr(model, "default_method", ""),
            status=TIME_LIMIT,
            message=f"gave up after {self.seconds:g} s (--time-limit); no result",
            seconds=time.perf_counter() - self.start,
        )


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[Timer]:
    """Run the block with an alarm after ``seconds``; on expiry set ``timer.expired``."""
    timer = Timer(seconds)
    if seconds is None:
        yield timer
        return
    import signal
    import threading

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        raise ParameterError(
            "time-limit", message="--time-limit needs POSIX signals in the main thread"
        )

    def _alarm(signum, frame):
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield timer
    except TimeUp:
        timer.expired = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
