"""The result of a declared game at one parameter point, shared by the game methods.

:func:`game_result` sorts a solved game's values into a :class:`~clsc.results.Result`:
``decisions`` are the variables and definitions, ``profits`` the players' (``pi_X``) and
coalitions' (``Pi_X``) profits plus outputs named ``total``/``pi_*``/``Pi_*``, ``metrics`` the
other outputs.

>>> from clsc.params import Param, ParamSpec
>>> spec_assumptions(ParamSpec((Param("a", 1.0, lower=0, strict=True), Param("b", 0.0, lower=0))))
{'a': 'positive', 'b': 'nonnegative'}
>>> numbers({"a": 1, "demand": "normal(mean=1, sd=1)"})
{'a': 1.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clsc.game.declare import Game
from clsc.game.names import profit_key
from clsc.params import ParamSpec
from clsc.results import Result


def spec_assumptions(spec: ParamSpec) -> dict[str, str]:
    """Sign assumptions of the parameters from their declared lower bounds."""
    out = {}
    for p in spec:
        if p.lower is None:
            continue
        if p.lower > 0 or (p.lower == 0 and p.strict):
            out[p.name] = "positive"
        elif p.lower == 0:
            out[p.name] = "nonnegative"
    return out


def _is_profit(name: str) -> bool:
    return name == "total" or name.startswith(("pi_", "Pi_"))


def numbers(params: Mapping[str, Any]) -> dict[str, float]:
    """The numeric parameters (floats) of a parameter mapping."""
    return {k: float(v) for k, v in params.items() if isinstance(v, int | float)}


def split(game: Game, values: Mapping[str, float], skip: set[str]):
    """(decisions, profits, metrics) of a game's values, leaving out the names in ``skip``."""
    decisions, profits, metrics = {}, {}, {}
    defs = {n for n, _ in game.definitions}
    for k, v in values.items():
        if k in skip:
            continue
        if k in game.all_vars or k in defs:
            decisions[k] = v
        elif _is_profit(k):
            profits[k] = v
        else:
            metrics[k] = v
    return decisions, profits, metrics


def game_result(model, req, status, conditions=(), values=None, skip=(), message="", flags=()):
    """The result of ``model`` (a GameModel) for ``req``; ``values`` None: no numbers."""
    game = model.games[req.scenario]
    d, p, m = split(game, values or {}, set(skip)) if values is not None else ({}, {}, {})
    return Result.of(
        model,
        req,
        status,
        decisions=d,
        profits=p,
        metrics=m,
        conditions=tuple(conditions),
        flags=tuple(flags),
        message=message,
    )


#: metrics only the ``bilevel`` method reports
BILEVEL_METRICS = ("bilevel_seconds", "nodes")


def game_keys(games: list[Game]) -> dict[str, tuple[str, ...]]:
    """Decision, profit and metric keys of results of ``games`` (their union, in order)."""
    decisions: dict[str, None] = {}
    profits: dict[str, None] = {}
    metrics: dict[str, None] = {}
    for game in games:
        decisions.update(dict.fromkeys(game.all_vars))
        decisions.update(dict.fromkeys(n for n, _ in game.definitions))
        profits.update(dict.fromkeys(profit_key(game, p.name) for p in game.players))
        for name, _ in game.outputs:
            (profits if _is_profit(name) else metrics)[name] = None
    metrics.update(dict.fromkeys(BILEVEL_METRICS))
    return {"decisions": tuple(decisions), "profits": tuple(profits), "metrics": tuple(metrics)}
