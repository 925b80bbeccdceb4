"""``clsc sweep FILE --out DIR [--workers N] [--scheduler ADDRESS] [--resume] [--quiet]``."""

from __future__ import annotations

import sys

from clsc.cli.args import add_run_flags


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run a TOML sweep file into resumable Parquet chunks")
    p.add_argument("file", help="TOML sweep file")
    p.add_argument("--out", required=True, help="output directory (manifest + Parquet chunks)")
    add_run_flags(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from clsc.sweeps.api import run_sweep
    from clsc.sweeps.spec import load_file

    spec, digest = load_file(args.file)
    summary, _ = run_sweep(
        spec,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        quiet=args.quiet,
        digest=digest,
    )
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(summary.text())
    print(f"rows in {args.out} (read with clsc.sweeps.api.read_sweep or pandas.read_parquet)")
    return 0
