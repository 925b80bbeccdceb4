"""``clsc derive MODEL --scenario S [--format text|latex|json]``: closed forms and conditions.

Prints every decision, definition, profit and output of a game model's scenario in the
parameters, each stage's reaction functions, and the existence (SOC), interior and FLAG
conditions, as derived by :func:`clsc.game.symbolic.solve_game`.
"""

from __future__ import annotations

import json

import sympy as sp

from clsc.errors import ParameterError
from clsc.game.model import GameModel
from clsc.models import get_model

FORMATS = {"text": sp.sstr, "latex": sp.latex}


def register(sub) -> None:
    p = sub.add_parser("derive", help="print a game model's closed forms and conditions")
    p.add_argument("model", help="a game model (see `clsc models`)")
    p.add_argument("--scenario", default=None, help="scenario (default: the model's default)")
    p.add_argument(
        "--format",
        choices=("text", "latex", "json"),
        default="text",
        help="text (sympy), latex, or one JSON document",
    )
    p.set_defaults(func=run)


def derivation(model: GameModel, scenario: str | None, fmt: str = "text") -> dict:
    """The closed forms of one scenario as strings (``fmt`` text/latex)."""
    scenario = model.resolve_scenario(scenario)
    sol = model.symbolic(scenario)
    show = FORMATS[fmt]
    return {
        "model": model.name,
        "scenario": scenario,
        "params": [s.name for s in sol.params],
        "reactions": {k: show(v) for k, v in sol.reactions.items()},
        "closed_forms": {k: show(v) for k, v in sol.expressions().items()},
        "conditions": [
            {
                "name": c.name,
                "kind": c.kind,
                "expression": show(_shown(c)),
                "relation": c.relation[:-1],
                "reduced": show(c.expr),
            }
            for c in sol.conditions
        ],
    }


def _shown(c):
    """The reduced condition, or the raw one when the reduction left only a constant."""
    if not c.expr.free_symbols and c.value is not None and c.value.free_symbols:
        return c.value
    return c.expr


def run(args) -> int:
    model = get_model(args.model)
    if not isinstance(model, GameModel):
        raise ParameterError(
            "model", message=f"model '{model.name}' is not a declared game; derive needs one"
        )
    fmt = "text" if args.format == "json" else args.format
    out = derivation(model, args.scenario, fmt)
    if args.format == "json":
        print(json.dumps(out))
        return 0
    print(f"{out['model']} [{out['scenario']}]  parameters: {', '.join(out['params'])}")
    print("reaction functions (each stage's best response):")
    for k, v in out["reactions"].items():
        print(f"  {k} = {v}")
    print("closed forms:")
    for k, v in out["closed_forms"].items():
        print(f"  {k} = {v}")
    print("conditions:")
    for c in out["conditions"]:
        rel = c["relation"]
        note = "" if c["reduced"] == c["expression"] else f"  (reduces to {c['reduced']} {rel} 0)"
        print(f"  [{c['kind']}] {c['name']}: {c['expression']} {rel} 0{note}")
    return 0
