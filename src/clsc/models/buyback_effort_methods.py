"""Model ``buyback-effort``: the registered model, its sampled methods and its variants.

The economics, the equilibrium and the closed-form method are in
:mod:`clsc.models.buyback_effort` (read its docstring for the equations). Here:

* ``mc`` / ``saa``: both orders q_N and q_B from one demand sample (common random numbers) by
  :mod:`clsc.stochastic.contracts_mc` (empirical quantile or sample-average LP), e from the
  sample leftover, every output with a sectioning standard error;
* capacity ``q_max`` / ``integer`` orders (both scenarios, every method): the orders are
  constrained, M's effort re-optimised at the constrained q_B, and delta_R, Gamma, k_bar
  (conditions (14)/(15)) computed at the constrained quantities;
* scenario B with a general resale value p'(e) (``resale``, ``gamma``) and effort chosen
  ``ex-ante`` or ``ex-post`` (``effort_timing``): M's effort problem by
  :mod:`clsc.stochastic.variants.effort_recourse` (quadrature for ``closed-form``, Monte Carlo
  for ``mc``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from clsc.errors import ParameterError
from clsc.models.base import Model, SolveRequest, Variant
from clsc.models.buyback_effort import (
    SCENARIOS,
    SPEC,
    assemble,
    conditions,
    equilibrium,
    profits_at,
    solve_closed_form,
    vectorised_closed_form,
)
from clsc.models.registry import register
from clsc.params import ParamSpec
from clsc.results import EVALUATED, NOT_PROVEN, OPTIMAL, UNBOUNDED, Condition, Result
from clsc.stochastic.contracts_mc import OPTIONS as SAMPLED_OPTIONS
from clsc.stochastic.contracts_mc import Order, Stat, run_sectioned
from clsc.stochastic.mc import SortedSamples
from clsc.stochastic.sampling import demand_samples, draw_uniforms
from clsc.stochastic.variants.capacity import METRIC_KEYS as CAPACITY_METRICS
from clsc.stochastic.variants.capacity import OPTIONS as CAPACITY_OPTIONS
from clsc.stochastic.variants.capacity import SELECTS as CAPACITY_SELECTS
from clsc.stochastic.variants.capacity import (
    Limits,
    exact_order,
    limit_conditions,
    limit_metrics,
    marginal_value,
    sample_order,
    variant_solvers,
    without_limits,
)
from clsc.stochastic.variants.effort_recourse import (
    DEFAULT_RESALE,
    MC_SAMPLES,
    TIMINGS,
    Recourse,
    Resale,
    ex_ante,
    ex_ante_mc,
    ex_post_mc,
    ex_post_quadrature,
)
from clsc.stochastic.variants.effort_recourse import OPTIONS as EFFORT_OPTIONS
from clsc.stochastic.variants.options import choice, number

Solver = Callable[[Any, Any], Result]


# ---- mc / saa ---------------------------------------------------------------------------------


def buyback_effort_stat(
    values: Mapping[str, Any], scenario: str, fix: Mapping, order: Order
) -> Stat:
    """Sample statistic of buyback-effort: orders, e, profits and the (14)/(15) quantities."""
    p, w, v, b, k = (float(values[n]) for n in ("p", "w", "v", "b", "k"))

    def stat(d: np.ndarray) -> dict[str, float]:
        ss = SortedSamples(d)
        q_N, q_B = order(ss, p, v, w), order(ss, p, b, w)
        q = float(fix.get("q", q_N if scenario == "N" else q_B))
        S_N, S_B, S = ss.moments(np.array([q_N, q_B, q])).leftover
        eq = assemble(values, q_N, q_B, float(S_N), float(S_B))
        dec = {"q": q}
        if scenario == "B":
            dec["e"] = float(fix.get("e", v * S / (2.0 * k)))
        prof = profits_at(values, scenario, q, dec.get("e", 0.0), float(S))
        return {**dec, **prof, "S": float(S), **eq.metrics()}

    return stat


def solve_buyback_effort(
    model: Any, req: Any, method: str, wrap_order: Callable[[Order], Order] | None = None
) -> Result:
    """``mc`` / ``saa`` solution of buyback-effort (both scenarios from one sample: CRN).

    ``wrap_order`` (optional) transforms the order function, e.g. to impose a capacity limit
    on both orders q_N and q_B (clsc.stochastic.variants.capacity.sample_order)."""
    if req.scenario == "N" and "e" in req.fix:
        raise ParameterError("e", message="e is a decision only in scenario B (got --fix e)")
    for name, value in req.fix.items():
        if value < 0:
            raise ParameterError(name, "must be >= 0", value)
    values = req.params
    run = run_sectioned(
        lambda order: buyback_effort_stat(values, req.scenario, req.fix, order),
        values["demand"],
        method,
        req.options,
        req.samples,
        req.seed,
        wrap_order,
    )
    est = run.estimates
    dec_keys = ("q", "e") if req.scenario == "B" else ("q",)
    prof_keys = ("pi_R", "pi_M", "total")
    return Result.of(
        model,
        req,
        EVALUATED if req.fix else OPTIMAL,
        params=dict(values),
        decisions={key: est[key] for key in dec_keys},
        profits={key: est[key] for key in prof_keys},
        metrics={key: v for key, v in est.items() if key not in (*dec_keys, *prof_keys)}
        | {"samples": run.n},
        conditions=conditions(values, est["delta_R"], est["k_bar"]),
        std_errors=run.std_errors,
        flags=(*req.flags, *unbounded_se_flags(run.std_errors)),
        message=run.message,
    )


def unbounded_se_flags(std_errors: Mapping[str, float]) -> tuple[str, ...]:
    """A flag naming the outputs whose sectioning se is not finite (an output unbounded in
    some section, e.g. k_bar = v^2 S^2/(4 Gamma) where a section's Gamma <= 0)."""
    bad = sorted(k for k, e in std_errors.items() if not math.isfinite(e))
    if not bad:
        return ()
    return (
        f"standard errors of {', '.join(bad)} are not finite: unbounded in some sections "
        "(e.g. k_bar where a section's Gamma <= 0); these estimates are not reliable, use "
        "more samples",
    )


def solve_mc(model: Model, req: SolveRequest) -> Result:
    return solve_buyback_effort(model, req, "mc")


def solve_saa(model: Model, req: SolveRequest) -> Result:
    return solve_buyback_effort(model, req, "saa")


# ---- capacity and integer orders ------------------------------------------------------------


def _buyback_closed_form(model: Any, req: Any, base: Solver, limits: Limits) -> Result:
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


def _limits(req: Any) -> tuple[Any, Limits]:
    limits = Limits.of(req.options)
    req = without_limits(req)
    if "q" in req.fix:
        limits.check_fixed(float(req.fix["q"]))
    return req, limits


def solve_buyback_exact(model: Any, req: Any, base: Solver) -> Result:
    """buyback-effort under the limits, closed form (see the module docstring)."""
    req, limits = _limits(req)
    if "q" in req.fix:
        return base(model, req)
    return _buyback_closed_form(model, req, base, limits)


def solve_buyback(model: Any, req: Any, base: Solver) -> Result:
    """buyback-effort under the limits, mc / saa (see the module docstring)."""
    req, limits = _limits(req)
    if "q" in req.fix:
        return base(model, req)
    out = solve_buyback_effort(
        model, req, req.method, wrap_order=lambda order: sample_order(order, limits)
    )
    note = f"; orders limited (q_max={limits.q_max}, integer={limits.integer})"
    return replace(out, message=out.message + note)


# ---- general resale value and effort timing (scenario B) -------------------------------------


def _settings(req: Any) -> tuple[Resale, str]:
    values = req.params
    gamma = number(req.options, "gamma", 1.0)
    timing = choice(req.options, "effort_timing", TIMINGS, "ex-ante")
    text = req.options.get("resale", DEFAULT_RESALE)
    return Resale.parse(text, float(values["v"]), gamma), timing


def _decisions(req: Any, q_B: float, timing: str) -> tuple[float, float | None]:
    q = float(req.fix.get("q", q_B))
    if not math.isfinite(q) or q < 0.0:
        raise ParameterError("q", "must be a finite number >= 0", q)
    e_fixed = req.fix.get("e")
    if e_fixed is not None:
        if timing == "ex-post":
            raise ParameterError(
                "e", message="e is a policy e(L) with effort_timing=ex-post; cannot --fix e"
            )
        e_fixed = float(e_fixed)
        if not math.isfinite(e_fixed) or e_fixed < 0.0:
            raise ParameterError("e", "must be a finite number >= 0", e_fixed)
    return q, e_fixed


def _recourse_quadrature(req: Any, resale: Resale, timing: str, q: float, e_fixed) -> Recourse:
    k, dist = float(req.params["k"]), req.params["demand"]
    if timing == "ex-ante":
        return ex_ante(resale, k, float(dist.expected_leftover(q)), e_fixed)
    return ex_post_quadrature(resale, k, dist, q)


def _recourse_mc(req: Any, resale: Resale, timing: str, q: float, e_fixed) -> Recourse:
    k = float(req.params["k"])
    n = req.samples if req.samples is not None else MC_SAMPLES
    d = demand_samples(req.params["demand"], draw_uniforms(n, req.seed))
    L = np.maximum(q - d, 0.0)
    if timing == "ex-ante":
        return ex_ante_mc(resale, k, L, e_fixed)
    return ex_post_mc(resale, k, d, q)


RECOURSE = {"closed-form": _recourse_quadrature, "mc": _recourse_mc}


def solve_effort(model: Any, req: Any) -> Result:
    """Scenario B with the resale/gamma/effort_timing options (see the module docstring)."""
    values = req.params
    resale, timing = _settings(req)
    eq = equilibrium(values)
    q, e_fixed = _decisions(req, eq.q_B, timing)
    p, w, c, b = (float(values[n]) for n in ("p", "w", "cm", "b"))
    S = float(values["demand"].expected_leftover(q))
    rec = RECOURSE[req.method](req, resale, timing, q, e_fixed)
    base = dict(model=model.name, scenario=req.scenario, method=req.method, params=dict(values))
    if not rec.effort.bounded:
        msg = f"M's effort problem is unbounded: p'(e)*W - k*e^2 keeps increasing ({resale.text})"
        return Result(**base, status=UNBOUNDED, flags=req.flags, message=msg)
    pi_R = (p - w) * q - (p - b) * S
    pi_M = (w - c) * q - b * S + rec.value
    ex_ante_timing = timing == "ex-ante"
    decisions = {"q": q, "e": rec.e} if ex_ante_timing else {"q": q}
    metrics = {
        "S": S,
        "effort_value": rec.value,
        "e_mean" if not ex_ante_timing else "e_B": rec.e,
        "pi_M_N": eq.pi_M_N,
        "pi_R_N": eq.pi_R_N,
        "q_N": eq.q_N,
        "q_B": eq.q_B,
        "delta_M": pi_M - eq.pi_M_N,
    }
    if not ex_ante_timing:
        metrics["e_at_q"] = rec.e_at_q
    conds = (
        Condition("R_concave", "d2 pi_R/dq2 = -(p - b)*f(q) <= 0", None, True, "SOC"),
        Condition(
            "M_concave_e",
            "max_e p''(e)*W_max - 2k <= 0 (M's effort problem concave)",
            rec.effort.curvature,
            rec.effort.concave,
            "SOC",
        ),
        Condition("M_gains", "pi_M^B >= pi_M^N", pi_M - eq.pi_M_N, pi_M >= eq.pi_M_N, "decision"),
    )
    status = EVALUATED if req.fix else (OPTIMAL if rec.effort.concave else NOT_PROVEN)
    message = f"resale p'(e) = {resale.text}; effort {timing}"
    if not rec.effort.concave:
        message += "; M's effort problem is not concave: global grid search, optimality not proven"
    if not ex_ante_timing:
        message += "; e is a policy e(L): metrics e_mean = E[e(L)], e_at_q = e(q)"
    std = {}
    if req.method == "mc":  # only M's effort term is sampled; the rest are closed forms
        std = {key: 0.0 for key in ("q", "pi_R", "S", "pi_M_N", "pi_R_N", "q_N", "q_B")}
        std.update({key: rec.se for key in ("pi_M", "total", "effort_value", "delta_M")})
        std.update({"e_mean" if not ex_ante_timing else "e_B": rec.e_se})
        if ex_ante_timing:
            std["e"] = 0.0 if e_fixed is not None else rec.e_se
        else:
            std["e_at_q"] = 0.0  # e(L) at L = q: deterministic
        std = {key: v for key, v in std.items() if math.isfinite(v)}
        message += (
            "; mc: only M's effort term is sampled (se: sd/sqrt(n) of the per-sample values, "
            "delta method for the ex-ante effort from se of the mean leftover); q, S, pi_R and "
            "the N-scenario values are closed forms (se 0)"
        )
    return Result(
        **base,
        status=status,
        decisions=decisions,
        profits={"pi_R": pi_R, "pi_M": pi_M, "total": pi_R + pi_M},
        metrics=metrics,
        conditions=conds,
        std_errors=std,
        flags=req.flags,
        message=message,
    )


@register
class BuybackEffort(Model):
    """Seed 004: buyback of leftovers with remanufacturing effort (see the module docstring)."""

    name: ClassVar[str] = "buyback-effort"
    summary: ClassVar[str] = (
        "Manufacturer buys back a newsvendor contractor's leftovers and remanufactures them "
        "with costly effort (scenarios N, B); any continuous demand on [0, inf)"
    )
    scenarios: ClassVar[tuple[str, ...]] = SCENARIOS
    default_scenario: ClassVar[str | None] = "B"
    spec: ClassVar[ParamSpec] = SPEC
    decisions: ClassVar[tuple[str, ...]] = ("q", "e")
    profit_keys: ClassVar[tuple[str, ...]] = ("pi_R", "pi_M", "total")
    metric_keys: ClassVar[tuple[str, ...]] = (
        *("S", "q_N", "q_B", "S_N", "S_B", "e_B", "pi_R_N", "pi_R_B", "pi_M_N", "pi_M_B"),
        *("delta_R", "Gamma", "k_bar"),
        "samples",  # mc / saa
        *CAPACITY_METRICS,  # q_max / integer
        *("q_N_unconstrained", "q_B_unconstrained"),
        *("effort_value", "e_mean", "e_at_q", "delta_M"),  # resale / gamma / effort_timing
    )
    methods: ClassVar[Mapping[str, Any]] = {
        "closed-form": solve_closed_form,
        "mc": solve_mc,
        "saa": solve_saa,
    }
    exact_keys: ClassVar[frozenset[str]] = frozenset({"samples"})  # a count
    variants: ClassVar[tuple[Variant, ...]] = (
        Variant(
            "effort recourse",
            "general resale value p'(e) and effort chosen ex ante or ex post (scenario B)",
            selects=("resale", "gamma", "effort_timing"),
            scenarios=("B",),
            solvers={method: solve_effort for method in RECOURSE},
            excludes=("order limits",),
        ),
        Variant(
            "order limits",
            "capacity q <= q_max and/or integer orders q_N, q_B; effort re-optimised",
            selects=CAPACITY_SELECTS,
            solvers=variant_solvers(solve_buyback_exact, solve_buyback),
            wraps=True,
        ),
    )
    #: the closed form on many points at once (clsc.sweeps)
    vectorised = staticmethod(vectorised_closed_form)
    options: ClassVar[Mapping[str, str]] = {
        **SAMPLED_OPTIONS,
        **EFFORT_OPTIONS,
        **CAPACITY_OPTIONS,
    }
