"""Vectorised closed forms: many points per call instead of one ``model.solve`` each.

Two sources:

* game models (:class:`~clsc.game.model.GameModel`): the compiled closed forms of the scenario
  (``model.compiled(scenario)``, numpy over arrays), with the statuses of the scalar
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

from clsc.results import CONDITION_FAILED, OPTIMAL

Block = dict[str, Any]


def declared(model) -> Callable | None:
    """The model's declared vectorised closed form (:attr:`clsc.models.base.Model.vectorised`:
    ``f(scenario, params, n) -> block``), None when it declares none."""
    return type(model).vectorised


def is_game(model) -> bool:
    from clsc.game.model import GameModel

    return isinstance(model, GameModel)


def game_block(model, scenario: str, params: Mapping[str, Any], n: int, categories) -> Block:
    """Compiled closed forms of a game scenario on ``n`` points (see the module docstring).

    ``categories`` maps each closed-form name to its result field (``decisions``, ``profits``
    or ``metrics``), as the scalar solve reports it.
    """
    from clsc.game.compile import condition_holds

    cs = model.compiled(scenario)
    args = {p: params[p] for p in cs.params}
    out = cs(**args)
    failed = np.zeros(n, dtype=bool)
    conditions: dict[str, np.ndarray] = {}
    flags = np.full(n, "", dtype=object)
    reasons: list[tuple[np.ndarray, str]] = []
    for c in cs.solution.conditions:
        holds = np.broadcast_to(condition_holds(out[c.name], c.relation), (n,))
        if c.kind in ("SOC", "interior"):
            conditions[c.name] = holds
            failed |= ~holds
            reasons.append((~holds, f"{c.kind} condition '{c.name}' fails: {c.text}"))
        elif c.kind == "FLAG":  # the text Result.flags carries for a FLAG that fails
            values = np.broadcast_to(np.asarray(out[c.name], dtype=float), (n,))
            for i in np.flatnonzero(~holds):
                text = f"FLAG {c.name} fails (value {values[i]:.6g})"
                flags[i] = f"{flags[i]}; {text}" if flags[i] else text
    finite = np.ones(n, dtype=bool)
    for k in cs.names:
        finite &= np.isfinite(np.broadcast_to(out[k], (n,)))
    undefined = ~failed & ~finite
    message = _messages(n, reasons)
    message[undefined] = "closed form undefined at these parameters"
    bad = failed | undefined
    status = np.where(bad, str(CONDITION_FAILED), str(OPTIMAL)).astype(object)
    block: Block = {"status": status, "message": message, "conditions": conditions}
    block["flags"] = flags
    for cat in ("decisions", "profits", "metrics"):
        block[cat] = {}
    for k in cs.names:
        value = np.array(np.broadcast_to(out[k], (n,)), dtype=float)
        value[bad] = np.nan
        block[categories[k]][k] = value
    return block


def _messages(n: int, reasons: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """'; '-joined texts of the failing conditions, one string per distinct failure pattern."""
    message = np.full(n, "", dtype=object)
    if not reasons:
        return message
    masks = np.stack([m for m, _ in reasons], axis=1)
    if not masks.any():
        return message
    codes = masks.astype(np.int64) @ (np.int64(1) << np.arange(masks.shape[1], dtype=np.int64))
    patterns, inverse = np.unique(codes, return_inverse=True)
    texts = [
        "; ".join(t for j, (_, t) in enumerate(reasons) if (int(code) >> j) & 1)
        for code in patterns
    ]
    message[:] = np.asarray(texts, dtype=object)[np.asarray(inverse).reshape(-1)]
    return message


def game_categories(model, scenario: str) -> dict[str, str] | None:
    """Result field of each compiled name, as the model declares its result keys
    (:meth:`clsc.models.base.Model.result_keys`; None if a name is not declared)."""
    cs = model.compiled(scenario)
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
