"""``clsc threshold MODEL --compare S1,S2 --player P --in PARAM=LO:HI [--set NAME=VALUE ...]``.

Prints every value of PARAM in [LO, HI] at which P's equilibrium value in S1 and S2 cross
(grid scan + Brent on the compiled closed forms of a game model, or on one solve per grid point
for any other model or method). P is a player name (``PB``) or an output key (``pi_PB``,
``Pi_coal``, ``total``, ``q``). ``--expr "Pi_coal[MC] - pi_C[N] - Pi_coal[MR] + pi_R[N]"`` finds
the roots of any expression of ``KEY[SCENARIO]`` terms instead.
"""

from __future__ import annotations

import json

from clsc.cli.args import add_point_flags, model_parser, pairs
from clsc.cli.limits import BYTES_PER_POINT, add_limit_flags, check_memory, nonnegative_int
from clsc.cli.output import fmt
from clsc.cli.statics_cmd import interval, numeric_param
from clsc.errors import ParameterError
from clsc.results import jsonable

#: Most solves a scan by solves (a model without compiled closed forms, or --method) may run.
MAX_SOLVES = 20_000


def register(sub) -> None:
    p = model_parser(
        sub, "threshold", "parameter values where two scenarios' values cross", __doc__
    )
    p.add_argument("--compare", metavar="S1,S2", default=None, help="two different scenarios")
    p.add_argument(
        "--player", metavar="P", default=None, help="player (PB) or key: pi_M, Pi_coal, total, q"
    )
    p.add_argument("--expr", default=None, help="expression of KEY[SCENARIO] terms")
    p.add_argument(
        "--in", dest="within", required=True, metavar="PARAM=LO:HI", help="numeric parameter"
    )
    add_point_flags(p, "other parameters")
    p.add_argument(
        "--grid", type=nonnegative_int, default=None, help="grid points of the scan (>= 3)"
    )
    add_limit_flags(p, time=False)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def _expression(args, model, params) -> str:
    if args.expr is not None:
        if args.compare or args.player:
            raise ParameterError("--expr", message="give either --expr or --compare/--player")
        return args.expr
    if not args.compare or not args.player:
        raise ParameterError("--compare", message="--compare S1,S2 and --player KEY are required")
    scen = [s.strip() for s in args.compare.split(",")]
    if len(scen) != 2 or not all(scen):
        raise ParameterError("--compare", message=f"--compare expects S1,S2; got {args.compare!r}")
    if scen[0] == scen[1]:
        raise ParameterError(
            "--compare", message=f"--compare needs two different scenarios; got {args.compare!r}"
        )
    for s in scen:
        model.resolve_scenario(s)
    keys = [player_key(model, s, params, args.player.strip()) for s in scen]
    return f"{keys[0]}[{scen[0]}] - {keys[1]}[{scen[1]}]"


def player_key(model, scenario: str, params, player: str) -> str:
    """The output key of ``player`` in ``scenario``: ``PB`` -> ``pi_PB``; a player merged into
    a coalition is an error that names the key to use (decided from the declaration, before
    any derivation)."""
    from clsc.game.roots import target_model

    games = getattr(target_model(model, params), "games", None)
    if not games or scenario not in games:  # a player's name is its profit key pi_<name>
        profits = model.result_keys(scenario)["profits"]
        return f"pi_{player}" if player not in profits and f"pi_{player}" in profits else player
    game = games[scenario]
    names = [p.name for p in game.players]
    from clsc.game.prepare import profit_key

    if player in names:
        return profit_key(game, player)
    base = player[3:] if player[:3] in ("pi_", "Pi_") else None
    if base and base not in names:
        merged = [n for n in names if len(n) > len(base) and set(base) <= set(n)]
        if merged:
            key = profit_key(game, merged[0])
            coal = " or Pi_coal" if any(k == "Pi_coal" for k, _ in game.outputs) else ""
            raise ParameterError(
                "--player",
                message=f"player {base} is merged into {merged[0]} in scenario {scenario}; "
                f"use {key}{coal}",
            )
    return player


