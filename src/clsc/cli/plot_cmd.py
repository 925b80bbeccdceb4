"""``clsc plot RESULTS_DIR --x PARAM --y COLUMN [--y ...] [--by scenario] [--out FILE.png]``:
a quick figure (house style) from any sweep output directory."""

from __future__ import annotations

from clsc.errors import ParameterError


def register(sub) -> None:
    p = sub.add_parser("plot", help="quick line figure from a sweep output directory")
    p.add_argument("results", metavar="RESULTS_DIR", help="directory written by clsc sweep")
    p.add_argument("--x", required=True, help="varied parameter (x axis)")
    p.add_argument("--y", required=True, action="append", help="output column (repeatable)")
    p.add_argument("--by", default="scenario", help="one line per value of this column")
    p.add_argument("--out", default=None, help="PNG file (default RESULTS_DIR/<y>_vs_<x>.png)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from clsc.report.plot import plot_sweep

    out = args.out or str(Path(args.results) / f"{args.y[0]}_vs_{args.x}.png")
    if not out.lower().endswith(".png"):
        raise ParameterError("--out", "must end in .png", out)
    path = plot_sweep(args.results, args.x, args.y, out, by=args.by)
    print(f"wrote {path}")
    return 0
