"""``clsc threshold MODEL --compare S1,S2 --player P --in PARAM=LO:HI [--set NAME=VALUE ...]``.

Prints every value of PARAM in [LO, HI] at which P's equilibrium value in S1 and S2 cross
(grid scan + Brent on the compiled closed forms, or on solves with ``--method numeric``).
``--expr "Pi_coal[MC] - pi_C[N] - Pi_coal[MR] + pi_R[N]"`` finds the roots of any expression
of ``KEY[SCENARIO]`` terms instead.
"""

from __future__ import annotations

import json

from clsc.cli.args import pairs
from clsc.cli.statics_cmd import interval
from clsc.errors import ParameterError
from clsc.models import get_model


def register(sub) -> None:
    p = sub.add_parser("threshold", help="parameter values where two scenarios' values cross")
    p.add_argument("model")
    p.add_argument("--compare", metavar="S1,S2", default=None)
    p.add_argument("--player", metavar="KEY", default=None, help="pi_M, Pi_coal, total, q ...")
    p.add_argument("--expr", default=None, help="expression of KEY[SCENARIO] terms")
    p.add_argument("--in", dest="within", required=True, metavar="PARAM=LO:HI")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="sets")
    p.add_argument("--method", default="closed-form")
    p.add_argument("--grid", type=int, default=None, help="grid points of the scan")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from clsc.game.roots import thresholds
    from clsc.game.statics import expression_function

    model = get_model(args.model)
    ((param, text),) = _one(pairs([args.within], "--in"))
    lo, hi = interval(text, param, "--in")
    if args.expr is not None:
        if args.compare or args.player:
            raise ParameterError("--expr", message="give either --expr or --compare/--player")
        expr = args.expr
    else:
        if not args.compare or not args.player:
            raise ParameterError(
                "--compare", message="--compare S1,S2 and --player KEY are required"
            )
        scen = [s.strip() for s in args.compare.split(",")]
        if len(scen) != 2 or not all(scen):
            raise ParameterError(
                "--compare", message=f"--compare expects S1,S2; got {args.compare!r}"
            )
        expr = f"{args.player}[{scen[0]}] - {args.player}[{scen[1]}]"
    f = expression_function(model, expr, param, pairs(args.sets, "--set"), method=args.method)
    grid = args.grid or (2001 if args.method == "closed-form" else 41)
    roots = thresholds(f, lo, hi, n_grid=grid)
    if args.json:
        print(json.dumps({"model": model.name, "expr": expr, "param": param, "roots": roots}))
        return 0
    print(f"{model.name}: {expr} = 0 for {param} in [{lo:g}, {hi:g}]  method={args.method}")
    if not roots:
        print("  no crossing")
    for r in roots:
        print(f"  {param} = {r:.6f}")
    return 0


def _one(mapping: dict[str, str]):
    return list(mapping.items())
