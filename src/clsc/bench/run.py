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

from clsc.bench.harness import Group, Row, origin, run_group, select
from clsc.errors import ParameterError

#: modules that register the built-in groups
BUILTIN: tuple[str, ...] = (
    "clsc.bench.cases_mc",
    "clsc.bench.cases_buyback",
    "clsc.bench.cases_game",
    "clsc.bench.cases_core",
    "clsc.bench.cases_saa",
    "clsc.bench.cases_coop",
    "clsc.bench.cases_evolution",
    "clsc.bench.cases_jointinv",
    "clsc.bench.cases_sweep",
    "clsc.bench.cases_startup",
    "clsc.bench.cases_speed",
    "clsc.bench.cases_numeric",
)


def load(modules: Iterable[str] = ()) -> None:
    """Import the built-in case modules and the user's ``modules`` (which call ``register``)."""
    for name in (*BUILTIN, *modules):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if name in BUILTIN:
                raise
            rule = ("must name an importable module" if exc.name == name
                    else f"imports a missing module {exc.name}")  # fmt: skip
            raise ParameterError("--module", rule, name) from exc


def chosen(pattern: str | Iterable[str] | None = None, modules: Iterable[str] = ()) -> list[Group]:
    """Groups to run: those registered by ``modules`` when modules are named and no
    ``pattern`` is given, else every group whose name contains ``pattern`` (all if None)."""
    modules = tuple(modules)
    load(modules)
    if modules and not pattern:
        own = [g for g in select() if origin(g.name) in modules]
        if not own:
            raise ParameterError("--module", "registered no benchmark group", ", ".join(modules))
        return own
    return select(pattern=pattern)


def run(
    pattern: str | Iterable[str] | None = None,
    *,
    quick: bool = False,
    repeat: int = 3,
    modules: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    """Run the groups of :func:`chosen`; rows in registry order."""
    rows: list[Row] = []
    for group in chosen(pattern, modules):
        if progress is not None:
            progress(group.name)
        rows.extend(run_group(group, quick=quick, repeat=repeat))
    return rows
