"""Model `contracts`: classic newsvendor supply contracts (spec section 10; Pasternack 1985,
Cachon 2003).

A supplier M (unit cost ``cm`` = c) sells to a retailer R at the wholesale price ``w``; R sells at
``p`` against random demand D ~ F (any clsc distribution, discrete allowed) and salvages leftovers
at ``v``. With sales S(q) = E[min(D, q)], overstock I(q) = E[(q - D)+] and understock
L(q) = E[(D - q)+]::

    wholesale:        pi_R = p*S + v*I - w*q               pi_M = (w - c)*q
                      F(q) = (p - w)/(p - v)
    buyback:          pi_R = p*S + (v + b)*I - w*q         pi_M = (w - c)*q - b*I
                      F(q) = (p - w)/(p - v - b)
    revenue-sharing:  pi_R = phi*p*S + v*I - w*q           pi_M = (w - c)*q + (1 - phi)*p*S
                      F(q) = (phi*p - w)/(phi*p - v)
    integrated:       total_int = p*S + v*I - c*q,  F(q_int) = (p - c)/(p - v)

For discrete demand q is the smallest integer with F(q) >= the critical ratio (the ppf). Orders
are >= 0: for demand with mass below 0 (e.g. a normal) the order is max(F^-1(ratio), 0).
efficiency = (pi_R + pi_M)/total_int. Coordinating terms (independent of F)::

    b_coord = p - v - (p - w)*(p - v)/(p - c)          (buyback, given w);  R's share (p-w)/(p-c)
    w_coord = phi*p - (phi*p - v)*(p - c)/(p - v)      (revenue sharing, given phi);
              R's share (phi*p - v)/(p - v)

Option ``lam`` (R's share lambda of total_int) picks the coordinating pair: buyback
w = (1 - lam)*p + lam*c, b = (1 - lam)*(p - v); revenue sharing phi = (lam*(p - v) + v)/p,
w = v + lam*(c - v) (for v = 0: b = (1 - lam)*p and w = phi*c, the textbook families).

Checks (ERR): cm < p, v < w, b >= 0, v + b < p, 0 < phi <= 1, positive retailer margin
(p > w; phi*p > w in revenue sharing). FLAG: v >= cm (integrated channel unbounded: q_int,
total_int, efficiency, b_coord, w_coord undefined, reported as nan). In buyback, w <= v + b
makes the retailer's order unbounded: status ``unbounded``.

Options ``q_max=Q`` (capacity q <= Q) and ``integer=true`` (integer q) constrain the retailer's
order, any scenario and method (``clsc.models.contracts_methods``): by concavity of pi_R
in q, q = min(q*, Q), and for integer orders the better integer neighbour by exact expectation
(mc/saa: the same samples). ``q_int``, ``total_int``, ``efficiency`` and the coordinating terms
stay vs the UNCONSTRAINED integrated channel; closed-form adds the capacity-constrained channel
``q_int_cap``, ``total_int_cap``, ``efficiency_cap`` = total/total_int_cap, and the shadow prices
``capacity_shadow_price`` = d pi_R/dq at Q and ``channel_shadow_price`` = p - c - (p - v)*F(Q)
(0 when not binding). With w <= v + b (buyback) and ``q_max``, q = Q (optimal, not unbounded);
with v >= cm and ``q_max`` the capped channel orders Q (q_int stays nan).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from clsc.distributions import as_distribution
from clsc.errors import ParameterError
from clsc.models.base import Model, SolveRequest
from clsc.params import Param, ParamSpec, Rule
from clsc.results import EVALUATED, OPTIMAL, UNBOUNDED, Result

SCENARIOS = ("wholesale", "buyback", "revenue-sharing")
NAN = math.nan


def _has_w(values: Mapping[str, Any]) -> bool:
    return values.get("w") is not None


def _margin(values: Mapping[str, Any]) -> bool:
    return not _has_w(values) or values["p"] > values["w"]


def _rs_margin(values: Mapping[str, Any]) -> bool:
    return not _has_w(values) or values["phi"] * values["p"] > values["w"]


SPEC = ParamSpec(
    params=(
        Param("p", doc="retail price [p]", lower=0, strict=True),
        Param("w", None, "wholesale price [w] (optional with option lam, or in revenue-sharing)"),
        Param("cm", doc="supplier's unit production cost [c]", lower=0),
        Param("v", 0.0, "retailer's salvage value per leftover [v]"),
        Param("b", 0.0, "buyback refund per leftover (scenario buyback) [b]", lower=0),
        Param(
            "phi",
            1.0,
            "retailer's share of sales revenue (revenue-sharing) [phi]",
            lower=0,
            upper=1,
            strict=False,
        ),
        Param("demand", doc="demand distribution D ~ F", kind="demand", convert=as_distribution),
    ),
    rules=(
        Rule(("cm", "p"), "must satisfy cm < p", lambda x: x["cm"] < x["p"]),
        Rule(("w", "v"), "must satisfy v < w", lambda x: not _has_w(x) or x["v"] < x["w"]),
        Rule(("b", "v", "p"), "must satisfy v + b < p", lambda x: x["v"] + x["b"] < x["p"]),
        Rule(("phi",), "must satisfy 0 < phi <= 1", lambda x: x["phi"] > 0),
        Rule(
            ("w", "p"),
            "must satisfy w < p (retailer margin)",
            _margin,
            scenarios=("wholesale", "buyback"),
        ),
        Rule(
            ("w", "phi", "p"),
            "must satisfy w < phi*p (retailer margin)",
            _rs_margin,
            scenarios=("revenue-sharing",),
        ),
        Rule(
            ("v", "cm"),
            "must satisfy v < cm, else the integrated channel orders without "
            "bound (q_int, total_int, efficiency, b_coord, w_coord undefined)",
            lambda x: x["v"] < x["cm"],
            cls="FLAG",
        ),
    ),
)

LAM = Param("lam", doc="retailer's share of the integrated profit", lower=0, upper=1)


# ---- terms ------------------------------------------------------------------------------------


def retailer_terms(scenario: str, x: Mapping[str, Any]) -> tuple[float, float, float]:
    """(unit revenue, unit salvage, unit cost) of the retailer's newsvendor in ``scenario``."""
    p, w, v = float(x["p"]), float(x["w"]), float(x["v"])
    if scenario == "buyback":
        return p, v + float(x["b"]), w
    if scenario == "revenue-sharing":
        return float(x["phi"]) * p, v, w
    return p, v, w


