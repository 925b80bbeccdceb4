"""Sample-based newsvendor orders with sectioning standard errors (generic: no model formulas).

The newsvendor-contract models (``buyback-effort``, ``contracts``; their statistics are in
:mod:`clsc.models.buyback_effort_methods` and :mod:`clsc.models.contracts_methods`) reduce, for a
demand sample d_1..d_n, to newsvendor orders and the sample loss moments at them, so one
machinery serves both methods:

* ``mc``: the order is the empirical quantile at the critical ratio (the exact optimiser of the
  sample-average profit), via :class:`clsc.stochastic.mc.SortedSamples`;
* ``saa``: the order solves the sample-average LP: by default the re-solved HiGHS program
  :class:`clsc.stochastic.saa.NewsvendorSAA` (option ``lp=pyomo``, a historical name), or
  an LP built once per solve (``lp=highspy``);

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
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError, SolverError
from clsc.params import Param
from clsc.results import OPTIMAL
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

    (s_i = min(d_i, q) are the sales; leftover q - s_i is salvaged). Built as arrays for the
    solver layer (:mod:`clsc.solvers`, option ``lp=highspy``): it skips the pyomo model build of
    :mod:`clsc.stochastic.saa` (see ``benchmarks/bench_saa_resolve.py`` for both paths).
    """
    import scipy.sparse as sparse

    from clsc.solvers.highs import solve
    from clsc.solvers.program import LinearProgram

    d = ss.values
    n = d.shape[0]
    rows = np.arange(n)
    # row i: s_i - q <= 0  (column 0 is q, column 1 + i is s_i)
    A = sparse.csc_matrix(
        (
            np.concatenate([-np.ones(n), np.ones(n)]),
            (np.tile(rows, 2), np.r_[np.zeros(n), rows + 1]),
        ),
        shape=(n, n + 1),
    )
    lp = LinearProgram(
        c=np.concatenate([[cost - salvage], np.full(n, -(price - salvage) / n)]),
        A=A,
        row_upper=np.zeros(n),
        col_lower=np.concatenate([[0.0], np.full(n, -np.inf)]),
        col_upper=np.concatenate([[np.inf], d]),
    )
    sol = solve(lp)
    if not sol:
        raise SolverError(f"SAA newsvendor LP not solved: {sol.status} {sol.message}")
    return float(sol.x[0])


class PyomoOrder:
    """SAA order by the re-solved HiGHS newsvendor LP (:class:`clsc.stochastic.saa.
    NewsvendorSAA`, overage cost - salvage, underage price - cost) on the process's shared
    program for the sample size (:func:`clsc.stochastic.saa.solve_shared`; option
    ``lp=pyomo``, the default)."""

    def __call__(self, ss: SortedSamples, price: float, salvage: float, cost: float) -> float:
        from clsc.stochastic.saa import solve_shared

        sol = solve_shared(ss.values, overage=cost - salvage, underage=price - cost)
        if sol.status != OPTIMAL or sol.q is None:
            raise SolverError(f"SAA newsvendor LP not solved: {sol.message}")
        return sol.q


def saa_order(lp: str) -> Order:
    """The SAA order function for the ``lp`` option (a fresh model cache per solve)."""
    return PyomoOrder() if lp == "pyomo" else highspy_order


# ---- samples and sectioning -------------------------------------------------------------------


#: the options :func:`options` reads, with their help text (a model's ``options`` table)
OPTIONS: Mapping[str, str] = {
    "sampling": "mc/saa: plain (default), antithetic or sobol (scrambled replicates)",
    "batches": "mc/saa: number of sections for the standard errors (default 20 / 10)",
    "lp": "saa: pyomo (default; clsc.stochastic.saa) or highspy (direct LP, faster)",
}


def options(method: str, req_options: Mapping[str, Any]) -> tuple[str, int, Order]:
    """Validated ``sampling``, ``batches`` and (``saa`` only) ``lp`` options -> order function."""
    sampling = Param("sampling", kind="choice", choices=SAMPLINGS).coerce(
        req_options.get("sampling", "plain")
    )
    batches = Param("batches", kind="int", lower=2).coerce(
        req_options.get("batches", DEFAULTS[method][1])
    )
    return sampling, batches, ORDERS[method](req_options)


def _mc_order(req_options: Mapping[str, Any]) -> Order:
    if "lp" in req_options:
        raise ParameterError("lp", message="option lp applies to method saa only")
    return quantile_order


def _saa_order(req_options: Mapping[str, Any]) -> Order:
    return saa_order(Param("lp", kind="choice", choices=LPS).coerce(req_options.get("lp", "pyomo")))


#: method -> the order function its options select
ORDERS: Mapping[str, Callable[[Mapping[str, Any]], Order]] = {"mc": _mc_order, "saa": _saa_order}


def draw(
    dist: Any, n: int, seed: int, sampling: str, batches: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Demand samples and the index arrays of ``batches`` independent sections.

    Antithetic pairs (i, i + m) stay in the same section; with ``sobol`` each section is one
    independently scrambled Sobol' replicate of 2^k points (2^k nearest n/batches).
    Fewer than 2 samples per section is refused (never raised silently).
    """
    least = 2 * (2 * batches if sampling == "antithetic" else batches)
    if n < least:
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
        notes.extend(discrete_orders(full, parts))
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


def discrete_orders(full: Mapping[str, float], parts: list[Mapping[str, float]]) -> list[str]:
    """Notes for orders whose sections chose between 2 or 3 integer values (a discrete optimum
    at a step of the demand CDF), with the share of each candidate."""
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


def sample_message(
    method: str, n: int, sampling: str, seed: int, batches: int, order: Order
) -> str:
    """How the estimates were obtained (order, sample, seed, sections), for ``Result.message``."""
    if order is quantile_order:
        what = "empirical-quantile orders"
    else:
        via = "pyomo" if isinstance(order, PyomoOrder) else "highspy"
        what = f"sample-average LP orders (HiGHS via {via})"
    return (
        f"{method}: {what} on n={n} {sampling} demand samples (seed={seed});"
        f" standard errors by sectioning into {batches} independent sections"
    )


@dataclass(frozen=True)
class Sampled:
    """Estimates of a sample statistic, their sectioning standard errors, the sample size and
    the message describing how they were obtained."""

    estimates: dict[str, float]
    std_errors: dict[str, float]
    n: int
    message: str
    notes: tuple[str, ...] = ()


def run_sectioned(
    statistic: Callable[[Order], Stat],
    dist: Any,
    method: str,
    req_options: Mapping[str, Any],
    samples: int | None,
    seed: int,
    wrap_order: Callable[[Order], Order] | None = None,
) -> Sampled:
    """Draw the demand sample of ``method`` and estimate ``statistic(order)`` on it with
    sectioning standard errors (``wrap_order`` transforms the order function first)."""
    sampling, batches, base = options(method, req_options)
    order = base if wrap_order is None else wrap_order(base)
    d, sections = draw(dist, samples or DEFAULTS[method][0], seed, sampling, batches)
    notes: list[str] = []
    est, se = sectioned(statistic(order), d, sections, notes)
    message = sample_message(method, d.shape[0], sampling, seed, batches, base)
    return Sampled(est, se, d.shape[0], message, tuple(notes))
