"""Vectorised closed forms: many points per call instead of one ``model.solve`` each.

Two sources:

* game models (:class:`~clsc.game.model.GameModel`): the closed forms of the scenario
  (``model.closed_form(scenario)``, numpy over arrays), with the statuses of the scalar
  ``closed-form`` method: a failed SOC or interior condition, or a non-finite closed form, gives
  ``condition_failed`` with NaN outputs;
* any model that declares ``vectorised(scenario, params, n) -> block`` (the class attribute
  :attr:`clsc.models.base.Model.vectorised`: newsvendor, contracts, buyback-effort), where
  ``params`` maps each parameter to a scalar or an array of ``n`` values and ``demand`` is one
  distribution.

A *block* is a dict: ``status`` (array of status text), ``message`` (array of text), and the
dicts ``decisions``, ``profits``, ``metrics``, ``conditions`` (name -> array; conditions hold
booleans), keyed like the fields of :class:`~clsc.results.Result` with the glossary keys
(:mod:`clsc.glossary`) the scalar solve reports. The sweep engine names their columns as
``Result.to_frame`` does and checks the first valid points against the scalar solve before
trusting the block (:meth:`clsc.sweeps.engine.Engine.vectorised_ok`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from clsc.sweeps import schema

Block = dict[str, Any]


def declared(model) -> Callable | None:
    """The model's declared vectorised closed form (:attr:`clsc.models.base.Model.vectorised`:
    ``f(scenario, params, n) -> block``), None when it declares none."""
    return type(model).vectorised


def is_game(model) -> bool:
    from clsc.game.model import GameModel

    return isinstance(model, GameModel)


def game_block(model, scenario: str, params: Mapping[str, Any], n: int, categories) -> Block:
    """Compiled closed forms of a game scenario on ``n`` points (see the module docstring), by
    :func:`clsc.game.evaluate.closed_form_columns`, the function ``GameModel.evaluate`` uses.

    ``categories`` maps each closed-form name to its result field (``decisions``, ``profits``
    or ``metrics``), as the scalar solve reports it.
    """
    from clsc.game.evaluate import closed_form_columns
    from clsc.game.relations import condition_holds

    cols, conds = closed_form_columns(model, scenario, params, n)
    holds = {
        c.name: condition_holds(cols[c.column], c.relation)
        for c in conds
        if c.kind in ("SOC", "interior")
    }
    block: Block = {"status": cols["status"], "message": cols["message"], "conditions": holds}
    block["flags"] = cols["flags"]
    for cat in ("decisions", "profits", "metrics"):
        block[cat] = {}
    nan = np.full(n, np.nan)
    for k, cat in categories.items():
        block[cat][k] = cols.get(schema.column_for(cat, k), nan)
    return block


def game_categories(model, scenario: str) -> dict[str, str] | None:
    """Result field of each compiled name, as the model declares its result keys
    (:meth:`clsc.models.base.Model.result_keys`; None if a name is not declared)."""
    from clsc.game.evaluate import closed_forms

    cs, _, _ = closed_forms(model, scenario)  # the closed forms the scalar solve evaluates
    keys = model.result_keys(scenario)
    out = {}
    for k in cs.names:
        for cat in ("decisions", "profits", "metrics"):
            if k in keys[cat]:
                out[k] = cat
                break
        else:
            return None
    return out