def critical_ratio(price: float, salvage: float, cost: float) -> float:
    """Newsvendor fractile (price - cost)/(price - salvage)."""
    return (price - cost) / (price - salvage)


def b_coord(x: Mapping[str, Any]) -> float:
    """Buyback refund making the retailer order q_int at the given w."""
    p, w, c, v = (float(x[n]) for n in ("p", "w", "cm", "v"))
    return p - v - (p - w) * (p - v) / (p - c)


def w_coord(x: Mapping[str, Any]) -> float:
    """Wholesale price making the retailer order q_int at the given phi (revenue sharing)."""
    p, c, v, phi = (float(x[n]) for n in ("p", "cm", "v", "phi"))
    return phi * p - (phi * p - v) * (p - c) / (p - v)


def coordination(scenario: str, x: Mapping[str, Any]) -> dict[str, float]:
    """Coordinating term of the scenario and R's share of total_int it implies (nan if v >= c)."""
    p, c, v = float(x["p"]), float(x["cm"]), float(x["v"])
    if scenario == "wholesale":
        return {}
    if v >= c:
        key = "b_coord" if scenario == "buyback" else "w_coord"
        return {key: NAN, "share_R_coord": NAN}
    if scenario == "buyback":
        return {"b_coord": b_coord(x), "share_R_coord": (p - float(x["w"])) / (p - c)}
    phi = float(x["phi"])
    return {"w_coord": w_coord(x), "share_R_coord": (phi * p - v) / (p - v)}


