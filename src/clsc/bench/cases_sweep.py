"""Sweep throughput through the Python API (:func:`clsc.sweeps.api.sweep`).

* ``sweep-numeric``: process-innovation PM with the ``numeric`` method on a theta grid of 48
  points (quick 12) in chunks of 3 points, with 1 worker (in this process; baseline) and 2
  workers (standard-library process pool, started by the call, so worker start-up is counted).
  Units are points. Goal (issue #10): 2 workers >= 1.6x 1 worker on 200 points.
* ``sweep-closed-form``: process-innovation, all 3 scenarios, a Sobol design over (theta, k)
  of 10^5 points (quick 10^3), evaluated by the vectorised closed forms (rows kept in memory),
  against ``model.solve`` per point and scenario (baseline, 30 points). Units are rows
  (point x scenario), so the ratio is per row.

Accuracy: max relative difference of the decisions (w, x, q, p) against ``model.solve`` with
the closed form at the same parameters.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, counted, register, worst_relative

MODEL = "process-innovation"
DECISIONS = ("w", "x", "q", "p")


def _numeric_setup(quick: bool):
    from clsc.models import get_model

    points = 12 if quick else 48
    model = get_model(MODEL)
    thetas = np.linspace(0.05, 0.95, points)
    ref = {round(float(t), 12): model.solve("PM", params={"theta": float(t)}).decisions
           for t in thetas}  # fmt: skip
    return SimpleNamespace(points=points, ref=ref)


def _numeric(workers: int):
    def run(s):
        from clsc.sweeps.api import sweep

        design = {"theta": {"from": 0.05, "to": 0.95, "steps": s.points}}
        return sweep(MODEL, design, scenario="PM", method="numeric", workers=workers,
                     chunk_size=3)  # fmt: skip

    return run


def _frame_error(df, lookup) -> float:
    pairs = ((row, lookup(row)) for row in df.itertuples(index=False))
    return worst_relative(({k: getattr(row, k) for k in DECISIONS}, {k: ref[k] for k in DECISIONS})
                          for row, ref in pairs if ref is not None)  # fmt: skip


def _numeric_error(s, df) -> float:
    if not (df["status"] == "optimal").all() or len(df) != s.points:
        return float("inf")
    return _frame_error(df, lambda row: s.ref[round(float(row.theta), 12)])


def _closed_setup(quick: bool):
    from clsc.models import get_model

    model = get_model(MODEL)
    for scenario in model.scenarios:
        model.closed_form(scenario)  # what the sweep evaluates, loaded outside the timing
    n = 1_000 if quick else 100_000
    design = {"type": "sobol", "points": n, "seed": 3, "theta": {"from": 0, "to": 1},
              "k": {"from": 4, "to": 10}}  # fmt: skip
    s = SimpleNamespace(model=model, n=n, design=design, k=30, scenarios=model.scenarios)
    # the sweep's first k points (a Sobol prefix), solved one by one in the baseline
    head = _closed_sweep(SimpleNamespace(design={**design, "points": s.k}))
    first = head[head["scenario"] == model.scenarios[0]]
    s.head = list(zip(first["theta"].astype(float), first["k"].astype(float), strict=True))
    return s


def _closed_sweep(s):
    from clsc.sweeps.api import sweep

    df = sweep(MODEL, s.design, scenario="all")
    s.notes = [n for n in df.attrs.get("summary", {}).get("notes", []) if "disabled" in n]
    return df


def _closed_note(s) -> str:
    text = f"{s.n:,} points x 3 scenarios, Sobol, in memory"
    if getattr(s, "notes", None):  # the engine fell back to point-by-point solves
        text += "; NOT vectorised: " + "; ".join(s.notes)
    return text


def _closed_loop(s):
    rows = []
    for theta, k in s.head:
        for scenario in s.scenarios:
            r = s.model.solve(scenario, params={"theta": theta, "k": k})
            rows.append({"theta": theta, "k": k, "scenario": scenario, **r.decisions})
    import pandas as pd

    return pd.DataFrame(rows)


def _closed_error(s, df) -> float:
    sub = df.iloc[: 3 * s.k]
    cache: dict = {}

    def lookup(row):
        key = (row.scenario, float(row.theta), float(row.k))
        if key not in cache:
            r = s.model.solve(row.scenario, params={"theta": key[1], "k": key[2]})
            cache[key] = r.decisions
        return cache[key]

    return _frame_error(sub, lookup)


register(
    Group(
        "sweep-numeric",
        setup=_numeric_setup,
        cases=(
            Case(
                "1 worker",
                _numeric(1),
                _numeric_error,
                **counted("points"),
                note=lambda s: f"{s.points} points, numeric method, chunks of 3",
            ),
            Case(
                "2 workers (process pool)",
                _numeric(2),
                _numeric_error,
                **counted("points"),
                warmup=False,
            ),
        ),
        baseline="1 worker",
        accuracy="max rel. diff of the decisions vs the closed form",
        doc="numeric sweep of process-innovation PM",
        goal="2 workers >= 1.6x 1 worker (on 200 points)",
        tolerance=1e-6,
    )
)
register(
    Group(
        "sweep-closed-form",
        setup=_closed_setup,
        cases=(
            Case(
                "model.solve per point",
                _closed_loop,
                _closed_error,
                units=lambda s: 3 * s.k,
                note=lambda s: f"{s.k} points x 3 scenarios",
            ),
            Case(
                "vectorised sweep",
                _closed_sweep,
                _closed_error,
                units=lambda s: 3 * s.n,
                note=_closed_note,
            ),
        ),
        baseline="model.solve per point",
        accuracy="max rel. diff of the decisions vs model.solve (first 30 points)",
        doc="closed-form sweep throughput (rows/s = units / seconds)",
        goal="10^6 points x 3 scenarios under 10 s on 2 cores",
        tolerance=1e-9,
    )
)
