"""``clsc solve MODEL [--scenario S] [--set NAME=VALUE ...] [--fix VAR=VALUE ...] ...``.

``--time-limit SECONDS`` stops a solve that runs longer and reports status ``time_limit``
("gave up after N s"). It interrupts Python-level work (symbolic derivation, the numeric
method's iterations, Monte Carlo evaluation between kernel calls); a single call into a compiled
solver (one HiGHS LP, one numba kernel) is not interrupted and finishes first.
"""

from __future__ import annotations

from clsc.cli.args import pairs
from clsc.cli.limits import add_limit_flags, check_samples, nonnegative_int, time_limit
from clsc.cli.output import emit


def register(sub) -> None:
    p = sub.add_parser(
        "solve", help="solve (or evaluate) one model scenario", description=__doc__.split("\n")[0]
    )
    p.add_argument("model", help="registered model name (see `clsc models`)")
    p.add_argument("--scenario", default=None, help="scenario (default: the model's default)")
    p.add_argument(
        "--set", action="append", metavar="NAME=VALUE", dest="sets", help="set a parameter"
    )
    p.add_argument(
        "--fix",
        action="append",
        metavar="VAR=VALUE",
        dest="fixes",
        help="fix a decision and evaluate there (status evaluated)",
    )
    p.add_argument(
        "--option",
        action="append",
        metavar="NAME=VALUE",
        dest="opts",
        help="a model option (see `clsc models MODEL`)",
    )
    p.add_argument("--method", default=None, help="closed-form, numeric, mc, saa, bilevel ...")
    p.add_argument(
        "--samples", type=nonnegative_int, default=None, help="sample size of mc/saa (>= 1)"
    )
    p.add_argument("--seed", type=nonnegative_int, default=None, help="random seed (>= 0)")
    add_limit_flags(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args) -> int:
    from clsc.models import get_model

    check_samples(args.samples, args.max_memory, "--samples")
    model = get_model(args.model)
    with time_limit(args.time_limit) as timer:
        result = model.solve(
            args.scenario,
            params=pairs(args.sets, "--set"),
            fix=pairs(args.fixes, "--fix"),
            method=args.method,
            samples=args.samples,
            seed=args.seed,
            **pairs(args.opts, "--option"),
        )
    if timer.expired:
        result = timer.result(model, args)
    return emit(result, args.json)
