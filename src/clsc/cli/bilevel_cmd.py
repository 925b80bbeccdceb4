"""``clsc bilevel FILE|--example NAME [--reformulation auto|kkt-bigm|strong-duality|kkt-branch]
[--time-limit S] [--json]``.

With ``--json`` stdout holds exactly one JSON document (HiGHS's start-up banner, which its C++
library prints once per process on stdout, is sent to the null device before any solve).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from clsc.bilevel import REFORMULATIONS, BilevelProblem, BilevelResult, solve
from clsc.errors import ParameterError


def register(sub) -> None:
    p = sub.add_parser("bilevel", help="solve a bilevel program given in a JSON/TOML file")
    p.add_argument("file", nargs="?", default=None, help="problem file (.json or .toml)")
    p.add_argument(
        "--example", default=None, choices=tuple(examples()), metavar="NAME",
        help="solve a shipped example instead of FILE (printed with its path): "
        + ", ".join(examples()),
    )  # fmt: skip
    p.add_argument(
        "--reformulation", default="auto", choices=tuple(REFORMULATIONS),
        help="auto (default) chooses and says why; strong-duality needs a linear leader and an "
        "LP/convex-QP follower whose coupling leader variables are bounded integers",
    )  # fmt: skip
    p.add_argument(
        "--time-limit", type=float, default=None, metavar="S",
        help="give up after S seconds (status time_limit, with the best verified point if any)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def examples() -> dict[str, str]:
    """The shipped example problems: name (file stem, '-' for '_') -> path."""
    import clsc.bilevel

    folder = Path(clsc.bilevel.__file__).parent / "examples"  # package data (pyproject)
    return {
        f.name.rsplit(".", 1)[0].replace("_", "-"): str(f)
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith((".json", ".toml"))
    }


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
    limit = args.time_limit
    if limit is not None and not (math.isfinite(limit) and limit > 0):
        raise ParameterError("--time-limit", "must be a positive number of seconds", limit)
    if (args.file is None) == (args.example is None):
        raise ParameterError("file", message="give a problem FILE or --example NAME (not both)")
    path = args.file if args.example is None else examples()[args.example]
    problem = BilevelProblem.from_file(path)
    result = solve(problem, args.reformulation, time_limit=limit)
    if args.json:
        d = result.to_dict()
        d.pop("info", None)
        print(json.dumps(d))
    else:
        if args.example is not None:
            print(f"example {args.example}: {path}")
        print(_table(result))
    return 0 if result.ok else 1
