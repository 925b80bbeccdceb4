"""Model ``contracts``: the registered model, its sampled methods and its capacity variant.

The economics and the closed-form method are in :mod:`clsc.models.contracts` (read its docstring
for the equations). Here:

* ``mc`` / ``saa``: the retailer's order from a demand sample by
  :mod:`clsc.stochastic.contracts_mc` (empirical quantile or sample-average LP), every output with
  a sectioning standard error;
* capacity ``q_max`` / ``integer`` orders (every scenario and method): R's order q is constrained
  (mc/saa: the same samples); ``q_int``, ``total_int``, ``efficiency`` and the coordinating terms
  stay those of the UNCONSTRAINED integrated channel; ``closed-form`` also reports the
  capacity-constrained integrated channel ``q_int_cap``, ``total_int_cap``, ``efficiency_cap`` =
  total/total_int_cap, and the shadow prices ``capacity_shadow_price`` = G_R'(q_max) and
  ``channel_shadow_price`` = p - c - (p - v)*F(q_max) (when binding). In buyback with
  w <= v + b R's order is unbounded without capacity; with ``q_max`` it is q_max (optimal).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from clsc.errors import ParameterError
from clsc.models.base import Model, SolveRequest, Variant
from clsc.models.contracts import (
    SCENARIOS,
    SPEC,
    coordination,
    critical_ratio,
    profits,
    resolve_terms,
    retailer_terms,
    solve_closed_form,
    unbounded,
    vectorised_closed_form,
)
from clsc.models.registry import register
from clsc.params import ParamSpec
from clsc.results import EVALUATED, OPTIMAL, UNBOUNDED, Result
from clsc.stochastic.contracts_mc import OPTIONS as SAMPLED_OPTIONS
from clsc.stochastic.contracts_mc import Order, Stat, run_sectioned
from clsc.stochastic.mc import SortedSamples
from clsc.stochastic.variants.capacity import METRIC_KEYS as CAPACITY_METRICS
from clsc.stochastic.variants.capacity import OPTIONS as CAPACITY_OPTIONS
from clsc.stochastic.variants.capacity import SELECTS as CAPACITY_SELECTS
from clsc.stochastic.variants.capacity import (
    Constrained,
    Limits,
    exact_order,
    limit_conditions,
    limit_metrics,
    marginal_value,
    newsvendor_value,
    solve_limited,
    variant_solvers,
    without_limits,
)

Solver = Callable[[Any, Any], Result]
NAN = math.nan


# ---- mc / saa ---------------------------------------------------------------------------------


def contracts_stat(x: Mapping[str, Any], scenario: str, fix: Mapping, order: Order) -> Stat:
    """Sample statistic of the contracts model: order, profits, channel and efficiency."""
    p, c, v = float(x["p"]), float(x["cm"]), float(x["v"])
    price, salvage, cost = retailer_terms(scenario, x)
    integrated = v < c

    def stat(d: np.ndarray) -> dict[str, float]:
        ss = SortedSamples(d)
        q = float(fix["q"]) if "q" in fix else order(ss, price, salvage, cost)
        q_int = order(ss, p, v, c) if integrated else math.nan
        mom = ss.moments(np.array([q, q_int if integrated else q]))
        sales, over, under = (float(a[0]) for a in (mom.sales, mom.leftover, mom.shortage))
        prof = profits(scenario, x, q, sales, over)
        if integrated:
            total_int = p * float(mom.sales[1]) + v * float(mom.leftover[1]) - c * q_int
        else:
            total_int = math.nan
        return {
            "q": q,
            **prof,
            "q_int": q_int,
            "total_int": total_int,
            "efficiency": prof["total"] / total_int if total_int else math.nan,
            "sales": sales,
            "overstock": over,
            "understock": under,
        }

    return stat


def solve_sampled_terms(model: Any, req: Any) -> Result:
    """``mc`` / ``saa`` solution of the contracts model (terms already resolved in ``req``)."""
    x = req.params
    method = req.method
    if req.fix.get("q", 0.0) < 0:
        raise ParameterError("q", "must be >= 0", req.fix["q"])
    run = run_sectioned(
        lambda order: contracts_stat(x, req.scenario, req.fix, order),
        x["demand"],
        method,
        req.options,
        req.samples,
        req.seed,
    )
    est, se = run.estimates, run.std_errors
    coord = coordination(req.scenario, x)
    metrics = {k: v for k, v in est.items() if k not in ("q", "pi_R", "pi_M", "total")}
    metrics["critical_ratio"] = critical_ratio(*retailer_terms(req.scenario, x))
    metrics |= coord
    if coord:
        metrics["pi_R_coord"] = coord["share_R_coord"] * est["total_int"]
        metrics["pi_M_coord"] = (1.0 - coord["share_R_coord"]) * est["total_int"]
        if "total_int" in se:
            se["pi_R_coord"] = abs(coord["share_R_coord"]) * se["total_int"]
            se["pi_M_coord"] = abs(1.0 - coord["share_R_coord"]) * se["total_int"]
    metrics["samples"] = run.n
    return Result(
        model=model.name,
        scenario=req.scenario,
        method=method,
        status=EVALUATED if req.fix else OPTIMAL,
        params=dict(x),
        decisions={"q": est["q"]},
        profits={k: est[k] for k in ("pi_R", "pi_M", "total")},
        metrics=metrics,
        std_errors=se,
        flags=(*req.flags, *run.notes),
        message=run.message,
    )


def solve_sampled(model: Model, req: SolveRequest) -> Result:
    x = resolve_terms(req.scenario, req.params, req.options)
    if (res := unbounded(model, req, x)) is not None:
        return replace(res, method=req.method)
    return solve_sampled_terms(model, replace(req, params=x))


# ---- capacity and integer orders ------------------------------------------------------------


def channel_cap(dist: Any, x: Any, limits: Limits, total: float) -> dict[str, float]:
    """The capacity-constrained integrated channel (q_max when v >= cm; nan without q_max)."""
    p, c, v = float(x["p"]), float(x["cm"]), float(x["v"])
    if v >= c and limits.q_max is None:
        keys = ("q_int_cap", "total_int_cap", "efficiency_cap", "channel_shadow_price")
        return dict.fromkeys(keys, NAN)
    if v >= c:  # the channel's profit is nondecreasing in q: it orders the capacity
        cap = Constrained(limits.upper, math.inf, True, (limits.upper,))
    else:
        cap = exact_order(dist, p, v, c, limits)
    total_cap = newsvendor_value(dist, p, v, c, cap.q)
    shadow = marginal_value(dist, p, v, c, limits.q_max) if cap.binding else 0.0
    return {
        "q_int_cap": cap.q,
        "total_int_cap": total_cap,
        "efficiency_cap": total / total_cap if total_cap else math.nan,
        "channel_shadow_price": shadow,
    }


def solve_limited_contracts(model: Any, req: Any, base: Solver) -> Result:
    """contracts under the limits, sampled methods (see the module docstring)."""
    return _limited(model, req, base)[0]


def solve_limited_contracts_exact(model: Any, req: Any, base: Solver) -> Result:
    """contracts under the limits in closed form, with the capacity-constrained channel and
    the shadow prices (see the module docstring)."""
    out, res, limits = _limited(model, req, base)
    if res is None:
        return out
    x, dist = out.params, out.params["demand"]
    metrics = {**out.metrics, **channel_cap(dist, x, limits, float(out.profits["total"]))}
    price, salvage, cost = retailer_terms(req.scenario, x)
    metrics["capacity_shadow_price"] = (
        marginal_value(dist, price, salvage, cost, limits.q_max) if res.binding else 0.0
    )
    return replace(out, metrics=metrics)


def _limited(model: Any, req: Any, base: Solver) -> tuple[Result, Any, Limits]:
    limits = Limits.of(req.options)
    out, res = solve_limited(model, req, base, lambda r: float(r.profits["pi_R"]))
    if out.status == UNBOUNDED and limits.q_max is not None:
        out, res = _capacity_order(model, req, base, limits)
    return out, res, limits


def _capacity_order(model: Any, req: Any, base: Solver, limits: Limits) -> tuple:
    """R's order is unbounded without capacity (v + b >= w: G nondecreasing): q = q_max."""
    q = limits.upper
    out = base(model, replace(without_limits(req), fix={**req.fix, "q": q}))
    res = Constrained(q, math.inf, True, (q,))
    msg = "retailer's order unbounded without the capacity (v + b >= w): q = q_max"
    out = replace(
        out,
        status=OPTIMAL,
        metrics={**out.metrics, **limit_metrics(res)},
        conditions=limit_conditions(res, limits),
        message=f"{out.message}; {msg}" if out.message else msg,
    )
    return out, res


