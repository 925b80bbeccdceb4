"""Names in a game declaration, checked without sympy (so declaring a model stays cheap).

:func:`check_params` reads the names every text of a :class:`~clsc.game.declare.Game` uses
(profits, definitions, outputs, flags, fixed values) from Python's syntax tree of the text,
the same tree :func:`clsc.expr.parse_expr` translates later, and refuses a name that is neither
a parameter, a variable, a definition, a reference nor a profit ``pi_X``/``Pi_X``:

>>> from clsc.game.declare import Game, Player, Var
>>> g = Game(players=[Player("R", [Var("p")], "(p - c)*(a - p)")], stages=[["R"]], name="g")
>>> check_params(g, ("a", "c"))
>>> check_params(g, ("a",))
Traceback (most recent call last):
...
clsc.game.declare.GameError: unknown symbol 'c' in game g; parameters: a; variables: p
>>> profit_key(g, "R")
'pi_R'
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from clsc.expr import CONSTANT_NAMES, FUNCTION_NAMES
from clsc.game.declare import Coalition, Game, GameError, Player, Ref, Root


def profit_key(game: Game, name: str) -> str:
    """Reported key of a player's (``pi_X``) or coalition's (``Pi_X``) profit."""
    return ("Pi_" if isinstance(game.by_name[name], Coalition) else "pi_") + name


def quantity_names(game: Game) -> Iterable[str]:
    """Names a :class:`Ref` may point at: variables, definitions, outputs, ``pi_X``/``Pi_X``."""
    yield from game.all_vars
    yield from (n for n, _ in game.definitions)
    yield from (n for n, _ in game.outputs)
    for p in game.players:
        yield profit_key(game, p.name)


def text_names(value: Any, where: str) -> set[str]:
    """The symbol names ``value`` (text, number or sympy expression) uses."""
    if isinstance(value, bool):
        raise GameError(f"{where}: expected text or a sympy expression, got {value!r}")
    if isinstance(value, int | float):
        return set()
    if not isinstance(value, str):
        symbols = getattr(value, "free_symbols", None)
        if symbols is None:
            raise GameError(f"{where}: expected text or a sympy expression, got {value!r}")
        return {s.name for s in symbols}
    try:
        tree = ast.parse(value.replace("^", "**").strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise GameError(f"{where}: cannot parse {value[:80]!r}", token=value[:80]) from None
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    skip = set(FUNCTION_NAMES) | set(CONSTANT_NAMES)
    return {
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name)
        and not (id(n) in called and n.id in skip)
        and n.id not in CONSTANT_NAMES
    }


def used_names(game: Game) -> set[str]:
    """Parameter names ``game`` uses (after its fixed parameters are substituted)."""
    free: set[str] = set()
    for p in game.players:
        if isinstance(p, Player):
            free |= text_names(p.profit, f"profit of {p.name}")
    for name, text in game.definitions:
        free |= text_names(text, f"definition {name}")
    for name, value in game.outputs:
        if isinstance(value, Root):
            free |= text_names(value.expr, f"output {name}") | {value.param}
        else:
            free |= text_names(value, f"output {name}")
    for text in game.flags:
        free |= text_names(text, f"flag {text}")
    fixed = {k for k, _ in game.fixed}
    free -= fixed
    for k, v in game.fixed:
        free |= text_names(v, f"fixed {k}")
    special = set(game.all_vars) | {n for n, _ in game.definitions}
    special |= {n for n, _ in game.references}
    special |= {prefix + p.name for p in game.players for prefix in ("pi_", "Pi_")}
    return free - special


def check_params(game: Game, names: Iterable[str]) -> None:
    """Raise :class:`GameError` if ``game`` (or a game it references) uses an unknown symbol."""
    allowed = tuple(names)
    for s in sorted(used_names(game) - set(allowed)):
        raise GameError(
            f"unknown symbol '{s}' in game {game.name or '(unnamed)'}; "
            f"parameters: {', '.join(allowed)}; variables: {', '.join(game.all_vars)}",
            token=s,
        )
    for name, ref in game.references:
        if not isinstance(ref, Ref):
            raise GameError(f"reference {name} must be a Ref(game, quantity)", token=name)
        if ref.quantity not in set(quantity_names(ref.game)):
            raise GameError(f"reference to unknown quantity '{ref.quantity}'", token=ref.quantity)
        check_params(ref.game, allowed)
