"""Sample-based solution of the newsvendor-contract models (``buyback-effort``, ``contracts``).

Both models reduce, for a demand sample d_1..d_n, to newsvendor orders and the sample loss
moments at them, so one machinery serves both methods:

* ``mc``: the order is the empirical quantile at the critical ratio (the exact optimiser of the
  sample-average profit), via :class:`clsc.stochastic.mc.SortedSamples`;
* ``saa``: the order solves the sample-average LP: by default the shared pyomo/HiGHS model
  :class:`clsc.stochastic.saa.NewsvendorSAA` (option ``lp=pyomo``), or the same LP built
  directly in highspy (``lp=highspy``, ~50x faster for large n);

then the expected leftover, sales and shortage at the orders are sample means (sort + prefix
sums, :mod:`clsc.stochastic.mc`) and the remaining decisions (the effort e of buyback-effort)
follow in closed form from them. Demand samples are inverse-transform draws of
:mod:`clsc.stochastic.sampling` (``plain``, ``antithetic`` or scrambled ``sobol``), the same
seed giving common random numbers across scenarios (N and B are estimated from one sample).

Standard errors are by *sectioning*: every output (decisions, profits, metrics) is computed on
the whole sample and on ``batches`` independent sections of it; the standard error is
sd(section values)/sqrt(batches). This accounts for the sampling error of the optimised order
itself (which enters the supplier's profit to first order), not only for the noise of the means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from clsc.errors import ParameterError, SolverError
from clsc.params import Param
from clsc.results import EVALUATED, OPTIMAL, Result
from clsc.stochastic.mc import SortedSamples
from clsc.stochastic.sampling import demand_samples, draw_uniforms

#: method -> (default samples, default sections)
DEFAULTS = {"mc": (200_000, 20), "saa": (2_000, 10)}
SAMPLINGS = ("plain", "antithetic", "sobol")
LPS = ("pyomo", "highspy")

Order = Callable[[SortedSamples, float, float, float], float]
Stat = Callable[[np.ndarray], dict[str, float]]


# ---- orders -----------------------------------------------------------------------------------


def quantile_order(ss: SortedSamples, price: float, salvage: float, cost: float) -> float:
    """Empirical newsvendor order: smallest sample with F_n >= (price - cost)/(price - salvage),
    or 0 if that sample is negative (orders are >= 0, as in the LP)."""
    return max(ss.quantile((price - cost) / (price - salvage)), 0.0)


def highspy_order(ss: SortedSamples, price: float, salvage: float, cost: float) -> float:
    """Order maximising the sample-average profit, solved as an LP by HiGHS::

        max (salvage - cost)*q + (price - salvage)/n * sum_i s_i
        s.t. s_i <= q, s_i <= d_i (bound), q >= 0

    (s_i = min(d_i, q) are the sales; leftover q - s_i is salvaged). Built column-wise in
    highspy directly (option ``lp=highspy``): it skips the pyomo model build of
    :mod:`clsc.stochastic.saa` (see ``benchmarks/bench_saa_resolve.py`` for both paths).
    """
    import highspy

    d = ss.values
    n = d.shape[0]
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + 1, n
    lp.col_cost_ = np.concatenate([[cost - salvage], np.full(n, -(price - salvage) / n)])
    lp.col_lower_ = np.concatenate([[0.0], np.full(n, -inf)])
    lp.col_upper_ = np.concatenate([[inf], d])
    lp.row_lower_ = np.full(n, -inf)
    lp.row_upper_ = np.zeros(n)
    a = lp.a_matrix_
    a.format_ = highspy.MatrixFormat.kColwise
    a.start_ = np.concatenate([[0, n], n + 1 + np.arange(n)]).astype(np.int32)
    a.index_ = np.concatenate([np.arange(n), np.arange(n)]).astype(np.int32)
    a.value_ = np.concatenate([-np.ones(n), np.ones(n)])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError(
            f"SAA newsvendor LP not solved: {h.modelStatusToString(h.getModelStatus())}"
        )
    return float(h.getSolution().col_value[0])


class PyomoOrder:
    """SAA order by the shared pyomo/HiGHS newsvendor LP (:class:`clsc.stochastic.saa.
    NewsvendorSAA`, overage cost - salvage, underage price - cost), one persistent model per
    sample size, re-solved in place (option ``lp=pyomo``, the default)."""

    def __init__(self) -> None:
        self._models: dict[int, Any] = {}
        self._last: dict[int, np.ndarray] = {}

    def __call__(self, ss: SortedSamples, price: float, salvage: float, cost: float) -> float:
        from clsc.stochastic.saa import NewsvendorSAA

        n = ss.n
        if n not in self._models:
            self._models[n] = NewsvendorSAA(n)
        same = self._last.get(n) is ss.values  # a held reference: ids cannot be recycled
        self._last[n] = ss.values
        sol = self._models[n].solve(
            None if same else ss.values, overage=cost - salvage, underage=price - cost
        )
        if sol.status != OPTIMAL or sol.q is None:
            raise SolverError(f"SAA newsvendor LP not solved: {sol.message}")
        return sol.q


def saa_order(lp: str) -> Order:
    """The SAA order function for the ``lp`` option (a fresh model cache per solve)."""
    return PyomoOrder() if lp == "pyomo" else highspy_order


# ---- samples and sectioning -------------------------------------------------------------------


def options(method: str, req_options: Mapping[str, Any]) -> tuple[str, int, Order]:
    """Validated ``sampling``, ``batches`` and (``saa`` only) ``lp`` options -> order function."""
    sampling = Param("sampling", kind="choice", choices=SAMPLINGS).coerce(
        req_options.get("sampling", "plain")
    )
    batches = Param("batches", kind="int", lower=2).coerce(
        req_options.get("batches", DEFAULTS[method][1])
    )
    if method == "mc":
        if "lp" in req_options:
            raise ParameterError("lp", message="option lp applies to method saa only")
        return sampling, batches, quantile_order
    lp = Param("lp", kind="choice", choices=LPS).coerce(req_options.get("lp", "pyomo"))
    return sampling, batches, saa_order(lp)


def draw(
    dist: Any, n: int, seed: int | None, sampling: str, batches: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Demand samples and the index arrays of ``batches`` independent sections.

    Antithetic pairs (i, i + m) stay in the same section; with ``sobol`` each section is one
    independently scrambled Sobol' replicate of 2^k points (2^k nearest n/batches).
    """
    seed = 0 if seed is None else seed
    least = 2 * (2 * batches if sampling == "antithetic" else batches)
    if n < least:  # never raise the user's sample size silently
        raise ParameterError(
            "samples",
            f"must be >= {least} (at least 2 per each of the {batches} sections that give the "
            "standard errors; fewer sections: option batches)",
            n,
        )
    if sampling == "sobol":
        draws = draw_uniforms(max(n, 2 * batches), seed=seed, method="sobol", replicates=batches)
    else:
        per = 2 * batches if sampling == "antithetic" else batches
        draws = draw_uniforms(max(per, per * math.ceil(n / per)), seed=seed, method=sampling)
    d = demand_samples(dist, draws)
    n = d.shape[0]
    if sampling == "antithetic":
        m = n // 2
        idx = np.arange(m).reshape(batches, -1)
        sections = [np.concatenate([row, row + m]) for row in idx]
    else:
        sections = list(np.arange(n).reshape(batches, -1))
    return d, sections


