"""``clsc sweep FILE --out DIR [--workers N] [--scheduler ADDRESS] [--resume] [--quiet]``."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run a TOML sweep file into resumable Parquet chunks")
    p.add_argument("file", help="TOML sweep file")
    p.add_argument("--out", required=True, help="output directory (manifest + Parquet chunks)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--scheduler", default=None, help="dask.distributed scheduler address")
    p.add_argument("--resume", action="store_true", help="continue the sweep in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
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
