"""Model ``joint-inventory`` (seed 000): joint inventory of a recycling chain (spec section 4).

Source: 000_65efe8f87a0570ca.txt (abstract only); the formulation is the project's own
[PROPOSED]. Nodes 1 recycler, 2 dismantler/processor, 3 cascade user (any number of nodes).

Stage 1 (this package; equations in :mod:`~clsc.models.joint_inventory.stage1`):

* ``separate``: each node's newsvendor, ``kappa_i = (p_i - c_i)/(p_i + h_i)``,
  ``Q_i* = F_i^-1(kappa_i)``, ``d_i = c_i*mu_i + (h_i + p_i)*sigma_i*Phi'(z_i)`` for normal
  requirements; exact for any clsc distribution; SAA check on the N-scenario sample;
* ``joint``: every coalition's two-stage SAA (stocks before demand, re-positioning after) on
  one joint sample, costs ``C(S)`` out of sample with standard errors, savings
  ``v(S) = sum_{i in S} d_i - C(S)``, per-node cost shares ``alloc`` (not unique: LP optima
  are degenerate; they sum to C(S)), optional MRP confidence interval on the optimality gap
  (``gap_replications >= 2``);
* ``sensitivity``: the spec's table of transport, holding and shortage cost cases;
* ``bargaining`` (stage 2, spec 4.6; :mod:`~clsc.models.joint_inventory.sharing`): Nash
  bargaining of the three parties (``weights``), alliance bargaining (``alliance``,
  ``w_alliance``), the Shapley value and core tests of the saving game, transfers against the
  grand coalition's cost shares; ``no_agreement`` when there is no saving;
* ``formation`` (stage 0, spec 4.7): the join / not-join replicator game with ``G`` and
  ``alpha_up`` from stages 1 and 2, closed-form rest points and simulated basins.

Methods: ``saa`` (array-built extensive form solved by HiGHS, one program re-used for every
coalition and case) and ``decomposition`` (L-shaped cutting planes with the numba recourse).
Both are sampled: every sampled number has a standard error (``std_errors``, or a ``<column>_se``
table column; :mod:`~clsc.models.joint_inventory.standard_errors`, the delta method of
:func:`~clsc.models.joint_inventory.sharing.derived_se`); the exact outputs are declared in
``JointInventory.exact_keys``.
Parameters and rules: :mod:`~clsc.models.joint_inventory.problem`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import numpy as np

from clsc.errors import ParameterError
from clsc.models.base import Model, SolveRequest
from clsc.models.joint_inventory.problem import (
    SPEC,
    all_coalitions,
    build_problem,
    coalition_label,
    shown_params,
)
from clsc.models.joint_inventory.sensitivity import sensitivity
from clsc.models.joint_inventory.sharing import bargaining, derived_se, formation
from clsc.models.joint_inventory.stage1 import Joint, StageOne
from clsc.models.registry import register
from clsc.results import Result, Status, Table

SOLVERS = MappingProxyType({"saa": "extensive", "decomposition": "decomposition"})
#: largest node count for which ``joint`` enumerates every coalition
MAX_ENUMERATED = 12


def _stage(req: SolveRequest) -> StageOne:
    return StageOne(build_problem(req.params, req.seed), SOLVERS[req.method])


def _result(req: SolveRequest, status: Status, **fields) -> Result:
    valid = status == Status.OPTIMAL
    if not valid:
        fields["decisions"] = {}
    return Result(
        model=JointInventory.name,
        scenario=req.scenario,
        method=req.method,
        status=status,
        params=shown_params(req.params, req.seed),
        **fields,
    )


def solve_separate(model: Model, req: SolveRequest) -> Result:
    """Exact newsvendor per node, with the SAA of each node alone on the sample as a check."""
    stage = _stage(req)
    sep = stage.separate()
    n = stage.problem.n
    saa_q, saa_cost, status = np.empty(n), np.empty(n), Status.OPTIMAL
    q_se, cost_se = np.full(n, np.nan), np.full(n, np.nan)
    for j in range(n):
        st, q, obj, _ = stage.solve([j + 1])
        status = st if st != Status.OPTIMAL else status
        saa_q[j], saa_cost[j] = q[j], obj
        if st == Status.OPTIMAL:
            q_se[j] = stage.stock_se(q, [j + 1])[j]
            cost_se[j] = stage.in_sample_se(q, [j + 1])
    columns = {"node": np.arange(1, n + 1), "kappa": sep.kappa, "z": sep.z, "Q": sep.Q}
    columns.update(d=sep.d, saa_Q=saa_q, saa_Q_se=q_se, saa_cost=saa_cost, saa_cost_se=cost_se)
    nodes = Table("nodes", columns)
    metrics = {f"d_{j + 1}": float(sep.d[j]) for j in range(n)}
    metrics["sum_d"] = float(sep.d.sum())
    note = ("Q, d exact (newsvendor closed forms); SAA check columns saa_Q, saa_cost on the "
            f"N-scenario sample with {SE_NOTE}")  # fmt: skip
    return _result(
        req,
        Status.OPTIMAL,
        decisions={f"Q_{j + 1}": float(sep.Q[j]) for j in range(n)},
        metrics=metrics,
        tables={"nodes": nodes},
        message=note if status == Status.OPTIMAL else f"SAA check column: {status}; {note}",
    )


def _coalitions(chosen, n: int) -> list[tuple[int, ...]]:
    """The coalitions to solve: a chosen one (with its singletons) or all of them."""
    if chosen is not None:
        members = tuple(sorted(int(k) for k in chosen))
        return [(k,) for k in members] + ([members] if len(members) > 1 else [])
    if n > MAX_ENUMERATED:
        raise ParameterError(
            "coalition", f"must be given when there are more than {MAX_ENUMERATED} nodes "
            "(2^n - 1 coalitions)", None,
        )  # fmt: skip
    return all_coalitions(n)


#: how the standard errors of this model are computed (results' messages)
SE_NOTE = (
    "standard errors: sample averages sd/sqrt(n) at the reported stocks (decisions held "
    "fixed; the in-sample optimism is not included); SAA stocks by the asymptotic "
    "H^-1 Sigma H^-1/N of an SAA optimum (0 at the bound 0; nan where the cost is flat in a "
    "direction of the stocks: not identified)"
)


def _zeros_if_none(x, n: int) -> np.ndarray:
    return np.zeros(n) if x is None else x


def _tables(rows: list[Joint], n: int) -> dict[str, Table]:
    coal = Table("coalitions", {
        "coalition": [coalition_label(r.members) for r in rows],
        "size": [len(r.members) for r in rows],
        "status": [str(r.status) for r in rows],
        "cost_in_sample": [r.cost_in_sample for r in rows],
        "cost_in_sample_se": [r.cost_in_sample_se for r in rows],
        "cost": [r.cost for r in rows],
        "cost_se": [r.cost_se for r in rows],
        "sum_d": [r.sum_d for r in rows],
        "saving": [r.saving for r in rows],
        "saving_se": [r.cost_se for r in rows],
    })  # fmt: skip
    keys = ("coalition", "node", "Q", "Q_se", "alloc", "alloc_se")
    stocks: dict[str, list] = {k: [] for k in keys}
    for r in rows:
        q_se, alloc_se = _zeros_if_none(r.Q_se, n), _zeros_if_none(r.alloc_se, n)
        for j in r.members:
            values = (coalition_label(r.members), j, r.Q[j - 1], q_se[j - 1], r.alloc[j - 1],
                      alloc_se[j - 1])  # fmt: skip
            for key, value in zip(keys, values, strict=True):
                stocks[key].append(value)
    return {"coalitions": coal, "stocks": Table("stocks", stocks)}


def joint_rows(stage: StageOne, coalitions: list[tuple[int, ...]]) -> list[Joint]:
    """Singletons exactly (C({i}) = d_i), larger coalitions by SAA + out-of-sample."""
    sep = stage.separate()
    rows = []
    for members in coalitions:
        if len(members) == 1:
            j = members[0] - 1
            q = np.zeros(stage.problem.n)
            q[j] = sep.Q[j]
            alloc = np.zeros(stage.problem.n)
            alloc[j] = sep.d[j]
            d = float(sep.d[j])
            rows.append(Joint(members, Status.OPTIMAL, q, d, d, 0.0, alloc, d))
        else:
            rows.append(stage.joint(members, sep.d))
    return rows


def solve_joint(model: Model, req: SolveRequest) -> Result:
    """Coalition table; decisions and metrics of the largest coalition solved."""
    stage = _stage(req)
    n = stage.problem.n
    rows = joint_rows(stage, _coalitions(req.params["coalition"], n))
    top = rows[-1]
    bad = [r for r in rows if r.status != Status.OPTIMAL]
    status = bad[0].status if bad else Status.OPTIMAL
    metrics = {
        "cost": top.cost, "cost_in_sample": top.cost_in_sample, "sum_d": top.sum_d,
        "saving": top.saving, "saving_pct": 100.0 * top.saving / top.sum_d,
    }  # fmt: skip
    se = {"cost": top.cost_se, "saving": top.cost_se, "cost_in_sample": top.cost_in_sample_se,
          "saving_pct": 100.0 * top.cost_se / top.sum_d}  # fmt: skip
    se.update({f"Q_{j}": float(_zeros_if_none(top.Q_se, n)[j - 1]) for j in top.members})
    reps = int(req.params["gap_replications"])
    if reps == 1:
        raise ParameterError("gap_replications", "must be 0 or >= 2", reps)
    if reps >= 2 and status == Status.OPTIMAL and len(top.members) > 1:
        gap = stage.gap(top.Q, reps, top.members)
        metrics.update(gap=gap.mean, gap_upper=gap.upper)
        se["gap"] = gap.se
    return _result(
        req, status,
        decisions={f"Q_{j}": float(top.Q[j - 1]) for j in top.members},
        metrics=metrics, std_errors=se, tables=_tables(rows, n),
        message=f"coalition {coalition_label(top.members)}: cost = out-of-sample C(S) on "
        f"n_eval scenarios, cost_in_sample = SAA objective; singletons exact; {SE_NOTE}"
        + ("; gap_upper = one-sided 95% MRP bound on the optimality gap" if reps else
           "; set gap_replications >= 2 for a confidence bound on the optimality gap"),
    )  # fmt: skip


def solve_sensitivity(model: Model, req: SolveRequest) -> Result:
    """The spec's sensitivity table (grand coalition, in-sample)."""
    stage = _stage(req)
    cases, nodes, status = sensitivity(stage)
    base = {k: float(v[0]) for k, v in cases.columns.items() if k not in ("case", "status")}
    se = {k[:-3]: base.pop(k) for k in list(base) if k.endswith("_se")}
    return _result(req, status, metrics=base, std_errors=se,
                   tables={"sensitivity": cases, "sensitivity_nodes": nodes},
                   message="metrics: base case; C_joint in-sample SAA cost, saving in-sample "
                   f"(sum d - C_joint); separate Q and C_sep exact; {SE_NOTE}")  # fmt: skip


