"""Capacity limit q <= q_max and integer order quantities for a concave objective in q.

For an objective G(q) concave in q with unconstrained maximiser q* (the newsvendor's expected
profit, its CVaR, or the profit at a fixed price), concavity gives

    q_cap = min(q*, q_max)                                  (capacity)
    q_int = argmax {G(floor(q_cap)), G(ceil(q_cap))}        (integer q, ceil kept <= q_max)

(ties go to the smaller order). The ``constrain`` helper applies both to any objective;
:func:`solve_limited` wraps any solver whose result has an order ``q`` (closed-form, mc or saa),
evaluating G at a fixed q with the same solver (exact loss functions, or sample averages with
the same seed, i.e. common random numbers); :func:`solve_newsvendor` is its newsvendor use.
:func:`exact_order` / :func:`sample_order` constrain the order of a newsvendor with unit revenue
r, salvage s and unit cost w, G(q) = r*E[min(D,q)] + s*E[(q-D)+] - w*q (exact loss functions, or
the sample moments of one sample), for models with several orders (contracts, buyback-effort).
The marginal value of capacity is reported as ``capacity_shadow_price`` = G'(q_max) =
c_u - (c_u + c_o)*F(q_max) (= r - w - (r - s)*F(q_max), the right derivative for discrete D)
when the limit binds (closed form).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.results import EVALUATED, OPTIMAL, Condition, Result
from clsc.stochastic.variants.options import flag, number

OPTIONS: Mapping[str, str] = {
    "q_max": "capacity limit q <= q_max (q = min(q*, q_max) by concavity)",
    "integer": "true: integer order quantity (the better integer neighbour of the continuous "
    "optimum)",
}
#: the metrics a model's result carries with these options (``limit_metrics``)
METRIC_KEYS = ("q_unconstrained", "capacity_binding", "capacity_shadow_price")
#: what selects a model's ``order limits`` variant
SELECTS = tuple(OPTIONS)


def variant_solvers(exact: Callable[..., Result], sampled: Callable[..., Result]) -> dict:
    """The method -> wrapper table of an ``order limits`` variant: ``exact`` around the
    ``closed-form`` method, ``sampled`` around ``mc`` and ``saa`` (the same samples)."""
    return {"closed-form": exact, "mc": sampled, "saa": sampled}


@dataclass(frozen=True)
class Limits:
    """Capacity and integrality of the order quantity."""

    q_max: float | None = None
    integer: bool = False

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> Limits:
        q_max = number(options, "q_max", None, lower=0.0, strict=True, allow_inf=True)
        if q_max is not None and math.isinf(q_max):
            q_max = None
        integer = flag("integer", options["integer"]) if "integer" in options else False
        return cls(q_max, integer)

    @property
    def active(self) -> bool:
        return self.q_max is not None or self.integer

    @property
    def upper(self) -> float:
        """Largest admissible q (floor of q_max for integer orders)."""
        if self.q_max is None:
            return math.inf
        return float(math.floor(self.q_max + 1e-9)) if self.integer else self.q_max

    def check_fixed(self, q: float) -> None:
        """A fixed q must respect the limits."""
        if q > self.upper + 1e-12:
            raise ParameterError("q", f"must be <= q_max = {self.q_max:g}", q)
        if self.integer and not float(q).is_integer():
            raise ParameterError("q", "must be an integer (option integer=true)", q)


@dataclass(frozen=True)
class Constrained:
    """The constrained order and what it is compared with."""

    q: float
    q_unconstrained: float
    binding: bool
    candidates: tuple[float, ...]


def constrain(q_star: float, objective: Callable[[float], float], limits: Limits) -> Constrained:
    """Apply the capacity and integrality of ``limits`` to the maximiser ``q_star`` of a
    concave ``objective`` (called only for the integer neighbours)."""
    q_star = max(float(q_star), 0.0)
    upper = limits.upper
    q_cap = min(q_star, upper)
    binding = q_star > upper
    if not limits.integer:
        return Constrained(q_cap, q_star, binding, (q_cap,))
    cands = sorted({float(math.floor(q_cap)), float(min(math.ceil(q_cap), upper))})
    values = [objective(q) for q in cands]
    best = max(range(len(cands)), key=lambda i: (values[i], -cands[i]))
    return Constrained(cands[best], q_star, binding, tuple(cands))


def limit_metrics(res: Constrained) -> dict[str, float]:
    return {
        "q_unconstrained": res.q_unconstrained,
        "capacity_binding": float(res.binding),
    }


def limit_conditions(res: Constrained, limits: Limits) -> tuple[Condition, ...]:
    out = []
    if limits.q_max is not None:
        out.append(
            Condition(
                "capacity_binding",
                "q* > q_max (the order is cut to the capacity)",
                res.q_unconstrained,
                res.binding,
                "decision",
            )
        )
    return tuple(out)


Solver = Callable[[Any, Any], Result]


def without_limits(req: Any) -> Any:
    """``req`` without the capacity options (for solvers that do not know them)."""
    return replace(req, options={k: v for k, v in req.options.items() if k not in OPTIONS})


def solve_limited(
    model: Any,
    req: Any,
    base: Solver,
    objective: Callable[[Result], float],
    conditions: tuple[Condition, ...] | None = None,
) -> tuple[Result, Constrained | None]:
    """Solve with ``base`` under the limits of ``req.options`` on the decision ``q``.

    The free solution gives q*; G(q) = ``objective`` of ``base`` at ``--fix q`` (other fixed
    decisions kept); the returned result is ``base`` at the constrained q with the status of
    the free solve (optimal, or evaluated when another decision is fixed), the free solve's
    conditions (or ``conditions``) plus ``capacity_binding``, and the metrics
    ``q_unconstrained`` and ``capacity_binding``. Returns (result, None) for a fixed q (checked
    against the limits) or a free solve that is not optimal/evaluated.
    """
    limits = Limits.of(req.options)
    req = without_limits(req)
    if "q" in req.fix:
        limits.check_fixed(float(req.fix["q"]))
        return base(model, req), None
    free = base(model, req)
    if free.status not in (OPTIMAL, EVALUATED) or "q" not in free.decisions:
        return free, None

    def at(q: float) -> Result:
        return base(model, replace(req, fix={**req.fix, "q": q}))

    res = constrain(free.decisions["q"], lambda q: objective(at(q)), limits)
    out = at(res.q)
    conds = free.conditions if conditions is None else conditions
    return (
        replace(
            out,
            status=free.status,
            method=req.method,
            conditions=(*conds, *limit_conditions(res, limits)),
            metrics={**out.metrics, **limit_metrics(res)},
            std_errors=limit_std_errors(free, out, res),
        ),
        res,
    )


def limit_std_errors(free: Result, out: Result, res: Constrained) -> dict[str, float]:
    """``out``'s standard errors (sampled methods) with those of the orders: q_unconstrained
    has the free order's se; q = q_max when the limit binds (a parameter: se 0), else the free
    order (or, integer, its better integer neighbour: the free order's se, to the rounding).
    ``capacity_binding`` is an indicator of q* > q_max (no se)."""
    se = dict(out.std_errors)
    q_se = free.std_errors.get("q")
    if q_se is not None:
        se["q_unconstrained"] = q_se
        se["q"] = 0.0 if res.binding else q_se
    return se


def newsvendor_value(dist: Any, price: float, salvage: float, cost: float, q: float) -> float:
    """G(q) = price*E[min(D, q)] + salvage*E[(q - D)+] - cost*q (exact loss functions)."""
    sales, over = float(dist.expected_sales(q)), float(dist.expected_leftover(q))
    return price * sales + salvage * over - cost * q


def marginal_value(dist: Any, price: float, salvage: float, cost: float, q: float) -> float:
    """G'(q) = price - cost - (price - salvage)*F(q) (right derivative for discrete D)."""
    return price - cost - (price - salvage) * float(dist.cdf(q))


def exact_order(
    dist: Any, price: float, salvage: float, cost: float, limits: Limits
) -> Constrained:
    """Constrained newsvendor order: q* = max(F^-1((price - cost)/(price - salvage)), 0)."""
    q_star = max(float(dist.ppf((price - cost) / (price - salvage))), 0.0)
    return constrain(q_star, lambda q: newsvendor_value(dist, price, salvage, cost, q), limits)


def sample_order(order: Callable[..., float], limits: Limits) -> Callable[..., float]:
    """Wrap a sample order function ``order(ss, price, salvage, cost)`` (clsc.stochastic.
    contracts_mc) so that its order respects ``limits``; G is the sample average of ``ss``."""

    def limited(ss: Any, price: float, salvage: float, cost: float) -> float:
        def value(q: float) -> float:
            mom = ss.moments(np.array([q]))
            return price * float(mom.sales[0]) + salvage * float(mom.leftover[0]) - cost * q

        return constrain(order(ss, price, salvage, cost), value, limits).q

    return limited


def solve_newsvendor(model: Any, req: Any, base: Solver) -> Result:
    """Newsvendor with capacity/integer options, on top of its sampled solver ``base``."""
    return solve_limited(model, req, base, lambda r: float(r.metrics["profit"]))[0]


def solve_newsvendor_exact(model: Any, req: Any, base: Solver) -> Result:
    """:func:`solve_newsvendor` on the closed form, plus ``capacity_shadow_price`` = G'(q_max)
    = c_u - (c_u + c_o)*F(q_max) when the limit binds."""
    out, res = solve_limited(model, req, base, lambda r: float(r.metrics["profit"]))
    if res is None or not res.binding:
        return out
    params, q_max = req.params, Limits.of(req.options).q_max
    c_u = float(params["price"]) - float(params["cost"]) + float(params["shortage"])
    c_o = float(params["cost"]) - float(params["salvage"]) + float(params["holding"])
    cdf = float(params["demand"].cdf(q_max))
    return replace(out, metrics={**out.metrics, "capacity_shadow_price": c_u - (c_u + c_o) * cdf})
