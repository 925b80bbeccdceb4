"""Model 004 `buyback-effort`: buyback and remanufacturing with processing effort (spec section 9).

Source: seed 004_7cb4968b2dc75105.txt, "Buyback and remanufacturing with processing effort in
a power-fittings supply chain" (Chinese full text; formulas lost; the profit terms are described
verbally; no numerical example). Reconstructed [RECON]: the expectation formulas and the
closed forms of its eqs. (14) and (15).

Manufacturer M (leader) sells to a general contractor R (follower) at the wholesale price ``w``;
R sells at ``p`` against random demand D ~ F on [0, inf). Write S(q) = E[(q - D)+] (expected
leftover) and E[min(D, q)] = q - S(q).

Scenarios::

    N: pi_R^N(q)   = p*E[min(D,q)] + v*S(q) - w*q                          (2)
       pi_M^N(q)   = (w - cm)*q                                            (1)
    B: pi_R^B(q)   = p*E[min(D,q)] + b*S(q) - w*q                          (7)
       pi_M^B(q,e) = (w - cm)*q - b*S(q) + (1 + e)*v*S(q) - k*e^2          (6)

In B, M buys R's leftovers back at ``b``, remanufactures them with effort ``e`` (chosen ex ante)
and resells them at (1 + e)*v. Equilibrium for any continuous F (section 9.6)::

    F(q_N) = (p - w)/(p - v),  F(q_B) = (p - w)/(p - b),  e* = v*S(q_B)/(2k)
    pi_R^{s*} = (p - s)*E[D 1{D <= q_s}],  s in {v, b}
    pi_M^{N*} = (w - cm)*q_N
    pi_M^{B*} = (w - cm)*q_B - (b - v)*S(q_B) + v^2*S(q_B)^2/(4k)

Decision conditions: (14) R gains iff Delta_R = pi_R^{B*} - pi_R^{N*} > 0, which by the envelope
theorem (d pi_R*/ds = S(q*(s)) > 0) is equivalent to b > v; (15) M gains iff k <= k_bar with
Gamma = (b - v)*S(q_B) - (w - cm)*(q_B - q_N) and k_bar = v^2*S(q_B)^2/(4*Gamma) (infinite
when Gamma <= 0). Assumptions (ERR): cm < v < b < w < p, k > 0, and demand continuous on
[0, inf) with F strictly increasing at the two fractiles.

Methods: ``closed-form`` (ppf and the distribution's exact loss functions), ``mc`` (seeded
Monte Carlo: empirical quantile for q, e from the sample S, profits as sample means, standard
errors by sectioning) and ``saa`` (R's order by the sample-average LP in pyomo/HiGHS).

Variants of scenario B (options; ``clsc.models.buyback_effort_methods``): ``resale``
(resale price p'(e), an expression in v, e, gamma; default v*(1+e)^gamma), ``gamma`` (default 1,
the closed form above) and ``effort_timing`` = ``ex-ante`` (default; M maximises
p'(e)*S(q_B) - k*e^2) or ``ex-post`` (M sees the leftover L = (q_B - D)+ and chooses
e(L) = argmax p'(e)*L - k*e^2, so pi_M = (w - cm)*q_B - b*S(q_B) + E[max_e p'(e)*L - k*e^2];
for gamma = 1, e(L) = v*L/(2k) and the effort term is v*S + v^2*E[L^2]/(4k)). R's order does
not depend on e. Solved numerically (bracketed grid + golden section over e; Gauss-Legendre
quadrature over the leftover for ``closed-form``, Monte Carlo for ``mc``); a non-concave effort
problem gives status not_proven, an unbounded one status unbounded.

Options ``q_max=Q`` (capacity q <= Q) and ``integer=true`` (integer q), scenarios N and B, any
method (``clsc.models.buyback_effort_methods``; not with the effort options): R's orders in
both scenarios are constrained, q_s = min(q_s*, Q) by concavity of pi_R in q (integer: the better
integer neighbour by exact expectation; mc/saa: by the sample average), and in B M's effort is
re-optimised at the constrained order, e* = v*S(q_B)/(2k), so pi_M^B changes. S_N, S_B, the
profits, delta_R, Gamma and k_bar (conditions (14)/(15)) are all computed at the constrained
orders with pi_R = (p - w)*q - (p - s)*S(q). Closed-form also reports ``q_N_unconstrained``,
``q_B_unconstrained``, ``q_unconstrained``, ``capacity_binding`` and ``capacity_shadow_price``
= d pi_R/dq at Q = p - w - (p - s)*F(Q) (0 when not binding).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from clsc.distributions import as_distribution
from clsc.errors import ParameterError
from clsc.models.base import Model, SolveRequest
from clsc.params import Param, ParamSpec, Rule, ordered
from clsc.results import EVALUATED, OPTIMAL, Condition, Result

SCENARIOS = ("N", "B")
ORDER = ("cm", "v", "b", "w", "p")


# ---- demand admissibility (Assumption 1) ------------------------------------------------------


def fractiles(values: Mapping[str, Any]) -> tuple[float, float]:
    """Critical ratios (p - w)/(p - v) of case N and (p - w)/(p - b) of case B."""
    p, w, v, b = (float(values[n]) for n in ("p", "w", "v", "b"))
    return (p - w) / (p - v), (p - w) / (p - b)


def _continuous(values: Mapping[str, Any]) -> bool:
    return not getattr(values["demand"], "discrete", False)


def _nonnegative_support(values: Mapping[str, Any]) -> bool:
    try:
        lower = float(values["demand"].support[0])
    except (AttributeError, TypeError, ValueError):
        return False
    return lower >= 0.0


def _increasing_at_fractiles(values: Mapping[str, Any]) -> bool:
    dist = values["demand"]
    for u in fractiles(values):
        q = float(dist.ppf(u))
        if not math.isfinite(q):
            return False
        h = 1e-6 * max(1.0, abs(q))
        if not float(dist.cdf(q + h)) > max(u, float(dist.cdf(q))):
            return False
    return True


def _blame(name: str) -> tuple[str, ...]:
    return (name, *(n for n in ORDER if n != name))


SPEC = ParamSpec(
    params=(
        Param("p", 20.0, "retail price [p]", lower=0, strict=True),
        Param("w", 5.0, "wholesale price [w] (exogenous)", lower=0, strict=True),
        Param("cm", 1.0, "M's unit production cost [c]", lower=0),
        Param("v", 2.0, "salvage value; base resale price of a remanufactured unit [v]", lower=0),
        Param("b", 4.0, "buyback price M pays R per leftover (case B) [b]", lower=0),
        Param("k", 10.0, "effort cost coefficient, C(e) = k*e^2 [k]", lower=0, strict=True),
        Param(
            "demand",
            "uniform(low=0, high=100)",
            "demand distribution D ~ F",
            kind="demand",
            convert=as_distribution,
        ),
    ),
    rules=(
        *(
            Rule(_blame(blame), "must satisfy cm < v < b < w < p (Assumption 2)", ordered(pair))
            for blame, pair in (
                ("v", ["cm", "v"]),
                ("b", ["v", "b"]),
                ("b", ["b", "w"]),
                ("w", ["w", "p"]),
            )
        ),
        Rule(("demand",), "must be a continuous distribution (Assumption 1)", _continuous),
        Rule(("demand",), "must be supported on [0, inf) (Assumption 1)", _nonnegative_support),
        Rule(
            ("demand", "p", "w", "v", "b"),
            "must have F continuous and strictly increasing at the fractiles "
            "(p-w)/(p-v) and (p-w)/(p-b)",
            _increasing_at_fractiles,
        ),
    ),
)


# ---- closed form (any continuous F) -----------------------------------------------------------


@dataclass(frozen=True)
class Equilibrium:
    """Both scenarios' equilibrium and the quantities of conditions (14) and (15)."""

    q_N: float
    q_B: float
    S_N: float
    S_B: float
    e: float
    pi_R_N: float
    pi_R_B: float
    pi_M_N: float
    pi_M_B: float
    delta_R: float
    Gamma: float
    k_bar: float

    def metrics(self) -> dict[str, float]:
        return {
            "q_N": self.q_N,
            "q_B": self.q_B,
            "S_N": self.S_N,
            "S_B": self.S_B,
            "e_B": self.e,
            "pi_R_N": self.pi_R_N,
            "pi_R_B": self.pi_R_B,
            "pi_M_N": self.pi_M_N,
            "pi_M_B": self.pi_M_B,
            "delta_R": self.delta_R,
            "Gamma": self.Gamma,
            "k_bar": self.k_bar,
        }


