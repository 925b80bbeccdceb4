"""Shared pyomo pieces: variables ``v = (x, y)``, the primal rows, a linear objective, solving.

pyomo is imported lazily inside these functions. Termination conditions map to statuses
``optimal`` / ``infeasible`` / ``unbounded`` / ``not_proven`` (time limit) / ``solver_error``.
HiGHS' "infeasible or unbounded" is decided by re-solving with a zero objective: a feasible
(mixed-integer, rational-data) program whose relaxation is unbounded is unbounded (Meyer 1974).
"""

from __future__ import annotations

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome
from clsc.results import INFEASIBLE, NOT_PROVEN, OPTIMAL, SOLVER_ERROR, UNBOUNDED


def _finite(a: float) -> float | None:
    return float(a) if np.isfinite(a) else None


def base_model(sf: StandardForm, bounds: Bounds):
    """A pyomo model with ``m.v[j]`` (HPR bounds, integrality), leader and follower rows and the
    (linear) leader objective ``h'v``."""
    import pyomo.environ as pyo

    N = sf.n + sf.m
    m = pyo.ConcreteModel("bilevel")
    m.J = pyo.RangeSet(0, N - 1)

    def _dom(_, j):
        return pyo.Integers if sf.integer[j] else pyo.Reals

    def _bnd(_, j):
        return (_finite(bounds.v_lo[j]), _finite(bounds.v_hi[j]))

    m.v = pyo.Var(m.J, domain=_dom, bounds=_bnd)
    m.leader = pyo.ConstraintList()
    for row, rhs in zip(sf.G, sf.g, strict=True):
        m.leader.add(affine(m.v, row) <= float(rhs))
    m.follower = pyo.ConstraintList()
    AB = np.hstack([sf.A, sf.B])
    for row, rhs in zip(AB, sf.b, strict=True):
        m.follower.add(affine(m.v, row) <= float(rhs))
    m.obj = pyo.Objective(expr=affine(m.v, sf.h) + sf.h0, sense=pyo.minimize)
    return m


def affine(var, coef: np.ndarray, offset: float = 0.0):
    """``sum_j coef_j var[j] + offset`` over the nonzero coefficients."""
    terms = [float(c) * var[j] for j, c in enumerate(coef) if c != 0]
    return sum(terms, float(offset)) if terms else float(offset)


def solve(model, N: int, time_limit: float | None = None) -> Outcome:
    """Solve with HiGHS (``appsi_highs``); return the ``v`` values on success."""
    import pyomo.environ as pyo
    from pyomo.opt import TerminationCondition as TC

    solver = pyo.SolverFactory("appsi_highs")
    # prove optimality, not a 0.01% gap (HiGHS' default mip_rel_gap is 1e-4)
    solver.highs_options.update({"mip_rel_gap": 0.0, "mip_abs_gap": 1e-9})
    if time_limit is not None:
        solver.config.time_limit = float(time_limit)
    try:
        res = solver.solve(model, load_solutions=False)
    except Exception as exc:  # HiGHS/pyomo failure that is not a property of the model
        return Outcome(SOLVER_ERROR, message=f"HiGHS failed: {exc}")
    tc = res.solver.termination_condition
    if tc == TC.optimal:
        model.solutions.load_from(res)
        v = np.array([pyo.value(model.v[j]) for j in range(N)], dtype=float)
        return Outcome(OPTIMAL, v)
    if tc == TC.infeasible:
        return Outcome(INFEASIBLE)
    if tc == TC.unbounded:
        return Outcome(UNBOUNDED)
    if tc == TC.infeasibleOrUnbounded:
        return _decide_feasibility(model, solver)
    if tc == TC.maxTimeLimit:
        return Outcome(NOT_PROVEN, message="HiGHS stopped at the time limit")
    return Outcome(SOLVER_ERROR, message=f"HiGHS stopped with termination condition {tc}")


def _decide_feasibility(model, solver) -> Outcome:
    import pyomo.environ as pyo
    from pyomo.opt import TerminationCondition as TC

    model.obj.deactivate()
    model.zero_objective = pyo.Objective(expr=0.0)
    try:
        tc = solver.solve(model, load_solutions=False).solver.termination_condition
    finally:
        model.del_component(model.zero_objective)
        model.obj.activate()
    if tc == TC.optimal:
        return Outcome(UNBOUNDED, message="feasible with an unbounded relaxation")
    if tc == TC.infeasible:
        return Outcome(INFEASIBLE)
    return Outcome(SOLVER_ERROR, message=f"HiGHS could not decide feasibility ({tc})")