def sectioned(
    stat: Stat, d: np.ndarray, sections: list, notes: list[str] | None = None
) -> tuple[dict, dict]:
    """Estimates of ``stat`` on the whole sample and their sectioning standard errors.

    With ``notes``, an order (``q``, ``q_int``) whose sections chose between a few integer
    values is reported there with the share of each candidate: at a step of a discrete demand
    CDF the optimum is not asymptotically normal and its standard error does not apply.
    """
    full = stat(d)
    parts = [stat(d[idx]) for idx in sections]
    if notes is not None:
        notes.extend(_discrete_orders(full, parts))
    se = {}
    for key, value in full.items():
        vals = np.array([p[key] for p in parts], dtype=float)
        if not math.isfinite(value):  # e.g. k_bar = inf: no standard error
            continue
        se[key] = (
            float(vals.std(ddof=1) / math.sqrt(len(vals)))
            if np.all(np.isfinite(vals))
            else math.inf
        )
    return full, se


def _discrete_orders(full: dict, parts: list[dict]) -> list[str]:
    out = []
    for key in ("q", "q_int"):
        vals = np.array([p.get(key, math.nan) for p in parts], dtype=float)
        if not np.all(np.isfinite(vals)) or not np.all(vals == np.round(vals)):
            continue
        cands, counts = np.unique(vals, return_counts=True)
        if len(cands) < 2 or len(cands) > 3:
            continue
        shares = ", ".join(
            f"{key}={c:g} in {k} of {len(vals)}" for c, k in zip(cands, counts, strict=True)
        )
        out.append(
            f"{key}={full[key]:g} is a discrete optimum at a step of the demand CDF: the "
            f"sections chose {shares}; its standard error does not apply (not asymptotically "
            "normal)"
        )
    return out


