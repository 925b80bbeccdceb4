"""``GameModel``: a registered model whose scenarios are declared games.

A subclass sets ``name``, ``spec`` (a :class:`~clsc.params.ParamSpec`) and ``games`` (scenario
name -> :class:`~clsc.game.declare.Game`); it gets ``scenarios``, ``decisions`` and the methods
``closed-form`` (sympy backward induction, compiled), ``numeric`` (nested scipy best
responses) and ``bilevel`` (two-stage games as exact bilevel programs, see
:mod:`clsc.game.bilevel_method`). Results: ``decisions`` are the variables and definitions,
``profits`` the players' (``pi_X``) and coalitions' (``Pi_X``) profits plus outputs named
``total``/``pi_*``/``Pi_*``, ``metrics`` the other outputs. A failed SOC or interior
condition gives status ``condition_failed`` naming the condition, with empty decisions and
profits; a failed FLAG condition (flag-only bound or ``Game.flags``) is recorded in ``flags``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from clsc.errors import SolverError
from clsc.game.declare import Game
from clsc.game.evaluate import Evaluation, evaluate
from clsc.game.fastform import ClosedForm
from clsc.game.forms import closed_form
from clsc.game.names import check_params
from clsc.game.outcome import game_keys, game_result, numbers, spec_assumptions
from clsc.game.relations import condition_holds
from clsc.models.base import Model, SolveRequest
from clsc.results import (
    CONDITION_FAILED,
    EVALUATED,
    OPTIMAL,
    SOLVER_ERROR,
    UNBOUNDED,
    Condition,
    Result,
)

if TYPE_CHECKING:  # sympy is imported by the derivation only, not by a solve
    from clsc.game.compile import CompiledSolution
    from clsc.game.symbolic import SymbolicSolution


class GameModel(Model):
    """Base class of models declared as games (see the module docstring)."""

    games: ClassVar[Mapping[str, Game]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "games" not in cls.__dict__:
            return
        cls.scenarios = tuple(cls.games)
        if cls.__dict__.get("default_scenario") is None:
            cls.default_scenario = cls.scenarios[0]
        names: dict[str, None] = {}
        for g in cls.games.values():
            check_params(g, cls.spec.names)
            names.update(dict.fromkeys(g.all_vars))
            names.update(dict.fromkeys(n for n, _ in g.definitions))
        if "decisions" not in cls.__dict__:
            cls.decisions = tuple(names)
        cls.methods = {**GAME_METHODS, **cls.__dict__.get("methods", {})}

    @classmethod
    def result_keys(cls, scenario: str | None = None) -> dict[str, tuple[str, ...]]:
        """Keys of ``scenario`` from its game: variables and definitions, players' profits and
        profit-like outputs, other outputs, and the bilevel method's metrics."""
        return game_keys([cls.games[scenario or cls.default_scenario]])

    # -- closed forms --------------------------------------------------------------------------
    @classmethod
    def symbolic(cls, scenario: str, fixed_vars: frozenset[str] = frozenset()) -> SymbolicSolution:
        """The sympy solution of a scenario (cached)."""
        from clsc.game.symbolic import solve_game

        return solve_game(cls.games[scenario], spec_assumptions(cls.spec), frozenset(fixed_vars))

    @classmethod
    def compiled(cls, scenario: str, fixed_vars: frozenset[str] = frozenset()) -> CompiledSolution:
        """The vectorised evaluator of a scenario's closed forms (cached)."""
        from clsc.game.compile import compile_solution

        return compile_solution(cls.symbolic(scenario, fixed_vars))

    @classmethod
    def closed_form(cls, scenario: str, fixed_vars: frozenset[str] = frozenset()) -> ClosedForm:
        """A scenario's closed forms as data (shipped, disk-cached or derived; no sympy once
        stored): what ``solve`` evaluates (:mod:`clsc.game.forms`)."""
        return closed_form(cls.games[scenario], spec_assumptions(cls.spec), frozenset(fixed_vars))

    @classmethod
    def methods_for(cls, scenario: str) -> list[str]:
        """The methods that apply to ``scenario``: ``bilevel`` needs two stages, one leader and
        profits at most quadratic in the variables (read from the scenario's numeric form, so
        no sympy once it is stored or shipped)."""
        game = cls.games[scenario]
        out = []
        for method in cls.methods:
            if method == "bilevel":
                two_stage = len(game.stages) == 2 and len(game.stages[0]) == 1
                if not (two_stage and _numeric_form(game).quadratic):
                    continue
            out.append(method)
        return out

    def evaluate(self, scenario: str | None = None, **params: Any) -> Evaluation:
        """Closed forms of a scenario on (arrays of) parameters, defaults filling the rest,
        every point validated as ``solve`` validates it: see :func:`clsc.game.evaluate.evaluate`
        (an invalid point is a ``skipped`` status row with NaN outputs)."""
        return evaluate(self, scenario, **params)