def k_bar(v: float, S_B: float, Gamma: float) -> float:
    """Threshold of (15): v^2*S(q_B)^2/(4*Gamma), infinite when Gamma <= 0."""
    return math.inf if Gamma <= 0.0 else v * v * S_B * S_B / (4.0 * Gamma)


def assemble(
    values: Mapping[str, Any], q_N: float, q_B: float, S_N: float, S_B: float
) -> Equilibrium:
    """Equilibrium numbers from the two orders and their expected leftovers S(q).

    Uses pi_R(q) = (p - w)*q - (p - s)*S(q), which equals (p - s)*E[D 1{D <= q}] at the
    optimum; shared by the closed form and the sample-based methods.
    """
    p, w, c, v, b, k = (float(values[n]) for n in ("p", "w", "cm", "v", "b", "k"))
    e = v * S_B / (2.0 * k)
    pi_R_N = (p - w) * q_N - (p - v) * S_N
    pi_R_B = (p - w) * q_B - (p - b) * S_B
    pi_M_N = (w - c) * q_N
    pi_M_B = (w - c) * q_B - b * S_B + (1.0 + e) * v * S_B - k * e * e
    Gamma = (b - v) * S_B - (w - c) * (q_B - q_N)
    return Equilibrium(
        q_N=q_N,
        q_B=q_B,
        S_N=S_N,
        S_B=S_B,
        e=e,
        pi_R_N=pi_R_N,
        pi_R_B=pi_R_B,
        pi_M_N=pi_M_N,
        pi_M_B=pi_M_B,
        delta_R=pi_R_B - pi_R_N,
        Gamma=Gamma,
        k_bar=k_bar(v, S_B, Gamma),
    )


