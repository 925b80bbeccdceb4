"""Progress bar (tqdm: rate and ETA) and the end-of-sweep summary.

The bar is shown only when stderr is a terminal and the run is not quiet.

>>> s = Summary(points=10, rows=20, statuses={"optimal": 18, "skipped": 2}, seconds=0.5,
...             chunks_run=1, chunks_done_before=0)
>>> print(s.text())  # doctest: +NORMALIZE_WHITESPACE
10 points x scenarios = 20 rows in 0.50 s (20 points/s); 1 chunk computed, 0 resumed;
optimal 18, skipped 2
>>> s.seed, s.seed_drawn = 12345, True
>>> print(s.text())  # doctest: +NORMALIZE_WHITESPACE
10 points x scenarios = 20 rows in 0.50 s (20 points/s); 1 chunk computed, 0 resumed;
optimal 18, skipped 2; seed 12345 (fresh entropy; seed = 12345 repeats it)
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


def make_bar(total: int, initial: int = 0, quiet: bool = False, desc: str = "sweep"):
    """A tqdm bar over points, disabled when quiet or when stderr is not a terminal.

    The bar runs without tqdm's monitor thread, so the driver stays single-threaded and worker
    processes can be forked safely.
    """
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0

    disable = quiet or not sys.stderr.isatty()
    return Bar(total=total, initial=initial, unit="pt", desc=desc, disable=disable, leave=False)


@dataclass
class Summary:
    """Counts of a finished (or resumed) sweep run."""

    points: int
    rows: int
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    chunks_run: int = 0
    chunks_done_before: int = 0
    notes: list[str] = field(default_factory=list)
    seed: int | None = None  # the sweep seed (None: not known)
    seed_drawn: bool = False  # drawn from fresh entropy (no seed given)

    def add(self, counts: dict[str, int]) -> None:
        self.statuses = dict(Counter(self.statuses) + Counter(counts))

    @property
    def rate(self) -> float:
        return self.points / self.seconds if self.seconds > 0 else float("inf")

    def text(self) -> str:
        st = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        chunks = "chunk" if self.chunks_run == 1 else "chunks"
        text = (
            f"{self.points} points x scenarios = {self.rows} rows in {self.seconds:.2f} s "
            f"({self.rate:.3g} points/s); {self.chunks_run} {chunks} computed, "
            f"{self.chunks_done_before} resumed; {st}"
        )
        if self.seed is not None:
            drawn = f" (fresh entropy; seed = {self.seed} repeats it)" if self.seed_drawn else ""
            text += f"; seed {self.seed}{drawn}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Every field, and the ``rate`` (points per second)."""
        return {**asdict(self), "rate": self.rate}
