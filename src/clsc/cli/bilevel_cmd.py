"""``clsc bilevel FILE [--reformulation kkt-bigm|strong-duality|kkt-branch] [--json]``."""

from __future__ import annotations

import json

from clsc.bilevel import REFORMULATIONS, BilevelProblem, BilevelResult, solve


def register(sub) -> None:
    p = sub.add_parser("bilevel", help="solve a bilevel program given in a JSON/TOML file")
    p.add_argument("file", help="problem file (.json or .toml)")
    p.add_argument("--reformulation", default="kkt-bigm", choices=tuple(REFORMULATIONS))
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _table(result: BilevelResult) -> str:
    lines = [
        f"bilevel  reformulation={result.reformulation}  status={result.status}  "
        f"({result.semantics})  {result.seconds:.3f}s"
    ]
    if result.message:
        lines.append(f"  {result.message}")
    for title, values in (("x", result.x), ("y", result.y)):
        for name, value in values.items():
            lines.append(f"  {title}  {name:<12} {value:.6g}")
    if result.F is not None:
        lines.append(f"  F = {result.F:.6g}   f = {result.f:.6g}")
    return "\n".join(lines)


def run(args) -> int:
    result = solve(BilevelProblem.from_file(args.file), args.reformulation)
    if args.json:
        d = result.to_dict()
        d.pop("info", None)
        print(json.dumps(d))
    else:
        print(_table(result))
    return 0 if result.ok else 1
