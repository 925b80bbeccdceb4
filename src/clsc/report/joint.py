"""The joint-inventory study's stages (spec 4.5-4.9), from the model's own stage-1 results.

Stage 1 comes from the model (scenarios ``separate``, ``joint``, ``sensitivity``); stage 2
(bargaining) and stage 0 (formation) are computed here from the unrounded stage-1 values with
:mod:`clsc.coop` and :mod:`clsc.evolution`, as spec 1.4 asks:

* bargaining: d_i = C({i}), C(N), C({1,2}) out of sample; three-party Nash
  (``s_i = w_i S/sum w``), alliance {1,2} vs 3 for each listed ``w_alliance``, and the Shapley
  value of ``v(S) = sum_{i in S} d_i - C(S)``; every allocation tested for core membership;
  transfers = final cost - the grand coalition's operational share ``alloc``;
* formation: ``G = S`` (out of sample) and ``alpha_up = (s_1 + s_2)/S`` under alliance
  bargaining with the first ``w_alliance``; one game per ``[[x_joint.formation]]`` case
  (``E`` and ``penalty`` as multiples of G); rest points with det/trace/type and the simulated
  basins; one phase portrait with basins per case.

The ``[x_joint]`` table of the study file: ``params`` (model parameters), ``quick`` (parameters
used by ``--quick``: a smaller SAA sample), ``w_alliance`` (list), ``formation`` (cases).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def steps(config: dict[str, Any]) -> int:
    """Progress steps: 7 tables and one phase portrait per formation case."""
    return 7 + len(config.get("formation", []))


def _solve(run, scenario: str, config: dict[str, Any]):
    from clsc.models import get_model

    params = dict(config.get("params", {}))
    if run.quick:
        params.update(config.get("quick", {}))
    result = get_model(run.study.model).solve(scenario, params=params)
    if not result.ok:
        from clsc.errors import ClscError

        raise ClscError(f"joint-inventory {scenario}: {result.status} {result.message}")
    return result


def _stage_one(run, config) -> dict[str, Any]:
    sep = _solve(run, "separate", config)
    run.table(sep.tables["nodes"].to_frame(), "separate", "Separate inventory (newsvendor)",
              "Closed-form critical fractile kappa, z, Q* and optimal cost d_i per node; the "
              "last two columns are the SAA check on the sample.")  # fmt: skip
    joint = _solve(run, "joint", config)
    coal = joint.tables["coalitions"].to_frame()
    run.table(coal, "joint", "Joint inventory by coalition",
              "C(S) in-sample (SAA objective) and out of sample (re-evaluated, with standard "
              "error); singletons exact; saving v(S) = sum d_i - C(S).")  # fmt: skip
    stocks = joint.tables["stocks"].to_frame()
    run.table(stocks, "joint_stocks", "Joint stocks and operational cost shares",
              "Q_i per coalition and node, and alloc_i (sums to C(S); not unique: degenerate "
              "LP optima).")  # fmt: skip
    sens = _solve(run, "sensitivity", config)
    run.table(sens.tables["sensitivity"].to_frame(), "sensitivity",
              "Sensitivity of the grand coalition (in-sample)",
              "Link, re-positioning, holding and shortage cost cases; separate costs in closed "
              "form; saving = C_sep - C_joint.")  # fmt: skip
    return {"coalitions": coal, "stocks": stocks}


def _cost(coal, label: str) -> float:
    return float(coal.loc[coal["coalition"] == label, "cost"].iloc[0])


def bargaining_table(coal, stocks, w_alliance: list[float]):
    """Rows: three parties, alliance {1,2} vs 3 per w_A, Shapley; savings, costs, transfers."""
    import pandas as pd

    from clsc.coop import alliance_bargaining, from_costs, in_core, nash_bargaining, shapley

    n = int(coal["size"].max())
    labels = {tuple(int(k) for k in c.strip("{}").split(",")): c for c in coal["coalition"]}
    costs = {members: _cost(coal, label) for members, label in labels.items()}
    grand = tuple(range(1, n + 1))
    d = [costs[(i,)] for i in grand]
    alloc = stocks[stocks["coalition"] == labels[grand]].sort_values("node")["alloc"].to_numpy()
    saving = from_costs(costs)
    rules = [("three parties separately", nash_bargaining(costs[grand], d))]
    for w_a in w_alliance:
        r = alliance_bargaining(costs[grand], d, costs[(1, 2)], (1, 2), alliance_weight=w_a)
        rules.append((f"alliance {{1,2}} vs 3, w_A = {w_a:g}", r))
    rows = []
    for name, r in rules:
        row = {"rule": name, "status": str(r.status)}
        row.update({f"s_{i}": float(s) for i, s in zip(grand, r.gains, strict=True)})
        row.update({f"x_{i}": float(x) for i, x in zip(grand, r.allocation, strict=True)})
        row.update({f"transfer_{i}": float(x - a)
                    for i, x, a in zip(grand, r.allocation, alloc, strict=True)})  # fmt: skip
        row["in_core"] = bool(in_core(saving, r.gains))
        rows.append(row)
    phi = shapley(saving).values
    row = {"rule": "Shapley value", "status": "optimal"}
    row.update({f"s_{i}": float(s) for i, s in zip(grand, phi, strict=True)})
    row.update({f"x_{i}": float(di - s) for i, di, s in zip(grand, d, phi, strict=True)})
    row.update({f"transfer_{i}": float(di - s - a)
                for i, di, s, a in zip(grand, d, phi, alloc, strict=True)})  # fmt: skip
    row["in_core"] = bool(in_core(saving, phi))
    rows.append(row)
    return pd.DataFrame(rows), rules[1][1]


def formation_tables(G: float, alpha: float, cases: list[dict[str, Any]]):
    """Rest points (closed forms) and simulated basins of each formation case."""
    import pandas as pd

    from clsc.evolution import formation_game

    points, basins, games = [], [], []
    for case in cases:
        game = formation_game(G, alpha, E_u=case["E"] * G, E_d=case["E"] * G,
                              penalty=case["penalty"] * G)  # fmt: skip
        res = game.solve()
        pts = res.tables["formation_rest_points"].to_frame()
        pts.insert(0, "case", case["name"])
        points.append(pts)
        m = res.metrics
        basins.append({"case": case["name"], "G": G, "alpha_up": alpha, "C_run": game.C_run,
                       "E_u = E_d": game.E_u, "penalty": game.penalty,
                       "joint_is_ess": bool(m["joint_is_ess"]),
                       "polyline_basin_11": m["polyline_basin"], "basin_11": m["basin_11"],
                       "basin_00": m["basin_00"], "unsettled": m["basin_unsettled"]})  # fmt: skip
        games.append((case, game))
    return pd.concat(points, ignore_index=True), pd.DataFrame(basins), games


def run_stages(run, config: dict[str, Any]) -> None:
    """Write the joint-inventory tables and phase portraits (module docstring)."""
    from clsc.evolution.plot import phase_portrait

    one = _stage_one(run, config)
    coal = one["coalitions"]
    w_alliance = list(config.get("w_alliance", [2.0]))
    table, allied = bargaining_table(coal, one["stocks"], w_alliance)
    run.table(table, "bargaining", "Bargaining over the saving",
              "From the unrounded stage-1 costs (out of sample): savings s_i, final costs x_i, "
              "transfers x_i - alloc_i (sum 0; alloc is not unique, so neither are the "
              "transfers) and core membership, w = (1, 1, 1).")  # fmt: skip
    grand = coal.loc[coal["size"] == coal["size"].max()].iloc[0]
    G = float(grand["saving"])
    alpha = float(np.sum(allied.gains[:2]) / G)
    points, basins, games = formation_tables(G, alpha, list(config.get("formation", [])))
    run.table(points, "formation_rest_points", "Formation game: rest points",
              f"G = S = {G:.3f} (out of sample), alpha_up = (s_1 + s_2)/S = {alpha:.4f} "
              f"(alliance, w_A = {w_alliance[0]:g}), C = 0.5G, beta = 0.5; det J, tr J and type "
              "(spec 4.7).")  # fmt: skip
    run.table(basins, "formation_basins", "Formation game: basins of attraction",
              "Shares of the 39x39 grid of starts converging to (1,1) and (0,0) (RK4, step "
              "0.002, horizon 890/C); polyline estimate 1 - (x* + y*)/2.")  # fmt: skip
    for case, game in games:
        path = run.folder / f"phase_{case['name']}.png"
        title = f"Formation game ({case['name']}): E = {case['E']:g}G, P = {case['penalty']:g}G"
        phase_portrait(game, path, title=title,
                       labels=("x (share of upstream alliance firms joining)",
                               "y (share of downstream users joining)"))  # fmt: skip
        run.figure(
            path,
            title,
            "Phase portrait of the replicator dynamics with the basins of "
            "attraction of the grid of starts shaded; rest points marked by type.",
        )
