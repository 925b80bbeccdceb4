"""Model ``newsvendor``: single-period stocking under random demand (textbook; no seed).

Parameters: price [p], cost [c], salvage [v], holding [h], shortage (stock-out penalty) [s],
demand D with cdf F. With sales S(q) = E[min(D, q)], leftover I(q) = E[(q - D)+] and lost sales
L(q) = E[(D - q)+] (S = q - I, E[D] = q - I + L):

    profit(q) = p*S(q) + (v - h)*I(q) - s*L(q) - c*q
              = (p - c)*q - (p - v + h)*I(q) - s*L(q)
    cost(q)   = h*I(q) + s*L(q) + c*q - v*I(q)          (= -profit(q) when p = 0)

Underage cost c_u = p - c + s, overage cost c_o = c - v + h; maximising profit is minimising
c_o*I(q) + c_u*L(q). The optimum is the critical-ratio quantile q* = F^-1(c_u/(c_u + c_o))
(clipped at 0); for discrete demand the smallest support point q with F(q) >= ratio.
The pure cost form (p = c = v = 0) minimises h*I(q) + s*L(q).

Metrics: ``sales``, ``leftover``, ``lost_sales``, ``profit``, ``cost``, ``critical_ratio``,
``fill_rate`` (= S(q)/E[D]). Methods: ``closed-form`` (exact loss functions of D), ``mc``
(Monte Carlo with the numba loss-sum kernels, standard errors) and ``saa`` (sample-average LP
solved by HiGHS). ``--fix q=...`` evaluates a given order quantity instead of optimising.

Variants (options; solved numerically, see ``clsc.stochastic.variants``):

* ``q_max=Q`` capacity q <= Q (q = min(q*, Q) by concavity; any method); ``integer=true``
  integer q (the better of the two integer neighbours of the continuous optimum);
* ``alpha=A`` risk-averse retailer maximising CVaR of profit over the worst (1 - A) fraction
  of outcomes (A = 0: risk neutral). ``closed-form`` (shortage = 0):
  q* = F^-1((1 - A)*(p - c)/(p - v + h)); ``saa``: Rockafellar-Uryasev LP in HiGHS;
* ``demand_model=additive|multiplicative`` price-dependent demand D = a - slope*p + eps or
  D = a*p^-elasticity * eps (eps = ``demand``; options ``a``, ``slope``, ``elasticity``): the
  retailer chooses the price (up to the ``price`` parameter, the highest price allowed) and q.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from clsc.distributions import as_distribution
from clsc.errors import ParameterError
from clsc.models.base import Model, SolveRequest, Variant
from clsc.models.registry import register
from clsc.params import Param, ParamSpec, Rule
from clsc.results import EVALUATED, OPTIMAL, Condition, Result
from clsc.stochastic.mc import LossMoments, SortedSamples, loss_moments
from clsc.stochastic.sampling import METHODS, Draws, demand_samples, draw_uniforms
from clsc.stochastic.variants import capacity, cvar, price_demand


@dataclass(frozen=True)
class Economics:
    """Unit economics of the newsvendor and the affine forms of its outputs in (q, I, L)."""

    price: float
    cost: float
    salvage: float
    holding: float
    shortage: float

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Economics:
        return cls(*(float(params[k]) for k in ("price", "cost", "salvage", "holding", "shortage")))

    @property
    def underage(self) -> float:
        """c_u = p - c + s: loss per unit of unmet demand."""
        return self.price - self.cost + self.shortage

    @property
    def overage(self) -> float:
        """c_o = c - v + h: loss per leftover unit."""
        return self.cost - self.salvage + self.holding

    @property
    def ratio(self) -> float:
        """Critical ratio c_u/(c_u + c_o)."""
        return self.underage / (self.underage + self.overage)

    def forms(self) -> dict[str, tuple[float, float, float]]:
        """Each output as (slope on q, coefficient of I, coefficient of L)."""
        p, c, v, h, s = self.price, self.cost, self.salvage, self.holding, self.shortage
        return {
            "sales": (1.0, -1.0, 0.0),
            "leftover": (0.0, 1.0, 0.0),
            "lost_sales": (0.0, 0.0, 1.0),
            "profit": (p - c, -(p - v + h), -s),
            "cost": (c, h - v, s),
        }

    def outputs(self, q: float, leftover: float, lost: float) -> dict[str, float]:
        """Outputs at q from the expected leftover I and expected lost sales L."""
        return {
            name: slope * q + a_i * leftover + a_l * lost
            for name, (slope, a_i, a_l) in self.forms().items()
        }


def metrics(econ: Economics, demand, q: float, leftover: float, lost: float) -> dict[str, float]:
    """The reported metrics at q given I(q) and L(q) (exact or estimated)."""
    out = econ.outputs(q, leftover, lost)
    mean = float(demand.mean)
    return {
        "sales": out["sales"],
        "leftover": out["leftover"],
        "lost_sales": out["lost_sales"],
        "profit": out["profit"],
        "cost": out["cost"],
        "critical_ratio": econ.ratio,
        "fill_rate": out["sales"] / mean if mean > 0 else math.nan,
    }


def conditions(econ: Economics, q_raw: float | None = None) -> tuple[Condition, ...]:
    """Critical ratio in (0, 1), concavity, and (when optimising) a non-negative quantile."""
    out = [
        Condition(
            "critical_ratio",
            "0 < (price - cost + shortage)/(price + shortage + holding - salvage) < 1",
            econ.ratio,
            0.0 < econ.ratio < 1.0,
            "interior",
        ),
        Condition(
            "concavity",
            "price + shortage + holding - salvage > 0 (so d2E[profit]/dq2 = -(this)*f(q) <= 0)",
            econ.underage + econ.overage,
            econ.underage + econ.overage > 0.0,
            "SOC",
        ),
    ]
    if q_raw is not None:
        out.append(
            Condition("q_nonnegative", "F^-1(critical_ratio) >= 0", q_raw, q_raw >= 0.0, "interior")
        )
    return tuple(out)


def fixed_q(req: SolveRequest) -> float | None:
    """The fixed order quantity of ``--fix q=...`` (checked finite and >= 0), or None."""
    if "q" not in req.fix:
        return None
    q = float(req.fix["q"])
    if not math.isfinite(q) or q < 0:
        raise ParameterError("q", "must be a finite number >= 0", q)
    return q


def optimal_q(demand, ratio: float) -> tuple[float, float]:
    """(q*, raw quantile): the smallest q with F(q) >= ratio, clipped at 0."""
    raw = float(demand.ppf(ratio))
    return max(raw, 0.0), raw


def make_result(
    req: SolveRequest,
    q: float,
    values: Mapping[str, float],
    *,
    q_raw: float | None = None,
    std_errors: Mapping[str, float] | None = None,
    message: str = "",
) -> Result:
    """Assemble the result; ``q_raw`` given means q was optimised (status optimal)."""
    econ = Economics.of(req.params)
    return Result.of(
        Newsvendor,
        req,
        EVALUATED if q_raw is None else OPTIMAL,
        decisions={"q": q},
        profits={"pi_R": values["profit"]},
        metrics=dict(values),
        conditions=conditions(econ, q_raw),
        std_errors=dict(std_errors or {}),
        message=message,
    )


def solve_closed_form(model: Model, req: SolveRequest) -> Result:
    """Critical-ratio quantile and exact loss functions of the demand distribution."""
    econ = Economics.of(req.params)
    demand = req.params["demand"]
    q = fixed_q(req)
    q_raw = None
    if q is None:
        q, q_raw = optimal_q(demand, econ.ratio)
    leftover = float(demand.expected_leftover(q))
    lost = float(demand.expected_shortage(q))
    return make_result(req, q, metrics(econ, demand, q, leftover, lost), q_raw=q_raw)


#: default sample sizes per method (``--samples`` overrides)
DEFAULT_SAMPLES = {"mc": 100_000, "saa": 2_000}


def _draws(req: SolveRequest) -> tuple[Draws, np.ndarray]:
    """Seeded uniforms (``sampling``/``replicates`` options) and demand samples F^-1(u)."""
    opts = req.options
    sampling = Param("sampling", kind="choice", choices=METHODS).coerce(
        opts.get("sampling", "plain")
    )
    replicates = Param("replicates", kind="int", lower=2).coerce(opts.get("replicates", 16))
    n = req.samples if req.samples is not None else DEFAULT_SAMPLES[req.method]
    draws = draw_uniforms(n, req.seed, sampling, replicates)
    return draws, demand_samples(req.params["demand"], draws)


def _estimates(
    econ: Economics, demand, draws: Draws, samples: np.ndarray, moments: LossMoments
) -> tuple[dict[str, float], dict[str, float]]:
    """Sample-average metrics at the single q of ``moments`` and their standard errors.

    Plain sampling: the exact iid formula from the loss sums (:meth:`LossMoments.affine`).
    Antithetic / Sobol: sd of the independent group means / sqrt(#groups) (:class:`Draws`).
    """
    q = float(moments.q[0])
    values = metrics(econ, demand, q, float(moments.leftover[0]), float(moments.shortage[0]))
    se: dict[str, float] = {}
    if draws.method == "plain":
        for name, (slope, a_i, a_l) in econ.forms().items():
            se[name] = float(moments.affine(a_i, a_l, 0.0, slope)[1][0])
    else:
        leftover = np.maximum(q - samples, 0.0)
        lost = np.maximum(samples - q, 0.0)
        for name, (_slope, a_i, a_l) in econ.forms().items():
            se[name] = float(draws.mean_se(a_i * leftover + a_l * lost)[1])
    mean = float(demand.mean)
    se["fill_rate"] = se["sales"] / mean if mean > 0 else math.nan
    se["pi_R"] = se["profit"]
    return values, se


def _exact(econ: Economics, demand, q: float) -> dict[str, float]:
    """Exact expected profit and cost at q (to judge a sampled decision)."""
    out = econ.outputs(q, float(demand.expected_leftover(q)), float(demand.expected_shortage(q)))
    return {"profit_exact": out["profit"], "cost_exact": out["cost"]}


def _q_se(demand, ratio: float, n: int, q: float) -> float:
    """Asymptotic sd of a sample quantile, sqrt(r(1-r)/n)/f(q); nan for discrete demand."""
    density = float(demand.pdf(q)) if not demand.discrete else 0.0
    return math.sqrt(ratio * (1.0 - ratio) / n) / density if density > 0 else math.nan


SE_NOTE = (
    "std_errors are standard errors of the sample averages at the reported q, q held fixed "
    "(the in-sample optimism of an optimised q is not included); se of q is the asymptotic "
    "quantile error sqrt(r(1-r)/n)/f(q) for iid sampling (an upper bound for antithetic and "
    "sobol sampling; none for discrete demand, where q is a support point); critical_ratio, "
    "profit_exact, cost_exact and samples are exact"
)


def _affine_se(
    draws: Draws, samples: np.ndarray, moments: LossMoments, a_i: float, a_l: float
) -> float:
    """se of the sample average of a_i*(q - D)+ + a_l*(D - q)+ at the single q of ``moments``
    (the plain iid formula from the loss sums, else the replicate groups of ``draws``)."""
    if draws.method == "plain":
        return float(moments.affine(a_i, a_l, 0.0, 0.0)[1][0])
    q = float(moments.q[0])
    values = a_i * np.maximum(q - samples, 0.0) + a_l * np.maximum(samples - q, 0.0)
    return float(draws.mean_se(values)[1])


def solve_mc(model: Model, req: SolveRequest) -> Result:
    """Monte Carlo: q is the sample critical-ratio quantile (the exact minimiser of the
    sample-average cost); metrics are sample averages from the numba loss-sum evaluators."""
    econ = Economics.of(req.params)
    demand = req.params["demand"]
    draws, samples = _draws(req)
    evaluator = Param("evaluator", kind="choice", choices=("sorted", "brute")).coerce(
        req.options.get("evaluator", "sorted")
    )
    sorted_samples = SortedSamples(samples)
    q = fixed_q(req)
    q_raw = None
    if q is None:
        q_raw = sorted_samples.quantile(econ.ratio)
        q = max(q_raw, 0.0)
    qs = np.array([q])
    moments = (
        sorted_samples.moments(qs) if evaluator == "sorted" else loss_moments(samples, qs, "brute")
    )
    values, se = _estimates(econ, demand, draws, samples, moments)
    values.update(_exact(econ, demand, q))
    values["samples"] = int(draws.n)
    q_se = _q_se(demand, econ.ratio, draws.n, q) if q_raw is not None else math.nan
    if math.isfinite(q_se):
        se["q"] = q_se
    result = make_result(req, q, values, q_raw=q_raw, std_errors=se, message=SE_NOTE)
    return replace(result, flags=(*result.flags, *sampling_flags(draws.n, result)))


#: Fewest samples for which the asymptotic (normal) standard errors are reported without a flag.
MIN_ASYMPTOTIC_SAMPLES = 30


def sampling_flags(n: int, result: Result) -> tuple[str, ...]:
    """Where the standard errors' assumptions fail: too few samples, or errors as large as the
    estimates themselves (heavy tails)."""
    out = []
    if n < MIN_ASYMPTOTIC_SAMPLES:
        out.append(
            f"only n={n} samples: the asymptotic standard errors assume many samples "
            f"(use n >= {MIN_ASYMPTOTIC_SAMPLES}); they are not reliable here"
        )
    values = {**result.decisions, **result.profits, **result.metrics}
    wild = [
        k
        for k, e in result.std_errors.items()
        if not math.isfinite(e) or (k in values and e > 0.25 * max(1.0, abs(values[k])))
    ]
    for key in ("profit", "cost"):  # the exact value at the same q is known: compare
        exact, est, err = values.get(f"{key}_exact"), values.get(key), result.std_errors.get(key)
        if None not in (exact, est, err) and math.isfinite(exact) and abs(est - exact) > 5 * err:
            wild.append(f"{key} is {abs(est - exact) / err:.3g} se from its exact value")
    if wild:
        out.append(
            f"standard errors not trustworthy ({'; '.join(wild)}): heavy-tailed demand or too "
            "few samples; these estimates are not reliable"
        )
    return tuple(out)


def solve_saa(model: Model, req: SolveRequest) -> Result:
    """SAA LP solved by HiGHS on the process's built program for this sample size (any q of
    the optimal interval); a fixed q is evaluated by the same sample averages without a solve.

    Standard errors: the sample averages at q as in ``mc`` (``objective``, the SAA objective
    c_o*I + c_u*L, is one of them); q is a sample critical-ratio quantile (any point of the
    LP's optimal interval, whose width is O(1/n)), so its se is the asymptotic quantile error
    sqrt(r(1-r)/n)/f(q) (continuous demand)."""
    from clsc.stochastic.saa import solve_shared

    econ = Economics.of(req.params)
    demand = req.params["demand"]
    draws, samples = _draws(req)
    sorted_samples = SortedSamples(samples)
    q = fixed_q(req)
    q_raw = None
    if q is None:
        sol = solve_shared(samples, econ.overage, econ.underage)
        if sol.status != OPTIMAL:
            return Result.of(
                Newsvendor,
                req,
                sol.status,
                conditions=conditions(econ),
                message=sol.message,
            )
        q = max(float(sol.q), 0.0)
        q_raw = sorted_samples.quantile(econ.ratio)
    moments = sorted_samples.moments(np.array([q]))
    values, se = _estimates(econ, demand, draws, samples, moments)
    values["objective"] = econ.overage * values["leftover"] + econ.underage * values["lost_sales"]
    se["objective"] = _affine_se(draws, samples, moments, econ.overage, econ.underage)
    values.update(_exact(econ, demand, q))
    values["samples"] = int(draws.n)
    q_se = _q_se(demand, econ.ratio, draws.n, q) if q_raw is not None else math.nan
    if math.isfinite(q_se):
        se["q"] = q_se
    result = make_result(req, q, values, q_raw=q_raw, std_errors=se, message=SE_NOTE)
    return replace(result, flags=(*result.flags, *sampling_flags(draws.n, result)))


def _positive_underage(v: Mapping[str, Any]) -> bool:
    return v["price"] - v["cost"] + v["shortage"] > 0


def _positive_overage(v: Mapping[str, Any]) -> bool:
    return v["cost"] - v["salvage"] + v["holding"] > 0


def _representable_ratio(v: Mapping[str, Any]) -> bool:
    """The critical ratio must be strictly inside (0, 1) in floating point, not only on paper."""
    return 0.0 < Economics.of(v).ratio < 1.0


#: the newsvendor's variants (``clsc models`` lists them); capacity combines with the others
VARIANTS = (
    Variant(
        "price-dependent demand",
        "D = a - slope*p + eps or a*p^-elasticity*eps; price and q chosen together",
        selects=("demand_model",),
        options=("a", "slope", "elasticity"),
        solvers=price_demand.SOLVERS,
        handles=("order limits",),
    ),
    Variant(
        "cvar",
        "risk-averse retailer: maximise CVaR of profit at level alpha",
        selects=("alpha",),
        solvers=cvar.SOLVERS,
        handles=("order limits",),
    ),
    Variant(
        "order limits",
        "capacity q <= q_max and/or integer q (concavity: the better neighbour)",
        selects=capacity.SELECTS,
        solvers=capacity.variant_solvers(
            capacity.solve_newsvendor_exact, capacity.solve_newsvendor
        ),
        wraps=True,
    ),
)


# ---- vectorised closed form (used by clsc.sweeps) ---------------------------------------------


def vectorised_closed_form(scenario: str | None, params: Mapping[str, Any], n: int) -> dict:
    """The ``closed-form`` method on ``n`` points at once (no ``fix``, no variant options).

    ``params`` maps each parameter to a scalar or an array of ``n`` values; ``demand`` is one
    distribution (its ppf and loss functions take arrays). Same equations as
    :func:`solve_closed_form`: q* = max(F^-1(c_u/(c_u + c_o)), 0). Returns the sweep block
    (``status``, ``message``, ``decisions``, ``profits``, ``metrics``, ``conditions``).

    >>> from clsc.distributions import parse
    >>> u = parse("uniform(low=0, high=100)")
    >>> b = vectorised_closed_form(None, {"price": 10.0, "cost": np.array([4.0, 6.0]),
    ...     "salvage": 0.0, "holding": 0.0, "shortage": 0.0, "demand": u}, 2)
    >>> b["decisions"]["q"].round(6).tolist()
    [60.0, 40.0]
    """
    p, c, v, h, s = (
        np.broadcast_to(np.asarray(params[k], dtype=float), (n,))
        for k in ("price", "cost", "salvage", "holding", "shortage")
    )
    demand = params["demand"]
    under, over = p - c + s, c - v + h
    with np.errstate(all="ignore"):
        ratio = under / (under + over)
        q_raw = np.asarray(demand.ppf(np.clip(ratio, 0.0, 1.0)), dtype=float)
    q = np.maximum(q_raw, 0.0)
    leftover = np.asarray(demand.expected_leftover(q), dtype=float)
    lost = np.asarray(demand.expected_shortage(q), dtype=float)
    mean = float(demand.mean)
    sales = q - leftover
    profit = (p - c) * q - (p - v + h) * leftover - s * lost
    metrics_ = {
        "sales": sales,
        "leftover": leftover,
        "lost_sales": lost,
        "profit": profit,
        "cost": c * q + (h - v) * leftover + s * lost,
        "critical_ratio": ratio,
        "fill_rate": sales / mean if mean > 0 else np.full(n, math.nan),
    }
    return {
        "status": np.full(n, str(OPTIMAL), dtype=object),
        "message": np.full(n, "", dtype=object),
        "decisions": {"q": q},
        "profits": {"pi_R": profit},
        "metrics": metrics_,
        "conditions": {
            "critical_ratio": (ratio > 0.0) & (ratio < 1.0),
            "concavity": under + over > 0.0,
            "q_nonnegative": q_raw >= 0.0,
        },
    }


@register
class Newsvendor(Model):
    """Single-period newsvendor (see the module docstring for the equations)."""

    name = "newsvendor"
    summary = "single-period newsvendor: critical ratio, exact loss functions, Monte Carlo, SAA"
    spec = ParamSpec(
        params=(
            Param("price", 0.0, "retail price per unit sold [p]", lower=0.0),
            Param("cost", 0.0, "purchase cost per unit ordered [c]", lower=0.0),
            Param("salvage", 0.0, "salvage value per leftover unit [v]", lower=0.0),
            Param("holding", 0.0, "holding/disposal cost per leftover unit [h]", lower=0.0),
            Param("shortage", 0.0, "stock-out penalty per unit of unmet demand [s]", lower=0.0),
            Param(
                "demand",
                doc="demand distribution D, e.g. normal(mean=50, sd=8)",
                kind="demand",
                convert=as_distribution,
            ),
        ),
        rules=(
            Rule(
                ("price", "cost", "shortage"),
                "must satisfy underage cost price - cost + shortage > 0 "
                "(critical ratio must be > 0)",
                _positive_underage,
            ),
            Rule(
                ("cost", "salvage", "holding"),
                "must satisfy overage cost cost - salvage + holding > 0 "
                "(critical ratio must be < 1)",
                _positive_overage,
            ),
            Rule(
                ("holding", "price", "cost", "salvage", "shortage"),
                "must give a critical ratio strictly inside (0, 1) in floating point "
                "(overage and underage costs differ by too many orders of magnitude)",
                _representable_ratio,
            ),
        ),
    )
    decisions = ("q",)
    decision_keys = ("q", "price")  # price: with option demand_model
    profit_keys = ("pi_R",)
    metric_keys = (
        *("sales", "leftover", "lost_sales", "profit", "cost", "critical_ratio", "fill_rate"),
        *("samples", "profit_exact", "cost_exact", "objective"),  # mc / saa
        *capacity.METRIC_KEYS,  # q_max / integer
        *("alpha", "cvar", "value_at_risk", "y", "profit_sample", "q_risk_neutral"),  # CVaR
        *("price", "expected_demand", "riskless_price"),  # demand_model
    )
    methods = MappingProxyType({"closed-form": solve_closed_form, "mc": solve_mc, "saa": solve_saa})
    variants = VARIANTS
    default_method = "closed-form"
    exact_keys = frozenset(
        {
            "critical_ratio",  # c_u/(c_u + c_o): a closed form of the parameters
            "profit_exact",  # E[profit] at the reported q from the exact loss functions
            "cost_exact",  # E[cost] at the reported q, likewise
            "samples",  # a count
            "capacity_binding",  # indicator of q* > q_max (q_max, integer): given q*
            "alpha",  # CVaR level: an echo of the option alpha
        }
    )
    #: the closed form on many points at once (clsc.sweeps)
    vectorised = staticmethod(vectorised_closed_form)
    options = MappingProxyType(
        {
            "sampling": "mc/saa: plain (default), antithetic or sobol (scrambled replicates)",
            "replicates": "mc/saa with sampling=sobol: number of scrambled replicates (default 16)",
            "evaluator": "mc: loss-sum evaluator, sorted (default) or brute (numba brute force)",
            **price_demand.OPTIONS,
            **cvar.OPTIONS,
            **capacity.OPTIONS,
        }
    )
