"""``clsc bench [--quick] [--json] [--filter NAME] [--module MOD ...] [--list]``: benchmarks."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager


def register(sub) -> None:
    p = sub.add_parser(
        "bench",
        help="time the engines against baselines measured in the same run",
        description="Run the benchmark groups (clsc.bench) and print one table: each case's "
        "best time, its ratio against the group's baseline (above 1 = faster) and its error "
        "against a known answer.",
    )
    p.add_argument("--quick", action="store_true", help="small problem sizes (CI; ~minutes)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument(
        "--filter", action="append", default=None, metavar="NAME",
        help="groups whose name contains NAME (repeat for several)",
    )  # fmt: skip
    p.add_argument("--repeat", type=int, default=3, help="timed repeats per case (best kept)")
    p.add_argument(
        "--module", action="append", default=[], metavar="MOD",
        help="also load benchmark groups registered by this importable module",
    )  # fmt: skip
    p.add_argument("--list", action="store_true", help="list the benchmark groups and exit")
    p.set_defaults(func=run)


@contextmanager
def _stdout_to_stderr(active: bool):
    """Send file descriptor 1 to stderr while active (C libraries print there directly)."""
    if not active:
        yield
        return
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (e.g. captured in-process): nothing to protect
        yield
        return
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run(args) -> int:
    from clsc.bench.harness import format_table
    from clsc.bench.run import chosen
    from clsc.bench.run import run as run_bench

    if args.repeat < 1:
        from clsc.errors import ParameterError

        raise ParameterError("--repeat", "must be >= 1", args.repeat)
    if args.list:
        for g in chosen(args.filter, args.module):
            print(f"{g.name:<26}{g.doc}")
        return 0
    note = None if args.json else (lambda name: print(f"running {name} ...", file=sys.stderr))
    with _stdout_to_stderr(args.json):  # solver banners written to fd 1 must not break JSON
        rows = run_bench(args.filter, quick=args.quick, repeat=args.repeat,
                         modules=args.module, progress=note)  # fmt: skip
    if args.json:
        print(json.dumps({"quick": args.quick, "rows": [r.to_dict() for r in rows]}))
    else:
        print(format_table(rows))
    failed = [f"{r.group}/{r.case}" for r in rows if r.failed]
    if failed:
        print(f"clsc: {len(failed)} benchmark case(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