def _sample_message(
    method: str, n: int, sampling: str, seed: int | None, batches: int, order: Order
) -> str:
    if method == "mc":
        what = "empirical-quantile orders"
    else:
        via = "pyomo" if isinstance(order, PyomoOrder) else "highspy"
        what = f"sample-average LP orders (HiGHS via {via})"
    return (
        f"{method}: {what} on n={n} {sampling} demand samples (seed={0 if seed is None else seed});"
        f" standard errors by sectioning into {batches} independent sections"
    )


# ---- buyback-effort ---------------------------------------------------------------------------


def buyback_effort_stat(
    values: Mapping[str, Any], scenario: str, fix: Mapping, order: Order
) -> Stat:
    """Sample statistic of buyback-effort: orders, e, profits and the (14)/(15) quantities."""
    from clsc.models.buyback_effort import assemble, profits_at

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
    from clsc.models.buyback_effort import conditions

    if req.scenario == "N" and "e" in req.fix:
        raise ParameterError("e", message="e is a decision only in scenario B (got --fix e)")
    for name, value in req.fix.items():
        if value < 0:
            raise ParameterError(name, "must be >= 0", value)
    values = req.params
    sampling, batches, order = options(method, req.options)
    if wrap_order is not None:
        order = wrap_order(order)
    n = req.samples or DEFAULTS[method][0]
    d, sections = draw(values["demand"], n, req.seed, sampling, batches)
    stat = buyback_effort_stat(values, req.scenario, req.fix, order)
    est, se = sectioned(stat, d, sections)
    dec_keys = ("q", "e") if req.scenario == "B" else ("q",)
    prof_keys = ("pi_R", "pi_M", "total")
    return Result(
        model=model.name,
        scenario=req.scenario,
        method=req.method,
        status=EVALUATED if req.fix else OPTIMAL,
        params=dict(values),
        decisions={key: est[key] for key in dec_keys},
        profits={key: est[key] for key in prof_keys},
        metrics={key: v for key, v in est.items() if key not in (*dec_keys, *prof_keys)}
        | {"samples": d.shape[0]},
        conditions=conditions(values, est["delta_R"], est["k_bar"]),
        std_errors=se,
        flags=req.flags,
        message=_sample_message(method, d.shape[0], sampling, req.seed, batches, order),
    )


# ---- contracts --------------------------------------------------------------------------------


def contracts_stat(x: Mapping[str, Any], scenario: str, fix: Mapping, order: Order) -> Stat:
    """Sample statistic of the contracts model: order, profits, channel and efficiency."""
    from clsc.models.contracts import profits, retailer_terms

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


def solve_contracts(model: Any, req: Any) -> Result:
    """``mc`` / ``saa`` solution of the contracts model (terms already resolved in ``req``)."""
    from clsc.models.contracts import coordination, critical_ratio, retailer_terms

    x = req.params
    method = req.method
    if req.fix.get("q", 0.0) < 0:
        raise ParameterError("q", "must be >= 0", req.fix["q"])
    sampling, batches, order = options(method, req.options)
    n = req.samples or DEFAULTS[method][0]
    d, sections = draw(x["demand"], n, req.seed, sampling, batches)
    notes: list[str] = []
    est, se = sectioned(contracts_stat(x, req.scenario, req.fix, order), d, sections, notes)
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
    metrics["samples"] = d.shape[0]
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
        flags=(*req.flags, *notes),
        message=_sample_message(method, d.shape[0], sampling, req.seed, batches, order),
    )
