"""Where ``solve`` gets a scenario's closed forms: shipped, cached on disk, or derived.

:func:`closed_form` returns the :class:`~clsc.game.fastform.ClosedForm` of a game (with its
parameter assumptions and fixed variables), trying in order:

1. the forms **shipped** with the package (:data:`SHIPPED_DIR`, one JSON record per scenario of
   the registered game models, written by ``python -m clsc.game.ship``), keyed by
   :func:`shipped_key`: the declaration, the assumptions, the fixed variables and the format
   (a test derives every shipped scenario again and compares);
2. the **disk cache** (:mod:`clsc.game.cache`), keyed by :func:`disk_key`, which adds the
   source of the deriving modules and sympy's version, so an edited engine or another sympy
   never reads an older one's forms;
3. a **derivation** (:func:`clsc.game.symbolic.solve_game`, sympy), whose form is then stored
   in the disk cache.

The environment variable ``CLSC_CLOSED_FORMS`` (:data:`MODE_ENV`) skips steps for
benchmarks and checks: ``no-shipped`` skips step 1, ``derive`` steps 1 and 2 (and stores
nothing: the derivation path as it was before forms were data).

Steps 1 and 2 import neither sympy nor ``lambdify``; a record whose SHA-256 does not match its
payload, or whose expressions are not whitelisted (:mod:`clsc.game.fastform`), is ignored and
the game is derived again. The form of a derivation is built from the code ``lambdify`` prints
for it (:func:`form_of`), so every path evaluates the same arithmetic.

>>> from clsc.game.declare import Game, Player, Var
>>> g = Game(players=[Player("R", [Var("p")], "(p - c)*(a - p)")], stages=[["R"]], name="doc")
>>> form = closed_form(g, {"a": "positive", "c": "positive"})
>>> form.params, form.names, float(form(a=10, c=2)["p"])  # p = (a + c)/2
(('a', 'c'), ('p', 'pi_R'), 6.0)
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from clsc.game import cache
from clsc.game.declare import Game
from clsc.game.fastform import ClosedForm, FormCondition

if TYPE_CHECKING:
    from clsc.game.symbolic import SymbolicSolution

#: bump when the payload of a form changes
FORM_FORMAT = 1
#: where the package's pre-derived forms live (package data)
SHIPPED_DIR = Path(__file__).with_name("shipped")
#: modules whose source keys the disk cache's forms (paths under ``clsc/``)
FORM_MODULES = (
    *cache.ENGINE_MODULES,
    "game/names.py",
    "game/compile.py",
    "game/fastform.py",
    "game/forms.py",
)

#: environment variable: "" (all steps), "no-shipped" or "derive" (see the module docstring)
MODE_ENV = "CLSC_CLOSED_FORMS"

Assumptions = tuple[tuple[str, str], ...]
T = TypeVar("T")


def _parts(game: Game, assumptions: Assumptions, fixed: frozenset[str]) -> tuple:
    return ("clsc closed form", FORM_FORMAT, game, assumptions, sorted(fixed))


def shipped_key(game: Game, assumptions: Assumptions, fixed: frozenset[str] = frozenset()) -> str:
    """Key of a shipped form: declaration, assumptions, fixed variables and format."""
    return cache.digest(*_parts(game, assumptions, frozenset(fixed)))


def disk_key(game: Game, assumptions: Assumptions, fixed: frozenset[str] = frozenset()) -> str:
    """Key of a form in the disk cache: :func:`shipped_key`'s parts, the engine source and
    sympy's version (:func:`~clsc.game.cache.sympy_release`)."""
    source = cache.source_digest(FORM_MODULES)
    return cache.digest(source, cache.sympy_release(), *_parts(game, assumptions, frozenset(fixed)))


def lookup(
    shipped_dir: Path,
    shipped: str,
    disk: Callable[[], str],
    read: Callable[[Any], T | None],
    build: Callable[[], tuple[T, Any]],
) -> T:
    """A form by the order of the module docstring: ``read`` of the shipped record
    ``shipped_dir/<shipped>.json``, else of the disk-cache record under the key ``disk()``,
    else ``build() -> (form, payload)``, whose payload (None: nothing to store) is then stored;
    ``read`` returns None for a body that is not a valid form. :data:`MODE_ENV` skips steps."""
    mode = os.environ.get(MODE_ENV, "").strip().lower()
    if mode not in ("no-shipped", "derive"):
        form = read(cache.read_record(shipped_dir / f"{shipped}.json", shipped))
        if form is not None:
            return form
    key = disk()
    if mode != "derive":
        form = read(cache.load_raw(key))
        if form is not None:
            return form
    form, payload = build()
    if payload and mode != "derive":
        cache.store_raw(key, payload)
    return form