def _numeric_form(game: Game):
    from clsc.game.numform import numeric_form

    return numeric_form(game)


def solve_closed_form(model: GameModel, req: SolveRequest) -> Result:
    """Evaluate the compiled closed forms; conditions decide the status."""
    fixed = frozenset(req.fix)
    try:
        cs = model.closed_form(req.scenario, fixed)
    except SolverError as exc:
        return game_result(model, req, SOLVER_ERROR, message=str(exc))
    values = {k: float(v) for k, v in cs(**numbers(req.params), **req.fix).items()}
    conditions, failed, flags = [], [], []
    for c in cs.conditions:
        v = values[c.name]
        holds = bool(condition_holds(v, c.relation))
        conditions.append(Condition(c.name, c.text, v, holds, c.kind))
        if not holds and c.kind in ("SOC", "interior"):
            failed.append(f"{c.kind} condition '{c.name}' fails: {c.text} (value {v:.6g})")
        elif not holds:
            flags.append(f"FLAG {c.name} fails (value {v:.6g})")
    if failed:
        hint = "" if all(f.startswith("SOC") for f in failed) else "; try --method numeric"
        return game_result(
            model, req, CONDITION_FAILED, conditions, message="; ".join(failed) + hint, flags=flags
        )
    failed_refs = {c.name for c in conditions if not c.holds}
    for k, names in cs.guarded.items():  # the benchmark it needs fails its own conditions
        if failed_refs & set(names):
            values[k] = math.nan
    guarded = {k for k, names in cs.guarded.items() if failed_refs & set(names)}
    bad = [k for k in cs.names if not math.isfinite(values[k]) and k not in guarded]
    if bad:
        return game_result(
            model,
            req,
            CONDITION_FAILED,
            conditions,
            message=f"closed form undefined at these parameters ({', '.join(bad)})",
        )
    return _solved(model, req, conditions, values, set(cs.condition_names), flags)


def _solved(model, req, conditions, values, skip, flags) -> Result:
    """An optimum (or an evaluation at ``req.fix``) with its conditions and flags."""
    values.update(req.fix)
    status = EVALUATED if req.fix else OPTIMAL
    return game_result(model, req, status, conditions, values, skip=skip, flags=flags)


def solve_numeric_method(model: GameModel, req: SolveRequest) -> Result:
    """Nested numeric best responses (bounds enforced, corners allowed)."""
    from clsc.game.numeric import Unbounded, numeric_game

    game = model.games[req.scenario]
    ng = numeric_game(game, frozenset(req.fix))
    params = {**numbers(req.params), **req.fix}
    try:
        values = ng.solve(params)
    except Unbounded as exc:
        return game_result(model, req, UNBOUNDED, message=str(exc))
    except (SolverError, FloatingPointError, np.linalg.LinAlgError) as exc:
        return game_result(model, req, SOLVER_ERROR, message=str(exc))
    conditions, flags = [], []
    for text, op in ng.flags:
        v = values[text]
        holds = bool(condition_holds(v, ">0" if op in (">", "<") else ">=0"))
        conditions.append(Condition(text, text, v, holds, "FLAG"))
        if not holds:
            flags.append(f"FLAG {text} fails (value {v:.6g})")
    for name in ng.var_names:
        var = game.all_vars[name]
        for side in var.flag_only:
            bound = getattr(var, side)
            gap = values[name] - bound if side == "lower" else bound - values[name]
            label = f"{name} {'>=' if side == 'lower' else '<='} {bound:g}"
            holds = bool(condition_holds(gap, ">=0"))
            conditions.append(Condition(label, label, gap, holds, "FLAG"))
            if not holds:
                flags.append(f"FLAG {label} fails (value {gap:.6g})")
    return _solved(model, req, conditions, values, {t for t, _ in ng.flags}, flags)


def solve_bilevel_method(model: GameModel, req: SolveRequest) -> Result:
    """Two-stage games as exact bilevel programs (:mod:`clsc.game.bilevel_method`)."""
    from clsc.game.bilevel_method import solve_bilevel

    return solve_bilevel(model, req)


GAME_METHODS = {
    "closed-form": solve_closed_form,
    "numeric": solve_numeric_method,
    "bilevel": solve_bilevel_method,
}
