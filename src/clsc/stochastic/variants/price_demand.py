"""Newsvendor with price-dependent stochastic demand: the retailer chooses price and quantity.

Demand (Petruzzi & Dada 1999), with eps the model's ``demand`` distribution (the noise)::

    additive:        D = y(p) + eps,   y(p) = a - slope*p
    multiplicative:  D = y(p) * eps,   y(p) = a * p^(-elasticity)   (eps >= 0, elasticity > 1)

Profit, with the newsvendor's cost c, salvage v, holding h, shortage s::

    pi(p, q) = (p - c)*q - (p - v + h)*E[(q - D)+] - s*E[(D - q)+]

For a fixed p this is a newsvendor in q: the stocking factor z = q - y(p) (additive) or
z = q/y(p) (multiplicative) solves F_eps(z) = (p - c + s)/(p - v + h + s), clipped so that
q >= 0 (and cut by ``q_max``/``integer``, see :mod:`~clsc.stochastic.variants.capacity`). The
profit of the best q, Pi(p), is then maximised over p in [max(c - s, 0), price] (the model's
``price`` parameter is the highest price allowed) by a grid of ``GRID`` prices and a bounded
scalar refinement (scipy) around the best grid point. Expectations are exact (the noise's loss
functions). Riskless price (eps replaced by its mean mu):
additive p0 = (a + mu + slope*c)/(2*slope), multiplicative p0 = elasticity*c/(elasticity - 1).
Petruzzi & Dada: p* <= p0 (additive; indeed p* = p0 - E[(eps - z*)+]/(2*slope)),
p* >= p0 (multiplicative).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.results import OPTIMAL, Condition, Result
from clsc.stochastic.variants.capacity import Limits, constrain
from clsc.stochastic.variants.options import choice, number

OPTIONS: Mapping[str, str] = {
    "demand_model": "price-dependent demand: additive (D = a - slope*p + eps) or multiplicative "
    "(D = a*p^-elasticity * eps); eps = the demand parameter, price = highest price allowed",
    "a": "price-dependent demand: scale a of y(p) (default 100)",
    "slope": "additive demand: slope of y(p) = a - slope*p (default 1)",
    "elasticity": "multiplicative demand: price elasticity of y(p) = a*p^-elasticity "
    "(> 1; default 2)",
}
MODELS = ("additive", "multiplicative")
GRID = 201


@dataclass(frozen=True)
class PriceDemand:
    """Economics of the price-setting newsvendor and its demand curve."""

    kind: str
    a: float
    slope: float
    elasticity: float
    cost: float
    salvage: float
    holding: float
    shortage: float
    noise: Any

    @classmethod
    def of(cls, params: Mapping[str, Any], options: Mapping[str, Any]) -> PriceDemand:
        kind = choice(options, "demand_model", MODELS, "additive")
        a = number(options, "a", 100.0, lower=0.0, strict=True)
        slope = number(options, "slope", 1.0, lower=0.0, strict=True)
        elasticity = number(options, "elasticity", 2.0, lower=1.0, strict=True)
        noise = params["demand"]
        if kind == "multiplicative" and float(noise.support[0]) < 0.0:
            raise ParameterError(
                "demand",
                message="demand (the noise eps of multiplicative demand) must be supported on "
                f"[0, inf); got {noise.spec}",
            )
        if kind == "multiplicative" and float(params["cost"]) <= 0.0:
            raise ParameterError(
                "cost",
                "must be > 0 with demand_model=multiplicative (else p*y(p) -> inf as p -> 0: "
                "unbounded profit)",
                params["cost"],
            )
        vals = (float(params[k]) for k in ("cost", "salvage", "holding", "shortage"))
        return cls(kind, a, slope, elasticity, *vals, noise)

    def y(self, p: float) -> float:
        return Y_CURVES[self.kind](self, p)

    def ratio(self, p: float) -> float:
        under = p - self.cost + self.shortage
        return under / (under + self.cost - self.salvage + self.holding)

    def outcome(self, p: float, q: float) -> dict[str, float]:
        """Expected leftover, lost sales and profit at (p, q)."""
        left, lost = LOSSES[self.kind](self, p, q)
        profit = (p - self.cost) * q - (p - self.salvage + self.holding) * left
        return {"leftover": left, "lost_sales": lost, "profit": profit - self.shortage * lost}

    def q_free(self, p: float) -> float:
        """Unconstrained best order at price p (newsvendor fractile), >= 0."""
        z = float(self.noise.ppf(self.ratio(p)))
        return max(Q_OF_Z[self.kind](self, p, z), 0.0)

    def riskless_price(self) -> float:
        return RISKLESS[self.kind](self)


def _loss_additive(m: PriceDemand, p: float, q: float) -> tuple[float, float]:
    z = q - m.y(p)
    return float(m.noise.expected_leftover(z)), float(m.noise.expected_shortage(z))


def _loss_multiplicative(m: PriceDemand, p: float, q: float) -> tuple[float, float]:
    y = m.y(p)
    if y <= 0.0:  # y(p) underflows for a steep curve: no demand
        return q, 0.0
    z = q / y
    return y * float(m.noise.expected_leftover(z)), y * float(m.noise.expected_shortage(z))


Y_CURVES: Mapping[str, Callable[[PriceDemand, float], float]] = {
    "additive": lambda m, p: m.a - m.slope * p,
    "multiplicative": lambda m, p: m.a * p ** (-m.elasticity),
}
LOSSES = {"additive": _loss_additive, "multiplicative": _loss_multiplicative}
Q_OF_Z = {
    "additive": lambda m, p, z: m.y(p) + z,
    "multiplicative": lambda m, p, z: m.y(p) * z,
}
RISKLESS = {
    "additive": lambda m: (m.a + float(m.noise.mean) + m.slope * m.cost) / (2.0 * m.slope),
    "multiplicative": lambda m: m.elasticity * m.cost / (m.elasticity - 1.0),
}


def best_q(m: PriceDemand, p: float, limits: Limits) -> float:
    return constrain(m.q_free(p), lambda q: m.outcome(p, q)["profit"], limits).q


def optimise_price(
    m: PriceDemand, p_lo: float, p_hi: float, limits: Limits | None = None
) -> tuple[float, float]:
    """(p*, q*) maximising Pi(p) = pi(p, q*(p)) on [p_lo, p_hi]: grid, then bounded refinement."""
    from scipy.optimize import minimize_scalar  # loads on the price variant's first solve

    limits = limits or Limits()

    def value(p: float) -> float:
        return m.outcome(p, best_q(m, p, limits))["profit"]

    grid = np.linspace(p_lo, p_hi, GRID)
    vals = np.array([value(float(p)) for p in grid])
    i = int(np.argmax(vals))
    lo, hi = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, GRID - 1)])
    res = minimize_scalar(
        lambda p: -value(p), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * p_hi}
    )
    p = float(res.x) if -res.fun >= vals[i] else float(grid[i])
    return p, best_q(m, p, limits)


def solve(model: Any, req: Any) -> Result:
    """Closed-form expectations, numerical optimisation over the price."""
    if req.fix:
        raise ParameterError(
            "fix", message="--fix is not supported with option demand_model (price and q optimised)"
        )
    m = PriceDemand.of(req.params, req.options)
    limits = Limits.of(req.options)
    p_hi = float(req.params["price"])
    p_lo = max(m.cost - m.shortage, 0.0) + 1e-9 * p_hi
    if not p_hi > p_lo:
        raise ParameterError(
            "price",
            f"must exceed max(cost - shortage, 0) = {p_lo:g} (highest price allowed)",
            p_hi,
        )
    p, q = optimise_price(m, p_lo, p_hi, limits)
    out = m.outcome(p, q)
    mu = float(m.noise.mean)
    expected_demand = m.y(p) + mu if m.kind == "additive" else m.y(p) * mu
    metrics = {
        **out,
        "price": p,
        "y": m.y(p),
        "expected_demand": expected_demand,
        "sales": q - out["leftover"],
        "riskless_price": m.riskless_price(),
        "critical_ratio": m.ratio(p),
    }
    interior = p < p_hi * (1.0 - 1e-6)
    conds = (
        Condition(
            "price_interior", "p* < price (the highest price allowed)", p, interior, "interior"
        ),
        Condition(
            "positive_mean_demand", "E[D](p*) > 0", expected_demand, expected_demand > 0, "interior"
        ),
    )
    return Result.of(
        model,
        req,
        OPTIMAL,
        decisions={"q": q, "price": p},
        profits={"pi_R": out["profit"]},
        metrics=metrics,
        conditions=conds,
        flags=req.flags,
        message="" if interior else "the optimal price is at the upper bound 'price'",
    )


#: method -> solver of the price-dependent variant
SOLVERS: Mapping[str, Any] = {"closed-form": solve}