@register
class Contracts(Model):
    """Wholesale, buyback and revenue-sharing contracts on a newsvendor retailer."""

    name: ClassVar[str] = "contracts"
    summary: ClassVar[str] = (
        "Classic newsvendor contracts (wholesale, buyback, revenue sharing): retailer's order, "
        "profits, channel efficiency and coordinating terms; any demand distribution"
    )
    scenarios: ClassVar[tuple[str, ...]] = SCENARIOS
    default_scenario: ClassVar[str | None] = "wholesale"
    spec: ClassVar[ParamSpec] = SPEC
    decisions: ClassVar[tuple[str, ...]] = ("q",)
    profit_keys: ClassVar[tuple[str, ...]] = ("pi_R", "pi_M", "total")
    metric_keys: ClassVar[tuple[str, ...]] = (
        *("sales", "overstock", "understock", "critical_ratio", "q_int", "total_int"),
        *("efficiency", "b_coord", "w_coord", "share_R_coord", "pi_R_coord", "pi_M_coord"),
        "samples",  # mc / saa
        *CAPACITY_METRICS,  # q_max / integer
        *("q_int_cap", "total_int_cap", "efficiency_cap", "channel_shadow_price"),
    )
    methods: ClassVar[Mapping[str, Any]] = {
        "closed-form": solve_closed_form,
        "mc": solve_sampled,
        "saa": solve_sampled,
    }
    exact_keys: ClassVar[frozenset[str]] = frozenset(
        {
            "critical_ratio",  # a closed form of the prices (the fractile of the order)
            "b_coord",  # coordinating buyback price: closed form, independent of F
            "w_coord",  # coordinating wholesale price: closed form, independent of F
            "share_R_coord",  # R's share of total_int under coordination: closed form
            "samples",  # a count
            "capacity_binding",  # indicator of q* > q_max (q_max, integer): given q*
        }
    )
    variants: ClassVar[tuple[Variant, ...]] = (
        Variant(
            "order limits",
            "capacity q <= q_max and/or integer q for the retailer's order (any scenario)",
            selects=CAPACITY_SELECTS,
            solvers=variant_solvers(solve_limited_contracts_exact, solve_limited_contracts),
            wraps=True,
        ),
    )
    #: the closed form on many points at once (clsc.sweeps)
    vectorised = staticmethod(vectorised_closed_form)
    options: ClassVar[Mapping[str, str]] = {
        "lam": "retailer's share of total_int: solve at the coordinating (w, b) or (w, phi)",
        **SAMPLED_OPTIONS,
        **CAPACITY_OPTIONS,
    }
