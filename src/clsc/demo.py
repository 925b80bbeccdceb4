"""Reference examples solved by ``clsc demo``: one row per solve, every model and method.

The parameter values are the spec's reference sets; the printed numbers are computed, never
stored here (the tests compare them with the spec's tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

NORMAL_COST = {"demand": "normal(mean=50, sd=8)", "holding": "0.18", "shortage": "0.70"}
BUYBACK_B = {
    "demand": "uniform(low=0, high=100)",
    "p": "20",
    "w": "5",
    "b": "4",
    "v": "2",
    "cm": "1",
    "k": "10",
}

#: (model, scenario, method, params, solve options) rows of the demo table.
EXAMPLES: tuple[tuple[str, str | None, str | None, dict[str, str], dict[str, Any]], ...] = (
    ("newsvendor", None, "closed-form", NORMAL_COST, {}),
    ("newsvendor", None, "mc", NORMAL_COST, {"samples": 200_000, "seed": 1}),
    ("newsvendor", None, "saa", NORMAL_COST, {"samples": 2_000, "seed": 1}),
    (
        "newsvendor",
        None,
        "closed-form",
        {"demand": "poisson(mean=6)", "price": "10", "cost": "4", "salvage": "1"},
        {},
    ),
    ("buyback-effort", "N", "closed-form", BUYBACK_B, {}),
    ("buyback-effort", "B", "closed-form", BUYBACK_B, {}),
    ("buyback-effort", "B", "mc", BUYBACK_B, {"samples": 200_000, "seed": 1}),
    (
        "contracts",
        "wholesale",
        "closed-form",
        {"demand": "normal(mean=100, sd=30)", "p": "10", "w": "6", "cm": "2"},
        {},
    ),
    (
        "contracts",
        "buyback",
        "closed-form",
        {"demand": "normal(mean=100, sd=30)", "p": "10", "w": "6", "cm": "2", "b": "4"},
        {},
    ),
    ("cascade-epr", "centralised", "closed-form", {}, {}),
    ("cascade-epr", "decentralised", "closed-form", {}, {}),
    ("cascade-epr", "revenue-sharing", "closed-form", {}, {}),
    ("cascade-epr", "decentralised", "numeric", {}, {}),
    ("process-innovation", "P", "closed-form", {}, {}),
    ("process-innovation", "M", "closed-form", {}, {}),
    ("process-innovation", "PM", "closed-form", {}, {}),
    ("sorting-collection", "N", "closed-form", {}, {}),
    ("sorting-collection", "MR", "closed-form", {}, {}),
    ("sorting-collection", "MC", "closed-form", {}, {}),
    ("sorting-collection", "MRC", "closed-form", {}, {}),
)


def number(value: float) -> str:
    """A value as the demo prints it: integers as integers, otherwise 4 decimals (6 significant
    digits when very large or small).

    >>> [number(7.0), number(56.60398), number(1.5e7), number(-2e-05)]
    ['7', '56.6040', '1.5e+07', '-2e-05']
    """
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    if abs(value) >= 1e6 or abs(value) < 1e-4:
        return f"{value:.6g}"
    return f"{value:.4f}"


def _join(values: Mapping[str, float], errors: Mapping[str, float] | None = None) -> str:
    errors = errors or {}
    return ", ".join(
        f"{k}={number(v)}" + (f" (se {errors[k]:.2g})" if k in errors else "")
        for k, v in values.items()
    )


def run_demo() -> pd.DataFrame:
    """Solve every example; one row per solve: status, demand, decisions and profits (with
    standard errors for sampled methods), the FLAG warnings of the point ('; '-joined) and the
    message of a solve that is not optimal."""
    import pandas as pd

    from clsc.models import get_model

    rows = []
    for model, scenario, method, params, options in EXAMPLES:
        result = get_model(model).solve(scenario, params=params, method=method, **options)
        demand = result.params.get("demand")
        rows.append(
            {
                "model": model,
                "scenario": result.scenario,  # None for a model without scenarios, as to_frame
                "method": result.method,
                "status": str(result.status),
                "demand": getattr(demand, "spec", None),
                "decisions": _join(result.decisions, result.std_errors),
                "profits": _join(result.profits, result.std_errors),
                "flags": "; ".join(result.flags),
                "message": result.message,
            }
        )
    return pd.DataFrame(rows)


def _given(value) -> bool:
    """False for a missing entry (None, NaN after a CSV round trip, or empty text)."""
    return isinstance(value, str) and value != ""


def render(frame: pd.DataFrame, width: int = 100) -> str:
    """The demo table as text of at most ``width`` columns (at least 20): one block per solve,
    a header line then one wrapped line group per field (demand, decisions, profits, the FLAG
    warnings, the message of a solve that is not optimal).

    >>> import pandas as pd
    >>> row = {"model": "newsvendor", "scenario": None, "method": "mc", "status": "optimal",
    ...        "demand": "normal(mean=50, sd=8)", "decisions": "q=56.6025 (se 0.025)",
    ...        "profits": "pi_R=-1.9950 (se 0.0037)", "flags": "", "message": ""}
    >>> print(render(pd.DataFrame([row]), 30))
    newsvendor  method=mc
        status=optimal
      demand: normal(mean=50,
        sd=8)
      decisions: q=56.6025 (se
        0.025)
      profits: pi_R=-1.9950 (se
        0.0037)
    """
    import textwrap

    width = max(20, width)
    lines = []
    for row in frame.itertuples(index=False):
        scen = f" [{row.scenario}]" if _given(row.scenario) else ""
        head = f"{row.model}{scen}  method={row.method}  status={row.status}"
        lines += textwrap.wrap(head, width, subsequent_indent="    ")
        fields = [("demand", row.demand), ("decisions", row.decisions), ("profits", row.profits)]
        fields.append(("flags", row.flags))
        if str(row.status) not in ("optimal", "evaluated"):
            fields.append(("message", getattr(row, "message", "")))
        for label, value in fields:
            if not _given(value):
                continue
            lines += textwrap.wrap(
                f"{label}: {value}", width, initial_indent="  ", subsequent_indent="    "
            )
    return "\n".join(lines)
