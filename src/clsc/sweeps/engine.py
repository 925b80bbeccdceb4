"""Evaluate slices of a sweep: rows of one point x scenario each, same columns in every chunk.

An :class:`Engine` is built from a plain sweep mapping (so a worker process rebuilds and caches
its own: compiled functions are never shipped). :meth:`Engine.plan` runs in the driver: the
columns are the model's schema (:func:`clsc.sweeps.schema.model_columns`, known before any
solve); it times scalar solves at the first valid points and decides whether the vectorised
closed forms can be used by comparing them with the scalar solve at the first valid points.
:meth:`Engine.frame` evaluates points ``[start, stop)``: invalid points
become ``skipped`` rows, closed forms run vectorised, other methods point by point with one
seed per point; an exception in one point becomes a status row and the sweep goes on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clsc.errors import ClscError, ParameterError
from clsc.results import Status
from clsc.sweeps import points, schema, vectorised
from clsc.sweeps.seeding import point_seed, point_seeds
from clsc.sweeps.spec import SweepSpec, spec_from_mapping
from clsc.validation import flag_texts, join_texts

SKIPPED, SOLVER_ERROR = Status.SKIPPED, Status.SOLVER_ERROR

PROBES = 8  # valid points tried per scenario to learn the columns
PROBE_BLOCK = 4096  # points checked at a time when looking for probe points
CHECK_RTOL = 1e-9


@dataclass
class Plan:
    """What the driver learnt before running: the schema and the vectorised path's use."""

    columns: list[tuple[str, str]]
    vectorised: dict[str, Any] = field(default_factory=dict)  # scenario -> categories / True
    notes: list[str] = field(default_factory=list)
    seconds_per_point: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [list(c) for c in self.columns],
            "vectorised": self.vectorised,
            "notes": self.notes,
            "seconds_per_point": self.seconds_per_point,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        return cls([tuple(c) for c in d["columns"]], dict(d["vectorised"]), list(d["notes"]))


