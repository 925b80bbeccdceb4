"""Figures in one house style (matplotlib, Agg backend, imported when a figure is drawn).

:func:`line_figure` draws outputs against a varied parameter, one line per group (scenario),
marks thresholds/crossings as labelled vertical lines, and shades the ranges where a condition
fails. Every figure is written to PNG.

>>> import pandas as pd, tempfile, pathlib
>>> df = pd.DataFrame({"x": [0, 1, 2, 0, 1, 2], "y": [0, 1, 4, 1, 1, 1],
...                    "scenario": ["A"] * 3 + ["B"] * 3})
>>> p = pathlib.Path(tempfile.mkdtemp()) / "f.png"
>>> line_figure(df, "x", ["y"], p, by="scenario", marks=[(1.0, "crossing")],
...             shade=[(1.5, 2.0, "SOC fails")]) == p
True
>>> p.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: house style: colour cycle, sizes
STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
    "legend.frameon": False,
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def line_figure(
    df,
    x: str,
    ys: Sequence[str],
    path: Path,
    *,
    by: str | None = None,
    marks: Sequence[tuple[float, str]] = (),
    shade: Sequence[tuple[float, float, str]] = (),
    title: str = "",
    ylabel: str = "",
    logx: bool = False,
) -> Path:
    """Plot columns ``ys`` of ``df`` against ``x`` (one line per value of ``by``), vertical
    labelled lines at ``marks`` (value, label), shaded spans ``shade`` (lo, hi, label); PNG."""
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        groups = [(None, df)] if by is None else list(df.groupby(by, sort=False, dropna=False))
        for key, part in groups:
            part = part.sort_values(x)
            for y in ys:
                plain = key is None or key != key  # no group, or a missing (NaN) group key
                label = y if plain else (f"{key}" if len(ys) == 1 else f"{y} ({key})")
                ax.plot(part[x], part[y], marker="." if len(part) < 30 else None, label=label)
        for lo, hi, label in shade:
            ax.axvspan(lo, hi, color="0.85", alpha=0.6, label=label, zorder=0)
        for value, label in marks:
            ax.axvline(value, color="0.3", linestyle="--", linewidth=0.8)
            ax.annotate(label, (value, 1.0), xycoords=("data", "axes fraction"),
                        rotation=90, va="top", ha="right", fontsize=7)  # fmt: skip
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(x)
        ax.set_ylabel(ylabel or (ys[0] if len(ys) == 1 else ""))
        if title:
            ax.set_title(title)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path, format="png")
        plt.close(fig)
    return path
