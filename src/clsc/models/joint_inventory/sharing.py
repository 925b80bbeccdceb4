"""Stages 2 and 0 of ``joint-inventory``: sharing the saving and the formation game.

Stage 2 (spec 4.6) from the stage-1 costs, end to end (unrounded): disagreement points
``d_i`` (exact separate costs), ``C(N)`` and ``C(A)`` (out-of-sample joint costs of the grand
coalition and the alliance A, default {1,2}):

* three parties bargain separately (:func:`clsc.coop.nash_bargaining`, weights ``w_i``):
  ``s_i = w_i*S/sum w``, ``x_i = d_i - s_i`` with ``S = sum d_i - C(N)``;
* alliance bargaining (:func:`clsc.coop.alliance_bargaining`, weight ``w_A``, threat C(A));
* references: the Shapley value of the saving game ``v(S) = sum_{i in S} d_i - C(S)`` and a
  core-membership test of every split; transfers ``x_i - alloc_i`` (grand-coalition cost
  shares), which sum to 0. ``S <= 0`` (or ``S' <= 0``) is the status ``no_agreement``.

Stage 0 (spec 4.7): :func:`clsc.evolution.formation_game` with ``G`` = the out-of-sample grand
saving S and ``alpha_up`` = the alliance's share ``sum_{i in A} s_i / S`` under alliance
bargaining (both overridable), its closed-form rest points and the simulated basins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from clsc.models.joint_inventory.stage1 import Joint
from clsc.results import Status, Table


def saving_game(rows: list[Joint]) -> dict[tuple[int, ...], float]:
    """``{coalition: v(S)}`` from the coalition rows (v({i}) = 0)."""
    return {r.members: r.saving for r in rows}


def _by_members(rows: list[Joint]) -> dict[tuple[int, ...], Joint]:
    return {r.members: r for r in rows}


def bargaining(rows: list[Joint], params: Mapping[str, Any]):
    """Nash, alliance and Shapley splits with core tests and transfers.

    Returns ``(table, metrics, status, message)``; the table has one row per rule and
    node: ``rule``, ``node``, ``saving_share`` s_i, ``final_cost`` x_i, ``transfer``,
    ``in_core`` (the rule's whole split in the core of the saving game).
    """
    from clsc.coop import alliance_bargaining, in_core, nash_bargaining, shapley

    by = _by_members(rows)
    n = max(len(r.members) for r in rows)
    grand = by[tuple(range(1, n + 1))]
    d = np.array([by[(i,)].cost for i in range(1, n + 1)])
    alliance = tuple(sorted(int(k) for k in params["alliance"]))
    weights = params["weights"]
    nash = nash_bargaining(grand.cost, d, weights)
    allied = alliance_bargaining(
        grand.cost, d, by[alliance].cost, alliance, weights, params["w_alliance"]
    )
    game = saving_game(rows)
    phi = shapley(game).values
    splits = {"nash": nash.gains, "alliance": allied.gains, "shapley": np.asarray(phi)}
    agreed = {"nash": nash.ok, "alliance": allied.ok, "shapley": True}
    table: dict[str, list] = {
        k: [] for k in ("rule", "node", "saving_share", "final_cost", "transfer", "in_core")
    }
    for rule, s in splits.items():
        x = d - s
        core = bool(in_core(game, s))
        for j in range(n):
            # no agreement: each node stands alone, no joint inventory to transfer against
            transfer = x[j] - grand.alloc[j] if agreed[rule] else math.nan
            values = (rule, j + 1, s[j], x[j], transfer, core)
            for key, value in zip(table, values, strict=True):
                table[key].append(value)
    S = float(d.sum() - grand.cost)
    share = float(allied.gains[list(np.array(alliance) - 1)].sum() / S) if S > 0 else math.nan
    metrics = {"saving": S, "surplus_alliance": allied.surplus, "alpha_up": share}
    status = Status.OPTIMAL if nash.ok and allied.ok else Status.NO_AGREEMENT
    message = "; ".join(f"{r.rule}: {r.message}" for r in (nash, allied) if not r.ok)
    return Table("bargaining", table), metrics, status, message


def formation(rows: list[Joint], params: Mapping[str, Any], alpha_default: float):
    """Spec 4.7's formation game on the stage-1/2 defaults; a ``FormationResult``."""
    from clsc.evolution.formation import formation_game, solve

    by = _by_members(rows)
    n = max(len(r.members) for r in rows)
    grand = by[tuple(range(1, n + 1))]
    G = grand.saving if params["G"] is None else params["G"]
    alpha = alpha_default if params["alpha_up"] is None else params["alpha_up"]
    game = formation_game(
        G, alpha, params["C_run"], params["beta_up"], params["E_u"], params["E_d"],
        params["penalty"],
    )  # fmt: skip
    return solve(game)