def _choices(model, params) -> dict:
    """The choice parameters (which pick a model's variant), without running the rules."""
    out = {}
    for p in model.spec:
        if p.kind == "choice":
            out[p.name] = p.coerce(params.get(p.name, p.default))
    return out


def run(args) -> int:
    from clsc.game.roots import expression_function, target_model, thresholds
    from clsc.models import get_model

    model = get_model(args.model)
    args.method = model.resolve_method(args.method)
    ((param, text),) = list(pairs([args.within], "--in").items())
    numeric_param(model, param, "--in")
    lo, hi = interval(text, param, "--in")
    params = pairs(args.sets, "--set")
    params.setdefault(param, repr((lo + hi) / 2))  # a value for the checks; the scan varies it
    expr = _expression(args, model, _choices(model, params))
    compiled = args.method == "closed-form" and hasattr(
        target_model(model, _choices(model, params)), "compiled"
    )
    grid = args.grid if args.grid is not None else (2001 if compiled else 41)
    if grid < 3:
        raise ParameterError("grid", "must be an integer >= 3", grid)
    check_memory(grid, BYTES_PER_POINT, "grid point", "--grid", args.max_memory)
    if not compiled and grid * expr.count("[") > MAX_SOLVES:
        raise ParameterError(
            "grid",
            message=f"--grid {grid} needs about {grid * expr.count('[')} solves (one per grid "
            f"point and term); the limit is {MAX_SOLVES}",
        )
    f = expression_function(model, expr, param, params, method=args.method)
    roots = thresholds(f, lo, hi, n_grid=grid)
    errors = None
    if not compiled and args.expr is None and roots:
        errors = root_errors(model, expr, param, roots, params, args.method, f, (hi - lo) / grid)
    fixed = fixed_params(model, params, param)
    if args.json:
        print(
            json.dumps(
                {
                    "model": model.name,
                    "expr": expr,
                    "param": param,
                    "interval": [lo, hi],
                    "method": args.method,
                    "grid": grid,
                    "params": jsonable(fixed),
                    "roots": roots,
                    **({"std_errors": errors, "se_note": SE_NOTE} if errors else {}),
                }
            )
        )
        return 0
    print(f"{model.name}: {expr} = 0 for {param} in [{lo:g}, {hi:g}]  method={args.method}")
    print("  at " + ", ".join(f"{k}={fmt(v)}" for k, v in fixed.items()))
    if not roots:
        print("  no crossing")
    for i, r in enumerate(roots):
        se = f"  (se {errors[i]:.3g})" if errors else ""
        print(f"  {param} = {r:.6f}{se}")
    if errors:
        print(f"  {SE_NOTE}")
    return 0


def fixed_params(model, params, scanned: str) -> dict:
    """The parameters held fixed during the scan (defaults updated by --set), as values."""
    values, _ = model.spec.resolve(params)
    return {k: (v.spec if hasattr(v, "spec") else v) for k, v in values.items() if k != scanned}


SE_NOTE = (
    "se of a root: the standard error of the sampled difference at the root divided by its "
    "slope there (delta method; the two values' errors are added in quadrature, which is "
    "conservative under common random numbers)"
)


def root_errors(model, expr, param, roots, params, method, f, step) -> list[float] | None:
    """Delta-method standard errors of sampled roots of ``key1[s1] - key2[s2]``."""
    import math
    import re

    import numpy as np

    terms = re.findall(r"([A-Za-z_]\w*)\[([^\[\]]+)\]", expr)
    out = []
    for r in roots:
        var = 0.0
        for key, scenario in terms:
            res = model.solve(scenario, params={**params, param: repr(r)}, method=method)
            err = res.std_errors.get(key)
            if not res.ok or err is None or not math.isfinite(err):
                return None
            var += err**2
        up, down = (float(np.asarray(f(np.array([r + s * step])))[0]) for s in (1, -1))
        slope = (up - down) / (2 * step)
        out.append(math.sqrt(var) / abs(slope) if slope and math.isfinite(slope) else math.inf)
    return out
