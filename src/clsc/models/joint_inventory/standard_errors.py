"""Standard errors of the sampled outputs of ``joint-inventory``.

Every number stage 1 reports is a sample average or an SAA optimum, and every number of
stages 2 and 0 is a function of them; their standard errors, all at the reported stocks
("decisions held fixed; the in-sample optimism is not included"):

* a sample average of per-scenario costs ``phi_w`` (in or out of sample): ``sd(phi_w)/sqrt(n)``;
* the SAA stocks ``Q_N`` (asymptotics of an SAA optimum, Shapiro, Dentcheva and Ruszczynski,
  *Lectures on Stochastic Programming*, sec. 5.1.3): on the nodes with ``Q_j > 0``,
  ``Cov(Q_N) = H^-1 Sigma H^-1 / N`` with ``Sigma`` the covariance of the per-scenario
  cost gradient ``c + dphi_w/dQ`` over the N SAA scenarios and ``H`` the Hessian of the
  expected cost, by finite differences of the mean gradient over the SAA and evaluation
  scenarios (step half a column's sd); a stock at its bound 0 stays there with probability
  -> 1 (se 0);
* a function ``f`` of out-of-sample means ``theta`` estimated on one common sample (the
  coalitions' costs, the grand coalition's cost shares): the delta method
  ``se(f) = sqrt(J Cov(theta) J')`` with ``Cov(theta)`` from the paired per-scenario values
  and the Jacobian J by central differences.

>>> import numpy as np
>>> theta, cov = np.array([2.0, 4.0]), np.diag([0.01, 0.04])
>>> delta_se(lambda t: {"ratio": t[0] / t[1]}, theta, cov)["ratio"].round(4)
np.float64(0.0354)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from clsc.stochastic.two_stage import TransshipmentCosts, member_mask
from clsc.stochastic.two_stage_eval import scenario_costs


def stock_cov(
    costs: TransshipmentCosts, q: np.ndarray, members, sample: np.ndarray, extra: np.ndarray
) -> np.ndarray:
    """Asymptotic covariance of the SAA stocks (module docstring), (n, n): ``sample`` the N
    SAA scenarios, ``extra`` further scenarios of the same law for the Hessian. Zero off the
    coalition and at the bound 0; nan where the Hessian is not positive definite."""
    mask = member_mask(costs.n, members)
    q = np.where(mask, np.asarray(q, dtype=float), 0.0)
    free = np.flatnonzero(mask & (q > 1e-9 * max(1.0, float(np.abs(q).max()))))
    out = np.zeros((costs.n, costs.n))
    if free.size == 0:
        return out
    n = sample.shape[0]
    _, grad = scenario_costs(costs, q, sample, members)
    sigma = np.atleast_2d(np.cov(grad[:, free], rowvar=False))
    both = np.concatenate([sample, extra])
    steps = 0.5 * both.std(axis=0)
    hess = np.empty((free.size, free.size))
    for k, j in enumerate(free):
        lo, hi = q.copy(), q.copy()
        lo[j], hi[j] = max(q[j] - steps[j], 0.0), q[j] + steps[j]
        g_lo = scenario_costs(costs, lo, both, members)[1].mean(axis=0)
        g_hi = scenario_costs(costs, hi, both, members)[1].mean(axis=0)
        hess[:, k] = (g_hi[free] - g_lo[free]) / (hi[j] - lo[j])
    hess = 0.5 * (hess + hess.T)
    block = np.ix_(free, free)
    if np.linalg.eigvalsh(hess).min() <= 0.0:
        out[block] = math.nan
        return out
    inv = np.linalg.inv(hess)
    out[block] = inv @ sigma @ inv / n
    return out


def delta_se(
    f: Callable[[np.ndarray], Mapping[str, float | np.ndarray]],
    theta: np.ndarray,
    cov: np.ndarray,
    rel_step: float = 1e-6,
) -> dict[str, np.ndarray]:
    """Delta-method se of every output of ``f(theta)`` (scalars or arrays):
    ``sqrt(diag(J cov J'))`` with J by central differences (step ``rel_step*max(1, |theta|)``).
    """
    theta = np.asarray(theta, dtype=float)
    base = {k: np.asarray(v, dtype=float) for k, v in f(theta).items()}
    jac = {k: np.empty((*v.shape, theta.size)) for k, v in base.items()}
    for i in range(theta.size):
        h = rel_step * max(1.0, abs(theta[i]))
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        f_up, f_down = f(up), f(down)
        for k in base:
            diff = np.asarray(f_up[k], dtype=float) - np.asarray(f_down[k], dtype=float)
            jac[k][..., i] = diff / (2.0 * h)
    out = {}
    for k, j in jac.items():
        var = np.einsum("...i,ij,...j->...", j, cov, j)
        out[k] = np.sqrt(np.maximum(var, 0.0))
    return out
