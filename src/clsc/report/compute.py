"""What a study computes from its sweeps: wide tables, thresholds, checks and shaded spans.

Every value comes from the sweep engine's rows (read through the study's column mapping) or
from :mod:`clsc.game.roots`; expressions go through the safe parser :mod:`clsc.expr`.

>>> import pandas as pd
>>> df = pd.DataFrame({"point": [0, 0, 1, 1], "b": [5.0, 5.0, 6.0, 6.0],
...                    "scenario": ["D", "C"] * 2, "p1": [38.0, 27.0, 40.0, 30.0]})
>>> study = Study("m", "m", {}, (), (), (), (), ())
>>> cols = ("p1", {"expr": "p1 - b", "label": "p1 - b", "scenario": "D"},
...         {"key": "p1", "scenario": "C", "label": "p1 (C)"})
>>> print(wide_table(df, study, TableSpec("t", "s", ("b",), cols)).to_string(index=False))
 b   p1  p1 - b  p1 (C)
 5 38.0    33.0    27.0
 6 40.0    34.0    30.0
>>> shade_spans(pd.DataFrame({"x": [0, 1, 2, 3], "ok": [True, False, False, True]}), "x", "ok")
[(0.5, 2.5)]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.report.study import CheckSpec, Study, TableSpec, Threshold

TERM = re.compile(r"([A-Za-z_]\w*)\[([^\[\]]+)\]")


def select(df, where: Mapping[str, Any]):
    """Rows of ``df`` whose columns equal ``where`` (floats compared with a relative 1e-12)."""
    mask = np.ones(len(df), dtype=bool)
    for name, value in where.items():
        col = df[name]
        if isinstance(value, str):
            mask &= (col == value).to_numpy()
        else:
            mask &= np.isclose(col.to_numpy(dtype=float), float(value), rtol=1e-12, atol=0)
    return df[mask]


def evaluate(df, study: Study, text: str) -> np.ndarray:
    """Safe expression over logical keys / columns of ``df``, evaluated row-wise."""
    import sympy as sp

    from clsc.expr import parse_expr

    expr = parse_expr(text, allow_unknown=True)
    names = sorted(s.name for s in expr.free_symbols)
    values = []
    for name in names:
        column = study.column(name)
        if column not in df.columns:
            raise ParameterError(text, message=f"expression {text!r}: unknown name '{name}'")
        values.append(df[column].to_numpy(dtype=float))
    symbols = {s.name: s for s in expr.free_symbols}
    f = sp.lambdify([symbols[n] for n in names], expr, "numpy")
    return np.broadcast_to(np.asarray(f(*values), dtype=float), (len(df),))


def _column(item: Any, scenarios: list[str]) -> tuple[str, str, str | None, str | None]:
    """(label, scenario, key, expr) of a table column item."""
    if isinstance(item, str):
        item = {"key": item}
    key, expr = item.get("key"), item.get("expr")
    if (key is None) == (expr is None):
        raise ParameterError("columns", message=f"a column needs 'key' or 'expr': {item!r}")
    scenario = item.get("scenario", scenarios[0])
    if scenario not in scenarios:
        raise ParameterError("scenario", f"must be one of {', '.join(scenarios)}", scenario)
    return item.get("label", key or expr), scenario, key, expr


def _by_point(part, study: Study, text: str) -> np.ndarray:
    return np.array([term_value(g, study, text) for _, g in part.groupby("point", sort=True)])


def wide_table(df, study: Study, spec: TableSpec):
    """Rows = the design values of ``spec.rows`` (or ``["scenario"]``: one row per scenario);
    one column per key / expression (``expr``, row-wise) / ``terms`` (``KEY[SCENARIO]``
    expression per point) in a scenario."""
    import pandas as pd

    df = select(df, spec.where).sort_values("point", kind="stable")
    scenarios = list(dict.fromkeys(df["scenario"]))
    if "scenario" in spec.rows:
        out = df[list(spec.rows)].reset_index(drop=True)
        for item in spec.columns:
            item = {"key": item} if isinstance(item, str) else item
            label = item.get("label", item.get("key") or item.get("expr"))
            if "key" in item:
                out[label] = df[study.column(item["key"])].to_numpy()
            else:
                out[label] = evaluate(df, study, item["expr"])
        return out.rename(columns=dict(spec.labels))
    out = None
    for item in spec.columns:
        if isinstance(item, Mapping) and "terms" in item:
            label, values = item.get("label", item["terms"]), _by_point(df, study, item["terms"])
        else:
            label, scenario, key, expr = _column(item, scenarios)
            part = df[df["scenario"] == scenario]
            values = part[study.column(key)].to_numpy() if key else evaluate(part, study, expr)
        if out is None:
            first = df[df["scenario"] == scenarios[0]]
            out = first[list(spec.rows)].reset_index(drop=True)
        out[label] = values
    if out is None:
        return pd.DataFrame()
    return _whole_rows(out, spec.rows).rename(columns=dict(spec.labels))


def _whole_rows(out, rows):
    """Design columns holding whole numbers only are shown as integers (B = 8, not 8.0000)."""
    for name in rows:
        col = out[name]
        if col.dtype.kind == "f" and np.isfinite(col).all() and (col == np.round(col)).all():
            out[name] = col.astype("int64")
    return out


def run_threshold(th: Threshold, model_name: str) -> list[dict[str, Any]]:
    """Roots (``root``) or the extremum (``max``/``min``) of ``th.expr`` over ``th.param``."""
    from clsc.game.roots import expression_function, maximisers, minimisers, thresholds
    from clsc.models import get_model

    model = get_model(model_name)
    f = expression_function(model, th.expr, th.param, dict(th.params), method=th.method)
    lo, hi = th.interval
    row = {"name": th.name, "label": th.label or th.name, "expression": th.expr,
           "parameter": th.param, "kind": th.kind, "interval": f"[{lo:g}, {hi:g}]"}  # fmt: skip
    if th.kind == "root":
        roots = thresholds(f, lo, hi, n_grid=2001)
        if not roots:
            return [{**row, "value": float("nan"), "f_value": float("nan")}]
        return [{**row, "value": r, "f_value": float(f(np.array([r]))[0])} for r in roots]
    ext = (maximisers if th.kind == "max" else minimisers)(f, lo, hi)
    return [{**row, "value": ext.x, "f_value": ext.value}]


def term_value(df, study: Study, text: str) -> float:
    """Value of an expression of ``KEY[SCENARIO]`` terms on the rows ``df`` (one point)."""
    import sympy as sp

    from clsc.expr import parse_expr

    found: dict[str, float] = {}

    def put(match: re.Match) -> str:
        key, scenario = match.group(1), match.group(2).strip()
        rows = df[df["scenario"] == scenario]
        if len(rows) != 1:
            raise ParameterError(text, message=f"{text!r}: {len(rows)} rows for {scenario!r}")
        name = f"_t{len(found)}"
        found[name] = float(rows[study.column(key)].iloc[0])
        return name

    body = TERM.sub(put, text)
    expr = parse_expr(body, {n: sp.Symbol(n, real=True) for n in found})
    return float(expr.subs({sp.Symbol(n, real=True): v for n, v in found.items()}))


def check_row(check: CheckSpec, study: Study, frames: Mapping[str, Any], roots: Mapping):
    """(claim, evidence, holds) of one check; see :class:`clsc.report.study.CheckSpec`."""
    parts, holds = [], True
    if check.increasing:
        df = select(frames[check.sweep], check.at)
        for chain in check.increasing:
            values = [term_value(df, study, t) for t in chain]
            holds &= all(a < b for a, b in itertools.pairwise(values))
            parts.append(" < ".join(f"{t} = {v:.4f}" for t, v in zip(chain, values, strict=True)))
    if check.falls_in:
        df = frames[check.sweep]
        x = df.attrs["design"][0]
        for scenario, part in df.groupby("scenario", sort=False):
            y = part.sort_values(x)[study.column(check.falls_in)].to_numpy(dtype=float)
            ok = bool(np.all(np.diff(y) < 0))
            holds &= ok
            parts.append(f"{scenario}: {y[0]:.4f} -> {y[-1]:.4f} ({'falls' if ok else 'not'})")
    if check.root_of:
        values = [r["value"] for r in roots.get(check.root_of, []) if np.isfinite(r["value"])]
        holds &= len(values) == 1
        parts.append(f"{check.root_of}: " + (", ".join(f"{v:.6f}" for v in values) or "none"))
    return {"claim": check.claim, "evidence": "; ".join(parts), "holds": bool(holds)}


def shade_spans(df, x: str, column: str) -> list[tuple[float, float]]:
    """x-ranges where ``column`` is False at some row (``"status"``: a row not optimal), each
    widened by half a grid step so a single failing point is visible."""
    if column == "status":
        bad = df["status"].astype(str) != "optimal"
    else:
        bad = ~df[column].fillna(False).astype(bool)
    fails = bad.groupby(df[x]).any().sort_index()
    xs = fails.index.to_numpy(dtype=float)
    spans, start = [], None
    for i, failing in enumerate(fails.to_numpy()):
        if failing and start is None:
            start = i
        if start is not None and (not failing or i == len(xs) - 1):
            end = i if failing else i - 1
            lo = xs[start] - (xs[start] - xs[start - 1]) / 2 if start > 0 else xs[start]
            hi = xs[end] + (xs[end + 1] - xs[end]) / 2 if end < len(xs) - 1 else xs[end]
            spans.append((float(lo), float(hi)))
            start = None
    return spans
