"""The functions of the numeric method, derived with sympy once and written down as data.

:func:`build_payload` differentiates a prepared game (:func:`~clsc.game.prepare.prepare`) and
returns what :class:`~clsc.game.numform.NumericForm` needs, as JSON data: for every mover its
own (relevant) variables and its objective ``f``, gradient, Hessian (row-major, flattened),
gradient in every variable and the Jacobian of its own gradient in every variable (flattened),
with the first and second derivative of a one-variable mover; the profits, definitions,
outputs, Root outputs and FLAG expressions; and per stage whether the subgame from that stage
on is quadratic in its own variables (from stage 0: the whole game). Each function is
the code ``sympy.lambdify`` prints for the list of its expressions (common subexpressions
eliminated), as ``{"assignments": [[name, text], ...], "outputs": [text, ...]}``
(:func:`~clsc.game.forms.printed`); where that code is not one the whitelist of
:mod:`clsc.game.fastform` accepts, the lambdified function itself stands in (the payload is then
not stored, see :func:`~clsc.game.numform.storable`).

A variable is *relevant* when some mover's objective depends on it; the others stay at 0 and
are not reported.

Every function takes the decided variables then the parameters (then ``pi_X, Pi_X`` of every
player for outputs and roots) as positional arguments, in the orders ``payload["vars"]``,
``payload["params"]`` and ``payload["pi_names"]``.

>>> from clsc.game.declare import Game, Player, Var
>>> g = Game(players=[Player("R", [Var("p")], "(p - c)*(a - p)")], stages=[["R"]], name="doc")
>>> payload = build_payload(g)
>>> payload["params"], payload["vars"], payload["movers"][0][0]["grad"]["outputs"]
(['a', 'c'], ['p'], ['a + c - 2 * p'])
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from clsc.game.declare import Game
from clsc.game.fastform import compile_function
from clsc.game.forms import printed
from clsc.game.prepare import prepare
from clsc.game.symbols import symbol

__all__ = ["build_payload"]


def code(args: list[sp.Symbol], exprs: list[sp.Expr]) -> Any:
    """The printed code of ``exprs`` as a function of ``args`` (or the function itself)."""
    func = sp.lambdify(args, list(exprs), "numpy", cse=True)
    names = tuple(str(a) for a in args)
    try:
        text = printed(func, names)
        compile_function(names, text["assignments"], text["outputs"])  # whitelisted?
    except (ValueError, TypeError, OSError, SyntaxError):
        return func
    return text


def _degree(expr: sp.Expr, syms: list[sp.Symbol]) -> float:
    """Total degree of ``expr`` as a polynomial in ``syms`` (inf if it is not one)."""
    if not syms:
        return 0
    try:
        return sp.Poly(sp.expand(expr), *syms).total_degree()
    except sp.PolynomialError:
        return float("inf")


def _mover(name: str, own: list[str], obj: sp.Expr, args, vsyms) -> dict[str, Any]:
    osyms = [symbol(v) for v in own]
    grad = [sp.diff(obj, s) for s in osyms]
    hess = sp.hessian(obj, osyms)
    entry = {
        "name": name,
        "own": own,
        "quadratic": not (hess.free_symbols & set(osyms)),
        "f": code(args, [obj]),
        "grad": code(args, grad),
        "hess": code(args, list(hess)),
        "gfull": code(args, [sp.diff(obj, s) for s in vsyms]),
        "jac": code(args, list(sp.Matrix(grad).jacobian(vsyms))),
    }
    if len(osyms) == 1:
        entry["d1"] = code(args, [grad[0]])
        entry["d2"] = code(args, [sp.diff(obj, osyms[0], 2)])
    return entry


def _subgame_quadratic(prep) -> list[bool]:
    """Per stage ``s``: every objective of a mover of stage ``s`` or later is a polynomial of
    degree <= 2 in the variables of those stages (the earlier ones as parameters)."""
    out = []
    for s in range(len(prep.stages)):
        later = [n for stage in prep.stages[s:] for n in stage]
        syms = [symbol(v.name) for n in later for v in prep.movers[n]]
        out.append(all(_degree(prep.objectives[n], syms) <= 2 for n in later))
    return out


def build_payload(game: Game, fixed_vars: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The numeric method's functions of ``game`` with ``fixed_vars`` as parameters."""
    prep = prepare(game, frozenset(fixed_vars))
    refs = list(prep.references)
    params = [s.name for s in prep.params] + refs
    var_names = list(prep.vars)
    vsyms = [symbol(n) for n in var_names]
    args = [*vsyms, *(symbol(n) for n in params)]
    objs = prep.objectives
    relevant = [
        v.name
        for vs in prep.movers.values()
        for v in vs
        if any(sp.cancel(sp.diff(objs[m], symbol(v.name))) != 0 for m in objs)
    ]
    movers = []
    for stage in prep.stages:
        row = []
        for n in stage:
            own = [v.name for v in prep.movers[n] if v.name in relevant]
            if own:
                row.append(_mover(n, own, objs[n], args, vsyms))
        movers.append(row)
    pi_names = [prefix + p.name for p in game.players for prefix in ("pi_", "Pi_")]
    out_args = [*args, *(symbol(n) for n in pi_names)]
    unused = [symbol(n) for n in var_names if n not in relevant]
    profit_names = [
        n for n, e in prep.profits.items() if all(sp.cancel(sp.diff(e, u)) == 0 for u in unused)
    ]
    plain = {k: v for k, v in prep.outputs.items() if not isinstance(v, tuple)}
    roots = {
        k: {"param": v[1].name, "bracket": [float(b) for b in v[2]], "expr": code(out_args, [v[0]])}
        for k, v in prep.outputs.items()
        if isinstance(v, tuple)
    }
    return {
        "params": params,
        "vars": var_names,
        "report": relevant,
        "pi_names": pi_names,
        "movers": movers,
        "subgame_quadratic": _subgame_quadratic(prep),
        "profit_names": profit_names,
        "profits": code(args, [prep.profits[n] for n in profit_names]),
        "definitions": list(prep.definitions),
        "defs": code(args, list(prep.definitions.values())),
        "output_names": list(plain),
        "outputs": code(out_args, list(plain.values())),
        "roots": roots,
        "flags": [[text, op, code(args, [expr])] for text, expr, op in prep.flags],
    }
