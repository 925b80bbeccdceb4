"""Tests of model 004 `buyback-effort` (spec section 9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize

from clsc.distributions import Distribution, parse
from clsc.errors import ParameterError
from clsc.models import get_model
from clsc.models.buyback_effort import equilibrium

MODEL = get_model("buyback-effort")

UNIFORM = "uniform(low=0, high=100)"
EXPONENTIAL = "exponential(mean=100)"
TRUNCNORMAL = "truncnormal(mean=100, sd=30, lower=0)"
BASE = {"p": 20, "w": 5, "b": 4, "v": 2, "cm": 1}
SECOND = {"p": 10, "w": 6, "b": 3, "v": 2, "cm": 1}


def close(computed: float, printed: str) -> bool:
    """Spec 1.4: |computed - printed| <= 0.5*10^-d + 1e-9*|printed| (d printed decimals)."""
    if printed == "inf":
        return math.isinf(computed) and computed > 0
    d = len(printed.split(".")[1]) if "." in printed else 0
    value = float(printed)
    return abs(computed - value) <= 0.5 * 10.0**-d + 1e-9 * abs(value)


# spec 9.9 reference rows: (demand, prices) -> common numbers, and per k: (e*, pi_M^B, M gains)
expected_rows = {
    (UNIFORM, "base"): (
        {"q_N": "83.333", "q_B": "93.750", "pi_R_N": "625.000", "pi_R_B": "703.125",
         "pi_M_N": "333.333", "Gamma": "46.224", "k_bar": "41.779"},
        {10: ("4.3945", "480.228", True), 40: ("1.0986", "335.389", True),
         100: ("0.4395", "306.421", False)},
    ),
    (UNIFORM, "second"): (
        {"q_N": "50.000", "q_B": "57.143", "pi_R_N": "100.000", "pi_R_B": "114.286",
         "pi_M_N": "250.000", "Gamma": "-19.388", "k_bar": "inf"},
        {10: ("1.6327", "296.043", True), 40: ("0.4082", "276.052", True),
         100: ("0.1633", "272.053", True)},
    ),
    (EXPONENTIAL, "base"): (
        {"q_N": "179.176", "q_B": "277.259", "pi_R_N": "962.472", "pi_R_B": "1222.741",
         "pi_M_N": "716.704", "Gamma": "-25.314", "k_bar": "inf"},
        {10: ("18.3509", "4109.568", True), 40: ("4.5877", "1583.905", True),
         100: ("1.8351", "1078.773", True)},
    ),
    (TRUNCNORMAL, "base"): (
        {"q_N": "129.031", "q_B": "146.030", "pi_R_N": "1365.893", "pi_R_B": "1441.703",
         "pi_M_N": "516.125", "Gamma": "25.598", "k_bar": "85.551"},
        {10: ("4.6797", "709.521", True), 40: ("1.1699", "545.276", True),
         100: ("0.4680", "512.426", False)},
    ),
}  # fmt: skip
PRICES = {"base": BASE, "second": SECOND}
ROWS = [(dem, pr, k) for (dem, pr), (_, per_k) in expected_rows.items() for k in per_k]


def params(demand: str, prices: str, k: float) -> dict:
    return {"demand": demand, **PRICES[prices], "k": k}


@pytest.mark.parametrize(("demand", "prices", "k"), ROWS)
def test_reference_rows(demand, prices, k):
    common, per_k = expected_rows[(demand, prices)]
    expected_e, expected_pi_M_B, expected_gains = per_k[k]
    rb = MODEL.solve("B", params=params(demand, prices, k))
    rn = MODEL.solve("N", params=params(demand, prices, k))
    assert rb.status == rn.status == "optimal"
    for name, printed in common.items():
        assert close(rb.metrics[name], printed), (name, rb.metrics[name], printed)
        assert close(rn.metrics[name], printed), (name, rn.metrics[name], printed)
    assert close(rb.decisions["e"], expected_e)
    assert close(rb.profits["pi_M"], expected_pi_M_B)
    assert close(rb.decisions["q"], common["q_B"]) and close(rn.decisions["q"], common["q_N"])
    assert close(rn.profits["pi_R"], common["pi_R_N"])
    assert close(rb.profits["pi_R"], common["pi_R_B"])
    assert close(rn.profits["pi_M"], common["pi_M_N"])
    # decision conditions: (15) as printed, and the test invariants of 9.9
    assert rb.condition("M_gains").holds is expected_gains
    assert (rb.profits["pi_M"] >= rn.profits["pi_M"]) == (k <= rb.metrics["k_bar"])
    assert rb.profits["pi_R"] > rn.profits["pi_R"]
    assert rb.condition("R_gains").holds and rb.condition("R_gains").kind == "decision"
    assert rb.condition("M_gains").value == rb.metrics["k_bar"]


def test_k_bar_numbers_of_spec_9_9():
    # spec 9.9: closed form 41.778994278169016 = numeric 41.77899427816898
    expected_k_bar = 41.778994278169016
    r = MODEL.solve("B", params=params(UNIFORM, "base", 10))
    assert r.metrics["k_bar"] == pytest.approx(expected_k_bar, rel=1e-12)


# ---- uniform closed forms of spec 9.7, written out independently ------------------------------


def uniform_closed_form(p, w, b, v, c, k, U):
    """Spec 9.7, transcribed."""
    q_N, q_B = U * (p - w) / (p - v), U * (p - w) / (p - b)
    S_B = U * (p - w) ** 2 / (2 * (p - b) ** 2)
    bracket = (p - w) * (p - v) - 2 * (w - c) * (p - b)
    gamma = (b - v) * U * (p - w) * bracket / (2 * (p - b) ** 2 * (p - v))
    k_bar = (
        v**2 * (p - w) ** 3 * U * (p - v) / (8 * (p - b) ** 2 * (b - v) * bracket)
        if bracket > 0
        else math.inf
    )
    return {
        "q_N": q_N,
        "q_B": q_B,
        "pi_R_N": U * (p - w) ** 2 / (2 * (p - v)),
        "pi_R_B": U * (p - w) ** 2 / (2 * (p - b)),
        "delta_R": U * (p - w) ** 2 * (b - v) / (2 * (p - b) * (p - v)),
        "pi_M_N": U * (w - c) * (p - w) / (p - v),
        "S_B": S_B,
        "e_B": v * U * (p - w) ** 2 / (4 * k * (p - b) ** 2),
        "pi_M_B": (w - c) * U * (p - w) / (p - b)
        - (b - v) * U * (p - w) ** 2 / (2 * (p - b) ** 2)
        + v**2 * U**2 * (p - w) ** 4 / (16 * k * (p - b) ** 4),
        "Gamma": gamma,
        "k_bar": k_bar,
    }


prices_strategy = st.lists(
    st.floats(0.5, 100.0, allow_nan=False), min_size=5, max_size=5, unique=True
).map(sorted)


@settings(max_examples=60, deadline=None)
@given(
    prices=prices_strategy,
    k=st.floats(0.01, 1000.0),
    U=st.floats(1.0, 1000.0),
)
def test_general_F_matches_uniform_closed_forms(prices, k, U):
    c, v, b, w, p = prices
    if min(np.diff(prices)) < 1e-3 * p:
        return  # avoid near-ties where both sides lose digits
    values = {"p": p, "w": w, "b": b, "v": v, "cm": c, "k": k,
              "demand": parse(f"uniform(low=0, high={U!r})")}  # fmt: skip
    got = equilibrium(values).metrics()
    for name, value in uniform_closed_form(p, w, b, v, c, k, U).items():
        if math.isinf(value):
            assert math.isinf(got[name]), name
        else:
            assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-9 * U * p), name
    # (14) <=> b > v: Delta_R > 0 always under Assumption 2
    assert got["delta_R"] > 0
    # (15): Gamma > 0 <=> (p-w)(p-v) > 2(w-c)(p-b)
    assert (got["Gamma"] > 0) == ((p - w) * (p - v) > 2 * (w - c) * (p - b)) or abs(
        got["Gamma"]
    ) < 1e-9 * U * p


# ---- numeric cross-checks for non-uniform demand ---------------------------------------------


@pytest.mark.parametrize("demand", [EXPONENTIAL, TRUNCNORMAL, "gamma(shape=2, scale=50)"])
def test_closed_form_matches_brute_force_optimisation(demand):
    values = {**BASE, "k": 10.0, "demand": parse(demand)}
    eq = equilibrium(values)
    dist = values["demand"]
    p, w, v, b, c, k = 20.0, 5.0, 2.0, 4.0, 1.0, 10.0

    def pi_R(q, s):  # (2)/(7) by quadrature of E[min(D, q)] and S(q) = int_0^q F
        S = dist.expected_leftover(q)
        return p * (q - S) + s * S - w * q

    for s, q_star in ((v, eq.q_N), (b, eq.q_B)):
        res = optimize.minimize_scalar(lambda q, s=s: -pi_R(q, s), bounds=(0, 2000),
                                       method="bounded", options={"xatol": 1e-9})  # fmt: skip
        assert res.x == pytest.approx(q_star, rel=1e-5)
    # S(q) = int_0^q F(x) dx by quadrature, partial expectation by quadrature
    S_quad = stats_quad(dist.cdf, 0, eq.q_B)
    assert abs(eq.S_B - S_quad) <= 1e-7 * S_quad
    m_quad = stats_quad(lambda x: x * dist.pdf(x), 0, eq.q_N)
    assert eq.pi_R_N == pytest.approx((p - v) * m_quad, rel=1e-7)
    # M's effort: maximise (6) over e numerically at q_B
    res = optimize.minimize_scalar(
        lambda e: -((w - c) * eq.q_B - b * eq.S_B + (1 + e) * v * eq.S_B - k * e * e),
        bounds=(0, 1e3), method="bounded", options={"xatol": 1e-10},
    )  # fmt: skip
    assert res.x == pytest.approx(eq.e, rel=1e-6)
    assert -res.fun == pytest.approx(eq.pi_M_B, rel=1e-9)


def stats_quad(f, a, b):
    from scipy import integrate

    return integrate.quad(f, a, b, limit=200, epsabs=1e-12, epsrel=1e-12)[0]


def test_envelope_derivative_of_R_profit_is_S():
    # d pi_R*/ds = S(q*(s)) > 0, the reason (14) <=> b > v
    dist = parse(TRUNCNORMAL)
    h = 1e-5
    for s in (2.0, 3.0, 4.0):
        up = equilibrium({**BASE, "b": s + h, "k": 10, "demand": dist}).pi_R_B
        dn = equilibrium({**BASE, "b": s - h, "k": 10, "demand": dist}).pi_R_B
        eq = equilibrium({**BASE, "b": s, "k": 10, "demand": dist})
        assert (up - dn) / (2 * h) == pytest.approx(eq.S_B, rel=1e-6)


def test_fixed_decisions_are_evaluated_and_optimum_is_best():
    p = params(TRUNCNORMAL, "base", 10)
    opt = MODEL.solve("B", params=p)
    at = MODEL.solve("B", params=p, fix={"q": opt.decisions["q"], "e": opt.decisions["e"]})
    assert at.status == "evaluated"
    for key in ("pi_R", "pi_M"):
        assert at.profits[key] == pytest.approx(opt.profits[key], rel=1e-10)
    for dq in (-5.0, 5.0):
        other = MODEL.solve("B", params=p, fix={"q": opt.decisions["q"] + dq})
        assert other.profits["pi_R"] < opt.profits["pi_R"]
        # e follows M's best response to the fixed q
        assert other.decisions["e"] == pytest.approx(2.0 * other.metrics["S"] / (2 * 10))
    worse_e = MODEL.solve("B", params=p, fix={"e": opt.decisions["e"] * 1.1})
    assert worse_e.profits["pi_M"] < opt.profits["pi_M"]
    assert worse_e.decisions["q"] == opt.decisions["q"]  # R's order does not depend on e


# ---- Monte Carlo and SAA against the closed form ---------------------------------------------

SAMPLED = [
    ("mc", UNIFORM, 40_000, {"sampling": "plain"}),
    ("mc", TRUNCNORMAL, 40_000, {"sampling": "antithetic"}),
    ("mc", EXPONENTIAL, 40_000, {}),
    ("mc", UNIFORM, 2**15, {"sampling": "sobol", "batches": 16}),
    ("saa", UNIFORM, 6_000, {"lp": "highspy"}),
    ("saa", EXPONENTIAL, 6_000, {"lp": "highspy", "sampling": "antithetic"}),
    ("saa", TRUNCNORMAL, 1_000, {"lp": "pyomo"}),
]


@pytest.mark.parametrize(("method", "demand", "n", "opts"), SAMPLED)
@pytest.mark.parametrize("scenario", ["N", "B"])
def test_sampled_methods_agree_with_closed_form(method, demand, n, opts, scenario):
    p = params(demand, "base", 40)
    exact = MODEL.solve(scenario, params=p)
    est = MODEL.solve(scenario, params=p, method=method, samples=n, seed=7, **opts)
    assert est.status == "optimal" and est.method == method
    checked = 0
    for group in ("decisions", "profits", "metrics"):
        for key, value in getattr(exact, group).items():
            if key not in est.std_errors:
                continue
            se = est.std_errors[key]
            assert 0 < se < math.inf, (key, se)
            if group != "metrics" and n > 1000:  # differences such as Gamma may be small
                assert se < 0.02 * (abs(value) + 1), (key, se)
            assert abs(getattr(est, group)[key] - value) <= 4 * se, (key, value, se)
            checked += 1
    assert checked >= 12


def test_mc_uses_common_random_numbers_across_scenarios():
    p = params(UNIFORM, "base", 10)
    rn = MODEL.solve("N", params=p, method="mc", samples=20_000, seed=3)
    rb = MODEL.solve("B", params=p, method="mc", samples=20_000, seed=3)
    for key in ("q_N", "q_B", "S_N", "S_B", "Gamma", "k_bar", "delta_R"):
        assert rn.metrics[key] == rb.metrics[key]
    # CRN: the difference of M's profits is far more precise than either profit
    assert rb.std_errors["delta_R"] < 0.5 * rb.std_errors["pi_R_B"]
    again = MODEL.solve("B", params=p, method="mc", samples=20_000, seed=3)
    assert again.to_dict()["profits"] == rb.to_dict()["profits"]


def test_mc_evaluates_fixed_decisions():
    p = params(EXPONENTIAL, "base", 10)
    exact = MODEL.solve("B", params=p, fix={"q": 250.0, "e": 10.0})
    est = MODEL.solve("B", params=p, method="mc", samples=40_000, seed=1,
                      fix={"q": 250.0, "e": 10.0})  # fmt: skip
    assert est.status == "evaluated" and est.decisions == {"q": 250.0, "e": 10.0}
    for key in ("pi_R", "pi_M"):
        assert abs(est.profits[key] - exact.profits[key]) <= 4 * est.std_errors[key]


def test_saa_orders_equal_empirical_quantile():
    from clsc.stochastic.contracts_mc import PyomoOrder, highspy_order, quantile_order
    from clsc.stochastic.mc import SortedSamples

    ss = SortedSamples(np.random.default_rng(0).exponential(100.0, 1001))
    pyomo_order = PyomoOrder()
    for price, salvage, cost in ((20, 2, 5), (20, 4, 5), (10, 0, 9)):
        expected_q = quantile_order(ss, price, salvage, cost)  # unique: n*ratio not an integer
        assert highspy_order(ss, price, salvage, cost) == pytest.approx(expected_q, abs=1e-9)
        assert pyomo_order(ss, price, salvage, cost) == pytest.approx(expected_q, abs=1e-9)


# ---- invalid input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "blamed"),
    [
        ({"v": 0.5}, "v"),  # v < cm
        ({"b": 1.5}, "b"),  # b < v
        ({"b": 6.0}, "b"),  # b > w
        ({"w": 25.0}, "w"),  # w > p
        ({"b": 2.0}, "b"),  # b = v
    ],
)
def test_assumption_2_violations_are_clear_errors(override, blamed):
    with pytest.raises(ParameterError) as info:
        MODEL.solve("B", params={**BASE, **override})
    msg = str(info.value)
    assert info.value.name == blamed
    assert "cm < v < b < w < p" in msg and f"{blamed}=" in msg


@pytest.mark.parametrize(
    ("demand", "words"),
    [
        ("normal(mean=50, sd=8)", "supported on [0, inf)"),
        ("poisson(mean=50)", "continuous"),
        ("truncnormal(mean=100, sd=30, lower=-10)", "supported on [0, inf)"),
    ],
)
def test_unsupported_demand_is_a_clear_error(demand, words):
    with pytest.raises(ParameterError) as info:
        MODEL.solve("N", params={"demand": demand})
    assert info.value.name == "demand" and words in str(info.value)
    assert demand.split("(")[0] in str(info.value)


class _Gap(Distribution):
    """Density 1/2 on [0, 1] and [2, 3]: F is flat on [1, 2] (F = 1/2 there)."""

    spec = "gap()"
    mean = 1.5
    sd = 1.0

    def cdf(self, x):
        x = np.asarray(x, dtype=float)
        return np.clip(np.where(x < 1, x / 2, np.where(x < 2, 0.5, (x - 1) / 2)), 0, 1)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        return np.where(((x >= 0) & (x <= 1)) | ((x >= 2) & (x <= 3)), 0.5, 0.0)

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        return np.where(u <= 0.5, 2 * u, 2 * u + 1)

    def sample(self, n, rng):
        return self.ppf(rng.random(n))

    def expected_shortage(self, x):  # int_x^3 (1 - F(t)) dt, piecewise linear F
        def one(x):
            return stats_quad(lambda t: 1.0 - float(self.cdf(t)), max(x, 0.0), 3.0) + max(-x, 0)

        return np.vectorize(one)(np.asarray(x, dtype=float))


def test_flat_cdf_at_a_fractile_is_a_clear_error():
    gap = _Gap()
    # (p - w)/(p - v) = 9/18 = 1/2: the fractile q_N lies on the flat part of F
    with pytest.raises(ParameterError, match="strictly increasing at the fractiles"):
        MODEL.solve("N", params={"p": 20, "w": 11, "b": 4, "v": 2, "cm": 1, "demand": gap})
    ok = MODEL.solve("N", params={"p": 20, "w": 10, "b": 4, "v": 2, "cm": 1, "demand": gap})
    assert ok.ok and ok.decisions["q"] == pytest.approx(2 * 10 / 18 + 1)


@pytest.mark.parametrize("k", [0, -1, "abc", float("nan")])
def test_bad_k(k):
    with pytest.raises(ParameterError, match="k"):
        MODEL.solve("B", params={"k": k})


def test_fix_e_in_scenario_N_and_negative_fixes():
    with pytest.raises(ParameterError, match="scenario B"):
        MODEL.solve("N", fix={"e": 1.0})
    with pytest.raises(ParameterError, match="q must be >= 0"):
        MODEL.solve("B", fix={"q": -1.0})
    with pytest.raises(ParameterError, match="sampling"):
        MODEL.solve("B", method="mc", samples=100, sampling="sobolish")
    with pytest.raises(ParameterError, match="lp"):
        MODEL.solve("B", method="saa", samples=100, lp="cplex")
    with pytest.raises(ParameterError, match="saa only"):
        MODEL.solve("B", method="mc", samples=100, lp="highspy")
    with pytest.raises(ParameterError, match="batches"):
        MODEL.solve("B", method="mc", samples=100, batches=1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.fixed_dictionaries(
        {
            n: st.one_of(st.floats(-50, 150), st.just(0.0), st.sampled_from(["x", "inf", "1e400"]))
            for n in ("p", "w", "b", "v", "cm", "k")
        }
    ),
    demand=st.sampled_from(
        [
            UNIFORM,
            TRUNCNORMAL,
            "normal(mean=50, sd=8)",
            "poisson(mean=3)",
            "uniform(low=-1, high=5)",
            "exponential(mean=-1)",
            "exponential(mean=",
            "lognormal(mu=3, sigma=1)",
            "binomial(n=10, p=0.5)",
            "gamma(shape=0.5, scale=80)",
            "empirical(values=[1, 2, 3])",
        ]
    ),
)
def test_any_bad_input_gives_a_clear_error_or_a_valid_result(values, demand):
    values = {**values, "demand": demand}
    try:
        r = MODEL.solve("B", params=values)
    except ParameterError as exc:
        assert exc.name in values and exc.name in str(exc)
        return
    c, v, b, w, p = (values[n] for n in ("cm", "v", "b", "w", "p"))
    assert c < v < b < w < p and values["k"] > 0
    assert r.ok and r.profits["pi_R"] > 0
