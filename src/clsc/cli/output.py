"""Printing results: one JSON object per result, or a readable table."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from clsc.results import Result


def fmt(value: Any) -> str:
    """Text form of one value: integers as integers, booleans as yes/no, floats to 4 decimals
    (or 6 significant digits when very large or small).

    >>> [fmt(7.0), fmt(True), fmt(0.12345), fmt(1.5e7), fmt(float("nan"))]
    ['7', 'yes', '0.1235', '1.5e+07', 'nan']
    >>> [fmt((100.0, 1.5)), fmt(((1.0, 0.3), (0.3, 1.0))), fmt(None)]
    ['[100, 1.5000]', '[[1, 0.3000], [0.3000, 1]]', '(not set)']
    """
    if value is None:
        return "(not set)"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return (
            f"{value:.6g}"
            if abs(value) >= 1e6 or (value != 0 and abs(value) < 1e-4)
            else (f"{value:.4f}")
        )
    return str(value)


def flag_records(result: Result) -> list[dict[str, Any]]:
    """Every FLAG warning of a result as ``{name, expression, value}`` (a failed FLAG condition)
    or ``{name: "rule", expression: <the rule's message>, value: None}`` (a parameter rule)."""
    from clsc.results import jsonable

    out = [
        {"name": c.name, "expression": c.expression, "value": jsonable(c.value)}
        for c in result.conditions
        if c.kind == "FLAG" and not c.holds
    ]
    shown = {f"FLAG {c['name']} fails" for c in out}
    for text in result.flags:
        if not any(text.startswith(s) for s in shown):
            out.append({"name": "rule", "expression": text, "value": None})
    return out


def dumps(result: Result) -> str:
    """One JSON document; ``flags`` as records with name, expression and value."""
    data = result.to_dict()
    if result.flags or any(c.kind == "FLAG" and not c.holds for c in result.conditions):
        data["flags"] = flag_records(result)
    return json.dumps(data, indent=None, sort_keys=False)


def _section(title: str, mapping: Mapping[str, Any], errors: Mapping[str, float]) -> list[str]:
    if not mapping:
        return []
    lines = [f"{title}:"]
    width = max(len(k) for k in mapping)
    for k, v in mapping.items():
        se = f"  (se {fmt(errors[k])})" if k in errors else ""
        if _unit(k) == "yes/no" and v in (0, 1):  # a 0/1 indicator reads as yes/no
            v = bool(v)
        lines.append(f"  {k:<{width}}  {fmt(v)}{se}")
    return lines


def _unit(key: str) -> str:
    from clsc.glossary import describe

    try:
        return describe(key).unit
    except KeyError:
        return ""


def table(result: Result) -> str:
    head = f"{result.model}"
    if result.scenario:
        head += f" [{result.scenario}]"
    lines = [f"{head}  method={result.method}  status={result.status}"]
    if result.message:
        lines.append(f"  {result.message}")
    params = {k: (v.spec if hasattr(v, "spec") else v) for k, v in result.params.items()}
    lines += _section("parameters", params, {})
    lines += _section("decisions", result.decisions, result.std_errors)
    lines += _section("profits", result.profits, result.std_errors)
    lines += _section("metrics", result.metrics, result.std_errors)
    if result.conditions:
        lines.append("conditions:")
        for c in result.conditions:
            mark = "holds" if c.holds else "FAILS"
            value = "" if c.value is None else f" = {fmt(c.value)}"
            lines.append(f"  [{c.kind}] {c.name}: {c.expression}{value}  -> {mark}")
    for flag in result.flags:
        lines.append(f"flag: {flag}")
    return "\n".join(lines)


def emit(result: Result, as_json: bool) -> int:
    print(dumps(result) if as_json else table(result))
    return 0 if result.ok else 1