def _all_rows(req: SolveRequest) -> tuple[StageOne, list[Joint]]:
    stage = _stage(req)
    return stage, joint_rows(stage, _coalitions(None, stage.problem.n))


def solve_bargaining(model: Model, req: SolveRequest) -> Result:
    """Spec 4.6: Nash and alliance bargaining, Shapley value, core tests, transfers."""
    stage, rows = _all_rows(req)
    table, metrics, status, message = bargaining(rows, req.params)
    grand = rows[-1]
    metrics.update(cost=grand.cost, sum_d=grand.sum_d)
    se = {"cost": grand.cost_se, "saving": grand.cost_se}  # saving = sum d (exact) - C(N)
    if status == Status.OPTIMAL:
        derived = derived_se(rows, req.params, stage0=False)
        se.update({k: float(derived[k]) for k in ("saving", "surplus_alliance", "alpha_up")})
        table = Table(table.name, _with_se(table.columns, derived, BARGAINING_COLUMNS))
        se.update({f"Q_{j}": float(_zeros_if_none(grand.Q_se, len(grand.Q))[j - 1])
                   for j in grand.members})  # fmt: skip
    return _result(
        req, status,
        decisions={f"Q_{j}": float(grand.Q[j - 1]) for j in grand.members},
        metrics=metrics, std_errors=se,
        tables={"bargaining": table, **_tables(rows, stage.problem.n)},
        message=message if status != Status.OPTIMAL else
        "saving, costs: out-of-sample C(S); d exact; transfer = final cost - alloc (grand); "
        f"{SE_NOTE}; bargaining outputs and in_core: {DERIVED_NOTE}",
    )  # fmt: skip


