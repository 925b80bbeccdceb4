"""Sample-average approximation (SAA) of the newsvendor as a pyomo LP solved by HiGHS.

For scenarios d_1..d_N, overage cost c_o and underage cost c_u:

    min_{q >= 0, o >= 0, u >= 0}  (1/N) * sum_i (c_o*o_i + c_u*u_i)
    s.t.  o_i - u_i - q = -d_i                    (i = 1..N)

(o_i, u_i: overage and underage in scenario i). With c_o + c_u > 0 at most one of o_i, u_i is
positive at the optimum, so o_i = (q - d_i)+, u_i = (d_i - q)+ and the objective is the
sample-average overage/underage cost; any q in the optimal interval is a sample quantile of
level c_u/(c_u + c_o). The model is built once with mutable Params (scenarios and costs) and
re-solved in place (:meth:`NewsvendorSAA.solve`): the persistent APPSI HiGHS solver creates
the HiGHS model once; afterwards new Param values go to that HiGHS model in two vectorised calls
and HiGHS is re-run directly (APPSI's per-row updates and per-solve bookkeeping cost more than
the solve for small N). If APPSI's internals are not as expected, the plain
``solver.solve(model)`` path with parameter updates is used instead. From ``IPM_FROM``
scenarios on HiGHS runs its interior-point solver: the column of q is dense, which makes
simplex iterations O(N) each (O(N^2) in total).
pyomo is imported lazily.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import SolverError
from clsc.results import INFEASIBLE, OPTIMAL, SOLVER_ERROR, UNBOUNDED

#: HiGHS options used by default
HIGHS_OPTIONS: Mapping[str, Any] = {"output_flag": False}
#: from this many scenarios on, HiGHS uses its interior-point solver (see module docstring)
IPM_FROM = 500


def highs_options(n: int) -> dict[str, Any]:
    """HiGHS options for an SAA with n scenarios: simplex when small, interior point when large."""
    return {**HIGHS_OPTIONS, "solver": "ipm" if n >= IPM_FROM else "simplex"}


@dataclass(frozen=True)
class SAASolution:
    """Outcome of one SAA solve: status, order quantity and the optimal objective."""

    status: str
    q: float | None
    objective: float | None
    message: str = ""


def status_from_termination(condition) -> tuple[str, str]:
    """Map a pyomo (APPSI) termination condition to a result status and a message."""
    name = getattr(condition, "name", str(condition))
    table = {
        "optimal": (OPTIMAL, ""),
        "infeasible": (INFEASIBLE, "the SAA program is infeasible"),
        "unbounded": (UNBOUNDED, "the SAA program is unbounded"),
        "infeasibleOrUnbounded": (INFEASIBLE, "the SAA program is infeasible or unbounded"),
    }
    return table.get(name, (SOLVER_ERROR, f"HiGHS stopped with termination condition {name}"))


def status_from_highs(model_status) -> tuple[str, str]:
    """Map a ``highspy.HighsModelStatus`` to a result status and a message."""
    name = getattr(model_status, "name", str(model_status)).split(".")[-1]
    table = {
        "kOptimal": (OPTIMAL, ""),
        "kInfeasible": (INFEASIBLE, "the SAA program is infeasible"),
        "kUnbounded": (UNBOUNDED, "the SAA program is unbounded"),
        "kUnboundedOrInfeasible": (INFEASIBLE, "the SAA program is infeasible or unbounded"),
    }
    return table.get(name, (SOLVER_ERROR, f"HiGHS stopped with model status {name}"))


class NewsvendorSAA:
    """The SAA LP for a fixed number of scenarios, built once and re-solved in place.

    >>> saa = NewsvendorSAA(4)
    >>> saa.solve(np.array([1.0, 2.0, 3.0, 4.0]), overage=1.0, underage=3.0).q
    3.0
    """

    def __init__(self, n: int, options: Mapping[str, Any] | None = None):
        import pyomo.environ as pyo
        from pyomo.contrib.appsi.solvers import Highs

        self.n = int(n)
        m = pyo.ConcreteModel()
        m.S = pyo.RangeSet(0, self.n - 1)
        m.d = pyo.Param(m.S, mutable=True, initialize=0.0)
        m.co = pyo.Param(mutable=True, initialize=1.0)
        m.cu = pyo.Param(mutable=True, initialize=1.0)
        m.q = pyo.Var(domain=pyo.NonNegativeReals)
        m.over = pyo.Var(m.S, domain=pyo.NonNegativeReals)
        m.under = pyo.Var(m.S, domain=pyo.NonNegativeReals)
        m.balance = pyo.Constraint(m.S, rule=lambda m, i: m.over[i] - m.under[i] - m.q == -m.d[i])
        total_over = pyo.quicksum(m.over[i] for i in m.S)
        total_under = pyo.quicksum(m.under[i] for i in m.S)
        m.obj = pyo.Objective(expr=(m.co * total_over + m.cu * total_under) / self.n)
        self.model = m
        self.solver = Highs()
        if not self.solver.available():
            raise SolverError("HiGHS (appsi_highs / highspy) is not available")
        self.solver.config.load_solution = False
        self.solver.config.stream_solver = False
        self.solver.highs_options = dict(highs_options(self.n) if options is None else options)
        # the structure never changes after the build: only push mutable Param values
        upd = self.solver.update_config
        upd.check_for_new_or_removed_constraints = False
        upd.check_for_new_or_removed_vars = False
        upd.check_for_new_or_removed_params = False
        upd.check_for_new_objective = False
        upd.update_constraints = False
        upd.update_vars = False
        upd.update_named_expressions = False
        upd.update_objective = False
        self.solver.set_instance(m)
        self._push = self._vectorised_push()
        upd.update_params = self._push is None

    def _vectorised_push(self):
        """Row/column indices of the HiGHS model behind the persistent solver, so that new
        scenario values and costs go to HiGHS in two vectorised calls instead of APPSI's
        one-call-per-row ``update_params``. Uses APPSI internals; ``None`` (fall back to
        ``update_params``) if they are not there."""
        m, solver = self.model, self.solver
        try:
            highs = solver._solver_model
            con_map = solver._pyomo_con_to_solver_con_map
            var_map = solver._pyomo_var_to_solver_var_map
            rows = np.array([con_map[m.balance[i]] for i in m.S], dtype=np.int32)
            over = [var_map[id(m.over[i])] for i in m.S]
            cols = np.array(over + [var_map[id(m.under[i])] for i in m.S], dtype=np.int32)
            self._q_col = int(var_map[id(m.q)])
            for key, value in {**solver.highs_options, "log_to_console": False}.items():
                highs.setOptionValue(key, value)
        except (AttributeError, KeyError, TypeError):
            return None
        return highs, rows, cols

    def set_params(
        self,
        samples: np.ndarray | None = None,
        overage: float | None = None,
        underage: float | None = None,
    ) -> None:
        """Update the mutable Params in place (only those given)."""
        m = self.model
        if samples is not None:
            samples = np.asarray(samples, dtype=float)
            if samples.shape != (self.n,):
                raise ValueError(f"expected {self.n} scenarios, got shape {samples.shape}")
            m.d.store_values(dict(enumerate(samples.tolist())), check=False)
        if overage is not None:
            m.co.set_value(float(overage))
        if underage is not None:
            m.cu.set_value(float(underage))
        if self._push is not None:  # rows o_i - u_i - q in [-d_i, -d_i]; costs c_o/N, c_u/N
            highs, rows, cols = self._push
            if samples is not None:
                highs.changeRowsBounds(self.n, rows, -samples, -samples)
            costs = np.repeat([m.co.value / self.n, m.cu.value / self.n], self.n)
            highs.changeColsCost(2 * self.n, cols, costs)

    def solve(
        self,
        samples: np.ndarray | None = None,
        overage: float | None = None,
        underage: float | None = None,
    ) -> SAASolution:
        """Update the given parameters and re-solve; the status comes from HiGHS."""
        self.set_params(samples, overage, underage)
        if self._push is not None:
            return self._run_highs()
        res = self.solver.solve(self.model)
        status, message = status_from_termination(res.termination_condition)
        if status != OPTIMAL:
            return SAASolution(status, None, None, message)
        res.solution_loader.load_vars([self.model.q])
        return SAASolution(OPTIMAL, float(self.model.q.value), float(res.best_feasible_objective))

    def _run_highs(self) -> SAASolution:
        """Re-run the persistent HiGHS model (already updated in place) without APPSI's
        per-solve bookkeeping; the status comes from HiGHS's model status."""
        highs, _rows, _cols = self._push
        highs.run()
        status, message = status_from_highs(highs.getModelStatus())
        if status != OPTIMAL:
            return SAASolution(status, None, None, message)
        q = float(highs.getSolution().col_value[self._q_col])
        self.model.q.set_value(q, skip_validation=True)
        return SAASolution(OPTIMAL, q, float(highs.getObjectiveValue()))
