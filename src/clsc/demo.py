"""Reference examples solved by ``clsc demo`` (one row per solve)."""

from __future__ import annotations

import pandas as pd

from clsc.models import get_model

#: (model, scenario, method, params, options) rows of the demo table.
EXAMPLES: tuple[tuple[str, str | None, str | None, dict[str, str], dict[str, object]], ...] = (
    (
        "newsvendor",
        None,
        "closed-form",
        {"demand": "normal(mean=50, sd=8)", "holding": "0.18", "shortage": "0.70"},
        {},
    ),
    (
        "newsvendor",
        None,
        "mc",
        {"demand": "normal(mean=50, sd=8)", "holding": "0.18", "shortage": "0.70"},
        {"samples": 200_000, "seed": 1},
    ),
    (
        "newsvendor",
        None,
        "saa",
        {"demand": "normal(mean=50, sd=8)", "holding": "0.18", "shortage": "0.70"},
        {"samples": 2_000, "seed": 1},
    ),
    (
        "newsvendor",
        None,
        "closed-form",
        {"demand": "poisson(mean=6)", "price": "10", "cost": "4", "salvage": "1"},
        {},
    ),
)


def run_demo() -> pd.DataFrame:
    rows = []
    for model, scenario, method, params, options in EXAMPLES:
        result = get_model(model).solve(scenario, params=params, method=method, **options)
        row = {
            "model": model,
            "scenario": scenario or "-",
            "method": result.method,
            "status": result.status,
        }
        row.update({k: round(v, 4) for k, v in result.decisions.items()})
        row.update({f"pi_{k}": round(v, 4) for k, v in result.profits.items()})
        rows.append(row)
    return pd.DataFrame(rows)
