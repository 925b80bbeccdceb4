"""``clsc sensitivity FILE [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume]``."""

from __future__ import annotations

import sys

from clsc.cli.args import add_run_flags


def register(sub) -> None:
    p = sub.add_parser("sensitivity", help="Sobol / Morris indices of a sweep file's outputs")
    p.add_argument("file", help="TOML sweep file with a [sensitivity] table")
    p.add_argument("--out", default=None, help="directory for the (resumable) sweep rows")
    add_run_flags(p)
    p.add_argument("--csv", default=None, help="also write the indices to this CSV file")
    p.set_defaults(func=run)


def run(args) -> int:
    import hashlib
    import tomllib
    from pathlib import Path

    from clsc.analysis.sensitivity import sensitivity_from_spec
    from clsc.errors import ParameterError, SpecError

    path = Path(args.file)
    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except OSError as exc:
        raise ParameterError("file", message=f"cannot read {path}: {exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not a valid TOML file: {exc}", token=str(path)) from None
    if "sensitivity" not in raw:
        raise ParameterError("sensitivity", message=f"{path} has no [sensitivity] table")
    result = sensitivity_from_spec(
        raw,
        args.out,
        digest=hashlib.sha256(data).hexdigest(),
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        quiet=args.quiet,
    )
    frame = result.to_frame()
    drawn = ""
    if result.seed_drawn:
        drawn = f" (fresh entropy; seed = {result.seed} in the file repeats it)"
    print(f"{result.gsa.method} indices from {result.points} points; seed {result.seed}{drawn}")
    print(frame.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    for scenario, filled in result.filled.items():
        for output, count in filled.items():
            if count:
                print(
                    f"note: {scenario}/{output}: {count} failed points filled by the mean",
                    file=sys.stderr,
                )
    if args.csv:
        frame.to_csv(args.csv, index=False)
    return 0
