"""Risk-averse newsvendor: the retailer maximises the CVaR of its profit.

Convention: ``alpha`` in [0, 1) is the **risk-aversion level**; the retailer maximises the mean
of the worst ``beta = 1 - alpha`` fraction of its profits (the lower-tail CVaR). ``alpha = 0``
is the expected profit, so alpha -> 0 recovers the risk-neutral order; alpha -> 1 approaches the
worst case. With profit pi(q, D) = (p - c)*q - (p - v + h)*(q - D)+ - s*(D - q)+
(newsvendor parameters price, cost, salvage, holding, shortage), Rockafellar & Uryasev (2000):

    CVaR_beta(q) = max_eta  eta - E[(eta - pi(q, D))+]/beta

SAA (method ``saa``): over N demand samples d_i, the LP (MILP with ``integer=true``)

    max  eta - 1/(beta*N) * sum_i u_i
    s.t. u_i >= eta - [(p - c)*q - (p - v + h)*(q - d_i)]      (overstock branch of pi)
         u_i >= eta - [(p - c)*q - s*(d_i - q)]                (understock branch of pi)
         u_i >= 0,  0 <= q <= q_max,  eta free

(pi(q, d) is the minimum of its two affine branches, so the two rows are u_i >= eta - pi_i;
this is the overage/underage form with o_i, m_i eliminated: N + 2 variables). HiGHS uses
its interior-point solver from ``IPM_FROM`` samples on (dense q and eta columns) for the LP.

built as a ``clsc.solvers`` LinearProgram and solved by HiGHS. Closed form (method
``closed-form``; continuous demand and s = 0, so that pi is nondecreasing in D and its lower
beta-tail is {D <= x_beta}, x_beta =
F^-1(beta)); Gotoh & Takano (2007), Chen, Xu & Zhang (2009)::

    q* = F^-1(beta*(p - c)/(p - v + h))
    CVaR_beta(q) = (p - c)*q - (p - v + h)/beta * [I(min(q, x_beta)) + beta*(q - x_beta)+]
    VaR_beta(q)  = (p - c)*q - (p - v + h)*(q - x_beta)+

with I(x) = E[(x - D)+]. CVaR_beta(q) is concave in q, so ``q_max``/``integer`` act as in
:mod:`clsc.stochastic.variants.capacity`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.results import EVALUATED, OPTIMAL, Condition, Result
from clsc.stochastic.variants.capacity import (
    Limits,
    constrain,
    limit_conditions,
    limit_metrics,
)
from clsc.stochastic.variants.options import choice, number

OPTIONS: Mapping[str, str] = {
    "alpha": "CVaR: risk-aversion level in [0, 1); maximise the mean of the worst (1 - alpha) "
    "fraction of profits (alpha = 0: risk neutral); methods closed-form (shortage = 0) and saa",
}
DEFAULT_SAMPLES = 2_000


def beta_of(options: Mapping[str, Any]) -> float:
    """Tail fraction beta = 1 - alpha (alpha checked in [0, 1))."""
    alpha = number(options, "alpha", 0.0, lower=0.0, upper=1.0)
    if alpha >= 1.0:
        raise ParameterError("alpha", "must satisfy 0 <= alpha < 1", alpha)
    return 1.0 - alpha


def _terms(params: Mapping[str, Any]) -> tuple[float, float, float]:
    """(p - c, p - v + h, s): margin, loss per leftover unit relative to a sale, penalty."""
    p, c, v, h, s = (float(params[k]) for k in ("price", "cost", "salvage", "holding", "shortage"))
    return p - c, p - v + h, s


# ---- closed form (s = 0, continuous demand) ----------------------------------------------------


def cvar_exact(params: Mapping[str, Any], q: float, beta: float) -> tuple[float, float]:
    """(CVaR_beta, VaR_beta) of the profit at q; needs shortage = 0 and continuous demand."""
    margin, loss, _ = _terms(params)
    dist = params["demand"]
    x_beta = float(dist.ppf(beta)) if beta < 1.0 else math.inf
    tail = float(dist.expected_leftover(min(q, x_beta)))
    if q > x_beta:
        tail += beta * (q - x_beta)
    cvar = margin * q - loss * tail / beta
    var = margin * q - loss * max(q - x_beta, 0.0)
    return cvar, var


def q_closed_form(params: Mapping[str, Any], beta: float) -> float:
    margin, loss, _ = _terms(params)
    return float(params["demand"].ppf(beta * margin / loss))


def _check_closed_form(params: Mapping[str, Any]) -> None:
    if float(params["shortage"]) != 0.0:
        raise ParameterError(
            "shortage",
            message="the closed-form CVaR order needs shortage = 0 (profit monotone in D); "
            "use --method saa",
        )
    if getattr(params["demand"], "discrete", False):
        raise ParameterError(
            "demand", message="the closed-form CVaR order needs continuous demand; use saa"
        )


def _expected_profit(params: Mapping[str, Any], q: float) -> float:
    margin, loss, s = _terms(params)
    dist = params["demand"]
    return (
        margin * q - loss * float(dist.expected_leftover(q)) - s * float(dist.expected_shortage(q))
    )


def _result(model: Any, req: Any, status: str, q: float, metrics: dict, conds=()) -> Result:
    return Result.of(
        model,
        req,
        status,
        decisions={"q": q},
        profits={"pi_R": metrics["profit"]},
        metrics=metrics,
        conditions=tuple(conds),
        flags=req.flags,
    )


def solve_closed_form(model: Any, req: Any) -> Result:
    params = req.params
    _check_closed_form(params)
    beta = beta_of(req.options)
    limits = Limits.of(req.options)
    q_rn = max(q_closed_form(params, 1.0), 0.0)
    if "q" in req.fix:
        q = float(req.fix["q"])
        limits.check_fixed(q)
        extra, conds, status = {}, (), EVALUATED
    else:
        res = constrain(
            max(q_closed_form(params, beta), 0.0), lambda x: cvar_exact(params, x, beta)[0], limits
        )
        q, extra, conds, status = res.q, limit_metrics(res), limit_conditions(res, limits), OPTIMAL
    cvar, var = cvar_exact(params, q, beta)
    metrics = {
        "alpha": 1.0 - beta,
        "cvar": cvar,
        "value_at_risk": var,
        "profit": _expected_profit(params, q),
        "q_risk_neutral": q_rn,
        **extra,
    }
    return _result(model, req, status, q, metrics, conds)


# ---- SAA: Rockafellar-Uryasev LP in pyomo / HiGHS -----------------------------------------------


def cvar_lp(
    samples: np.ndarray,
    params: Mapping[str, Any],
    beta: float,
    limits: Limits | None = None,
    q_fixed: float | None = None,
) -> tuple[str, float, float, float]:
    """Solve the RU program over ``samples``; returns (status, q, CVaR, eta = VaR).

    ``q_fixed`` fixes q (the program then evaluates the sample CVaR at that q).
    """
    from scipy import sparse

    from clsc.solvers.highs import solve
    from clsc.solvers.program import LinearProgram
    from clsc.stochastic.saa import highs_options

    limits = limits or Limits()
    margin, loss, s = _terms(params)
    d = np.asarray(samples, dtype=float)
    n = d.size
    # columns (q, eta, u_1..u_n); rows u_i - eta + slope*q >= rhs_i (overage, then underage)
    idx = np.arange(n)
    rows = np.concatenate([idx, idx, idx, n + idx, n + idx, n + idx])
    cols = np.concatenate([np.zeros(n, int), np.ones(n, int), 2 + idx] * 2)
    over_slope, under_slope = margin - loss, margin + s
    one = np.ones(n)
    vals = np.concatenate([np.full(n, over_slope), -one, one, np.full(n, under_slope), -one, one])
    q_lo, q_hi = (0.0, limits.upper) if q_fixed is None else (q_fixed, q_fixed)
    lp = LinearProgram(
        c=np.concatenate([[0.0, -1.0], np.full(n, 1.0 / (beta * n))]),
        A=sparse.csc_matrix((vals, (rows, cols)), shape=(2 * n, n + 2)),
        row_lower=np.concatenate([-loss * d, s * d]),
        col_lower=np.concatenate([[q_lo, -np.inf], np.zeros(n)]),
        col_upper=np.concatenate([[q_hi, np.inf], np.full(n, np.inf)]),
        integrality=np.r_[True, np.zeros(n + 1, bool)] if limits.integer else None,
    )
    sol = solve(lp, options={"output_flag": False} if limits.integer else highs_options(n))
    if not sol:
        return sol.status, math.nan, math.nan, math.nan
    return OPTIMAL, float(sol.x[0]), -float(sol.objective), float(sol.x[1])


def sample_cvar(profits: np.ndarray, beta: float) -> float:
    """Sample CVaR: max over eta of eta - mean((eta - pi)+)/beta (attained at a sample)."""
    x = np.sort(np.asarray(profits, dtype=float))
    n = x.size
    k = beta * n
    whole = math.floor(k)
    total = x[:whole].sum() + (k - whole) * (x[whole] if whole < n else 0.0)
    return float(total / k)


def solve_saa(model: Any, req: Any) -> Result:
    from clsc.stochastic.sampling import METHODS, demand_samples, draw_uniforms

    params = req.params
    beta = beta_of(req.options)
    limits = Limits.of(req.options)
    sampling = choice(req.options, "sampling", METHODS, "plain")
    n = req.samples if req.samples is not None else DEFAULT_SAMPLES
    draws = draw_uniforms(n, req.seed, sampling)
    d = demand_samples(params["demand"], draws)
    q_fixed = None
    if "q" in req.fix:
        q_fixed = float(req.fix["q"])
        limits.check_fixed(q_fixed)
    status, q, cvar, eta = cvar_lp(d, params, beta, limits, q_fixed)
    if status != OPTIMAL:
        return Result(
            model=model.name,
            scenario=req.scenario,
            method=req.method,
            status=status,
            params=dict(params),
            message="the CVaR program did not solve to optimality",
            flags=req.flags,
        )
    margin, loss, s = _terms(params)
    pi = margin * q - loss * np.maximum(q - d, 0.0) - s * np.maximum(d - q, 0.0)
    metrics = {
        "alpha": 1.0 - beta,
        "cvar": cvar,
        "value_at_risk": eta,
        "profit": _expected_profit(params, q),
        "profit_sample": float(pi.mean()),
        "samples": float(d.size),
    }
    se = sectioned_se(d, params, beta, limits, q_fixed)
    # sample CVaR at (q, eta = VaR): eta - mean((eta - pi)+)/beta, d/d eta = 0 at the optimum
    se["cvar"] = float(np.maximum(eta - pi, 0.0).std(ddof=1) / (beta * math.sqrt(d.size)))
    se["profit_sample"] = float(pi.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.nan
    se["profit"] = se["pi_R"] = 0.0  # the exact expectation at the reported q
    conds: tuple[Condition, ...] = ()
    if limits.q_max is not None:
        conds = (
            Condition(
                "capacity_binding", "q = q_max", limits.q_max, q >= limits.upper - 1e-9, "decision"
            ),
        )
    status = EVALUATED if q_fixed is not None else OPTIMAL
    out = _result(model, req, status, q, metrics, conds)
    return replace(out, std_errors={k: v for k, v in se.items() if math.isfinite(v)},
                   message=SE_NOTE)  # fmt: skip


#: independent sections of the sample for the standard errors of the CVaR program
SECTIONS = 10
SE_NOTE = (
    f"se of q and value_at_risk by sectioning: the CVaR program re-solved on {SECTIONS} "
    "independent sections of the sample, sd(section values)/sqrt(sections); cvar: "
    "sd((VaR - profit)+)/(beta sqrt(n)) (the asymptotic se of a sample CVaR; q held fixed, "
    "first order at the optimum); profit_sample: sd/sqrt(n) at the reported q; profit is the "
    "exact expectation at the reported q"
)


def sectioned_se(
    d: np.ndarray, params: Mapping[str, Any], beta: float, limits: Limits, q_fixed
) -> dict[str, float]:
    """se of q and value_at_risk by sectioning (none if a section fails or n is small)."""
    n = d.size // SECTIONS
    if n < 2:
        return {}
    parts = [
        cvar_lp(d[k * n : (k + 1) * n], params, beta, limits, q_fixed) for k in range(SECTIONS)
    ]
    if any(p[0] != OPTIMAL for p in parts):
        return {}
    values = np.array([p[1:] for p in parts])
    sd = values.std(axis=0, ddof=1) / math.sqrt(SECTIONS)
    out = {"value_at_risk": float(sd[2])}
    if q_fixed is None:
        out["q"] = float(sd[0])
    return out


#: method -> solver of the CVaR variant
SOLVERS: Mapping[str, Any] = {"closed-form": solve_closed_form, "saa": solve_saa}
