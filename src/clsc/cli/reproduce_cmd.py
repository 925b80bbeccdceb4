"""``clsc reproduce [MODEL ...|--all] --out DIR [--quick] [--quiet]``: the source models'
numerical studies as tables (CSV + Markdown), figures (PNG) and one static ``index.html``."""

from __future__ import annotations

from clsc.errors import ParameterError


def register(sub) -> None:
    p = sub.add_parser("reproduce", help="run the source models' studies: tables, figures, index")
    p.add_argument("models", nargs="*", metavar="MODEL", help="models to run (default: --all)")
    p.add_argument("--all", action="store_true", help="every model with a study")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--quick", action="store_true", help="small grids and SAA samples (tests)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from clsc.report.reproduce import reproduce
    from clsc.report.study import study_names

    if args.all and args.models:
        raise ParameterError("--all", message="give either MODEL names or --all")
    names = list(study_names()) if args.all or not args.models else args.models
    for name in names:
        if name not in study_names():
            raise ParameterError(
                "MODEL", message=f"no study for {name!r}; studies: {', '.join(study_names())}"
            )
    entries = reproduce(names, args.out, quick=args.quick, quiet=args.quiet)
    tables = sum(e.kind == "table" for e in entries)
    print(f"{len(names)} models: {tables} tables, {len(entries) - tables} figures in {args.out}")
    print(f"open {args.out}/index.html")
    return 0
