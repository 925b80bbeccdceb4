"""``clsc statics MODEL --scenario S --wrt PARAM [--box NAME=LO:HI ...] [--set NAME=VALUE ...]``.

Prints the sign of d(value)/d(PARAM) for every decision, profit and quantity of a scenario:
at the parameter point (exact), or over the box (symbolic when provable, else sampled).
"""

from __future__ import annotations

import json

from clsc.cli.args import pairs
from clsc.errors import ParameterError
from clsc.models import get_model


def interval(text: str, name: str, option: str) -> tuple[float, float]:
    """``"LO:HI"`` -> (lo, hi) with lo < hi (ParameterError naming the option otherwise)."""
    lo, sep, hi = text.partition(":")
    try:
        bounds = (float(lo), float(hi))
    except ValueError:
        bounds = None
    if not sep or bounds is None or not bounds[0] < bounds[1]:
        raise ParameterError(
            name, message=f"{option} expects {name}=LO:HI with LO < HI; got {text!r}"
        )
    return bounds


def register(sub) -> None:
    p = sub.add_parser("statics", help="comparative statics: sign table of d(.)/d(PARAM)")
    p.add_argument("model")
    p.add_argument("--scenario", default=None)
    p.add_argument("--wrt", required=True, metavar="PARAM")
    p.add_argument("--box", action="append", metavar="NAME=LO:HI", dest="boxes")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="sets")
    p.add_argument("--method", default="closed-form")
    p.add_argument("--samples", type=int, default=None, help="points sampled in the box")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from clsc.game.statics import sign_table

    model = get_model(args.model)
    box = {k: interval(v, k, "--box") for k, v in pairs(args.boxes, "--box").items()}
    if args.samples is not None and args.samples < 1:
        raise ParameterError("samples", "must be a positive integer", args.samples)
    frame = sign_table(
        model,
        args.scenario,
        args.wrt,
        pairs(args.sets, "--set"),
        box,
        method=args.method,
        n=args.samples,
        seed=args.seed,
    )
    if args.json:
        rows = [
            {"name": k, **{c: _plain(v) for c, v in row.items()}} for k, row in frame.iterrows()
        ]
        print(json.dumps({"model": model.name, "wrt": args.wrt, "signs": rows}))
        return 0
    scenario = model.resolve_scenario(args.scenario)
    print(f"{model.name} [{scenario}]  d(.)/d({args.wrt})  method={args.method}")
    width = max(len(str(k)) for k in frame.index)
    for name, row in frame.iterrows():
        extra = f"  ({row['points']} points)" if row["how"] == "numeric" else ""
        print(f"  {name:<{width}}  {row['sign']:>5}  {row['how']}{extra}")
    return 0


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
