"""From declarations to expressions: parse text, substitute fixed parameters and definitions.

:func:`prepare` is shared by the symbolic and the numeric method. It returns a
:class:`Prepared` game whose profits are sympy expressions in the variables and parameters only
(definitions substituted in order), each mover's objective (a coalition's is the sum of its
members' profits), and the reported definitions/outputs. References to other games stay as
symbols (``Prepared.references``); each method resolves them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from clsc.expr import parse_expr
from clsc.game.declare import Coalition, Game, GameError, Player, Ref, Root, Text, Var
from clsc.game.names import check_params, profit_key, quantity_names
from clsc.game.symbols import symbol

__all__ = ["Prepared", "check_params", "prepare", "profit_key", "quantity_names"]


@dataclass(frozen=True)
class Prepared:
    game: Game
    vars: dict[str, Var]  # every variable still decided (not fixed at solve time)
    movers: dict[str, tuple[Var, ...]]  # mover name -> its variables
    objectives: dict[str, sp.Expr]  # mover name -> objective
    profits: dict[str, sp.Expr]  # every player and moving coalition -> profit
    definitions: dict[str, sp.Expr]
    outputs: dict[str, sp.Expr | tuple[sp.Expr, sp.Symbol, tuple[float, float]]]
    flags: tuple[tuple[str, sp.Expr, str], ...]  # (text, lhs - rhs, op)
    references: dict[str, Ref]
    params: tuple[sp.Symbol, ...]

    @property
    def stages(self) -> tuple[tuple[str, ...], ...]:
        return self.game.stages


def _parse(value: Text | sp.Expr, where: str) -> sp.Expr:
    if isinstance(value, sp.Basic):
        return sp.sympify(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return sp.nsimplify(value) if isinstance(value, float) else sp.Integer(value)
    if not isinstance(value, str):
        raise GameError(f"{where}: expected text or a sympy expression, got {value!r}")
    try:
        expr = parse_expr(value, allow_unknown=True)
    except GameError:
        raise
    except Exception as exc:
        raise GameError(f"{where}: {exc}", token=getattr(exc, "token", None)) from None
    # parse_expr makes Symbol(name, real=True) == symbol(name); normalise anyway
    return expr.xreplace({s: symbol(s.name) for s in expr.free_symbols})


@lru_cache(maxsize=256)
def prepare(
    game: Game, fixed_vars: frozenset[str] = frozenset(), param_names: tuple[str, ...] | None = None
) -> Prepared:
    """Parse and substitute everything of ``game``; ``fixed_vars`` become parameters.

    With ``param_names`` every free symbol must be a parameter, variable, definition or
    reference (else :class:`GameError` naming the symbol and where it appears).
    """
    all_vars = game.all_vars
    unknown_fixed = set(fixed_vars) - set(all_vars)
    if unknown_fixed:
        raise GameError(f"cannot fix unknown variable(s) {sorted(unknown_fixed)}")
    var_syms = {symbol(n) for n in all_vars}
    fixed_subs = {symbol(k): _parse(v, f"fixed {k}") for k, v in game.fixed}
    refs = dict(game.references)
    for name, ref in refs.items():
        if not isinstance(ref, Ref):
            raise GameError(f"reference {name} must be a Ref(game, quantity)", token=name)

    defs: dict[str, sp.Expr] = {}
    def_subs: dict[sp.Symbol, sp.Expr] = {}

    def full(expr: sp.Expr) -> sp.Expr:
        return expr.xreplace(fixed_subs).xreplace(def_subs).xreplace(fixed_subs)

    for name, text in game.definitions:
        expr = full(_parse(text, f"definition {name}"))
        defs[name] = expr
        def_subs[symbol(name)] = expr

    profits: dict[str, sp.Expr] = {}
    for p in game.players:
        if isinstance(p, Player):
            profits[p.name] = full(_parse(p.profit, f"profit of {p.name}"))
    for p in game.players:
        if isinstance(p, Coalition):
            profits[p.name] = sp.Add(*(profits[m.name] for m in game.members(p.name)))

    movers = {n: tuple(v for v in game.vars_of(n) if v.name not in fixed_vars) for n in game.movers}
    objectives = {n: profits[n] for n in game.movers}

    pi_syms = {}
    for p in game.players:
        for prefix in ("pi_", "Pi_"):
            pi_syms[symbol(prefix + p.name)] = p.name
    outputs: dict[str, object] = {}
    for name, value in game.outputs:
        if isinstance(value, Root):
            expr = full(_parse(value.expr, f"output {name}"))
            outputs[name] = (expr, symbol(value.param), tuple(value.bracket))
        else:
            outputs[name] = full(_parse(value, f"output {name}"))
    flags = []
    from clsc.expr import parse_relation

    for text in game.flags:
        lhs, op, rhs = parse_relation(text, allow_unknown=True)
        flags.append((text, full(sp.sympify(lhs - rhs)), op))

    special = var_syms | set(pi_syms) | {symbol(n) for n in refs}
    free: set[sp.Symbol] = set()
    for e in [*profits.values(), *defs.values(), *(f[1] for f in flags)]:
        free |= e.free_symbols
    for o in outputs.values():
        free |= (o[0].free_symbols | {o[1]}) if isinstance(o, tuple) else o.free_symbols
    params = {s for s in free if s not in special} | {symbol(n) for n in fixed_vars}
    if param_names is not None:
        allowed = set(param_names) | set(fixed_vars)
        for s in sorted(params, key=str):
            if s.name not in allowed:
                raise GameError(
                    f"unknown symbol '{s.name}' in game {game.name or '(unnamed)'}; "
                    f"parameters: {', '.join(param_names)}; variables: {', '.join(all_vars)}",
                    token=s.name,
                )
    return Prepared(
        game=game,
        vars={n: v for n, v in all_vars.items() if n not in fixed_vars},
        movers=movers,
        objectives=objectives,
        profits=profits,
        definitions=defs,
        outputs=outputs,
        flags=tuple(flags),
        references=refs,
        params=tuple(sorted(params, key=lambda s: s.name)),
    )