def closed_form(
    game: Game,
    assumptions: Mapping[str, str] | None = None,
    fixed_vars: Iterable[str] = frozenset(),
) -> ClosedForm:
    """The closed forms of ``game`` (shipped, from the disk cache, or derived; cached)."""
    key = tuple(sorted((assumptions or {}).items()))
    return _closed_form(game, key, frozenset(fixed_vars))


@lru_cache(maxsize=128)
def _closed_form(game: Game, assumptions: Assumptions, fixed: frozenset[str]) -> ClosedForm:
    def derive() -> tuple[ClosedForm, Any]:
        from clsc.game.symbolic import solve_game

        form = form_of(solve_game(game, dict(assumptions), fixed))
        return form, form.payload

    return lookup(
        SHIPPED_DIR,
        shipped_key(game, assumptions, fixed),
        lambda: disk_key(game, assumptions, fixed),
        _valid,
        derive,
    )


def _valid(body: Any) -> ClosedForm | None:
    if not isinstance(body, dict):
        return None
    try:
        return ClosedForm.from_payload(body)
    except ValueError:
        return None


def form_of(sol: SymbolicSolution) -> ClosedForm:
    """The :class:`ClosedForm` of a derivation (from the code ``lambdify`` prints for it).

    If that code is not one the whitelist accepts, the lambdified function is used as it is
    and the form has an empty ``payload`` (it is then not stored).
    """
    from clsc.game.compile import compile_solution

    cs = compile_solution(sol)
    conditions = [[c.name, c.text, c.relation, c.kind] for c in sol.conditions]
    payload = {
        "params": list(cs.params),
        "names": list(cs.names),
        "conditions": conditions,
        "guarded": {k: list(v) for k, v in sol.guarded.items()},
    }
    try:
        payload.update(printed(cs._func, cs.params))
        return ClosedForm.from_payload(payload)
    except (ValueError, TypeError, OSError, SyntaxError):
        conds = tuple(FormCondition(*c) for c in conditions)
        guarded = {k: tuple(v) for k, v in sol.guarded.items()}
        return ClosedForm(cs.params, cs.names, conds, guarded, {}, cs._func)


def printed(func: Any, params: tuple[str, ...]) -> dict[str, list]:
    """Assignments and outputs of a lambdified function, from its printed source."""
    import inspect

    (tree,) = ast.parse(inspect.getsource(func)).body
    if not isinstance(tree, ast.FunctionDef) or [a.arg for a in tree.args.args] != list(params):
        raise ValueError("unexpected lambdify output")
    assignments, outputs = [], None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and outputs is None:
            target = stmt.targets[0]
            if not isinstance(target, ast.Name):
                raise ValueError("unexpected lambdify output")
            assignments.append([target.id, ast.unparse(stmt.value)])
        elif isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.List | ast.Tuple):
            outputs = [ast.unparse(e) for e in stmt.value.elts]
        else:
            raise ValueError("unexpected lambdify output")
    if outputs is None:
        raise ValueError("unexpected lambdify output")
    return {"assignments": assignments, "outputs": outputs}


def ship(
    entries: Iterable[tuple[str, Game, Mapping[str, str]]], directory: Path = SHIPPED_DIR
) -> dict[str, Path]:
    """Derive and write the form of each ``(label, game, assumptions)`` to ``directory``.

    Old records in ``directory`` that no entry wrote are removed; returns label -> file.
    """
    from clsc.game.symbolic import solve_game

    def records():
        for label, game, assumptions in entries:
            asm = tuple(sorted(assumptions.items()))
            form = form_of(solve_game(game, dict(asm)))
            if not form.payload:
                raise ValueError(f"{label}: its closed forms are not whitelisted code; cannot ship")
            yield label, shipped_key(game, asm), {"label": label, **form.payload}

    return cache.write_records(directory, records())