def lam_terms(scenario: str, x: Mapping[str, Any], lam: float) -> dict[str, float]:
    """The coordinating contract giving the retailer the share ``lam`` of total_int."""
    p, c, v = float(x["p"]), float(x["cm"]), float(x["v"])
    if scenario == "buyback":
        return {"w": (1.0 - lam) * p + lam * c, "b": (1.0 - lam) * (p - v)}
    return {"phi": (lam * (p - v) + v) / p, "w": v + lam * (c - v)}


def resolve_terms(scenario: str, x: Mapping[str, Any], options: Mapping[str, Any]) -> dict:
    """Parameter values with w/b/phi filled in from option ``lam`` or w_coord where asked for."""
    x = dict(x)
    if "lam" in options:
        lam = LAM.coerce(options["lam"])
        if scenario == "wholesale":
            raise ParameterError(
                "lam", message="option lam applies to scenarios buyback and revenue-sharing only"
            )
        if lam <= 0.0:
            raise ParameterError("lam", "must satisfy 0 < lam <= 1", lam)
        if x["v"] >= x["cm"]:
            raise ParameterError(
                "lam",
                "needs v < cm (no coordinating contract otherwise)",
                lam,
                context={"v": x["v"], "cm": x["cm"]},
            )
        x.update(lam_terms(scenario, x, lam))
    elif x["w"] is None:
        if scenario != "revenue-sharing":
            raise ParameterError("w", message="parameter 'w' is required (or give option lam)")
        if x["v"] >= x["cm"]:
            raise ParameterError("w", message="parameter 'w' is required when v >= cm")
        x["w"] = w_coord(x)
    SPEC.check(x, scenario)
    _check_representable_ratio(scenario, x)
    return x


def _check_representable_ratio(scenario: str, x: Mapping[str, Any]) -> None:
    """The retailer's fractile must be strictly inside (0, 1) in floating point, not only on
    paper (e.g. w = 1e-300 with v = 0 rounds the ratio to 1 and the order to infinity)."""
    price, salvage, cost = retailer_terms(scenario, x)
    if cost <= salvage or price <= salvage:
        return  # reported as an unbounded order by the solvers
    ratio = critical_ratio(price, salvage, cost)
    if not 0.0 < ratio < 1.0:
        raise ParameterError(
            "w",
            "must give a retailer critical ratio strictly inside (0, 1) in floating point",
            x["w"],
            context={"ratio": ratio, "p": x["p"], "v": x["v"]},
        )


# ---- closed form ------------------------------------------------------------------------------


def channel(dist: Any, x: Mapping[str, Any]) -> dict[str, float]:
    """Integrated channel: q_int and total_int (nan when v >= cm)."""
    p, c, v = float(x["p"]), float(x["cm"]), float(x["v"])
    ratio = critical_ratio(p, v, c)
    if v >= c or not 0.0 < ratio < 1.0:
        return {"q_int": NAN, "total_int": NAN}
    q = max(float(dist.ppf(ratio)), 0.0)
    sales, over = float(dist.expected_sales(q)), float(dist.expected_leftover(q))
    return {"q_int": q, "total_int": p * sales + v * over - c * q}


def profits(scenario: str, x: Mapping[str, Any], q: float, sales: float, over: float) -> dict:
    """pi_R, pi_M and total at order q with expected sales and overstock."""
    price, salvage, cost = retailer_terms(scenario, x)
    c = float(x["cm"])
    pi_R = price * sales + salvage * over - cost * q
    pi_M = (cost - c) * q
    if scenario == "buyback":
        pi_M -= float(x["b"]) * over
    elif scenario == "revenue-sharing":
        pi_M += (1.0 - float(x["phi"])) * float(x["p"]) * sales
    return {"pi_R": pi_R, "pi_M": pi_M, "total": pi_R + pi_M}


