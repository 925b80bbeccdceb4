"""Typed results of a bilevel solve: :class:`BilevelResult` (public) and :class:`Outcome`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from clsc.results import (
    INFEASIBLE,
    NOT_PROVEN,
    OPTIMAL,
    SOLVER_ERROR,
    TIME_LIMIT,
    UNBOUNDED,
    jsonable,
)

STATUSES = (OPTIMAL, INFEASIBLE, UNBOUNDED, NOT_PROVEN, SOLVER_ERROR, TIME_LIMIT)
SEMANTICS = "optimistic"


@dataclass(frozen=True)
class Outcome:
    """What one reformulation returns before verification (``v = (x, y)`` in min form)."""

    status: str
    v: np.ndarray | None = None
    message: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BilevelResult:
    """``status``, leader ``x``, follower ``y``, objective values ``F`` and ``f`` (in the
    problem's own senses), the ``reformulation`` actually used, ``seconds``; ``semantics`` is
    always ``"optimistic"``. ``x``/``y``/``F``/``f`` are empty/None unless a point was found.
    ``info`` holds diagnostics (bounds, verification, node counts)."""

    status: str
    x: Mapping[str, float]
    y: Mapping[str, float]
    F: float | None
    f: float | None
    reformulation: str
    seconds: float
    message: str = ""
    semantics: str = SEMANTICS
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("x", "y", "info"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def ok(self) -> bool:
        return self.status == OPTIMAL

    def to_dict(self) -> dict[str, Any]:
        out = {
            "status": self.status,
            "x": jsonable(self.x),
            "y": jsonable(self.y),
            "F": jsonable(self.F),
            "f": jsonable(self.f),
            "reformulation": self.reformulation,
            "semantics": self.semantics,
            "seconds": self.seconds,
        }
        if self.message:
            out["message"] = self.message
        if self.info:
            out["info"] = jsonable(self.info)
        return out

    def to_frame(self):
        """One-row ``pandas.DataFrame``: status, reformulation, F, f, one column per variable."""
        import pandas as pd

        row = {
            "status": self.status,
            "reformulation": self.reformulation,
            "semantics": self.semantics,
            "F": self.F,
            "f": self.f,
            **dict(self.x),
            **dict(self.y),
            "seconds": self.seconds,
        }
        return pd.DataFrame([row])
