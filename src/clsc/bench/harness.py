"""Timing harness: groups of cases, each timed against a baseline measured in the same run.

A :class:`Group` has a ``setup(quick)`` that builds the shared inputs once (returning any
object), and :class:`Case` rows: ``run(state)`` is the timed function; ``error(state, out)``
(optional) is the error of its output ``out`` against a known answer (absolute or relative,
as the group's ``accuracy`` text, or the case's own, says). Every case is run once untimed
(compilation, caches; ``warmup=False`` skips that for slow baselines), then timed ``repeat``
times or until ``budget`` seconds are spent; the best wall time is reported with the CPU
seconds (this process and its finished children) of that run.

A case may do a different amount of work than its baseline (a vectorised evaluator on 10^5
points against a numeric solver on 20): ``units(state)`` is its number of work items, and

    ratio = (baseline seconds / baseline units) / (case seconds / case units)

(above 1: faster per unit than the baseline). A case that raises gets a row with ``nan``
times and the exception in ``note`` (``Row.failed``); the other cases still run.

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
import resource
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from clsc.errors import ParameterError


@dataclass(frozen=True)
class Case:
    """One timed function of a group: ``run(state) -> output``; ``error(state, output)``;
    ``units(state)`` work items (default 1); ``note`` text or ``note(state)``; ``accuracy``
    overrides the group's text for this case; ``tolerance`` (a number or ``tolerance(state)``)
    is the largest error that counts as correct (``Row.ok``)."""

    name: str
    run: Callable[[Any], Any]
    error: Callable[[Any, Any], float] | None = None
    note: str | Callable[[Any], str] = ""
    units: Callable[[Any], float] | None = None
    accuracy: str = ""
    warmup: bool = True
    tolerance: float | Callable[[Any], float] | None = None


def worst_relative(pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, float]]]) -> float:
    """The largest ``|got[k] - ref[k]| / max(|ref[k]|, 1e-12)`` over every key of every
    reference of ``(got, ref)`` pairs (0 for none): a case's error against known answers.

    >>> worst_relative([({"q": 10.5, "p": 2.0}, {"q": 10.0}), ({"q": 3.0}, {"q": 3.0})])
    0.05
    """
    return max((abs(float(got[k]) - v) / max(abs(v), 1e-12)
                for got, ref in pairs for k, v in ref.items()), default=0.0)  # fmt: skip


def counted(attr: str, label: str = "", spec: str = "") -> dict[str, Any]:
    """The ``units`` (and, with ``label``, the ``note``) of a case that does ``attr`` work items:
    the state's attribute ``attr`` (its length when it has one), for ``Case(..., **counted(...))``.
    ``spec`` formats the count in the note (``","``: thousands separators).

    >>> from types import SimpleNamespace
    >>> kw = counted("n", "points", ",")
    >>> kw["units"](SimpleNamespace(n=12000)), kw["note"](SimpleNamespace(n=12000))
    (12000.0, '12,000 points')
    >>> counted("starts")["units"](SimpleNamespace(starts=[0.1, 0.2]))
    2.0
    """

    def count(state: Any) -> Any:
        value = getattr(state, attr)
        return len(value) if hasattr(value, "__len__") else value

    out: dict[str, Any] = {"units": lambda state: float(count(state))}
    if label:
        out["note"] = lambda state: f"{format(count(state), spec)} {label}"
    return out


@dataclass(frozen=True)
class Group:
    """Cases on shared inputs; ratios are against the case named ``baseline``; ``tolerance``
    is the default largest correct error of its cases."""

    name: str
    setup: Callable[[bool], Any]
    cases: tuple[Case, ...]
    baseline: str
    accuracy: str = ""
    doc: str = ""
    goal: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    tolerance: float | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.cases]
        if self.baseline not in names:
            raise ValueError(f"group {self.name!r}: baseline {self.baseline!r} not in {names}")


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table (``seconds`` and ``cpu`` are for all ``units``)."""

    group: str
    case: str
    seconds: float
    ratio: float
    baseline: str
    error: float | None
    accuracy: str
    note: str = ""
    units: float = 1.0
    cpu: float = math.nan
    goal: str = ""
    tolerance: float | None = None

    @property
    def failed(self) -> bool:
        return not math.isfinite(self.seconds)

    @property
    def ok(self) -> bool | None:
        """Error within tolerance (None when the case states no tolerance)."""
        if self.tolerance is None:
            return None
        return self.error is not None and self.error <= self.tolerance

    @property
    def per_unit(self) -> float:
        return self.seconds / self.units

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("seconds", "ratio", "error", "cpu"):
            v = out[key]
            if isinstance(v, float) and not math.isfinite(v):
                out[key] = None
        return out


_GROUPS: dict[str, Group] = {}
_ORIGIN: dict[str, str] = {}


def register(group: Group, module: str | None = None) -> Group:
    """Add ``group`` to the registry (a later registration of the same name replaces it).

    ``module``: the module the group belongs to (default: the caller's ``__name__``), so
    ``clsc bench --module MOD`` runs the groups MOD registered.
    """
    if module is None:
        module = sys._getframe(1).f_globals.get("__name__", "")
    _GROUPS[group.name] = group
    _ORIGIN[group.name] = module
    return group


def origin(name: str) -> str:
    """The module that registered the group ``name``."""
    return _ORIGIN.get(name, "")


