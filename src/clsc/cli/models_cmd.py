"""``clsc models``: list registered models, scenarios, methods and parameters with defaults."""

from __future__ import annotations

import json

from clsc.models import get_model, model_names


def register(sub) -> None:
    p = sub.add_parser("models", help="list the registered models")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args) -> int:
    described = [get_model(name).describe() for name in model_names()]
    if args.json:
        print(json.dumps(described, default=str))
        return 0
    for d in described:
        print(f"{d['name']}: {d['summary']}")
        print(f"  scenarios: {', '.join(d['scenarios']) or '-'}")
        print(f"  methods:   {', '.join(d['methods'])}")
        print(f"  decisions: {', '.join(d['decisions'])}")
        print("  parameters:")
        for p in d["params"]:
            default = "(required)" if p["required"] else str(p["default"])
            print(f"    {p['name']:<12} {default:<32} {p['doc']}")
    return 0
