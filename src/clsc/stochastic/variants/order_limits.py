"""Capacity q <= q_max and integer orders for the ``contracts`` and ``buyback-effort`` models.

The retailer/contractor R's expected profit G(q) = r*E[min(D,q)] + s*E[(q-D)+] - w*q is concave
in q, so the constrained order is min(q*, q_max) and, for integer orders, the better of the two
integer neighbours by exact expectation (:mod:`clsc.stochastic.variants.capacity`).

contracts (all scenarios, any method): R's order q is constrained (mc/saa: G evaluated with the
same samples, common random numbers). ``q_int``, ``total_int``, ``efficiency`` and the
coordinating terms stay those of the UNCONSTRAINED integrated channel; ``closed-form`` also
reports the capacity-constrained integrated channel ``q_int_cap`` (= q_int under the same
limits), ``total_int_cap``, ``efficiency_cap`` = total/total_int_cap, and the shadow prices
``capacity_shadow_price`` = G_R'(q_max) (R's marginal value of capacity, when binding) and
``channel_shadow_price`` = p - c - (p - v)*F(q_max) (when binding for the channel; with v >= cm
the capped channel orders q_max, without q_max it is nan as q_int). In buyback
with w <= v + b R's order is unbounded without capacity; with ``q_max`` it is q_max (optimal).

buyback-effort (N and B; closed-form, mc, saa): both orders q_N and q_B are constrained (R orders
in either scenario); in B, M's effort is re-optimised at the constrained order,
e* = v*S(q_B)/(2k), so pi_M^B changes. All of q_N, q_B, S_N, S_B, e_B, the profits, delta_R,
Gamma and k_bar (conditions (14), (15)) are computed at the constrained quantities, with
pi_R(q) = (p - w)*q - (p - s)*S(q) (the partial-expectation form holds only at an interior
optimum). Not combined with the effort options (resale, gamma, effort_timing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from clsc.errors import ParameterError
from clsc.results import EVALUATED, OPTIMAL, UNBOUNDED, Result
from clsc.stochastic.variants.capacity import (
    OPTIONS,
    Constrained,
    Limits,
    exact_order,
    limit_conditions,
    limit_metrics,
    marginal_value,
    newsvendor_value,
    sample_order,
    solve_limited,
    without_limits,
)
from clsc.stochastic.variants.effort_recourse import OPTIONS as EFFORT_OPTIONS

Solver = Callable[[Any, Any], Result]
NAN = math.nan


def _limited(req: Any) -> bool:
    return any(name in req.options for name in OPTIONS)


def wrap(base: Solver, limited: Callable[[Any, Any, Solver], Result]) -> Solver:
    """Route requests with a capacity option to ``limited``, others to ``base``."""

    def solver(model: Any, req: Any) -> Result:
        return limited(model, req, base) if _limited(req) else base(model, req)

    solver.__name__ = getattr(base, "__name__", "solver")
    solver.__doc__ = base.__doc__
    return solver


# ---- contracts --------------------------------------------------------------------------------


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
        "efficiency_cap": total / total_cap if total_cap else NAN,
        "channel_shadow_price": shadow,
    }


def solve_contracts(model: Any, req: Any, base: Solver) -> Result:
    """contracts under the limits (see the module docstring)."""
    from clsc.models.contracts import retailer_terms

    limits = Limits.of(req.options)
    out, res = solve_limited(model, req, base, lambda r: float(r.profits["pi_R"]))
    if out.status == UNBOUNDED and limits.q_max is not None:
        out, res = _capacity_order(model, req, base, limits)
    if res is None or req.method != "closed-form":
        return out
    x, dist = out.params, out.params["demand"]
    metrics = {**out.metrics, **channel_cap(dist, x, limits, float(out.profits["total"]))}
    price, salvage, cost = retailer_terms(req.scenario, x)
    metrics["capacity_shadow_price"] = (
        marginal_value(dist, price, salvage, cost, limits.q_max) if res.binding else 0.0
    )
    return replace(out, metrics=metrics)


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


# ---- buyback-effort ---------------------------------------------------------------------------


def _buyback_closed_form(model: Any, req: Any, base: Solver, limits: Limits) -> Result:
    from clsc.models.buyback_effort import assemble, conditions

    values = req.params
    dist = values["demand"]
    p, w, v, b = (float(values[n]) for n in ("p", "w", "v", "b"))
    res_N, res_B = exact_order(dist, p, v, w, limits), exact_order(dist, p, b, w, limits)
    res = res_N if req.scenario == "N" else res_B
    out = base(model, replace(req, fix={**req.fix, "q": res.q}))
    S_N, S_B = (float(dist.expected_leftover(r.q)) for r in (res_N, res_B))
    eq = assemble(values, res_N.q, res_B.q, S_N, S_B)
    s = v if req.scenario == "N" else b
    metrics = {
        **out.metrics,
        **eq.metrics(),
        **limit_metrics(res),
        "q_N_unconstrained": res_N.q_unconstrained,
        "q_B_unconstrained": res_B.q_unconstrained,
        "capacity_shadow_price": (
            marginal_value(dist, p, s, w, limits.q_max) if res.binding else 0.0
        ),
    }
    return replace(
        out,
        status=EVALUATED if req.fix else OPTIMAL,
        metrics=metrics,
        conditions=(*conditions(values, eq.delta_R, eq.k_bar), *limit_conditions(res, limits)),
    )


def solve_buyback(model: Any, req: Any, base: Solver) -> Result:
    """buyback-effort under the limits (see the module docstring)."""
    effort = [name for name in EFFORT_OPTIONS if name in req.options]
    if effort:
        raise ParameterError(
            effort[0], message=f"options q_max/integer cannot be combined with {effort[0]}"
        )
    limits = Limits.of(req.options)
    req = without_limits(req)
    if "q" in req.fix:
        limits.check_fixed(float(req.fix["q"]))
        return base(model, req)
    if req.method == "closed-form":
        return _buyback_closed_form(model, req, base, limits)
    from clsc.stochastic.contracts_mc import solve_buyback_effort

    out = solve_buyback_effort(
        model, req, req.method, wrap_order=lambda order: sample_order(order, limits)
    )
    note = f"; orders limited (q_max={limits.q_max}, integer={limits.integer})"
    return replace(out, message=out.message + note)
