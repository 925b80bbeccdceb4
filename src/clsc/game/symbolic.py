"""Closed-form backward induction with sympy.

For the last stage, the movers' first-order conditions (each mover's gradient in its own
variables) are solved jointly for their variables, as functions of earlier movers' variables and
the parameters. The second-order condition of each mover is that its own Hessian is negative
definite: the leading principal minors ``M_j`` satisfy ``(-1)^j M_j > 0``. The reaction
functions are substituted into the earlier stages and the procedure repeats up to the first
stage. Finally every variable, definition, profit and output is expressed in the parameters.

Conditions are reduced by :func:`sign_reduce`: factors that are positive under the parameter
assumptions (and even powers) are stripped, so e.g. the centralised SOC of cascade-epr reads
``4*k - alpha*(delta - b)**2 > 0`` up to expansion. Interior conditions state that each enforced
bound holds at the interior solution (its text is reduced assuming the SOCs hold; its value is the
raw gap); flag-only bounds and ``Game.flags`` give FLAG conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import sympy as sp

from clsc.game.declare import Game, GameError
from clsc.game.prepare import Prepared, prepare, profit_key
from clsc.game.relations import condition_holds
from clsc.game.symbols import symbol

RELATIONS = (">0", ">=0", "<=0")


@dataclass(frozen=True)
class SymCondition:
    """``expr relation`` (relation one of ``'>0'``, ``'>=0'``, ``'<=0'``) of a given kind."""

    name: str
    expr: sp.Expr
    relation: str
    kind: str  # 'SOC' | 'interior' | 'FLAG'
    value: sp.Expr | None = None  # what is evaluated numerically (default: ``expr``)

    @cached_property
    def text(self) -> str:
        op = self.relation[:-1]
        if not self.expr.free_symbols and self.value is not None and self.value.free_symbols:
            # Reduced to a constant under the parameter assumptions: show what it came from.
            verdict = "always" if condition_holds(float(self.expr), self.relation) else "never"
            return f"{sp.sstr(self.value)} {op} 0 ({verdict} under the parameter assumptions)"
        if self.value is not None and self.value != self.expr:
            # The value printed next to the text is that of ``value``: show it first, then the
            # sign-equivalent reduced form, so that the printed number is the shown expression's.
            return (
                f"{sp.sstr(self.value)} {op} 0 (reduces to {sp.sstr(self.expr)} {op} 0 under "
                "the parameter assumptions and the second-order conditions)"
            )
        return f"{sp.sstr(self.expr)} {op} 0"


@dataclass(frozen=True, eq=False)
class SymbolicSolution:
    """Closed forms of one game, all in parameter symbols."""

    game: Game
    decisions: dict[str, sp.Expr]
    profits: dict[str, sp.Expr]  # by player / coalition name
    quantities: dict[str, sp.Expr]  # definitions and outputs at equilibrium
    conditions: tuple[SymCondition, ...]
    params: tuple[sp.Symbol, ...]
    reactions: dict[str, sp.Expr]  # each variable's best response to earlier movers' variables
    # output -> names of the reference conditions it needs (NaN where one of them fails)
    guarded: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def expressions(self) -> dict[str, sp.Expr]:
        """Every reported closed form keyed as in results (profits as ``pi_X``/``Pi_X``)."""
        out = dict(self.decisions)
        out.update({profit_key(self.game, k): v for k, v in self.profits.items()})
        out.update(self.quantities)
        return out


Assumptions = Mapping[str, str]  # name -> 'positive' | 'nonnegative' | 'real'


def _dummies(expr: sp.Expr, assumptions: Assumptions) -> dict[sp.Symbol, sp.Symbol]:
    out = {}
    for s in expr.free_symbols:
        kind = assumptions.get(s.name, "real")
        if kind == "positive":
            out[s] = sp.Symbol(s.name, positive=True)
        elif kind == "nonnegative":
            out[s] = sp.Symbol(s.name, nonnegative=True)
    return out


def _positive(expr: sp.Expr, assumptions: Assumptions) -> bool:
    """Provably positive under the assumptions (also after collecting in positive symbols)."""
    e = expr.xreplace(_dummies(expr, assumptions))
    if e.is_positive:
        return True
    signed = [x for x in e.free_symbols if x.is_nonnegative]
    if not signed or sp.count_ops(e) > 200:
        return False
    e = sp.expand(e)
    return any(sp.collect(e, x, func=sp.factor).is_positive for x in signed)


def sign_reduce(
    expr: sp.Expr, assumptions: Assumptions, known_positive: tuple[sp.Expr, ...] = ()
) -> sp.Expr:
    """An expression with the sign of ``expr`` wherever both are nonzero and finite.

    Strips factors that are positive under ``assumptions``, even powers, and factors equal to
    ``+-`` an expression of ``known_positive`` (e.g. the SOCs, when reducing interior conditions).
    """
    known = [sp.expand(k) for k in known_positive]
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    sign = 1
    kept: list[sp.Expr] = []
    for part in (num, den):
        try:
            coeff, factors = sp.factor_list(part)
        except (sp.PolynomialError, sp.GeneratorsNeeded, NotImplementedError):
            coeff, factors = sp.Integer(1), [(part, 1)]
        if coeff.is_negative:
            sign = -sign
        elif not coeff.is_positive:
            kept.append(coeff)
        for f, power in factors:
            if power % 2 == 0 or _positive(f, assumptions):
                continue
            if _positive(-f, assumptions):
                sign = -sign
                continue
            fe = sp.expand(f)
            if any(sp.expand(fe - k) == 0 for k in known):
                continue
            if any(sp.expand(fe + k) == 0 for k in known):
                sign = -sign
                continue
            kept.append(f)
    body = sp.Mul(*kept)
    return sp.expand(-body) if sign < 0 and len(kept) == 1 else sign * body


def _solve_focs(focs: list[sp.Expr], unknowns: list[sp.Symbol], stage) -> dict:
    nums = [sp.numer(sp.together(f)) for f in focs]
    if all(sp.Poly(n, *unknowns).total_degree() <= 1 for n in nums):
        return _solve_linear(nums, unknowns, stage)
    solved = _eliminate(nums, unknowns)
    if solved is not None:
        return solved
    sols = sp.solve(nums, unknowns, dict=True)
    if not sols:
        raise GameError(f"stage {stage}: no stationary point of the first-order conditions")
    if len(sols) > 1:
        raise GameError(
            f"stage {stage}: {len(sols)} stationary points; the closed-form method needs one "
            "(use method numeric)"
        )
    return {u: sp.cancel(sols[0][u]) for u in unknowns}


def _solve_linear(nums: list[sp.Expr], unknowns: list[sp.Symbol], stage) -> dict:
    """Solve a linear FOC system exactly over the fraction field of the parameters.

    ``DomainMatrix`` LU over the field is an order of magnitude faster than
    ``Matrix.LUsolve`` + ``cancel`` for the 3-4 variable coalition stages.
    """
    from sympy.polys.matrices import DomainMatrix

    A, rhs = sp.linear_eq_to_matrix([sp.expand(n) for n in nums], unknowns)
    dm = DomainMatrix.from_Matrix(A.row_join(rhs))
    dm = dm.convert_to(dm.domain.get_field())
    n = len(unknowns)
    lhs, rhs_dm = dm[:, :n], dm[:, n:]
    if dm.domain.is_zero(lhs.det()):
        raise GameError(
            f"stage {stage}: the first-order conditions do not determine "
            f"{', '.join(map(str, unknowns))} (profit linear or degenerate in them: "
            "unbounded follower problem)"
        )
    sol = lhs.lu_solve(rhs_dm).to_Matrix()
    return {u: sp.cancel(s) for u, s in zip(unknowns, sol, strict=True)}


def _eliminate(nums: list[sp.Expr], unknowns: list[sp.Symbol]) -> dict | None:
    """Solve by successive elimination of unknowns that appear linearly in some equation.

    Much faster than a Groebner basis for the block-triangular systems of Stackelberg games;
    returns None when no equation is linear in a remaining unknown.
    """
    eqs = [sp.expand(n) for n in nums]
    order: list[tuple[sp.Symbol, sp.Expr]] = []
    left = list(unknowns)
    while left:
        pick = None
        for i, eq in enumerate(eqs):
            for u in left:
                if not eq.has(u):
                    continue
                poly = sp.Poly(eq, u)
                if poly.degree() == 1 and not any(c.has(u) for c in poly.all_coeffs()):
                    c1, c0 = poly.all_coeffs()
                    pick = (i, u, sp.cancel(-c0 / c1))
                    break
            if pick:
                break
        if pick is None:
            return None
        i, u, value = pick
        order.append((u, value))
        left.remove(u)
        eqs = [
            sp.expand(sp.numer(sp.together(e.xreplace({u: value}))))
            for j, e in enumerate(eqs)
            if j != i
        ]
        eqs = [e for e in eqs if e != 0]
    if eqs:  # leftover equations must hold identically
        return None
    sol: dict[sp.Symbol, sp.Expr] = {}
    for u, value in reversed(order):
        sol[u] = sp.cancel(value.xreplace(sol))
    return {u: sol[u] for u in unknowns}


def _minors(hessian: sp.Matrix) -> list[sp.Expr]:
    """Leading principal minors, computed over the field of rational functions (fast)."""
    from sympy.polys.matrices import DomainMatrix

    n = hessian.shape[0]
    out = []
    for j in range(1, n + 1):
        sub = hessian[:j, :j].applyfunc(lambda e: sp.cancel(sp.together(e)))
        try:
            dm = DomainMatrix.from_Matrix(sub)
            out.append(sp.cancel(dm.domain.to_sympy(dm.det())))
        except (sp.PolynomialError, NotImplementedError, TypeError):
            out.append(sp.cancel(sub.det()))
    return out


def backward_induction(prep: Prepared, assumptions: Assumptions):
    """Reaction functions and SOC conditions of every stage (innermost first)."""
    responses: dict[sp.Symbol, sp.Expr] = {}
    reactions: dict[sp.Symbol, sp.Expr] = {}
    socs: list[tuple[str, sp.Expr]] = []
    for idx in range(len(prep.stages) - 1, -1, -1):
        stage = prep.stages[idx]
        objectives = {n: prep.objectives[n].xreplace(responses) for n in stage}
        owned: dict[str, list[sp.Symbol]] = {}
        grads: dict[sp.Symbol, sp.Expr] = {}
        for n in stage:
            owned[n] = []
            for v in prep.movers[n]:
                s = symbol(v.name)
                g = sp.cancel(sp.diff(objectives[n], s))
                if g != 0:  # a variable the mover's objective ignores is not determined
                    owned[n].append(s)
                    grads[s] = g
        unknowns = [s for n in stage for s in owned[n]]
        if not unknowns:
            continue
        focs = [grads[s] for s in unknowns]
        sol = _solve_focs(focs, unknowns, "/".join(stage))
        for n in stage:
            if not owned[n]:
                continue
            hess = sp.hessian(objectives[n], owned[n]).xreplace(sol)
            for j, minor in enumerate(_minors(hess), start=1):
                label = f"{n}: SOC minor {j} ({', '.join(map(str, owned[n][:j]))})"
                socs.append((label, (-1) ** j * minor))
        responses = {k: sp.cancel(v.xreplace(sol)) for k, v in responses.items()}
        responses.update(sol)
        reactions.update(sol)
    return responses, socs, reactions


@lru_cache(maxsize=128)
def _solve_cached(
    game: Game, assumptions: tuple[tuple[str, str], ...], fixed_vars: frozenset[str]
) -> SymbolicSolution:
    """The derivation, from the disk cache (:mod:`clsc.game.cache`) when it holds it."""
    from clsc.game import cache

    key = cache.key_of(game, assumptions, sorted(fixed_vars))
    stored = cache.load(key)
    if stored is not None:
        try:
            conditions = tuple(SymCondition(*c) for c in stored.pop("conditions"))
            stored["guarded"] = {k: tuple(v) for k, v in stored.pop("guarded").items()}
            return SymbolicSolution(
                game=game, conditions=conditions, params=tuple(stored.pop("params")), **stored
            )
        except (TypeError, ValueError, KeyError):
            pass  # not what this engine writes: derive again
    sol = _derive(game, assumptions, fixed_vars)
    fields = ("decisions", "profits", "quantities", "reactions")
    payload = {f: getattr(sol, f) for f in fields}
    payload["params"] = list(sol.params)
    payload["guarded"] = {k: list(v) for k, v in sol.guarded.items()}
    payload["conditions"] = [(c.name, c.expr, c.relation, c.kind, c.value) for c in sol.conditions]
    cache.store(key, payload)
    return sol


def _derive(
    game: Game, assumptions: tuple[tuple[str, str], ...], fixed_vars: frozenset[str]
) -> SymbolicSolution:
    asm = dict(assumptions)
    prep = prepare(game, fixed_vars)
    ref_subs = {}
    ref_conditions: dict[str, list[SymCondition]] = {}
    for name, ref in prep.references.items():
        other = _solve_cached(ref.game, assumptions, frozenset())
        table = other.expressions()
        if ref.quantity not in table:
            raise GameError(f"reference {name}: game has no quantity '{ref.quantity}'")
        ref_subs[symbol(name)] = table[ref.quantity]
        ref_conditions[name] = [
            SymCondition(
                f"reference {name} ({ref.game.name}) {c.name}", c.expr, c.relation, "", c.value
            )
            for c in other.conditions
            if c.kind in ("SOC", "interior")
        ]
    core: set[sp.Symbol] = set()
    for e in [*prep.objectives.values(), *prep.profits.values(), *prep.definitions.values()]:
        core |= e.free_symbols

    def sub_refs(e: sp.Expr) -> sp.Expr:
        return e.xreplace(ref_subs) if ref_subs else e

    prep = Prepared(
        **{
            **prep.__dict__,
            "objectives": {k: sub_refs(v) for k, v in prep.objectives.items()},
            "profits": {k: sub_refs(v) for k, v in prep.profits.items()},
            "definitions": {k: sub_refs(v) for k, v in prep.definitions.items()},
        }
    )
    responses, socs, reactions = backward_induction(prep, asm)
    final = responses
    var_syms = {symbol(n) for n in prep.vars}

    def at_eq(e: sp.Expr, simplify: bool = True) -> sp.Expr:
        e = sub_refs(e).xreplace(final)
        return sp.factor(e) if simplify else e

    decisions = {
        s.name: sp.factor(final[s])
        for s in sorted(final, key=lambda s: list(prep.vars).index(s.name))
    }
    profits = {}
    for name, expr in prep.profits.items():
        value = at_eq(expr)
        if not (value.free_symbols & var_syms):
            profits[name] = value
    quantities: dict[str, sp.Expr] = {}
    for name, expr in prep.definitions.items():
        value = at_eq(expr)
        if not (value.free_symbols & var_syms):
            quantities[name] = value
    pi_subs = {}
    for name, value in profits.items():
        pi_subs[symbol("pi_" + name)] = value
        pi_subs[symbol("Pi_" + name)] = value
    for name, out in prep.outputs.items():
        if isinstance(out, tuple):
            expr, param, _ = out
            expr = at_eq(expr, False).xreplace(pi_subs)
            roots = sp.solve(sp.numer(sp.together(expr)), param)
            if len(roots) != 1:
                raise GameError(
                    f"output {name}: {len(roots)} symbolic roots in {param}; use method numeric"
                )
            quantities[name] = sp.factor(sp.cancel(roots[0]))
        else:
            quantities[name] = sp.factor(at_eq(out, False).xreplace(pi_subs))

    conditions: list[SymCondition] = []
    for name, expr in socs:
        raw = at_eq(expr, False)
        conditions.append(SymCondition(name, sign_reduce(raw, asm), ">0", "SOC", raw))
    socs_positive = tuple(c.expr for c in conditions if c.expr.free_symbols)
    for vname, var in prep.vars.items():
        s = symbol(vname)
        if s not in final:
            continue
        for side in ("lower", "upper"):
            bound = getattr(var, side)
            if bound is None:
                continue
            exact = sp.nsimplify(bound, rational=True)
            gap = decisions[vname] - exact if side == "lower" else exact - decisions[vname]
            kind = "FLAG" if side in var.flag_only else "interior"
            op = ">=" if side == "lower" else "<="
            conditions.append(
                SymCondition(
                    f"{vname} {op} {bound:g}",
                    sign_reduce(gap, asm, socs_positive),
                    ">=0",
                    kind,
                    gap,
                )
            )
    guarded = _reference_conditions(prep, ref_conditions, core, conditions, quantities)
    for text, expr, op in prep.flags:
        value = sp.cancel(at_eq(expr, False))
        rel = {">": ">0", ">=": ">=0", "<": ">0", "<=": ">=0"}.get(op)
        if rel is None:
            raise GameError(f"flag {text!r}: use <, <=, > or >=")
        if op in ("<", "<="):
            value = -value
        conditions.append(SymCondition(text, value, rel, "FLAG"))

    params: set[sp.Symbol] = set()
    for e in [*decisions.values(), *profits.values(), *quantities.values()]:
        params |= e.free_symbols
    for c in conditions:
        params |= c.expr.free_symbols
    params |= set(prep.params)
    return SymbolicSolution(
        game=game,
        decisions=decisions,
        profits=profits,
        quantities=quantities,
        conditions=tuple(conditions),
        params=tuple(sorted(params, key=lambda s: s.name)),
        reactions={k.name: v for k, v in reactions.items()},
        guarded=guarded,
    )


def _reference_conditions(prep, ref_conditions, core, conditions, quantities):
    """Add each reference's second-order conditions; returns output -> guarding conditions.

    A reference (e.g. the centralised benchmark of an efficiency) is only a valid benchmark
    where its own SOC holds. When the game itself uses the reference, its SOC conditions become
    this game's SOC conditions; when only outputs use it, they are FLAG conditions and each such
    output is listed in ``guarded``: the solve reports it as NaN where one fails (never a number
    divided by an invalid benchmark).
    """
    from dataclasses import replace

    guarded: dict[str, tuple[str, ...]] = {}
    for name, conds in ref_conditions.items():
        in_core = symbol(name) in core
        conditions.extend(replace(c, kind="SOC" if in_core else "FLAG") for c in conds)
        if in_core or not conds:
            continue
        for oname, out in prep.outputs.items():
            expr = out[0] if isinstance(out, tuple) else out
            if symbol(name) in expr.free_symbols:
                guarded[oname] = guarded.get(oname, ()) + tuple(c.name for c in conds)
    return guarded


def solve_game(
    game: Game,
    assumptions: Assumptions | None = None,
    fixed_vars: frozenset[str] | set[str] = frozenset(),
) -> SymbolicSolution:
    """Backward induction of ``game`` (cached per declaration, assumptions and fixed variables).

    ``assumptions`` maps parameter names to ``'positive'`` / ``'nonnegative'`` (used only to
    simplify conditions); ``fixed_vars`` are variables held at given values (they become
    parameters of the solution).
    """
    key = tuple(sorted((assumptions or {}).items()))
    return _solve_cached(game, key, frozenset(fixed_vars))
