"""``clsc statics MODEL --scenario S --wrt PARAM [--box NAME=LO:HI ...] [--set NAME=VALUE ...]``.

Prints the sign of d(value)/d(PARAM) for every decision, profit and quantity of a scenario:
at the parameter point (exact), or over the box (symbolic when provable, else sampled).
"""

from __future__ import annotations

import json

from clsc.cli.args import add_point_flags, model_parser, pairs
from clsc.cli.limits import BYTES_PER_POINT, add_limit_flags, check_memory, nonnegative_int
from clsc.cli.output import fmt
from clsc.errors import ParameterError


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


def numeric_param(model, name: str, option: str) -> None:
    """Refuse a parameter that is not a number (a choice, a distribution, text)."""
    param = model.spec[name]
    if param.kind not in ("float", "int"):
        raise ParameterError(
            name,
            message=f"{option}: {name} is a {param.kind} parameter of {model.name}; "
            "only numeric parameters can be varied",
        )


def register(sub) -> None:
    p = model_parser(sub, "statics", "comparative statics: sign table of d(.)/d(PARAM)", __doc__)
    p.add_argument("--scenario", default=None, help="scenario (default: the model's default)")
    p.add_argument("--wrt", required=True, metavar="PARAM", help="numeric parameter")
    p.add_argument(
        "--box",
        action="append",
        metavar="NAME=LO:HI",
        dest="boxes",
        help="sample the sign over this range (repeat for several parameters)",
    )
    add_point_flags(p, "parameter values")
    p.add_argument(
        "--samples", type=nonnegative_int, default=None, help="points sampled in the box (>= 1)"
    )
    p.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the box sample")
    add_limit_flags(p, time=False)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


#: What each ``how`` of a sign means, printed with the table.
WHERE = {
    "exact": "at this parameter point (exact arithmetic)",
    "symbolic": "for all positive parameter values (proved symbolically; a parameter whose "
    "box reaches below 0 is any real)",
    "numeric": "on the sampled points shown (where the conditions hold)",
    "none": "no valid point: the conditions fail everywhere sampled",
}


def run(args) -> int:
    from clsc.game.statics import sign_table
    from clsc.models import get_model

    model = get_model(args.model)
    scenario = model.resolve_scenario(args.scenario)
    args.method = model.resolve_method(args.method)
    numeric_param(model, args.wrt, "--wrt")
    box = {k: interval(v, k, "--box") for k, v in pairs(args.boxes, "--box").items()}
    for name in box:
        numeric_param(model, name, "--box")
    if args.samples is not None and args.samples < 1:
        raise ParameterError("samples", "must be a positive integer", args.samples)
    check_memory(args.samples, BYTES_PER_POINT, "point", "--samples", args.max_memory)
    if args.method != "closed-form" and (args.samples or 0) > MAX_SOLVE_POINTS:
        raise ParameterError(
            "samples",
            message=f"--samples {args.samples} with --method {args.method} needs about "
            f"{2 * args.samples} solves; the limit is {2 * MAX_SOLVE_POINTS}",
        )
    params = pairs(args.sets, "--set")
    frame = sign_table(
        model, scenario, args.wrt, params, box, method=args.method, n=args.samples, seed=args.seed
    )
    if frame.empty:
        raise ParameterError(
            args.wrt,
            message=f"no derivative could be evaluated for {args.wrt}: the solves at "
            f"{args.wrt} +/- h fail their conditions or rules (is {args.wrt} on the boundary "
            "of a rule?)",
        )
    values, _ = model.spec.resolve(params, scenario)
    point = {k: (v.spec if hasattr(v, "spec") else v) for k, v in values.items()}
    if args.json:
        rows = [
            {
                "name": k,
                **{c: _plain(v) for c, v in row.items()},
                "points": int(row["points"]),
                "significant": significant(row),
                "where": _where(row, bool(box)),
            }
            for k, row in frame.iterrows()
        ]
        doc = {
            "model": model.name,
            "scenario": scenario,
            "method": args.method,
            "wrt": args.wrt,
            "params": {k: _plain(v) for k, v in point.items()},
            "box": {k: list(v) for k, v in box.items()},
            **({"seed": args.seed} if box else {}),
            "signs": rows,
            **({"se_note": SE_NOTE} if frame["se"].notna().any() else {}),
        }
        print(json.dumps(doc))
        return 0
    head = f"{model.name} [{scenario}]" if scenario else model.name
    print(f"{head}  d(.)/d({args.wrt})  method={args.method}")
    shown = {k: v for k, v in point.items() if k not in box}
    print("  at " + ", ".join(f"{k}={fmt(_plain(v))}" for k, v in shown.items()))
    if box:
        ranges = ", ".join(f"{k} in [{a:g}, {b:g}]" for k, (a, b) in box.items())
        print(f"  over the box {ranges} (Sobol sample, --seed {args.seed})")
    width = max(len(str(k)) for k in frame.index)
    for name, row in frame.iterrows():
        sign = row["sign"] if significant(row) else f"{row['sign']}?"
        print(f"  {name:<{width}}  {sign:>5}  {_where(row, bool(box))}")
    if frame["se"].notna().any():
        print(f"  {SE_NOTE}")
    return 0


SE_NOTE = (
    "se of a sampled derivative: the two solves' standard errors added in quadrature, over 2h "
    "(conservative: both solves use the same random numbers); a sign is significant only where "
    "|derivative| exceeds 2 se (else shown as +? or -?)"
)


def significant(row) -> bool:
    """False when a sampled derivative's sign is within 2 standard errors of changing (shown
    as ``+?``/``-?``); exact, symbolic and unsampled signs are significant."""
    se = row.get("se")
    if se is None or se != se or row["sign"] not in ("+", "-"):
        return True
    return bool(row["low"] > 2 * se) if row["sign"] == "+" else bool(row["high"] < -2 * se)


def _where(row, boxed: bool) -> str:
    """Where the sign of one row was established, in words."""
    se = row.get("se")
    sampled = "" if se is None or se != se else f"; derivative {row['high']:.4g} (se {se:.2g})"
    if row["how"] == "numeric" and not boxed:
        return f"numeric: at this parameter point (central differences of solves){sampled}"
    extra = f" ({int(row['points'])} points)" if row["how"] == "numeric" else ""
    if sampled and boxed:
        sampled = f"; largest se of a sampled derivative {se:.2g}"
    return f"{row['how']}: {WHERE[row['how']]}{extra}{sampled}"


#: Most box points a statics run by solves may use (each point costs two solves).
MAX_SOLVE_POINTS = 5_000


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
