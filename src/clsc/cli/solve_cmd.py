"""``clsc solve MODEL [--scenario S] [--set NAME=VALUE ...] [--fix VAR=VALUE ...] ...``."""

from __future__ import annotations

from clsc.cli.args import pairs
from clsc.cli.output import emit
from clsc.models import get_model


def register(sub) -> None:
    p = sub.add_parser("solve", help="solve (or evaluate) one model scenario")
    p.add_argument("model")
    p.add_argument("--scenario", default=None)
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="sets")
    p.add_argument("--fix", action="append", metavar="VAR=VALUE", dest="fixes")
    p.add_argument("--option", action="append", metavar="NAME=VALUE", dest="opts")
    p.add_argument("--method", default=None)
    p.add_argument("--samples", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    model = get_model(args.model)
    result = model.solve(
        args.scenario,
        params=pairs(args.sets, "--set"),
        fix=pairs(args.fixes, "--fix"),
        method=args.method,
        samples=args.samples,
        seed=args.seed,
        **pairs(args.opts, "--option"),
    )
    return emit(result, args.json)
