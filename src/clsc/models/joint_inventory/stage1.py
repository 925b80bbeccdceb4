"""Stage 1 of ``joint-inventory``: separate and joint inventory (spec 4.5).

Separate inventory of node i (exact, any marginal distribution F_i: the newsvendor)::

    kappa_i = (p_i - c_i)/(p_i + h_i),  Q_i* = max(F_i^-1(kappa_i), 0),
    d_i = c_i*Q_i* + h_i*E[(Q_i* - D_i)+] + p_i*E[(D_i - Q_i*)+]

(for normal D_i: Q_i* = mu_i + sigma_i*z_i with z_i = Phi^-1(kappa_i) and
d_i = c_i*mu_i + (h_i + p_i)*sigma_i*Phi'(z_i)).

Joint inventory of a coalition S: the two-stage SAA of :mod:`clsc.stochastic.two_stage` on the
N-scenario sample (one joint draw of all nodes; every coalition uses its columns), solved by
HiGHS on the array-built extensive form (one program re-used for all coalitions) or by the
L-shaped decomposition; the chosen stocks are then evaluated out of sample by the exact numba
recourse on an independent sample. ``C(S)`` for ``|S| >= 2`` is that out-of-sample value and
``C({i}) = d_i``; the saving is ``v(S) = sum_{i in S} d_i - C(S)``. Standard errors of the
SAA stocks, the in-sample and out-of-sample costs and the cost shares:
:mod:`~clsc.models.joint_inventory.standard_errors`.

>>> from clsc.models.joint_inventory.problem import SPEC, build_problem
>>> values, _ = SPEC.resolve({"n_scenarios": 200, "n_eval": 500})
>>> stage = StageOne(build_problem(values))
>>> [round(float(x), 4) for x in stage.separate().d]
[298.1719, 152.1158, 378.1662]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clsc.models.joint_inventory.problem import Problem
from clsc.models.joint_inventory.standard_errors import stock_cov
from clsc.results import Status
from clsc.stochastic.two_stage import TransshipmentCosts, TransshipmentSAA, member_mask
from clsc.stochastic.two_stage_eval import GapEstimate, evaluate, mean_se, mrp_gap, scenario_costs


@dataclass(frozen=True)
class Separate:
    """Per-node newsvendor: critical fractile ``kappa``, ``z`` = Phi^-1(kappa), stock ``Q``
    and expected cost ``d`` (arrays, node order)."""

    kappa: np.ndarray
    z: np.ndarray
    Q: np.ndarray
    d: np.ndarray


def separate_costs(problem: Problem, costs: TransshipmentCosts | None = None) -> Separate:
    """Exact newsvendor of every node (see module docstring)."""
    from scipy.special import ndtri

    costs = costs or problem.costs
    kappa = (costs.p - costs.c) / (costs.p + costs.h)
    q = np.empty(problem.n)
    d = np.empty(problem.n)
    for j, dist in enumerate(problem.marginals):
        q[j] = max(float(dist.ppf(kappa[j])), 0.0)
        d[j] = (
            costs.c[j] * q[j]
            + costs.h[j] * float(dist.expected_leftover(q[j]))
            + costs.p[j] * float(dist.expected_shortage(q[j]))
        )
    return Separate(kappa, ndtri(kappa), q, d)


@dataclass(frozen=True)
class Joint:
    """One coalition: ``members``, SAA ``Q`` and in-sample cost, out-of-sample ``cost`` with
    its standard error, per-node out-of-sample ``alloc``, ``sum_d`` and ``saving``; standard
    errors ``Q_se``, ``cost_in_sample_se``, ``alloc_se`` (:mod:`.standard_errors`; zero for an exact
    singleton) and ``eval_costs``, the per-scenario per-node out-of-sample costs (None for a
    singleton), whose row sums average to ``cost`` and columns to ``alloc``."""

    members: tuple[int, ...]
    status: Status
    Q: np.ndarray
    cost_in_sample: float
    cost: float
    cost_se: float
    alloc: np.ndarray
    sum_d: float
    message: str = ""
    Q_se: np.ndarray | None = None
    cost_in_sample_se: float = 0.0
    alloc_se: np.ndarray | None = None
    eval_costs: np.ndarray | None = None

    @property
    def saving(self) -> float:
        return self.sum_d - self.cost


class StageOne:
    """Stage-1 computations on one problem, with one SAA program re-used throughout."""

    def __init__(self, problem: Problem, solver: str = "extensive"):
        self.problem = problem
        self.solver = solver
        self._sample: np.ndarray | None = None
        self._eval: np.ndarray | None = None
        self._saa: TransshipmentSAA | None = None

    @property
    def sample(self) -> np.ndarray:
        if self._sample is None:
            self._sample = self.problem.saa_sample()
        return self._sample

    @property
    def eval_sample(self) -> np.ndarray:
        if self._eval is None:
            self._eval = self.problem.eval_sample()
        return self._eval

    @property
    def saa(self) -> TransshipmentSAA:
        """The extensive-form program (built on first use, then re-used)."""
        if self._saa is None:
            self._saa = TransshipmentSAA(self.problem.costs, self.sample)
        return self._saa

    def set_costs(self, costs: TransshipmentCosts) -> None:
        """Change unit costs in place (the loaded program keeps its basis)."""
        self.problem = self.problem.with_costs(costs)
        if self._saa is not None:
            self._saa.set_costs(costs)

    def separate(self) -> Separate:
        return separate_costs(self.problem)

    def solve(self, members: Sequence[int] | None = None) -> tuple[Status, np.ndarray, float, str]:
        """SAA optimum of a coalition: (status, Q, in-sample objective, message)."""
        if self.solver == "decomposition":
            from clsc.stochastic.two_stage_lshaped import lshaped

            res = lshaped(self.problem.costs, self.sample, members)
            return res.status, res.Q, res.objective, res.message
        sol = self.saa.solve(members)
        if not sol:
            return sol.status, np.full(self.problem.n, math.nan), math.nan, sol.message
        return sol.status, sol.Q, sol.objective, ""

    def joint(self, members: Sequence[int], d: np.ndarray) -> Joint:
        """SAA, then out-of-sample evaluation, of coalition ``members``."""
        members = tuple(int(m) for m in members)
        mask = member_mask(self.problem.n, members)
        status, q, obj, message = self.solve(members)
        sum_d = float(d[mask].sum())
        if status != Status.OPTIMAL:
            nan = np.full(self.problem.n, math.nan)
            return Joint(members, status, q, obj, math.nan, math.nan, nan, sum_d, message)
        costs = self.problem.costs
        per = scenario_costs(costs, q, self.eval_sample, members)[0]
        total = per.sum(axis=1)
        return Joint(
            members, status, q, obj, float(total.mean()), mean_se(total), per.mean(axis=0),
            sum_d, message, Q_se=self.stock_se(q, members),
            cost_in_sample_se=self.in_sample_se(q, members),
            alloc_se=per.std(axis=0, ddof=1) / math.sqrt(per.shape[0]), eval_costs=per,
        )  # fmt: skip

    def in_sample_se(self, q: np.ndarray, members=None, costs=None) -> float:
        """se of the in-sample SAA cost at ``q``: sd of the per-scenario costs / sqrt(N)."""
        per = scenario_costs(costs or self.problem.costs, q, self.sample, members)[0]
        return mean_se(per.sum(axis=1))

    def stock_cov(self, q: np.ndarray, members=None, costs=None) -> np.ndarray:
        """Asymptotic covariance of the SAA stocks ``q`` (:func:`.standard_errors.stock_cov`)."""
        costs = costs or self.problem.costs
        return stock_cov(costs, q, members, self.sample, self.eval_sample)

    def stock_se(self, q: np.ndarray, members=None, costs=None) -> np.ndarray:
        """Asymptotic se of the SAA stocks ``q``: root of the diagonal of :meth:`stock_cov`."""
        return np.sqrt(np.maximum(np.diag(self.stock_cov(q, members, costs)), 0.0))

    def gap(self, q: np.ndarray, replications: int, members=None) -> GapEstimate:
        """MRP confidence interval on the optimality gap of stocks ``q`` (replications of the
        SAA size, drawn from ``seed + 1, seed + 2, ...`` streams of one SeedSequence)."""
        costs, size = self.problem.costs, self.sample.shape[0]
        mask = member_mask(self.problem.n, members)
        saa = TransshipmentSAA(costs, self.sample) if self.solver == "extensive" else None

        def optimum(sample: np.ndarray) -> float:
            if saa is None:
                from clsc.stochastic.two_stage_lshaped import lshaped

                return lshaped(costs, sample, members).objective
            saa.set_demand(sample)
            return float(saa.solve(members).objective)

        rng = np.random.default_rng([self.problem.seed, 1])
        return mrp_gap(
            lambda s: evaluate(costs, np.where(mask, q, 0.0), s, members).mean,
            optimum,
            lambda r: self.problem.sample(size, r),
            replications,
            rng,
        )
