"""The pooled-stock SAA of :mod:`clsc.stochastic.two_stage` as pyomo models (public API only).

:func:`saa_model` is the extensive form (all scenarios in one ``ConcreteModel``), for users who
extend the model algebraically; :func:`scenario_model` is one scenario with the first-stage
cost, the building block of mpi-sppy's ``scenario_creator``
(:mod:`clsc.stochastic.two_stage_mpisppy`). Both are tested equal to the array-built LP.
Nodes are 1-based in the pyomo index sets. pyomo is imported inside the functions.
"""

from __future__ import annotations

import numpy as np


def _add_recourse(m, pyo, costs, mask, scen, demand, weight):
    """Recourse variables, rows and the expected recourse cost expression of scenarios."""
    nodes = [int(j) + 1 for j in np.flatnonzero(mask)]
    arcs = [(i, j) for i in nodes for j in nodes if i != j]
    m.y = pyo.Var(scen, arcs, domain=pyo.NonNegativeReals)
    m.L = pyo.Var(scen, nodes, domain=pyo.NonNegativeReals)
    m.U = pyo.Var(scen, nodes, domain=pyo.NonNegativeReals)

    def balance(m, w, j):
        out = sum(m.y[w, j, k] for k in nodes if k != j)
        inn = sum(m.y[w, i, j] for i in nodes if i != j)
        return m.Q[j] - out + inn - m.L[w, j] + m.U[w, j] == float(demand[w][j - 1])

    def capacity(m, w, j):
        return sum(m.y[w, j, k] for k in nodes if k != j) <= m.Q[j]

    m.balance = pyo.Constraint(scen, nodes, rule=balance)
    m.capacity = pyo.Constraint(scen, nodes, rule=capacity)
    return weight * sum(
        sum(costs.h[j - 1] * m.L[w, j] + costs.p[j - 1] * m.U[w, j] for j in nodes)
        + sum(costs.tau[i - 1, j - 1] * m.y[w, i, j] for i, j in arcs)
        for w in scen
    )


def _first_stage(m, pyo, costs, mask):
    nodes = [int(j) + 1 for j in np.flatnonzero(mask)]
    m.nodes = pyo.Set(initialize=nodes)
    m.Q = pyo.Var(m.nodes, domain=pyo.NonNegativeReals)
    return sum(costs.c[j - 1] * m.Q[j] for j in nodes)


def saa_model(costs, demand: np.ndarray, mask: np.ndarray):
    """Extensive-form SAA of the coalition ``mask`` over the rows of ``demand``."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="transshipment_saa")
    first = _first_stage(m, pyo, costs, mask)
    scen = range(demand.shape[0])
    recourse = _add_recourse(m, pyo, costs, mask, scen, demand, 1.0 / demand.shape[0])
    m.cost = pyo.Objective(expr=first + recourse, sense=pyo.minimize)
    return m


def scenario_model(costs, demand_row: np.ndarray, mask: np.ndarray):
    """One scenario: first-stage ``Q`` and its recourse; attributes ``first_stage_cost`` and
    the objective ``cost`` = first stage + recourse of this scenario."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="transshipment_scenario")
    first = _first_stage(m, pyo, costs, mask)
    recourse = _add_recourse(m, pyo, costs, mask, [0], np.atleast_2d(demand_row), 1.0)
    m.first_stage_cost = pyo.Expression(expr=first)
    m.cost = pyo.Objective(expr=m.first_stage_cost + recourse, sense=pyo.minimize)
    return m


def solve_pyomo(model) -> tuple[float, dict[int, float]]:
    """Solve a model of this module with HiGHS through pyomo; (objective, {node: Q})."""
    import pyomo.environ as pyo

    from clsc.errors import SolverError

    solver = pyo.SolverFactory("appsi_highs")
    if not solver.available(exception_flag=False):
        raise SolverError("HiGHS (appsi_highs) is not available to pyomo")
    res = solver.solve(model)
    cond = str(res.solver.termination_condition)
    if cond != "optimal":
        raise SolverError(f"pyomo/HiGHS stopped with termination condition {cond}")
    return float(pyo.value(model.cost)), {j: float(model.Q[j].value) for j in model.nodes}
