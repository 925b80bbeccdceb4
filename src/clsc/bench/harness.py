"""Timing harness: groups of cases, each timed against a baseline measured in the same run.

A :class:`Group` has a ``setup(quick)`` that builds the shared inputs once (returning any
object), and :class:`Case` rows: ``run(state)`` is the timed function; ``error(state, out)``
(optional) is its accuracy against a known answer (absolute or relative, as the group's
``accuracy`` text says). Every case is run once untimed (compilation, caches), then timed
``repeat`` times or until ``budget`` seconds are spent; the best time is reported.
``ratio = baseline time / case time`` (above 1: faster than the baseline).

>>> import time
>>> g = Group("demo", setup=lambda quick: 3, accuracy="abs. error vs 9",
...           cases=(Case("loop", lambda s: sum(s for _ in range(s)),
...                       error=lambda s, out: abs(out - 9)),
...                  Case("mult", lambda s: s * s, error=lambda s, out: abs(out - 9))),
...           baseline="loop")
>>> rows = run_group(g, quick=True, repeat=2)
>>> [(r.case, r.error) for r in rows]
[('loop', 0.0), ('mult', 0.0)]
>>> rows[0].ratio
1.0
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from clsc.errors import ParameterError


@dataclass(frozen=True)
class Case:
    """One timed function of a group: ``run(state) -> output``; ``error(state, output)``."""

    name: str
    run: Callable[[Any], Any]
    error: Callable[[Any, Any], float] | None = None
    note: str = ""


@dataclass(frozen=True)
class Group:
    """Cases on shared inputs; ratios are against the case named ``baseline``."""

    name: str
    setup: Callable[[bool], Any]
    cases: tuple[Case, ...]
    baseline: str
    accuracy: str = ""
    doc: str = ""
    goal: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [c.name for c in self.cases]
        if self.baseline not in names:
            raise ValueError(f"group {self.name!r}: baseline {self.baseline!r} not in {names}")


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table."""

    group: str
    case: str
    seconds: float
    ratio: float
    baseline: str
    error: float | None
    accuracy: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("seconds", "ratio", "error"):
            v = out[key]
            if isinstance(v, float) and not math.isfinite(v):
                out[key] = None
        return out


_GROUPS: dict[str, Group] = {}


def register(group: Group) -> Group:
    """Add ``group`` to the registry (a later registration of the same name replaces it)."""
    _GROUPS[group.name] = group
    return group


def groups() -> dict[str, Group]:
    """Registered groups by name."""
    return dict(_GROUPS)


def select(names: Iterable[str] | None = None, pattern: str | None = None) -> list[Group]:
    """Groups whose name contains ``pattern`` (all if None); unknown ``names`` are an error."""
    chosen = list(_GROUPS.values())
    if names:
        unknown = [n for n in names if n not in _GROUPS]
        if unknown:
            raise ParameterError("benchmark", f"must be one of {', '.join(_GROUPS)}", unknown[0])
        chosen = [_GROUPS[n] for n in names]
    if pattern:
        chosen = [g for g in chosen if pattern in g.name]
        if not chosen:
            raise ParameterError("--filter", "matches no benchmark", pattern)
    return chosen


def best_time(fn: Callable[[], Any], repeat: int, budget: float) -> tuple[float, Any]:
    """Best wall time of ``fn`` over ``repeat`` runs (fewer if ``budget`` seconds are spent)."""
    best, out, spent = math.inf, None, 0.0
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent >= budget:
            break
    return best, out


def run_group(
    group: Group, *, quick: bool = False, repeat: int = 3, budget: float = 5.0
) -> list[Row]:
    """Set up once, warm every case up once, time each, and return rows with ratios."""
    state = group.setup(quick)
    timed: dict[str, tuple[float, float | None]] = {}
    for case in group.cases:
        case.run(state)  # warm-up: compilation, caches
        seconds, out = best_time(lambda c=case: c.run(state), repeat, budget)
        err = None if case.error is None else float(case.error(state, out))
        timed[case.name] = (seconds, err)
    base = timed[group.baseline][0]
    return [
        Row(
            group.name,
            c.name,
            timed[c.name][0],
            base / timed[c.name][0] if timed[c.name][0] else math.inf,
            group.baseline,
            timed[c.name][1],
            group.accuracy,
            c.note,
        )
        for c in group.cases
    ]


def format_table(rows: list[Row]) -> str:
    """Plain-text table: group, case, seconds, ratio vs baseline, accuracy."""
    head = f"{'benchmark':<26}{'case':<30}{'seconds':>11}{'vs baseline':>13}  accuracy"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if math.isfinite(r.ratio) else "-"
        if r.case == r.baseline:
            ratio = "baseline"
        err = "-" if r.error is None else f"{r.error:.2e}"
        acc = f"{err} ({r.accuracy})" if r.accuracy and r.error is not None else err
        lines.append(f"{r.group:<26}{r.case:<30}{r.seconds:>11.4g}{ratio:>13}  {acc}")
    return "\n".join(lines)