def equilibrium(values: Mapping[str, Any]) -> Equilibrium:
    """Closed-form equilibrium for any admissible F: ppf for q, exact loss functions for S.

    R's profit uses the partial expectation: pi_R^{s*} = (p - s)*E[D 1{D <= q_s}].
    """
    p, v, b = (float(values[n]) for n in ("p", "v", "b"))
    dist = values["demand"]
    u_N, u_B = fractiles(values)
    q_N, q_B = (float(x) for x in dist.ppf(np.array([u_N, u_B])))
    S_N, S_B = (float(x) for x in dist.expected_leftover(np.array([q_N, q_B])))
    m_N, m_B = (float(x) for x in dist.partial_expectation(np.array([q_N, q_B])))
    eq = assemble(values, q_N, q_B, S_N, S_B)
    pi_R_N, pi_R_B = (p - v) * m_N, (p - b) * m_B
    return replace(eq, pi_R_N=pi_R_N, pi_R_B=pi_R_B, delta_R=pi_R_B - pi_R_N)


def profits_at(values: Mapping[str, Any], scenario: str, q: float, e: float, S: float) -> dict:
    """Expected profits (2)/(1) or (7)/(6) at decisions (q, e) with expected leftover S = S(q)."""
    p, w, c, v, b, k = (float(values[n]) for n in ("p", "w", "cm", "v", "b", "k"))
    if scenario == "N":
        pi_R, pi_M = (p - w) * q - (p - v) * S, (w - c) * q
    else:
        pi_R = (p - w) * q - (p - b) * S
        pi_M = (w - c) * q - b * S + (1.0 + e) * v * S - k * e * e
    return {"pi_R": pi_R, "pi_M": pi_M, "total": pi_R + pi_M}


def conditions(values: Mapping[str, Any], delta_R: float, kb: float) -> tuple[Condition, ...]:
    """The decision conditions (14) and (15) and the (always holding) concavity conditions."""
    k = float(values["k"])
    return (
        Condition("R_concave", "d2 pi_R/dq2 = -(p - s)*f(q) <= 0", None, True, "SOC"),
        Condition("M_concave_e", "d2 pi_M^B/de2 = -2k < 0", -2.0 * k, True, "SOC"),
        Condition(
            "R_gains",
            "(14) delta_R = (p-b)*E[D;D<=q_B] - (p-v)*E[D;D<=q_N] > 0  (equivalent to b > v)",
            delta_R,
            bool(delta_R > 0.0),
            "decision",
        ),
        Condition(
            "M_gains",
            "(15) k <= k_bar = v^2*S(q_B)^2/(4*Gamma), Gamma = (b-v)*S(q_B) - (w-cm)*(q_B-q_N)",
            kb,
            bool(k <= kb),
            "decision",
        ),
    )


def decisions_for(model: Model, req: SolveRequest, q_star: float, e_of_q) -> tuple[dict, bool]:
    """Decisions of the scenario, honouring ``fix`` (q and/or e); returns (decisions, fixed)."""
    if req.scenario == "N" and "e" in req.fix:
        raise ParameterError("e", message="e is a decision only in scenario B (got --fix e)")
    q = float(req.fix.get("q", q_star))
    if q < 0.0:
        raise ParameterError("q", "must be >= 0", q)
    out = {"q": q}
    if req.scenario == "B":
        e = float(req.fix.get("e", e_of_q(q)))
        if e < 0.0:
            raise ParameterError("e", "must be >= 0", e)
        out["e"] = e
    return out, bool(req.fix)


