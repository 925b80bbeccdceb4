"""The vectorised closed forms of newsvendor, contracts and buyback-effort equal the scalar
``model.solve`` on random points (so a renamed key or a changed formula is caught)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clsc.models import get_model
from clsc.sweeps.api import sweep
from clsc.sweeps.engine import Engine
from clsc.sweeps.spec import spec_from_mapping

CASES = {
    "newsvendor": dict(
        scenario=None,
        params={"holding": 1.0, "demand": "gamma(shape=3, scale={mu})"},
        design={
            "type": "random",
            "points": 25,
            "price": {"from": 5.0, "to": 20.0},
            "cost": {"from": 0.5, "to": 4.0},
            "shortage": {"from": 0.0, "to": 3.0},
            "mu": {"from": 5.0, "to": 40.0},
        },
    ),
    "contracts": dict(
        scenario="all",
        params={"p": 10.0, "cm": 4.0, "phi": 0.7, "demand": "poisson(mean={mu})"},
        design={
            "type": "random",
            "points": 25,
            "w": {"from": 4.5, "to": 6.9},
            "b": {"from": 0.0, "to": 6.0},
            "v": {"from": 0.0, "to": 3.0},
            "mu": {"from": 10.0, "to": 60.0},
        },
    ),
    "buyback-effort": dict(
        scenario="all",
        params={"demand": "gamma(shape=4, scale={theta})"},
        design={
            "type": "random",
            "points": 25,
            "k": {"from": 0.1, "to": 40.0},
            "b": {"from": 2.5, "to": 4.9},
            "theta": {"from": 10.0, "to": 30.0},
        },
    ),
}


def _spec(model, case):
    raw = {"model": model, "design": case["design"], "params": case["params"], "seed": 4}
    raw["on_invalid"] = "skip"
    if case["scenario"]:
        raw["scenario"] = case["scenario"]
    return spec_from_mapping(raw)


@pytest.mark.parametrize("model", list(CASES))
def test_vectorised_closed_form_equals_scalar_solve(model):
    case = CASES[model]
    spec = _spec(model, case)
    engine = Engine(spec)
    plan = engine.plan()
    assert set(plan.vectorised) == set(spec.scenarios), plan.notes  # the fast path is used
    df = sweep(
        model,
        case["design"],
        scenario=case["scenario"],
        params=case["params"],
        seed=4,
        on_invalid="skip",
    )
    m = get_model(model)
    names = [n for n in case["design"] if n not in ("type", "points")]
    statuses = set()
    for _, row in df.iterrows():
        params = {k: v for k, v in case["params"].items() if k != "demand"}
        params.update({k: row[k] for k in names if k in m.spec.names})
        params["demand"] = row["demand"] if "demand" in df.columns else case["params"]["demand"]
        scenario = None if pd.isna(row["scenario"]) else row["scenario"]
        statuses.add(row["status"])
        if row["status"] == "skipped":
            with pytest.raises(Exception):  # noqa: B017 - the scalar solve refuses it too
                m.solve(scenario, params=params)
            continue
        res = m.solve(scenario, params=params)
        assert row["status"] == res.status, row["message"]
        expected = res.to_frame().iloc[0]
        for c in df.columns:
            if c not in expected.index or c in ("scenario", "status", *names):
                continue  # the sweep's parameter columns are inputs (``param.<name>`` here)
            want, got = expected[c], row[c]
            if isinstance(want, bool | np.bool_):
                assert bool(got) == bool(want), c
            elif isinstance(want, str):
                assert got == want, c
            elif want is None or (isinstance(want, float) and np.isnan(want)):
                assert pd.isna(got), c
            else:
                assert got == pytest.approx(float(want), rel=1e-9, abs=1e-9), (c, row["point"])
    assert "optimal" in statuses
    if model == "contracts":
        assert "unbounded" in statuses  # buyback with v + b >= w


def test_values_outside_the_schema_are_named_in_a_note(monkeypatch):
    # a model whose declared schema lacks a key its results carry: the sweep keeps the schema's
    # columns only and says which values it did not keep
    cls = type(get_model("newsvendor"))
    full = cls.schema

    def short(scenario=None):
        return [c for c in full(scenario) if c != "metric.fill_rate"]

    monkeypatch.setattr(cls, "schema", staticmethod(short))
    case = CASES["newsvendor"]
    plan = Engine(_spec("newsvendor", case)).plan()
    columns = [c for c, _ in plan.columns]
    assert "metric.fill_rate" not in columns and "metric.sales" in columns
    assert any("not kept: metric.fill_rate" in note for note in plan.notes), plan.notes