#: bargaining table columns with a delta-method se column next to them
BARGAINING_COLUMNS = ("saving_share", "final_cost", "transfer")
DERIVED_NOTE = (
    "se by the delta method from the covariance of the out-of-sample costs and cost shares "
    "(paired per-scenario values of the one evaluation sample); in_core, joint_is_ess, the "
    "rest points' types and the simulated basins are deterministic given those inputs (no se)"
)


def _with_se(columns, derived, names, prefix: str = "") -> dict:
    """``columns`` with ``<name>_se`` inserted after each of ``names``."""
    out = {}
    for k, v in columns.items():
        out[k] = v
        if k in names:
            out[f"{k}_se"] = np.asarray(derived[prefix + k], dtype=float)
    return out


def solve_formation(model: Model, req: SolveRequest) -> Result:
    """Spec 4.7: the formation game on G and alpha_up from stages 1 and 2."""
    _, rows = _all_rows(req)
    _, metrics, status, _ = bargaining(rows, req.params)
    if status != Status.OPTIMAL and (req.params["G"] is None or req.params["alpha_up"] is None):
        return _result(req, status, message="no agreement in stage 2: G and alpha_up undefined")
    res = formation(rows, req.params, metrics["alpha_up"])
    out = dict(res.metrics)
    out.update(G=rows[-1].saving if req.params["G"] is None else req.params["G"],
               alpha_up=metrics["alpha_up"] if req.params["alpha_up"] is None
               else req.params["alpha_up"])  # fmt: skip
    derived = derived_se(rows, req.params, stage0=True)
    se = {k: float(derived[k]) for k in out if k in derived}
    tables = dict(res.tables)
    rest = tables["formation_rest_points"]
    tables["formation_rest_points"] = Table(
        rest.name, _with_se(rest.columns, derived, ("x", "y", "det", "trace"), "rest_")
    )
    return _result(
        req,
        Status.OPTIMAL,
        metrics=out,
        conditions=res.conditions,
        tables=tables,
        std_errors=se,
        message="basin shares of the 39x39 grid of starts; G and alpha_up from stages 1-2 "
        f"unless given (a given parameter is exact); {DERIVED_NOTE}",
    )


