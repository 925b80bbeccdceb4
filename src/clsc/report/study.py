"""Study files: the numerical studies of a source model, declared in TOML and shipped in the
package (``clsc/report/studies/<model>.toml``).

A study file is a set of sweeps in the sweep-file format (:mod:`clsc.sweeps.spec`) plus what to
compute, tabulate and draw from them::

    model = "cascade-epr"
    title = "Seed 001 - cascade-epr"

    [columns]                  # logical name -> sweep output column (the ONE place to rename)
    pi_R = "profit.pi_R"
    t = "tau"

    [conditions]               # logical name -> expression (clsc.expr over logical names /
    t_ok = "1 - t"             # columns) that is >= 0 where the condition holds: a True/False
                               # column of every sweep, for shading, tables and checks

    [[sweep]]                  # a sweep file's keys (model is inherited) plus name / quick
    name = "table1"
    scenarios = ["decentralised"]
    params = {b = 8}
    design = {B_subsidy = {from = 8, to = 20, steps = 13}}
    quick = {B_subsidy = [8, 14, 20]}      # optional: the design used by --quick

    [[threshold]]              # a root / maximiser / minimiser of KEY[SCENARIO] terms
    name = "B_star"            # (clsc.game.roots; model result keys, not sweep columns)
    kind = "min"               # root | max | min
    expr = "w[decentralised]"
    param = "B_subsidy"
    interval = [8, 20]
    params = {b = 8}

    [[table]]                  # rows = design variable(s); columns = logical keys per scenario
    name = "table1"
    sweep = "table1"
    rows = ["B_subsidy"]
    labels = {B_subsidy = "B"}   # optional: headers of the row columns
    columns = ["w", {key = "p1", scenario = "centralised", label = "p1* (C)"},
               {expr = "p1 - b", label = "p1 - b"}]
    digits = 4

    [[figure]]                 # outputs against the varied parameter, one line per scenario
    name = "w_vs_B"
    sweep = "table1"
    x = "B_subsidy"
    y = ["w"]
    marks = ["B_star", {column = "k_bar", label = "k_bar"}]
    shade = "t_ok"             # shade where this condition is False (or "status")

    [[check]]                  # a claim of the source as a check (table of checks)
    claim = "P3 q_N < q_MC < q_MR < q_MRC"
    sweep = "delta"
    at = {delta = 100}
    increasing = [["q[N]", "q[MC]", "q[MR]", "q[MRC]"]]   # or falls_in = "t" / root_of = "name"

``title`` and ``caption`` may be given on every table, figure and threshold. Everything is
checked when the file is loaded (:func:`load_study`); unknown keys are refused.

>>> s = load_study("cascade-epr")
>>> s.model, [t.name for t in s.tables][:2]
('cascade-epr', ['table1', 'table2'])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clsc.errors import ParameterError, SpecError

STUDY_KEYS = (
    *("model", "title", "columns", "conditions", "sweep", "threshold", "table", "figure", "check"),
)
SWEEP_EXTRA = ("name", "quick")
THRESHOLD_KEYS = ("name", "kind", "expr", "param", "interval", "params", "label", "method")
TABLE_KEYS = ("name", "sweep", "rows", "columns", "digits", "title", "caption", "where")
TABLE_KEYS += ("labels",)
FIGURE_KEYS = ("name", "sweep", "x", "y", "by", "marks", "shade", "title", "caption", "ylabel")
FIGURE_KEYS += ("where", "logx")
CHECK_KEYS = ("claim", "sweep", "at", "increasing", "falls_in", "root_of")
KINDS = ("root", "max", "min")


@dataclass(frozen=True)
class Threshold:
    name: str
    kind: str
    expr: str
    param: str
    interval: tuple[float, float]
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    method: str = "closed-form"


@dataclass(frozen=True)
class TableSpec:
    name: str
    sweep: str
    rows: tuple[str, ...]
    columns: tuple[Any, ...]
    digits: int = 4
    title: str = ""
    caption: str = ""
    where: Mapping[str, Any] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FigureSpec:
    name: str
    sweep: str
    x: str
    y: tuple[str, ...]
    by: str = "scenario"
    marks: tuple[Any, ...] = ()
    shade: str = ""
    title: str = ""
    caption: str = ""
    ylabel: str = ""
    where: Mapping[str, Any] = field(default_factory=dict)
    logx: bool = False


@dataclass(frozen=True)
class CheckSpec:
    claim: str
    sweep: str = ""
    at: Mapping[str, Any] = field(default_factory=dict)
    increasing: tuple[tuple[str, ...], ...] = ()
    falls_in: str = ""
    root_of: str = ""


@dataclass(frozen=True)
class Study:
    """A checked study file (see the module docstring)."""

    model: str
    title: str
    columns: Mapping[str, str]
    sweeps: tuple[Mapping[str, Any], ...]
    thresholds: tuple[Threshold, ...]
    tables: tuple[TableSpec, ...]
    figures: tuple[FigureSpec, ...]
    checks: tuple[CheckSpec, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    conditions: Mapping[str, str] = field(default_factory=dict)

    def sweep_spec(self, name: str, quick: bool = False) -> dict[str, Any]:
        """The sweep-file mapping of sweep ``name`` (``quick``: its quick design if any)."""
        for raw in self.sweeps:
            if raw["name"] == name:
                out = {k: v for k, v in raw.items() if k not in SWEEP_EXTRA}
                if quick and "quick" in raw:
                    out["design"] = raw["quick"]
                return {"model": self.model, **out}
        raise ParameterError("sweep", message=f"study {self.model}: no sweep named {name!r}")

    def column(self, key: str) -> str:
        """The sweep column of logical name ``key`` (itself when not mapped)."""
        return self.columns.get(key, key)


def _keys(kind: str, raw: Any, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(raw, Mapping):
        raise SpecError(f"study: every [[{kind}]] must be a table")
    for key in raw:
        if key not in allowed:
            raise ParameterError(
                key, message=f"[[{kind}]]: unknown key '{key}'; valid: {', '.join(allowed)}"
            )
    for key in required:
        if key not in raw:
            raise ParameterError(key, message=f"[[{kind}]] needs '{key}'")
    return dict(raw)


def _threshold(raw: Any) -> Threshold:
    t = _keys("threshold", raw, THRESHOLD_KEYS, ("name", "expr", "param", "interval"))
    kind = t.get("kind", "root")
    if kind not in KINDS:
        raise ParameterError("kind", f"must be one of {', '.join(KINDS)}", kind)
    lo, hi = t["interval"]
    return Threshold(
        t["name"], kind, t["expr"], t["param"], (float(lo), float(hi)), dict(t.get("params", {})),
        t.get("label", ""), t.get("method", "closed-form"),
    )  # fmt: skip


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def study_from_mapping(raw: Mapping[str, Any]) -> Study:
    """Check a parsed study file and build the :class:`Study`."""
    for key in raw:
        if key not in STUDY_KEYS and not key.startswith("x_"):
            raise ParameterError(key, message=f"study: unknown key '{key}'")
    if "model" not in raw:
        raise ParameterError("model", message="the study names no 'model'")
    sweeps = tuple(dict(s) for s in raw.get("sweep", []))
    names = [s.get("name") for s in sweeps]
    if any(not isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise ParameterError("sweep", message="every [[sweep]] needs a unique 'name'")
    tables = []
    for r in raw.get("table", []):
        t = _keys("table", r, TABLE_KEYS, ("name", "sweep", "rows", "columns"))
        t["rows"], t["columns"] = _as_tuple(t["rows"]), tuple(t["columns"])
        tables.append(TableSpec(**t))
    figures = []
    for r in raw.get("figure", []):
        f = _keys("figure", r, FIGURE_KEYS, ("name", "sweep", "x", "y"))
        f["y"], f["marks"] = _as_tuple(f["y"]), tuple(f.get("marks", ()))
        figures.append(FigureSpec(**f))
    checks = []
    for r in raw.get("check", []):
        c = _keys("check", r, CHECK_KEYS, ("claim",))
        c["increasing"] = tuple(tuple(chain) for chain in c.get("increasing", ()))
        checks.append(CheckSpec(**c))
    for item in [*tables, *figures]:
        if item.sweep not in names:
            raise ParameterError("sweep", message=f"{item.name}: no sweep named {item.sweep!r}")
    return Study(
        model=raw["model"],
        title=raw.get("title", raw["model"]),
        columns=dict(raw.get("columns", {})),
        sweeps=sweeps,
        thresholds=tuple(_threshold(t) for t in raw.get("threshold", [])),
        tables=tuple(tables),
        figures=tuple(figures),
        checks=tuple(checks),
        extra={k: v for k, v in raw.items() if k.startswith("x_")},
        conditions={str(k): str(v) for k, v in raw.get("conditions", {}).items()},
    )


def study_names() -> tuple[str, ...]:
    """Models with a shipped study file, in seed order."""
    from importlib.resources import files

    found = [p.name[:-5] for p in files("clsc.report.studies").iterdir()
             if p.name.endswith(".toml")]  # fmt: skip
    order = {m: i for i, m in enumerate(ORDER)}
    return tuple(sorted(found, key=lambda m: (order.get(m, len(order)), m)))


#: the source models in seed order (000 .. 004)
ORDER = ("joint-inventory", "cascade-epr", "process-innovation", "sorting-collection")
ORDER += ("buyback-effort",)


def load_study(model: str) -> Study:
    """The shipped study file of ``model`` (checked)."""
    import tomllib
    from importlib.resources import files

    if model not in study_names():
        raise ParameterError(
            "model", message=f"no study for {model!r}; studies: {', '.join(study_names())}"
        )
    text = files("clsc.report.studies").joinpath(f"{model}.toml").read_text(encoding="utf-8")
    return study_from_mapping(tomllib.loads(text))