class Engine:
    """Evaluates slices of one sweep (see the module docstring)."""

    def __init__(self, spec: SweepSpec):
        from clsc.models import get_model

        self.spec = spec
        self.model = get_model(spec.model)
        self.fixed = points.fixed_values(self.model, spec)
        self.varied = {n for n in spec.design.names if n in self.model.spec.names}
        self.varied |= set(spec.templates)
        self.sampled = spec.method != "closed-form"

    # -- values and validity -----------------------------------------------------------------
    def values(self, start: int, stop: int):
        cols = self.spec.design.columns(start, stop)
        vals, texts, errors = points.point_values(self.model, self.spec, self.fixed, cols)
        return cols, vals, texts, errors

    def validity(self, scenario: str, vals, n: int, errors: Mapping[int, str]):
        ok = np.ones(n, dtype=bool)
        for i in errors:
            ok[i] = False
        ok, messages = points.check_points(self.model, scenario, vals, n, self.varied, ok)
        return ok, {**dict(errors), **messages}

    def audit(self, start: int, stop: int) -> dict[str, tuple[int, int | None, str]]:
        """Per scenario: (invalid count, first invalid point, its message) in ``[start, stop)``."""
        cols, vals, _texts, errors = self.values(start, stop)
        n = len(next(iter(cols.values())))
        out = {}
        for s in self.spec.scenarios:
            ok, messages = self.validity(s, vals, n, errors)
            bad = np.flatnonzero(~ok)
            first = int(bad[0]) if len(bad) else None
            out[s] = (
                len(bad),
                None if first is None else start + first,
                "" if first is None else messages[first],
            )
        return out

    # -- scalar solves ---------------------------------------------------------------------------
    def solve_point(self, scenario: str, vals, i: int, index: int):
        params = {k: (v[i] if k in self.varied else v) for k, v in vals.items()}
        params = {  # a None default (e.g. an optional w) stays unset, as in model.solve
            k: (v.item() if isinstance(v, np.generic) else v)
            for k, v in params.items()
            if v is not None
        }
        return self.model.solve(
            scenario,
            params=params,
            method=self.spec.method,
            fix=self.spec.fix,
            samples=self.spec.samples,
            seed=point_seed(self.spec.seed, index) if self.sampled else None,
            **self.spec.options,
        )

    # -- planning (driver) -----------------------------------------------------------------------
    def plan(self) -> Plan:
        """The schema (``model.schema`` of each scenario), the vectorised decision (checked
        against scalar solves), the time per point (probe solves)."""
        n = min(self.spec.design.n, PROBE_BLOCK)
        cols, vals, texts, errors = self.values(0, n)
        ids = self.id_columns(cols, texts)
        # a model column named like a sweep parameter column (newsvendor's decision ``price``
        # with a varied parameter ``price``) is left out: the parameter column carries the value
        model = [(c, d) for c, d in schema.model_columns(self.model, self.spec.scenarios)]
        columns = [*ids.items(), *((c, d) for c, d in model if c not in ids)]
        vec: dict[str, Any] = {}
        notes: list[str] = []
        times: list[float] = []
        for s in self.spec.scenarios:
            ok, _ = self.validity(s, vals, n, errors)
            dropped = self._probe(s, vals, ok, times)
            if dropped:
                notes.append(
                    f"{s}: values outside {self.model.name}'s schema not kept: {', '.join(dropped)}"
                )
            decision = self._vectorised_decision(s, notes)
            if decision is not None:
                vec[s] = decision
        plan = Plan(columns, vec, notes, float(np.median(times)) if times else 0.0)
        self._check_vectorised(plan, vals, n, errors)
        if self.spec.outputs is not None:
            plan.columns = self._select(plan.columns)
        return plan

    def _probe(self, scenario: str, vals, ok: np.ndarray, times: list[float]) -> list[str]:
        """Time scalar solves at the first valid points (until one is ok); raise the input
        error when every probe refuses its input (e.g. a bad option value). Returns the row
        keys of the probe results that are not columns of ``model.schema(scenario)``."""
        import time

        refused, tried, extra = None, 0, {}
        known = set(self.model.schema(scenario))
        for i in np.flatnonzero(ok)[:PROBES]:
            try:
                self.solve_point(scenario, vals, int(i), int(i))
                t0 = time.perf_counter()  # timed again, warm: the per-point cost
                result = self.solve_point(scenario, vals, int(i), int(i))
            except ParameterError as exc:
                refused = refused or exc
                continue
            except ClscError:
                continue
            times.append(time.perf_counter() - t0)
            tried += 1
            extra.update(dict.fromkeys(k for k in result.row() if k not in known))
            if result.ok:
                break
        if refused is not None and not tried:
            raise refused
        return list(extra)

    def id_columns(self, cols, texts) -> dict[str, str]:
        out = {"point": "int64"}
        for name in self.spec.design.names:
            out[name] = "string" if cols[name].dtype == object else "float64"
        out.update(dict.fromkeys(texts, "string"))
        out.update({"scenario": "string", "status": "string", "message": "string"})
        if self.sampled:
            out["seed"] = "int64"
        return out

    def _select(self, columns):
        ids = self.id_columns(self.spec.design.columns(0, 1), dict.fromkeys(self.spec.templates))
        model_cols = [c for c, _ in columns if c not in ids]
        unknown = [o for o in self.spec.outputs if o not in model_cols]
        if unknown:
            raise ParameterError(
                "outputs",
                message=f"unknown output '{unknown[0]}'; valid outputs: {', '.join(model_cols)}",
            )
        keep = set(ids) | set(self.spec.outputs)
        return [(c, d) for c, d in columns if c in keep]

    def _vectorised_decision(self, scenario, notes):
        if self.spec.method != "closed-form" or self.spec.fix or self.spec.options:
            return None
        if vectorised.is_game(self.model):
            cats = vectorised.game_categories(self.model, scenario)
            if cats is None:
                notes.append(f"{scenario}: compiled names differ from the result's; point by point")
            return cats
        return True if vectorised.declared(self.model) is not None else None

    def _check_vectorised(self, plan: Plan, vals, n: int, errors) -> None:
        """Compare the vectorised rows with scalar solves at the probe points; drop on mismatch."""
        import pandas as pd

        for s in list(plan.vectorised):
            ok, _ = self.validity(s, vals, n, errors)
            idx = np.flatnonzero(ok)[:3]
            vec = self._vector_rows(s, vals, idx, plan.vectorised[s])
            scal = pd.concat([self.solve_point(s, vals, int(i), int(i)).to_frame() for i in idx])
            ids = self.id_columns(
                self.spec.design.columns(0, 1), dict.fromkeys(self.spec.templates)
            )
            model = [(c, d) for c, d in plan.columns if c not in ids]
            problem = _compare(vec, scal.reset_index(drop=True), model)
            if problem:
                plan.notes.append(f"{s}: vectorised closed form disabled ({problem})")
                del plan.vectorised[s]

    # -- evaluation ------------------------------------------------------------------------------
    def _vector_rows(self, scenario, vals, idx: np.ndarray, how) -> dict[str, np.ndarray]:
        """Model columns (and status, message) of the vectorised path at positions ``idx``."""
        n = len(idx)
        sub = {k: (v[idx] if k in self.varied else v) for k, v in vals.items()}
        if how is True:
            block = _grouped_block(vectorised.declared(self.model), scenario, sub, n)
        else:
            block = vectorised.game_block(self.model, scenario, sub, n, how)
        out = {"status": block["status"], "message": block["message"]}
        for cat in ("decisions", "profits", "metrics"):
            for k, v in block.get(cat, {}).items():
                out[schema.column_for(cat, k)] = np.asarray(v)
        out.update(schema.condition_columns(block.get("conditions", {}), n))
        flags = np.asarray(block.get("flags", np.full(n, "", dtype=object)), dtype=object)
        rules = flag_texts(self.model.spec, scenario, sub, n, self.varied, np.ones(n, dtype=bool))
        out["flags"] = join_texts(rules, flags)  # the FLAG rules first, as Model.solve lists them
        drop = set(self.id_columns(self.spec.design.columns(0, 1), {}))
        return {k: v for k, v in out.items() if k not in drop or k in ("status", "message")}

    def frame(self, start: int, stop: int, plan: Plan):
        """Rows of points ``[start, stop)`` x scenarios, in (point, scenario) order."""
        cols, vals, texts, errors = self.values(start, stop)
        n = len(next(iter(cols.values())))
        ids = {"point": np.arange(start, start + n, dtype=np.int64), **cols, **texts}
        if self.sampled:
            ids["seed"] = point_seeds(self.spec.seed, ids["point"])
        parts = []
        for s in self.spec.scenarios:
            ok, messages = self.validity(s, vals, n, errors)
            data = self._scenario_rows(s, vals, ok, start, plan)
            status = np.full(n, str(SKIPPED), dtype=object)
            message = np.full(n, "", dtype=object)
            for i, m in messages.items():
                message[i] = m
            status[ok] = data.pop("status")
            message[ok] = data.pop("message")
            part = {"scenario": np.full(n, s, dtype=object), "status": status, "message": message}
            every = bool(ok.all())
            for k, v in data.items():
                if every:
                    part[k] = np.asarray(v)
                    continue
                full = _full_like(v, n)
                full[ok] = v
                part[k] = full
            parts.append(part)
        return schema.conform(_interleave(ids, parts, n), plan.columns)

    def _scenario_rows(self, scenario, vals, ok, start: int, plan: Plan) -> dict[str, Any]:
        idx = np.flatnonzero(ok)
        how = plan.vectorised.get(scenario)
        if how is not None:
            return self._vector_rows(scenario, vals, idx, how)
        rows, status, message = [], [], []
        for i in idx:
            try:
                r = self.solve_point(scenario, vals, int(i), start + int(i))
                rows.append(r.to_frame().iloc[0].to_dict())
                status.append(str(r.status))
                message.append(r.message)
            except ClscError as exc:
                rows.append({})
                bad_input = isinstance(exc, ParameterError)
                status.append(str(SKIPPED) if bad_input else str(SOLVER_ERROR))
                message.append(str(exc))
            except Exception as exc:  # a failing point never stops the sweep
                rows.append({})
                status.append(str(SOLVER_ERROR))
                message.append(f"{type(exc).__name__}: {exc}")
        out: dict[str, Any] = {"status": np.array(status, dtype=object)}
        out["message"] = np.array(message, dtype=object)
        drop = set(schema.base_columns()) | set(self.id_columns(self.spec.design.columns(0, 1), {}))
        for c, _ in plan.columns:
            if c in drop:
                continue
            if any(c in r for r in rows):
                out[c] = np.array([r.get(c, None) for r in rows], dtype=object)
        return out


