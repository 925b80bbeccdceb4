"""Capacity limit q <= q_max and integer order quantities for a concave objective in q.

For an objective G(q) concave in q with unconstrained maximiser q* (the newsvendor's expected
profit, its CVaR, or the profit at a fixed price), concavity gives

    q_cap = min(q*, q_max)                                  (capacity)
    q_int = argmax {G(floor(q_cap)), G(ceil(q_cap))}        (integer q, ceil kept <= q_max)

(ties go to the smaller order). The ``constrain`` helper applies both to any objective;
:func:`solve_newsvendor` wraps a newsvendor solver (closed-form, mc or saa), evaluating G at a
fixed q with the same solver (exact loss functions, or sample averages with the same seed, i.e.
common random numbers). The marginal value of capacity is reported as ``capacity_shadow_price``
= G'(q_max) = c_u - (c_u + c_o)*F(q_max) when the limit binds (closed form).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from clsc.errors import ParameterError
from clsc.results import OPTIMAL, Condition, Result
from clsc.stochastic.variants.options import flag, number

OPTIONS: Mapping[str, str] = {
    "q_max": "capacity limit q <= q_max (q = min(q*, q_max) by concavity)",
    "integer": "true: integer order quantity (the better integer neighbour of the continuous "
    "optimum)",
}


@dataclass(frozen=True)
class Limits:
    """Capacity and integrality of the order quantity."""

    q_max: float | None = None
    integer: bool = False

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> Limits:
        q_max = number(options, "q_max", None, lower=0.0, allow_inf=True)
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


def solve_newsvendor(model: Any, req: Any, base: Solver) -> Result:
    """Newsvendor with capacity/integer options, on top of any of its solvers ``base``."""
    limits = Limits.of(req.options)
    if "q" in req.fix:
        limits.check_fixed(float(req.fix["q"]))
        return base(model, req)
    free = base(model, req)
    if free.status != OPTIMAL:
        return free

    def objective(q: float) -> float:
        return float(base(model, replace(req, fix={"q": q})).metrics["profit"])

    res = constrain(free.decisions["q"], objective, limits)
    out = base(model, replace(req, fix={"q": res.q}))
    metrics = {**out.metrics, **limit_metrics(res)}
    if res.binding and req.method == "closed-form":
        params = req.params
        c_u = float(params["price"]) - float(params["cost"]) + float(params["shortage"])
        c_o = float(params["cost"]) - float(params["salvage"]) + float(params["holding"])
        cdf = float(params["demand"].cdf(limits.q_max))
        metrics["capacity_shadow_price"] = c_u - (c_u + c_o) * cdf
    return replace(
        out,
        status=OPTIMAL,
        method=req.method,
        conditions=(*free.conditions, *limit_conditions(res, limits)),
        metrics=metrics,
    )
