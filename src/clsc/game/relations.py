"""Numeric truth of a condition ``value relation 0`` with a small tolerance.

>>> bool(condition_holds(-1e-12, ">=0"))
True
>>> bool(condition_holds(0.0, ">0"))
False
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-9  # relative slack when checking a '>= 0' condition numerically


def condition_holds(value: np.ndarray, relation: str, scale: np.ndarray | float = 1.0):
    """Elementwise truth of ``value relation`` with a small tolerance for ``>= 0``/``<= 0``."""
    value = np.asarray(value, dtype=float)
    slack = TOLERANCE * np.maximum(1.0, np.abs(scale))
    if relation == ">0":
        return value > 0
    if relation == ">=0":
        return value >= -slack
    if relation == "<=0":
        return value <= slack
    raise ValueError(f"unknown relation {relation!r}")