def _interleave(ids, parts, n: int) -> dict[str, np.ndarray]:
    """Columns in (point, scenario) order: row i*S + j is point i, scenario j."""
    k = len(parts)
    out = {name: np.repeat(np.asarray(v), k) for name, v in ids.items()}
    names = dict.fromkeys(c for p in parts for c in p)
    for c in names:
        cols = [p[c] if c in p else np.full(n, None, dtype=object) for p in parts]
        if len({a.dtype.kind for a in cols}) > 1:
            cols = [a.astype(object) for a in cols]
        out[c] = np.stack(cols, axis=1).reshape(-1)
    return out


def _full_like(v: np.ndarray, n: int) -> np.ndarray:
    v = np.asarray(v)
    if v.dtype.kind in "fiub":
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)


def _grouped_block(func, scenario, params, n: int):
    """Call a model's vectorised function once per distinct demand distribution."""
    demand = params.get("demand")
    if not isinstance(demand, np.ndarray):
        return func(scenario, params, n)
    specs = np.array([d.spec for d in demand], dtype=object)
    groups = {}
    for i, s in enumerate(specs):
        groups.setdefault(s, []).append(i)
    parts = []
    for members in groups.values():
        m = np.array(members)
        sub = {k: (v[m] if isinstance(v, np.ndarray) else v) for k, v in params.items()}
        sub["demand"] = demand[m[0]]
        parts.append((m, func(scenario, sub, len(m))))
    return _stitch(parts, n)