def groups() -> dict[str, Group]:
    """Registered groups by name."""
    return dict(_GROUPS)


def select(
    names: Iterable[str] | None = None, pattern: str | Iterable[str] | None = None
) -> list[Group]:
    """Groups whose name contains ``pattern`` (or any of several patterns; all if None);
    unknown ``names`` are an error."""
    chosen = list(_GROUPS.values())
    if names:
        unknown = [n for n in names if n not in _GROUPS]
        if unknown:
            raise ParameterError("benchmark", f"must be one of {', '.join(_GROUPS)}", unknown[0])
        chosen = [_GROUPS[n] for n in names]
    patterns = [pattern] if isinstance(pattern, str) else list(pattern or ())
    if patterns:
        chosen = [g for g in chosen if any(p in g.name for p in patterns)]
        if not chosen:
            raise ParameterError("--filter", "matches no benchmark", ", ".join(patterns))
    return chosen


def cpu_now() -> float:
    """CPU seconds (user + system) of this process and its waited-for children."""
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def best_time(fn: Callable[[], Any], repeat: int, budget: float) -> tuple[float, Any, float]:
    """Best wall time of ``fn`` over ``repeat`` runs (fewer if ``budget`` seconds are spent),
    its output and the CPU seconds of that best run."""
    best, out, spent, best_cpu = math.inf, None, 0.0, math.nan
    for _ in range(max(1, repeat)):
        c0, start = cpu_now(), time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, best_cpu = elapsed, cpu_now() - c0
        spent += elapsed
        if spent >= budget:
            break
    return best, out, best_cpu


def _note(case: Case, state: Any) -> str:
    return case.note(state) if callable(case.note) else case.note


def _time_case(
    case: Case, state: Any, repeat: int, budget: float, tolerance: float | None = None
) -> dict[str, Any]:
    try:
        if case.warmup:
            case.run(state)  # warm-up: compilation, caches
        seconds, out, cpu = best_time(lambda: case.run(state), repeat, budget)
        err = None if case.error is None else float(case.error(state, out))
        units = 1.0 if case.units is None else float(case.units(state))
        tol = case.tolerance if case.tolerance is not None else tolerance
        tol = tol(state) if callable(tol) else tol
        return {"seconds": seconds, "cpu": cpu, "error": err, "units": units,
                "note": _note(case, state), "tolerance": tol}  # fmt: skip
    except Exception as exc:  # a failing case is a row, not a crash of the whole table
        text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        return {"seconds": math.nan, "cpu": math.nan, "error": math.nan, "units": 1.0,
                "note": f"FAILED: {type(exc).__name__}: {text}", "tolerance": None}  # fmt: skip


def run_group(
    group: Group, *, quick: bool = False, repeat: int = 3, budget: float = 5.0
) -> list[Row]:
    """Set up once, warm every case up once, time each, and return rows with ratios."""
    state = group.setup(quick)
    timed = {c.name: _time_case(c, state, repeat, budget, group.tolerance) for c in group.cases}
    base = timed[group.baseline]
    base_rate = base["seconds"] / base["units"]
    rows = []
    for c in group.cases:
        t = timed[c.name]
        per = t["seconds"] / t["units"]
        ratio = base_rate / per if per > 0 else math.inf
        rows.append(
            Row(group.name, c.name, t["seconds"], ratio, group.baseline, t["error"],
                c.accuracy or group.accuracy, t["note"], t["units"], t["cpu"], group.goal,
                None if t["tolerance"] is None else float(t["tolerance"]))
        )  # fmt: skip
    return rows


def _fmt_units(units: float) -> str:
    return f"{units:.3g}" if units < 1e4 else f"{units:.1e}"


def format_table(rows: list[Row]) -> str:
    """Plain-text table: group, case, seconds (wall, CPU), units, ratio vs baseline, accuracy,
    then each group's accuracy measure and goal once."""
    head = (f"{'benchmark':<24}{'case':<32}{'wall s':>10}{'CPU s':>9}{'units':>9}"
            f"{'s/unit':>11}{'vs baseline':>13}  {'error':<9}  note")  # fmt: skip
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = f"{r.ratio:.3g}x" if math.isfinite(r.ratio) else "-"
        if r.case == r.baseline:
            ratio = "baseline"
        err = "-" if r.error is None or not math.isfinite(r.error) else f"{r.error:.2e}"
        if r.ok is False:
            err += "!"
        cpu = f"{r.cpu:.3g}" if math.isfinite(r.cpu) else "-"
        lines.append(
            f"{r.group:<24}{r.case:<32}{r.seconds:>10.4g}{cpu:>9}{_fmt_units(r.units):>9}"
            f"{r.per_unit:>11.3g}{ratio:>13}  {err:<9}  {r.note}"
        )
    lines.append("")
    lines.append(
        "error = accuracy against a known answer (! = above the case's tolerance); "
        "ratio = baseline s/unit / case s/unit"
    )
    seen: set[tuple[str, str]] = set()
    for r in rows:
        key = (r.group, r.accuracy)
        if key in seen:
            continue
        seen.add(key)
        goal = f"; goal: {r.goal}" if r.goal else ""
        lines.append(f"  {r.group}: error = {r.accuracy or '-'}{goal}")
    return "\n".join(lines)