SCENARIOS = MappingProxyType(
    {
        "separate": solve_separate,
        "joint": solve_joint,
        "sensitivity": solve_sensitivity,
        "bargaining": solve_bargaining,
        "formation": solve_formation,
    }
)


def solve(model: Model, req: SolveRequest) -> Result:
    return SCENARIOS[req.scenario](model, req)


@register
class JointInventory(Model):
    """Joint inventory of a recycling chain (see the package docstring)."""

    name = "joint-inventory"
    summary = (
        "seed 000: separate vs joint (pooled, re-positioned) inventory by two-stage SAA; "
        "bargaining over the saving; formation game"
    )
    scenarios = tuple(SCENARIOS)
    default_scenario = "joint"
    spec = SPEC
    decisions = ()
    methods = MappingProxyType({"saa": solve, "decomposition": solve})
    default_method = "saa"
    #: the samples are seeded by the parameters ``seed`` and ``seed_eval`` (spec 4.2 defaults
    #: 2024 and 2123, which the reference numbers need); an explicit ``seed=`` overrides ``seed``
    random_methods = frozenset()
    #: both methods solve an SAA on the seeded samples: every number of stage 1 is sampled
    sampled_methods = frozenset({"saa", "decomposition"})
    exact_keys = frozenset({
        "separate/Q_*",  # newsvendor stocks F_i^-1(kappa_i): closed form
        "d_*", "sum_d",  # separate costs d_i (exact loss functions) and their sum
        "sum_Q_sep", "C_sep",  # sensitivity: separate stocks and costs, closed form
        "joint/gap_upper",  # a one-sided 95% confidence bound (from gap and its se)
        # deterministic given G and alpha_up (their se are given; the message says so):
        "formation/joint_is_ess",  # an indicator of the two ESS conditions
        "formation/basin_*",  # shares of the fixed 39x39 grid of simulated starts
        # table columns
        "*.node", "coalitions.size",  # labels
        "nodes.kappa", "nodes.z", "nodes.Q", "nodes.d",  # separate newsvendor: closed forms
        "coalitions.sum_d",  # sum of exact d_i
        "sensitivity.sum_Q_sep", "sensitivity.C_sep", "sensitivity_nodes.Q_sep",  # closed form
        "bargaining.in_core",  # deterministic given the costs (see message)
        "basin.*",  # the simulated basins: deterministic given G and alpha_up
    })  # fmt: skip

    #: metric keys per scenario (stocks ``Q_i`` are decisions; the default chain has 3 nodes, a
    #: chain of more nodes appends ``Q_4``... after the declared columns)
    SCENARIO_METRICS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "separate": ("d_1", "d_2", "d_3", "sum_d"),
        "joint": ("cost", "cost_in_sample", "sum_d", "saving", "saving_pct"),
        "sensitivity": ("sum_Q_joint", "C_joint", "sum_Q_sep", "C_sep", "saving", "saving_pct"),
        "bargaining": ("saving", "surplus_alliance", "alpha_up", "cost", "sum_d"),
        "formation": (
            "a_U", "a_D", "x_star", "y_star", "polyline_basin", "joint_is_ess", "basin_11",
            "basin_00", "basin_unsettled", "G", "alpha_up",
        ),
    }  # fmt: skip

    @classmethod
    def result_keys(cls, scenario: str | None = None) -> dict[str, tuple[str, ...]]:
        """Stocks ``Q_1..Q_3`` where a scenario reports them, and the scenario's metrics."""
        scenario = scenario or cls.default_scenario
        stocks = ("Q_1", "Q_2", "Q_3") if scenario in ("separate", "joint", "bargaining") else ()
        return {"decisions": stocks, "profits": (), "metrics": cls.SCENARIO_METRICS[scenario]}


__all__ = ["JointInventory", "StageOne", "joint_rows"]