def _stitch(parts, n: int):
    out: dict[str, Any] = {"status": np.empty(n, object), "message": np.empty(n, object)}
    for m, block in parts:
        out["status"][m] = block["status"]
        out["message"][m] = block["message"]
        for cat in ("decisions", "profits", "metrics", "conditions"):
            for k, v in block.get(cat, {}).items():
                dest = out.setdefault(cat, {}).setdefault(k, _full_like(np.asarray(v), n))
                dest[m] = v
    return out


def _compare(vec: Mapping[str, np.ndarray], scal, columns) -> str:
    """'' when the vectorised rows equal the scalar ones on every model column."""
    statuses = [str(s) for s in scal["status"]]
    if list(map(str, vec["status"])) != statuses:
        return f"statuses {list(vec['status'])} != {statuses}"
    for c, _ in columns:
        if c not in scal.columns or c in schema.base_columns():
            continue
        if c not in vec:  # not reported by the vectorised path: NaN in the scalar rows too
            if not all(pd_isna(b) for b in scal[c]):
                return f"column {c!r} missing"
            continue
        for a, b in zip(vec[c], scal[c], strict=True):
            if isinstance(b, str):
                if a != b:
                    return f"{c}: {a!r} != {b!r}"
            elif isinstance(b, bool | np.bool_):
                if bool(a) != bool(b):
                    return f"{c}: {a} != {b}"
            elif not _close(float(a), float(b)):
                return f"{c}: {a} != {b}"
    return ""


def pd_isna(v) -> bool:
    """True for None and NaN (a value a method does not report)."""
    return v is None or (isinstance(v, float | np.floating) and math.isnan(v))


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=CHECK_RTOL, abs_tol=1e-9) or a == b


_ENGINES: dict[str, Engine] = {}


def engine_for(spec_json: str) -> Engine:
    """Engine of a sweep mapping given as canonical JSON (cached per process)."""
    import json

    if spec_json not in _ENGINES:
        if len(_ENGINES) > 8:
            _ENGINES.clear()
        _ENGINES[spec_json] = Engine(spec_from_mapping(json.loads(spec_json)))
    return _ENGINES[spec_json]


def remember(spec_json: str, engine: Engine) -> None:
    """Let this process reuse ``engine`` for tasks of ``spec_json`` (serial runs)."""
    _ENGINES[spec_json] = engine
