"""``clsc bench [--quick] [--json] [--filter NAME] [--module MOD ...]``: benchmark table."""

from __future__ import annotations

import json
import sys


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
    p.add_argument("--filter", default=None, metavar="NAME", help="groups whose name contains NAME")
    p.add_argument("--repeat", type=int, default=3, help="timed repeats per case (best kept)")
    p.add_argument(
        "--module", action="append", default=[], metavar="MOD",
        help="also load benchmark groups registered by this importable module",
    )  # fmt: skip
    p.set_defaults(func=run)


def run(args) -> int:
    from clsc.bench.harness import format_table
    from clsc.bench.run import run as run_bench

    if args.repeat < 1:
        from clsc.errors import ParameterError

        raise ParameterError("--repeat", "must be >= 1", args.repeat)
    note = None if args.json else (lambda name: print(f"running {name} ...", file=sys.stderr))
    rows = run_bench(args.filter, quick=args.quick, repeat=args.repeat, modules=args.module,
                     progress=note)  # fmt: skip
    if args.json:
        print(json.dumps({"quick": args.quick, "rows": [r.to_dict() for r in rows]}))
    else:
        print(format_table(rows))
    return 0
