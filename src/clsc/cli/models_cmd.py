"""``clsc models [MODEL] [--json]``: the registered models, or everything about one.

Without MODEL: each model's summary, scenarios, methods and parameters with defaults. With
MODEL: its parameters (symbol, unit, default, bounds, description), the assumption rules (ERR
refuses a point, FLAG records a warning), scenarios with the methods that work in each, options
(variants), decisions, and the model's documentation (equations and source).
"""

from __future__ import annotations

import inspect
import json
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "models",
        help="list the registered models, or describe one (parameters, scenarios, methods)",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("model", nargs="?", default=None, help="describe this model in full")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def methods_for(model, scenario: str | None) -> list[str]:
    """The methods that apply to ``scenario`` (the model's ``methods_for`` where it has one)."""
    per = getattr(model, "methods_for", None)
    return list(per(scenario)) if per is not None and scenario is not None else list(model.methods)


def _bounds(p) -> str:
    parts = []
    if p.lower is not None:
        parts.append(f"{'>' if p.strict else '>='} {p.lower:g}")
    if p.upper is not None:
        parts.append(f"{'<' if p.strict else '<='} {p.upper:g}")
    if p.choices:
        parts.append("one of " + ", ".join(p.choices))
    return "; ".join(parts)


def details(model) -> dict:
    """Everything ``clsc models MODEL`` prints, as plain JSON types."""
    base = model.describe()
    spec = {p.name: p for p in model.spec}
    for row in base["params"]:
        p = spec[row["name"]]
        row.update(
            symbol=p.symbol or p.name,
            unit=p.unit,
            bounds=_bounds(p),
            default=None if p.required else getattr(p.default, "spec", p.default),
        )
    base["rules"] = [
        {
            "class": r.cls,
            "parameters": list(r.involved),
            "rule": f"{r.involved[0]} {r.rule}",
            "scenarios": list(r.scenarios) if r.scenarios else "all",
        }
        for r in model.spec.rules
    ]
    # a model without scenarios: no keys here, as ``scenarios`` is [] and a result's scenario null
    base["methods_by_scenario"] = {s: methods_for(model, s) for s in model.scenarios}
    base["default_scenario"] = model.default_scenario
    base["default_method"] = model.default_method
    base["options"] = dict(model.options)
    base["documentation"] = documentation(model)
    base["source_module"] = type(model).__module__
    return base


def documentation(model) -> str:
    """The docstring of the model's module; a ``<name>_methods`` module (the registered model
    and its sampled methods) is preceded by its economics module ``<name>``, which states the
    source, the equations and what is reconstructed."""
    import importlib

    name = type(model).__module__
    names = [name]
    if name.endswith("_methods"):
        names.insert(0, name.removesuffix("_methods"))
    docs = []
    for n in names:
        module = sys.modules.get(n) or importlib.import_module(n)
        docs.append(inspect.cleandoc(module.__doc__ or ""))
    return "\n\n".join(d for d in docs if d)


def shown_default(value) -> str:
    """A default as text: integers as integers, other numbers as given, lists in brackets, an
    unset default as '(not set)'.

    >>> [shown_default(20.0), shown_default(0.3), shown_default([1.5, 80.0]), shown_default(None)]
    ['20', '0.3', '[1.5, 80]', '(not set)']
    """
    if value is None:
        return "(not set)"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown_default(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _print_one(d: dict) -> None:
    print(f"{d['name']}: {d['summary']}")
    print(f"  defined in {d['source_module']}")
    print("  scenarios and methods (default marked *):")
    per = d["methods_by_scenario"] or {None: d["methods"]}
    for s, methods in per.items():
        mark = "*" if s == d["default_scenario"] else " "
        shown = ", ".join(m + ("*" if m == d["default_method"] else "") for m in methods)
        print(f"   {mark}{s or '(single scenario)'}: {shown}")
    print(f"  decisions: {', '.join(d['decisions'])}")
    print("  parameters (name, symbol, unit, default, bounds, description):")
    for p in d["params"]:
        default = "(required)" if p["required"] else shown_default(p["default"])
        unit = p["unit"] or "-"
        print(
            f"    {p['name']:<10} {p['symbol']:<8} {unit:<6} {default:<28} "
            f"{p['bounds'] or '-':<14} {p['doc']}"
        )
    if d["rules"]:
        print("  rules (ERR refuses the point, FLAG records a warning):")
        for r in d["rules"]:
            where = "" if r["scenarios"] == "all" else f"  [{', '.join(r['scenarios'])}]"
            print(f"    {r['class']:<4} {r['rule']}{where}")
    if d.get("variants"):
        print("  variants (selected by an option, or a parameter value NAME=VALUE):")
        for v in d["variants"]:
            where = f"; scenarios {', '.join(v['scenarios'])}" if v["scenarios"] else ""
            also = f"; options {', '.join(v['options'])}" if v["options"] else ""
            print(
                f"    {v['name']}: selected by {' or '.join(v['selected_by'])}; "
                f"methods {', '.join(v['methods'])}{where}{also} - {v['doc']}"
            )
    if d["options"]:
        print("  options (--option NAME=VALUE):")
        for name, doc in d["options"].items():
            print(f"    {name:<12} {doc}")
    if d["documentation"]:
        print("  documentation:")
        for line in d["documentation"].splitlines():
            print(f"    {line}" if line else "")


def run(args) -> int:
    from clsc.models import get_model, model_names

    if args.model is not None:
        d = details(get_model(args.model))
        if args.json:
            print(json.dumps(d, default=str))
        else:
            _print_one(d)
        return 0
    described = []
    for name in model_names():
        model = get_model(name)
        d = model.describe()
        d["methods_by_scenario"] = {s: methods_for(model, s) for s in model.scenarios}
        described.append(d)
    if args.json:
        print(json.dumps(described, default=str))
        return 0
    for d in described:
        print(f"{d['name']}: {d['summary']}")
        per = d["methods_by_scenario"] or {None: d["methods"]}
        if len({tuple(m) for m in per.values()}) == 1:
            print(f"  scenarios: {', '.join(d['scenarios']) or '(single scenario)'}")
            print(f"  methods:   {', '.join(next(iter(per.values())))}")
        else:
            print("  scenarios (methods):")
            for s, methods in per.items():
                print(f"    {s}: {', '.join(methods)}")
        print(f"  decisions: {', '.join(d['decisions'])}")
        print("  parameters:")
        for p in d["params"]:
            default = "(required)" if p["required"] else shown_default(p["default"])
            print(f"    {p['name']:<12} {default:<32} {p['doc']}")
    print("details of one model: clsc models MODEL")
    return 0