def solve_closed_form(model: Model, req: SolveRequest) -> Result:
    values = req.params
    eq = equilibrium(values)
    dist = values["demand"]
    v, k = float(values["v"]), float(values["k"])
    q_star = eq.q_N if req.scenario == "N" else eq.q_B
    dec, fixed = decisions_for(
        model, req, q_star, lambda q: v * float(dist.expected_leftover(q)) / (2.0 * k)
    )
    S = float(dist.expected_leftover(dec["q"]))
    if fixed:
        profits = profits_at(values, req.scenario, dec["q"], dec.get("e", 0.0), S)
    elif req.scenario == "N":
        profits = {"pi_R": eq.pi_R_N, "pi_M": eq.pi_M_N}
    else:
        profits = {"pi_R": eq.pi_R_B, "pi_M": eq.pi_M_B}
    profits.setdefault("total", profits["pi_R"] + profits["pi_M"])
    return Result.of(
        model,
        req,
        EVALUATED if fixed else OPTIMAL,
        params=dict(values),
        decisions=dec,
        profits=profits,
        metrics={"S": S, **eq.metrics()},
        conditions=conditions(values, eq.delta_R, eq.k_bar),
        flags=req.flags,
    )


# ---- vectorised closed form (used by clsc.sweeps) ---------------------------------------------


def vectorised_closed_form(scenario: str, params: Mapping[str, Any], n: int) -> dict:
    """The ``closed-form`` method on ``n`` points at once (no ``fix``, no options).

    Same equations as :func:`equilibrium` / :func:`solve_closed_form` on arrays: q_s =
    F^-1((p - w)/(p - s)), e* = v*S(q_B)/(2k), pi_R^{s*} = (p - s)*E[D 1{D <= q_s}], and the
    second-order conditions (the decision conditions (14), (15) are the metrics ``delta_R`` > 0
    and k <= ``k_bar``). ``demand`` is one distribution. Keys as the scalar solve's
    (:mod:`clsc.glossary`).

    >>> from clsc.distributions import parse
    >>> b = vectorised_closed_form("B", {"p": 20.0, "w": 5.0, "cm": 1.0, "v": 2.0, "b": 4.0,
    ...     "k": np.array([10.0, 20.0]), "demand": parse("uniform(low=0, high=100)")}, 2)
    >>> b["decisions"]["q"].round(6).tolist()
    [93.75, 93.75]
    """
    p, w, c, v, b, k = (
        np.broadcast_to(np.asarray(params[x], dtype=float), (n,))
        for x in ("p", "w", "cm", "v", "b", "k")
    )
    dist = params["demand"]
    with np.errstate(all="ignore"):
        q_N = np.asarray(dist.ppf((p - w) / (p - v)), dtype=float)
        q_B = np.asarray(dist.ppf((p - w) / (p - b)), dtype=float)
        S_N, S_B = dist.expected_leftover(q_N), dist.expected_leftover(q_B)
        m_N, m_B = dist.partial_expectation(q_N), dist.partial_expectation(q_B)
        e = v * S_B / (2.0 * k)
        pi_R_N, pi_R_B = (p - v) * m_N, (p - b) * m_B
        pi_M_N = (w - c) * q_N
        pi_M_B = (w - c) * q_B - b * S_B + (1.0 + e) * v * S_B - k * e * e
        Gamma = (b - v) * S_B - (w - c) * (q_B - q_N)
        kb = np.where(Gamma <= 0.0, np.inf, v * v * S_B * S_B / (4.0 * Gamma))
    delta_R = pi_R_B - pi_R_N
    metrics_ = {
        "S": S_N if scenario == "N" else S_B,
        "q_N": q_N,
        "q_B": q_B,
        "S_N": S_N,
        "S_B": S_B,
        "e_B": e,
        "pi_R_N": pi_R_N,
        "pi_R_B": pi_R_B,
        "pi_M_N": pi_M_N,
        "pi_M_B": pi_M_B,
        "delta_R": delta_R,
        "Gamma": Gamma,
        "k_bar": kb,
    }
    if scenario == "N":
        decisions, profits = {"q": q_N}, {"pi_R": pi_R_N, "pi_M": pi_M_N}
    else:
        decisions, profits = {"q": q_B, "e": e}, {"pi_R": pi_R_B, "pi_M": pi_M_B}
    profits["total"] = profits["pi_R"] + profits["pi_M"]
    return {
        "status": np.full(n, str(OPTIMAL), dtype=object),
        "message": np.full(n, "", dtype=object),
        "decisions": decisions,
        "profits": profits,
        "metrics": metrics_,
        "conditions": {
            "R_concave": np.ones(n, dtype=bool),
            "M_concave_e": np.ones(n, dtype=bool),
        },
    }
