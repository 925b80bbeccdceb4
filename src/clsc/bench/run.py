"""Load the benchmark groups (built-in and user modules) and run a selection.

>>> rows = run(pattern="bilevel", quick=True, repeat=1)
>>> sorted({r.case for r in rows}) == ["grid search", "kkt-bigm", "kkt-branch"]
True
>>> all(r.error < 1e-6 for r in rows)
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from clsc.bench.harness import Row, run_group, select
from clsc.errors import ParameterError

#: modules that register the built-in groups
BUILTIN: tuple[str, ...] = (
    "clsc.bench.cases_mc",
    "clsc.bench.cases_game",
    "clsc.bench.cases_core",
    "clsc.bench.cases_saa",
    "clsc.bench.cases_coop",
    "clsc.bench.cases_evolution",
    "clsc.bench.cases_jointinv",
    "clsc.bench.cases_sweep",
    "clsc.bench.cases_startup",
)


def load(modules: Iterable[str] = ()) -> None:
    """Import the built-in case modules and the user's ``modules`` (which call ``register``)."""
    for name in (*BUILTIN, *modules):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if name in BUILTIN:
                raise
            raise ParameterError("--module", "must name an importable module", name) from exc


def run(
    pattern: str | None = None,
    *,
    quick: bool = False,
    repeat: int = 3,
    modules: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    """Run every registered group whose name contains ``pattern``; rows in registry order."""
    load(modules)
    rows: list[Row] = []
    for group in select(pattern=pattern):
        if progress is not None:
            progress(group.name)
        rows.extend(run_group(group, quick=quick, repeat=repeat))
    return rows
