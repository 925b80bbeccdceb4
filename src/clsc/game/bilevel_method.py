"""Method ``bilevel``: a two-stage game solved exactly as a bilevel program.

Translation (:func:`to_bilevel`) of a declared :class:`~clsc.game.declare.Game` at numeric
parameter values into a :class:`~clsc.bilevel.BilevelProblem`:

* the **leader** is the single mover of stage 1 (a player or a coalition, which maximises the
  sum of its members' profits); its objective is ``min -profit``;
* the **follower** is stage 2. One mover: ``min -profit`` over its variables. Several
  simultaneous movers (a Nash stage): their stacked KKT conditions are those of one problem
  whose objective ``Phi`` has ``grad_{y_i} Phi = -grad_{y_i} profit_i`` for every mover ``i``
  (an exact potential; it exists iff the movers' cross second derivatives are symmetric, else
  the game is refused), and ``Phi`` must be convex in ``y`` (checked by the bilevel problem);
* definitions and fixed parameters are substituted, then the request's parameter values;
* enforced ``Var`` bounds become constraints (leader bounds in the leader block, follower
  bounds in the follower block); flag-only bounds are *not* constraints (reported as FLAGs).

Profits must be linear or quadratic in the variables, and the game must have exactly two stages
(else :class:`~clsc.errors.ParameterError`). The bilevel solver (``kkt-bigm`` default, which
switches to ``kkt-branch`` for quadratic leaders) proves optimality piece by piece; its status
(``optimal``, ``not_proven``, ``infeasible``, ``unbounded``) is the result's status. References
to other games (e.g. a centralised benchmark) are evaluated from their closed forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from clsc.errors import ParameterError, SpecError
from clsc.game.declare import Game
from clsc.game.forms import closed_form
from clsc.game.outcome import game_result, numbers, spec_assumptions
from clsc.game.prepare import Prepared, prepare, profit_key
from clsc.game.symbols import symbol
from clsc.models.base import SolveRequest
from clsc.results import (
    EVALUATED,
    INFEASIBLE,
    NOT_PROVEN,
    OPTIMAL,
    SOLVER_ERROR,
    UNBOUNDED,
    Condition,
    Result,
)

STATUS = {
    "optimal": OPTIMAL,
    "not_proven": NOT_PROVEN,
    "infeasible": INFEASIBLE,
    "unbounded": UNBOUNDED,
    "solver_error": SOLVER_ERROR,
}


def _refuse(message: str) -> ParameterError:
    return ParameterError("method", message=message)


def _bound_rows(prep: Prepared, mover: str) -> list[sp.Rel]:
    rows = []
    for var in prep.movers[mover]:
        s = symbol(var.name)
        lo, hi = var.enforced("lower"), var.enforced("upper")
        if lo is not None:
            rows.append(sp.GreaterThan(s, sp.Float(lo, 17)))
        if hi is not None:
            rows.append(sp.LessThan(s, sp.Float(hi, 17)))
    return rows


def _min_form(profit: sp.Expr, variables: list[sp.Symbol], who: str) -> sp.Expr:
    """``-profit`` expanded, after checking that it is at most quadratic in ``variables``."""
    expr = sp.expand(profit)
    try:
        degree = sp.Poly(expr, *variables).total_degree() if variables else 0
    except sp.PolynomialError:
        degree = 99
    if degree > 2:
        raise _refuse(
            f"the bilevel method needs linear or quadratic profits; {who}'s profit is not "
            f"quadratic in the variables {', '.join(map(str, variables))}: {expr}"
        )
    return -expr


def _potential(objs: list[tuple[list[sp.Symbol], sp.Expr]]) -> sp.Expr:
    """``Phi`` with ``grad_{y_i} Phi = grad_{y_i} obj_i`` (quadratic), or refuse."""
    if len(objs) == 1:
        return objs[0][1]
    ys = [y for own, _ in objs for y in own]
    grads = {y: sp.diff(obj, y) for own, obj in objs for y in own}
    for a in ys:
        for b in ys:
            if sp.simplify(sp.diff(grads[a], b) - sp.diff(grads[b], a)) != 0:
                raise _refuse(
                    "the simultaneous followers' KKT systems are not those of one problem "
                    f"(d2/d{a}d{b} differs between movers); the bilevel method cannot stack them"
                )
    t = sp.Dummy("t")
    scaled = {y: t * y for y in ys}
    integrand = sum(grads[y].xreplace(scaled) * y for y in ys)
    phi = sp.integrate(sp.expand(integrand), (t, 0, 1))
    # terms without followers' variables are dropped: they do not change the followers' optima
    return sp.expand(phi)


def to_bilevel(prep: Prepared, values: Mapping[str, float]):
    """The :class:`~clsc.bilevel.BilevelProblem` of a two-stage game at ``values``."""
    from clsc.bilevel import BilevelProblem

    game = prep.game
    if len(game.stages) != 2:
        raise _refuse(
            f"the bilevel method needs exactly two stages; game {game.name or '(unnamed)'} has "
            f"{len(game.stages)}"
        )
    if len(game.stages[0]) != 1:
        raise _refuse("the bilevel method needs a single leader (one mover in stage 1)")
    subs = {symbol(k): sp.Float(v, 17) for k, v in values.items()}
    missing = sorted(s.name for s in prep.params if s not in subs)
    if missing:
        raise ParameterError(missing[0], message=f"missing parameter(s): {', '.join(missing)}")
    leader = game.stages[0][0]
    lv = [symbol(v.name) for v in prep.movers[leader]]
    fv_by = {n: [symbol(v.name) for v in prep.movers[n]] for n in game.stages[1]}
    fv = [y for ys in fv_by.values() for y in ys]
    if not fv:
        raise _refuse("the follower stage has no free variables")
    allv = [*lv, *fv]
    F = _min_form(prep.objectives[leader].xreplace(subs), allv, leader)
    objs = [
        (fv_by[n], _min_form(prep.objectives[n].xreplace(subs), allv, n)) for n in game.stages[1]
    ]
    f = _potential(objs)
    lcons = _bound_rows(prep, leader)
    fcons = [r for n in game.stages[1] for r in _bound_rows(prep, n)]
    try:
        return BilevelProblem.from_sympy(lv, fv, F, f, lcons, fcons)
    except SpecError as exc:
        raise _refuse(f"the game is not a bilevel program clsc can solve: {exc}") from None


def _references(model, prep: Prepared, values: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for name, ref in prep.references.items():
        cs = closed_form(ref.game, spec_assumptions(model.spec))
        out[name] = float(cs(**{p: values[p] for p in cs.params})[ref.quantity])
    return out


def _report(model, prep: Prepared, values: dict[str, float], point: dict[str, float]):
    """Variables, definitions, profits (``pi_X``/``Pi_X``), outputs and flags at ``point``."""
    game = prep.game
    subs = {symbol(k): sp.Float(v, 17) for k, v in {**values, **point}.items()}
    out: dict[str, float] = dict(point)
    for name, expr in prep.definitions.items():
        out[name] = float(expr.xreplace(subs))
    for p in game.players:
        if p.name in prep.profits:
            out[profit_key(game, p.name)] = float(prep.profits[p.name].xreplace(subs))
    pis = {}
    for p in game.players:
        v = out.get(profit_key(game, p.name))
        if v is not None:
            pis[symbol("pi_" + p.name)] = pis[symbol("Pi_" + p.name)] = sp.Float(v, 17)
    refs = {symbol(k): sp.Float(v, 17) for k, v in _references(model, prep, values).items()}
    for name, expr in prep.outputs.items():
        if isinstance(expr, tuple):  # Root outputs need re-solving along a parameter: skipped
            continue
        out[name] = float(expr.xreplace(pis).xreplace(refs).xreplace(subs))
    conditions, flags = [], []
    for text, expr, op in prep.flags:
        v = float(expr.xreplace(subs)) * (-1 if op in ("<", "<=") else 1)
        holds = v > 0 if op in (">", "<") else v >= -1e-9 * max(1.0, abs(v))
        conditions.append(Condition(text, text, v, bool(holds), "FLAG"))
        if not holds:
            flags.append(f"FLAG {text} fails (value {v:.6g})")
    for var in prep.vars.values():
        for side in var.flag_only:
            bound = getattr(var, side)
            gap = point[var.name] - bound if side == "lower" else bound - point[var.name]
            label = f"{var.name} {'>=' if side == 'lower' else '<='} {bound:g}"
            holds = gap >= -1e-9 * max(1.0, abs(bound))
            conditions.append(Condition(label, label, gap, bool(holds), "FLAG"))
            if not holds:
                flags.append(f"FLAG {label} fails (value {gap:.6g})")
    return out, conditions, flags


def solve_bilevel(model: Any, req: SolveRequest) -> Result:
    """GameModel method ``bilevel`` (see the module docstring)."""
    from clsc.bilevel import solve

    game: Game = model.games[req.scenario]
    prep = prepare(game, frozenset(req.fix))
    values = {**numbers(req.params), **{k: float(v) for k, v in req.fix.items()}}
    problem = to_bilevel(prep, values)
    br = solve(problem, "kkt-bigm")
    status = STATUS.get(br.status, SOLVER_ERROR)
    metrics = {"bilevel_seconds": br.seconds, "nodes": int(br.info.get("nodes", 0))}  # a count
    note = f"bilevel reformulation {br.reformulation}" + (f"; {br.message}" if br.message else "")
    if not br.x and not br.y:
        res = game_result(model, req, status, message=note)
        return _with_metrics(res, metrics)
    point = {**dict(br.x), **dict(br.y)}
    out, conditions, flags = _report(model, prep, values, point)
    out.update(req.fix)
    if status == OPTIMAL and req.fix:
        status = EVALUATED
    res = game_result(model, req, status, conditions, out, message=note, flags=flags)
    return _with_metrics(res, metrics)


def _with_metrics(res: Result, metrics: dict[str, float]) -> Result:
    from dataclasses import replace

    return replace(res, metrics={**dict(res.metrics), **metrics})


__all__ = ["solve_bilevel", "to_bilevel"]