def metrics(
    scenario: str,
    x: Mapping[str, Any],
    prof: Mapping[str, float],
    chan: dict,
    ratio: float,
    sales: float,
    over: float,
    under: float,
) -> dict[str, float]:
    """The outputs of spec 10.4 besides q and the profits."""
    total_int = chan["total_int"]
    coord = coordination(scenario, x)
    out = {
        **chan,
        # 0/0 when the integrated channel earns nothing: undefined, reported as nan
        "efficiency": prof["total"] / total_int if math.isfinite(total_int) and total_int else NAN,
        "critical_ratio": ratio,
        "sales": sales,
        "overstock": over,
        "understock": under,
        **coord,
    }
    if coord:
        out["pi_R_coord"] = coord["share_R_coord"] * total_int
        out["pi_M_coord"] = (1.0 - coord["share_R_coord"]) * total_int
    return out


def unbounded(model: Model, req: SolveRequest, x: Mapping[str, Any]) -> Result | None:
    """Status ``unbounded`` when a leftover is worth at least its cost to the retailer."""
    _, salvage, cost = retailer_terms(req.scenario, x)
    if salvage < cost or "q" in req.fix:
        return None
    return Result.of(
        model,
        req,
        UNBOUNDED,
        params=dict(x),
        flags=req.flags,
        message=f"retailer's order unbounded: v + b >= w (v + b = {salvage:g}, w = {cost:g})",
    )


def solve_closed_form(model: Model, req: SolveRequest) -> Result:
    x = resolve_terms(req.scenario, req.params, req.options)
    if (res := unbounded(model, req, x)) is not None:
        return res
    dist = x["demand"]
    ratio = critical_ratio(*retailer_terms(req.scenario, x))
    q = float(req.fix["q"]) if "q" in req.fix else max(float(dist.ppf(ratio)), 0.0)
    if q < 0.0:
        raise ParameterError("q", "must be >= 0", q)
    sales, over = float(dist.expected_sales(q)), float(dist.expected_leftover(q))
    under = float(dist.expected_shortage(q))
    prof = profits(req.scenario, x, q, sales, over)
    return Result.of(
        model,
        req,
        EVALUATED if req.fix else OPTIMAL,
        params=x,
        decisions={"q": q},
        profits=prof,
        metrics=metrics(req.scenario, x, prof, channel(dist, x), ratio, sales, over, under),
        flags=req.flags,
    )


# ---- vectorised closed form (used by clsc.sweeps) ---------------------------------------------


def _vector(params: Mapping[str, Any], name: str, n: int):
    import numpy as np

    return np.broadcast_to(np.asarray(params[name], dtype=float), (n,))


