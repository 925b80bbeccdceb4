"""Quick figures from a sweep output directory (``clsc plot``).

Columns are read by name through :func:`clsc.sweeps.api.read_sweep`; regions where a row's
status is not ``optimal`` are shaded, as in the reproduce figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from clsc.errors import ParameterError


def plot_sweep(results, x: str, ys: Sequence[str], out, *, by: str | None = "scenario") -> Path:
    """Draw columns ``ys`` of the sweep in ``results`` against ``x`` (one line per ``by``)."""
    from clsc.report.compute import shade_spans
    from clsc.report.figures import line_figure
    from clsc.sweeps.api import read_sweep

    df = read_sweep(results)
    for name, option in [(x, "--x"), *((y, "--y") for y in ys), (by, "--by")]:
        if name is not None and name not in df.columns:
            raise ParameterError(
                option, message=f"{option}: no column {name!r}; columns: {', '.join(df.columns)}"
            )
    if df[x].dtype == object:
        raise ParameterError("--x", message=f"--x: column {x!r} is not numeric")
    plot = df[[x] + ([by] if by and by != x else [])].copy()
    for y in ys:
        try:
            values = df[y].to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ParameterError("--y", message=f"--y: column {y!r} is not numeric") from None
        plot[y] = np.where(np.isfinite(values), values, np.nan)
    shade = [(lo, hi, "no equilibrium (status not optimal)")
             for lo, hi in shade_spans(df, x, "status")]  # fmt: skip
    return line_figure(plot, x, list(ys), Path(out), by=by if by != x else None, shade=shade,
                       title=f"{', '.join(ys)} against {x}")  # fmt: skip
