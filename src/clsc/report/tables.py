"""Tables written as CSV (full precision) and Markdown (rounded for reading).

>>> import pandas as pd, tempfile, pathlib
>>> df = pd.DataFrame({"B": [8, 9], "w": [40.0, 39.716494845]})
>>> print(markdown(df, digits=4))
| B | w |
|---|---|
| 8 | 40.0000 |
| 9 | 39.7165 |
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> sorted(p.name for p in write_table(df, d, "t1"))
['t1.csv', 't1.md']
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from pathlib import Path
from typing import Any


def cell(value: Any, digits: int = 4) -> str:
    """Text of one cell: integers as integers, floats with ``digits`` decimals, NaN as ``–``,
    booleans as yes/no."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        v = float(value)
        if math.isnan(v):
            return "–"
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        return f"{v:.{digits}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(df, digits: int = 4) -> str:
    """A GitHub-style Markdown table of ``df`` (index dropped)."""
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v, digits) for v in row) + " |")
    return "\n".join(lines)


def write_table(df, directory: Path, name: str, *, digits: int = 4) -> list[Path]:
    """Write ``name.csv`` (full precision) and ``name.md`` (``digits`` decimals) into
    ``directory``; return both paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    csv, md = directory / f"{name}.csv", directory / f"{name}.md"
    df.to_csv(csv, index=False, float_format="%.10g")
    md.write_text(markdown(df, digits) + "\n", encoding="utf-8")
    return [csv, md]