def vectorised_closed_form(scenario: str, params: Mapping[str, Any], n: int) -> dict:
    """The ``closed-form`` method on ``n`` points at once (no ``fix``, no options).

    Same equations as :func:`solve_closed_form` with arrays: the retailer's fractile, its order
    q = max(F^-1(ratio), 0), the profits, the integrated channel and the coordinating terms.
    A leftover worth at least its cost gives ``unbounded``; a missing ``w`` (outside
    revenue-sharing) or a fractile that rounds out of (0, 1) gives ``skipped`` with the
    message of the scalar solve. ``demand`` is one distribution.

    >>> import numpy as np
    >>> from clsc.distributions import parse
    >>> u = parse("uniform(low=0, high=100)")
    >>> b = vectorised_closed_form("wholesale", {"p": 10.0, "w": np.array([5.0, 6.0]),
    ...     "cm": 4.0, "v": 0.0, "b": 0.0, "phi": 1.0, "demand": u}, 2)
    >>> b["decisions"]["q"].round(6).tolist(), b["status"].tolist()
    ([50.0, 40.0], ['optimal', 'optimal'])
    """
    import numpy as np

    dist = params["demand"]
    p, c, v, b, phi = (_vector(params, k, n) for k in ("p", "cm", "v", "b", "phi"))
    status = np.full(n, str(OPTIMAL), dtype=object)
    message = np.full(n, "", dtype=object)
    if params["w"] is None and scenario != "revenue-sharing":
        status[:] = "skipped"
        message[:] = "parameter 'w' is required (or give option lam)"
        return {"status": status, "message": message}
    with np.errstate(all="ignore"):
        w = phi * p - (phi * p - v) * (p - c) / (p - v) if params["w"] is None else None
        w = _vector(params, "w", n) if w is None else w
        price = phi * p if scenario == "revenue-sharing" else p
        salvage = v + b if scenario == "buyback" else v
        ratio = (price - w) / (price - salvage)
    unbounded_ = salvage >= w
    status[unbounded_] = str(UNBOUNDED)
    message[unbounded_] = [
        f"retailer's order unbounded: v + b >= w (v + b = {s:g}, w = {x:g})"
        for s, x in zip(salvage[unbounded_], w[unbounded_], strict=True)
    ]
    bad_ratio = ~unbounded_ & (price > salvage) & ~((ratio > 0.0) & (ratio < 1.0))
    status[bad_ratio] = "skipped"
    message[bad_ratio] = "w must give a retailer critical ratio strictly inside (0, 1)"
    ok = ~(unbounded_ | bad_ratio)
    q = np.maximum(np.asarray(dist.ppf(np.where(ok, ratio, 0.5)), dtype=float), 0.0)
    sales, over = dist.expected_sales(q), dist.expected_leftover(q)
    under = dist.expected_shortage(q)
    pi_R = price * sales + salvage * over - w * q
    pi_M = (w - c) * q
    if scenario == "buyback":
        pi_M = pi_M - b * over
    elif scenario == "revenue-sharing":
        pi_M = pi_M + (1.0 - phi) * p * sales
    total = pi_R + pi_M
    metrics_ = _vector_metrics(scenario, dist, p, c, v, w, phi, total, n)
    metrics_.update({"critical_ratio": ratio, "sales": sales, "overstock": over})
    metrics_["understock"] = under
    out = {"decisions": {"q": q}, "profits": {"pi_R": pi_R, "pi_M": pi_M, "total": total}}
    for group in ("decisions", "profits"):
        out[group] = {k: np.where(ok, x, np.nan) for k, x in out[group].items()}
    metrics_ = {k: np.where(ok, x, np.nan) for k, x in metrics_.items()}
    return {"status": status, "message": message, **out, "metrics": metrics_}


def _vector_metrics(scenario, dist, p, c, v, w, phi, total, n: int) -> dict:
    """Integrated channel, efficiency and coordinating terms (nan where v >= cm)."""
    import numpy as np

    with np.errstate(all="ignore"):
        ratio_c = (p - c) / (p - v)
        channel_ok = (v < c) & (ratio_c > 0.0) & (ratio_c < 1.0)
        q_int = np.maximum(np.asarray(dist.ppf(np.where(channel_ok, ratio_c, 0.5))), 0.0)
        total_int = p * dist.expected_sales(q_int) + v * dist.expected_leftover(q_int) - c * q_int
        q_int, total_int = np.where(channel_ok, q_int, NAN), np.where(channel_ok, total_int, NAN)
        out = {"q_int": q_int, "total_int": total_int, "efficiency": total / total_int}
        coord = v < c
        if scenario == "buyback":
            out["b_coord"] = np.where(coord, p - v - (p - w) * (p - v) / (p - c), NAN)
            share = np.where(coord, (p - w) / (p - c), NAN)
        elif scenario == "revenue-sharing":
            out["w_coord"] = np.where(coord, phi * p - (phi * p - v) * (p - c) / (p - v), NAN)
            share = np.where(coord, (phi * p - v) / (p - v), NAN)
        else:
            return out
    out["share_R_coord"] = share
    out["pi_R_coord"] = share * total_int
    out["pi_M_coord"] = (1.0 - share) * total_int
    return out
