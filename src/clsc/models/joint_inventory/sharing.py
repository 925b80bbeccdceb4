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

Standard errors (:func:`derived_se`): every number here is a smooth function of
``theta`` = (the out-of-sample costs C(S), |S| >= 2, and the grand coalition's cost shares
``alloc``), all sample means over ONE evaluation sample, the d_i being exact. Their covariance
``Cov(theta)`` comes from the paired per-scenario values (not from independent se's), and the
delta method gives ``se(f) = sqrt(J Cov(theta) J')`` with J by central differences
(:func:`.standard_errors.delta_se`). For example ``saving_pct``-like ratios, ``surplus_alliance =
C({1,2}) + d_3 - C(N)`` (the covariance of the two costs enters), ``alpha_up`` = (s_1 + s_2)/S,
and in stage 0 ``G = S`` (se(G) = se(C(N))), ``a_D = (1 - alpha)G - E_d + P`` and
``x* = (1 - beta)C/a_D``: with the defaults C = 0.5G, E_d = 0.2G, P = 0.3G,
``x* = 0.5(1 - beta)/(1.1 - alpha)``, so ``se(x*) = 0.5(1 - beta)/(1.1 - alpha)^2 se(alpha)``;
a parameter set by the user (``G``, ``alpha_up``...) is exact and contributes nothing. Not
differentiated: ``joint_is_ess`` (an indicator), the simulated basin shares and the rest
points' types (deterministic given G and alpha, reported without se).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
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


def formation(
    rows: list[Joint], params: Mapping[str, Any], alpha_default: float, simulate: bool = True
):
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
    return solve(game, simulate=simulate)


#: outputs of :func:`formation` that are not differentiated (deterministic given G, alpha)
NOT_DIFFERENTIATED = ("joint_is_ess", "basin_11", "basin_00", "basin_unsettled")


def _theta(rows: list[Joint]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """``theta`` (costs of the sampled coalitions, then the grand coalition's alloc), the
    covariance of its estimate from the paired per-scenario values, and the sampled rows."""
    sampled = [k for k, r in enumerate(rows) if r.eval_costs is not None]
    grand = max(rows, key=lambda r: len(r.members))
    cols = [rows[k].eval_costs.sum(axis=1) for k in sampled]
    if grand.eval_costs is not None:
        cols.extend(grand.eval_costs[:, j] for j in range(grand.eval_costs.shape[1]))
    if not cols:
        return np.zeros(0), np.zeros((0, 0)), sampled
    values = np.column_stack(cols)
    theta = values.mean(axis=0)
    cov = np.atleast_2d(np.cov(values, rowvar=False)) / values.shape[0]
    return theta, cov, sampled


def _with_theta(rows: list[Joint], theta: np.ndarray, sampled: list[int]) -> list[Joint]:
    out = list(rows)
    for i, k in enumerate(sampled):
        out[k] = replace(rows[k], cost=float(theta[i]))
    grand = max(range(len(rows)), key=lambda k: len(rows[k].members))
    if rows[grand].eval_costs is not None:
        out[grand] = replace(out[grand], alloc=np.asarray(theta[len(sampled) :], dtype=float))
    return out


def derived_se(rows: list[Joint], params: Mapping[str, Any], stage0: bool) -> dict:
    """Delta-method se (module docstring) of the bargaining outputs (metrics ``saving``,
    ``surplus_alliance``, ``alpha_up``; table columns ``saving_share``, ``final_cost``,
    ``transfer``) and, with ``stage0``, of the formation closed forms (``G``, ``alpha_up``,
    ``a_U``, ``a_D``, ``x_star``, ``y_star``, ``polyline_basin``; the rest-point table's
    ``x``, ``y``, ``det``, ``trace`` as ``rest_<column>``)."""
    from clsc.models.joint_inventory.standard_errors import delta_se

    theta, cov, sampled = _theta(rows)

    def outputs(t: np.ndarray) -> dict:
        rs = _with_theta(rows, t, sampled)
        table, metrics, _, _ = bargaining(rs, params)
        out = {k: metrics[k] for k in ("saving", "surplus_alliance", "alpha_up")}
        out.update({k: table.columns[k] for k in ("saving_share", "final_cost", "transfer")})
        if stage0:
            res = formation(rs, params, metrics["alpha_up"], simulate=False)
            out.update({k: v for k, v in res.metrics.items() if k not in NOT_DIFFERENTIATED})
            out["G"] = rs[-1].saving if params["G"] is None else params["G"]
            if params["alpha_up"] is not None:
                out["alpha_up"] = params["alpha_up"]
            rest = res.tables["formation_rest_points"].columns
            out.update({f"rest_{k}": rest[k] for k in ("x", "y", "det", "trace")})
        return out

    return delta_se(outputs, theta, cov)
