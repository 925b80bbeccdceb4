"""Tests of the `contracts` model (spec section 10: wholesale, buyback, revenue sharing)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps

from clsc.distributions import parse
from clsc.errors import ParameterError
from clsc.models import get_model

MODEL = get_model("contracts")

NORMAL = "normal(mean=100, sd=30)"
DEMANDS = [NORMAL, "uniform(low=20, high=180)", "gamma(shape=4, scale=25)", "poisson(mean=40)"]
BASE = {"p": 10.0, "w": 6.0, "cm": 2.0, "v": 1.0}


def solve(scenario, method="closed-form", **kw):
    opts = {k: kw.pop(k) for k in ("lam", "sampling", "batches", "lp") if k in kw}
    samples, seed = kw.pop("samples", None), kw.pop("seed", None)
    return MODEL.solve(scenario, params=kw, method=method, samples=samples, seed=seed, **opts)


# ---- coordination (Pasternack 1985; Cachon 2003) ---------------------------------------------


@pytest.mark.parametrize("demand", DEMANDS)
@pytest.mark.parametrize("w", [3.0, 6.0, 9.0])
def test_pasternack_buyback_coordinates(demand, w):
    p, c, v = 10.0, 2.0, 1.0
    expected_b_coord = p - v - (p - w) * (p - v) / (p - c)  # spec 10.3
    plain = solve("buyback", **{**BASE, "w": w}, demand=demand)
    assert plain.metrics["b_coord"] == pytest.approx(expected_b_coord, rel=1e-12)
    r = solve("buyback", **{**BASE, "w": w, "b": expected_b_coord}, demand=demand)
    assert r.decisions["q"] == pytest.approx(r.metrics["q_int"], rel=1e-9)
    assert r.metrics["efficiency"] == pytest.approx(1.0, rel=1e-9)
    # the split it implies: R gets (p - w)/(p - c) of total_int (spec 10.3)
    expected_share = (p - w) / (p - c)
    assert r.profits["pi_R"] == pytest.approx(expected_share * r.metrics["total_int"], rel=1e-9)
    assert r.metrics["pi_R_coord"] == pytest.approx(r.profits["pi_R"], rel=1e-9)


@pytest.mark.parametrize("demand", DEMANDS)
@pytest.mark.parametrize("phi", [0.4, 0.7, 1.0])
def test_revenue_sharing_w_coord_coordinates(demand, phi):
    p, c, v = 10.0, 2.0, 1.0
    expected_w_coord = phi * p - (phi * p - v) * (p - c) / (p - v)  # spec 10.3
    r = solve("revenue-sharing", p=p, cm=c, v=v, phi=phi, w=expected_w_coord, demand=demand)
    assert r.metrics["w_coord"] == pytest.approx(expected_w_coord, rel=1e-12)
    assert r.decisions["q"] == pytest.approx(r.metrics["q_int"], rel=1e-9)
    assert r.metrics["efficiency"] == pytest.approx(1.0, rel=1e-9)
    expected_share = (phi * p - v) / (p - v)
    assert r.profits["pi_R"] == pytest.approx(expected_share * r.metrics["total_int"], rel=1e-9)
    # w omitted in revenue sharing: the coordinating w is used
    auto = solve("revenue-sharing", p=p, cm=c, v=v, phi=phi, demand=demand)
    assert auto.params["w"] == pytest.approx(expected_w_coord)
    assert auto.profits == pytest.approx(r.profits)


@pytest.mark.parametrize("lam", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("demand", [NORMAL, "poisson(mean=40)"])
def test_textbook_lambda_families_split_the_channel_profit(lam, demand):
    p, c = 10.0, 2.0
    # v = 0 (spec 10.3): buyback b = (1-lam)p, w = (1-lam)p + lam*c; revenue sharing w = phi*c
    bb = solve("buyback", p=p, cm=c, w=(1 - lam) * p + lam * c, b=(1 - lam) * p, demand=demand)
    rs = solve("revenue-sharing", p=p, cm=c, phi=lam, w=lam * c, demand=demand)
    for r in (bb, rs):
        total_int = r.metrics["total_int"]
        assert r.decisions["q"] == pytest.approx(r.metrics["q_int"])
        assert r.profits["pi_R"] == pytest.approx(lam * total_int, rel=1e-9)
        assert r.profits["pi_M"] == pytest.approx((1 - lam) * total_int, rel=1e-9)
        assert r.metrics["share_R_coord"] == pytest.approx(lam)
    # the lam option returns the same pairs
    opt_bb = solve("buyback", p=p, cm=c, demand=demand, lam=lam)
    opt_rs = solve("revenue-sharing", p=p, cm=c, demand=demand, lam=lam)
    assert opt_bb.params["w"] == pytest.approx((1 - lam) * p + lam * c)
    assert opt_bb.params["b"] == pytest.approx((1 - lam) * p)
    assert opt_rs.params["phi"] == pytest.approx(lam) and opt_rs.params["w"] == pytest.approx(
        lam * c
    )
    assert opt_bb.profits == pytest.approx(bb.profits) and opt_rs.profits == pytest.approx(
        rs.profits
    )


@pytest.mark.parametrize("scenario", ["buyback", "revenue-sharing"])
def test_lam_option_with_salvage_value_splits_exactly(scenario):
    r = solve(scenario, p=12.0, cm=3.0, v=1.5, demand=NORMAL, lam="0.35")
    assert r.metrics["efficiency"] == pytest.approx(1.0)
    assert r.profits["pi_R"] == pytest.approx(0.35 * r.metrics["total_int"], rel=1e-9)


@pytest.mark.parametrize("demand", DEMANDS)
def test_wholesale_is_inefficient(demand):
    r = solve("wholesale", **BASE, demand=demand)
    assert r.metrics["efficiency"] < 1.0 and r.decisions["q"] < r.metrics["q_int"]
    assert "b_coord" not in r.metrics and "w_coord" not in r.metrics
    # at w = c the retailer faces the channel's costs: efficiency 1 (double marginalisation gone)
    at_cost = solve("wholesale", **{**BASE, "w": 2.0}, demand=demand)
    assert at_cost.metrics["efficiency"] == pytest.approx(1.0)


# ---- the retailer's order and the profit formulas, checked independently ---------------------


@pytest.mark.parametrize("scenario", ["wholesale", "buyback", "revenue-sharing"])
@pytest.mark.parametrize("demand", [NORMAL, "gamma(shape=4, scale=25)"])
def test_order_maximises_retailer_profit_numerically(scenario, demand):
    x = {**BASE, "b": 2.0, "phi": 0.8, "w": 5.0}
    r = solve(scenario, **x, demand=demand)
    dist = parse(demand)
    p, w, c, v, b, phi = 10.0, 5.0, 2.0, 1.0, 2.0, 0.8

    def pi(q):  # spec 10.2, by the distribution's loss functions
        sales, over = dist.expected_sales(q), dist.expected_leftover(q)
        return {
            "wholesale": (p * sales + v * over - w * q, (w - c) * q),
            "buyback": (p * sales + (v + b) * over - w * q, (w - c) * q - b * over),
            "revenue-sharing": (phi * p * sales + v * over - w * q,
                                (w - c) * q + (1 - phi) * p * sales),
        }[scenario]  # fmt: skip

    res = optimize.minimize_scalar(lambda q: -pi(q)[0], bounds=(0, 400), method="bounded",
                                   options={"xatol": 1e-9})  # fmt: skip
    assert r.decisions["q"] == pytest.approx(res.x, rel=1e-5)
    pi_R, pi_M = pi(r.decisions["q"])
    assert r.profits["pi_R"] == pytest.approx(pi_R, rel=1e-12)
    assert r.profits["pi_M"] == pytest.approx(pi_M, rel=1e-12)
    q = r.decisions["q"]
    assert r.metrics["sales"] + r.metrics["understock"] == pytest.approx(dist.mean)
    assert r.metrics["sales"] + r.metrics["overstock"] == pytest.approx(q)


@pytest.mark.parametrize("scenario", ["wholesale", "buyback", "revenue-sharing"])
def test_discrete_demand_smallest_integer_rule(scenario):
    mean = 23.0
    x = {**BASE, "b": 2.0, "phi": 0.8, "w": 5.0}
    r = solve(scenario, **x, demand=f"poisson(mean={mean})")
    ratio = r.metrics["critical_ratio"]
    ks = np.arange(0, 200)
    cdf = sps.poisson(mean).cdf(ks)
    expected_q = int(ks[np.argmax(cdf >= ratio)])  # smallest integer with F(q) >= ratio
    assert r.decisions["q"] == expected_q
    # profits by direct summation over the pmf, and integer optimality by enumeration
    pmf = sps.poisson(mean).pmf(ks)
    p, w, c, v, b, phi = 10.0, 5.0, 2.0, 1.0, 2.0, 0.8
    price, salvage = {"wholesale": (p, v), "buyback": (p, v + b),
                      "revenue-sharing": (phi * p, v)}[scenario]  # fmt: skip

    def pi_R(q):
        return float(np.sum(pmf * (price * np.minimum(ks, q) + salvage * np.maximum(q - ks, 0))))

    expected_pi_R = pi_R(expected_q) - w * expected_q
    assert r.profits["pi_R"] == pytest.approx(expected_pi_R, rel=1e-9)
    values = [pi_R(q) - w * q for q in range(0, 80)]
    assert int(np.argmax(values)) == expected_q
    # integrated channel on the integers too
    assert r.metrics["q_int"] == int(ks[np.argmax(cdf >= (p - c) / (p - v))])


def test_salvage_above_cost_is_flagged_not_rejected():
    r = solve("buyback", **{**BASE, "v": 3.0, "b": 1.0}, demand=NORMAL)
    assert r.ok and r.flags and "v < cm" in r.flags[0]
    for key in ("q_int", "total_int", "efficiency", "b_coord"):
        assert math.isnan(r.metrics[key])
    assert r.profits["pi_R"] > 0 and r.decisions["q"] > 0
    rs = solve("revenue-sharing", **{**BASE, "v": 3.0}, phi=0.9, demand=NORMAL)
    assert math.isnan(rs.metrics["w_coord"]) and rs.flags


def test_buyback_worth_more_than_wholesale_is_unbounded():
    r = solve("buyback", **{**BASE, "b": 5.5}, demand=NORMAL)
    assert r.status == "unbounded" and "v + b >= w" in r.message
    assert not r.decisions and not r.profits


# ---- Monte Carlo and SAA against the closed form ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "n", "opts"),
    [
        ("mc", 40_000, {"sampling": "plain"}),
        ("mc", 40_000, {"sampling": "antithetic"}),
        ("mc", 2**14, {"sampling": "sobol"}),
        ("saa", 6_000, {"lp": "highspy"}),
    ],
)
@pytest.mark.parametrize(
    ("scenario", "extra"),
    [("wholesale", {}), ("buyback", {"b": 2.0}), ("revenue-sharing", {"phi": 0.8, "w": 5.0})],
)
@pytest.mark.parametrize("demand", ["gamma(shape=4, scale=25)"])
def test_sampled_methods_agree_with_closed_form(method, n, opts, scenario, extra, demand):
    x = {**BASE, **extra}
    exact = solve(scenario, **x, demand=demand)
    est = solve(scenario, method, **x, demand=demand, samples=n, seed=11, **opts)
    assert est.status == "optimal" and est.method == method
    checked = 0
    for group in ("decisions", "profits", "metrics"):
        for key, value in getattr(exact, group).items():
            if key in est.std_errors:
                se = est.std_errors[key]
                assert 0 < se < 0.03 * (abs(value) + 1), (key, se)
                assert abs(getattr(est, group)[key] - value) <= 4 * se, (key, value, se)
                checked += 1
    assert checked >= 9


def test_saa_through_the_shared_pyomo_lp():
    exact = solve("buyback", **BASE, b=2.0, demand="gamma(shape=4, scale=25)")
    est = solve("buyback", "saa", **BASE, b=2.0, demand="gamma(shape=4, scale=25)",
                samples=500, batches=5, seed=4)  # fmt: skip
    assert "pyomo" in est.message
    for key in ("pi_R", "pi_M"):
        assert abs(est.profits[key] - exact.profits[key]) <= 4 * est.std_errors[key]
    assert abs(est.decisions["q"] - exact.decisions["q"]) <= 4 * est.std_errors["q"]


def test_sampled_discrete_demand():
    exact = solve("wholesale", **BASE, demand="poisson(mean=40)")
    est = solve("wholesale", "mc", **BASE, demand="poisson(mean=40)", samples=40_000, seed=2)
    assert est.decisions["q"] == exact.decisions["q"]
    assert abs(est.profits["pi_R"] - exact.profits["pi_R"]) <= 4 * est.std_errors["pi_R"]


# ---- invalid input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "override", "blamed", "words"),
    [
        ("wholesale", {"cm": 10.0}, "cm", "cm < p"),
        ("wholesale", {"v": 6.0}, "w", "v < w"),
        ("buyback", {"b": -1.0}, "b", ">= 0"),
        ("buyback", {"b": 9.0}, "b", "v + b < p"),
        ("revenue-sharing", {"phi": 0.0}, "phi", "0 < phi <= 1"),
        ("revenue-sharing", {"phi": 1.5}, "phi", "<= 1"),
        ("wholesale", {"w": 11.0}, "w", "w < p"),
        ("revenue-sharing", {"phi": 0.5}, "w", "w < phi*p"),
        ("wholesale", {"p": "ten"}, "p", "number"),
    ],
)
def test_invalid_terms_are_clear_errors(scenario, override, blamed, words):
    with pytest.raises(ParameterError) as info:
        solve(scenario, **{**BASE, **override}, demand=NORMAL)
    assert info.value.name == blamed and words in str(info.value)


def test_missing_and_misused_terms():
    with pytest.raises(ParameterError, match="'p' is required"):
        MODEL.solve("wholesale", params={"w": 5, "cm": 1, "demand": NORMAL})
    with pytest.raises(ParameterError, match="'w' is required"):
        solve("wholesale", p=10, cm=2, demand=NORMAL)
    with pytest.raises(ParameterError, match="'w' is required"):
        solve("buyback", p=10, cm=2, demand=NORMAL)
    with pytest.raises(ParameterError, match="lam"):
        solve("wholesale", **BASE, demand=NORMAL, lam=0.5)
    for bad in (0.0, 1.5, "x"):
        with pytest.raises(ParameterError, match="lam"):
            solve("buyback", **BASE, demand=NORMAL, lam=bad)
    with pytest.raises(ParameterError, match="v < cm"):
        solve("buyback", **{**BASE, "v": 3.0}, demand=NORMAL, lam=0.5)
    with pytest.raises(ParameterError, match="demand"):
        solve("wholesale", **BASE, demand="normal(mean=100)")
    with pytest.raises(ParameterError, match="q must be >= 0"):
        MODEL.solve("wholesale", params={**BASE, "demand": NORMAL}, fix={"q": -3})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenario=st.sampled_from(["wholesale", "buyback", "revenue-sharing"]),
    values=st.fixed_dictionaries(
        {
            n: st.one_of(st.floats(-5, 15), st.sampled_from(["x", "nan", "1e999"]))
            for n in ("p", "w", "cm", "v", "b", "phi")
        }
    ),
)
def test_any_input_gives_a_clear_error_or_a_consistent_result(scenario, values):
    try:
        r = MODEL.solve(scenario, params={**values, "demand": NORMAL})
    except ParameterError as exc:
        assert exc.name in values and exc.name in str(exc)
        return
    if r.status == "unbounded":
        assert scenario == "buyback" and values["v"] + values["b"] >= values["w"]
        return
    assert r.ok and r.profits["total"] == pytest.approx(r.profits["pi_R"] + r.profits["pi_M"])
    if values["v"] < values["cm"]:
        assert r.metrics["efficiency"] <= 1.0 + 1e-9


@pytest.mark.parametrize("method", ["closed-form", "mc", "saa"])
def test_order_is_never_negative(method):
    # normal demand with most mass below 0: the constrained optimum is q = 0
    r = solve("wholesale", method, **BASE, demand="normal(mean=-50, sd=10)", samples=2_000)
    assert r.decisions["q"] == 0.0
    more = MODEL.solve("wholesale", params={**BASE, "demand": "normal(mean=-50, sd=10)"},
                       fix={"q": 1.0})  # fmt: skip
    assert more.profits["pi_R"] < r.profits["pi_R"] + 4 * r.std_errors.get("pi_R", 0.0)


def test_ratio_that_rounds_to_one_is_a_clear_error_not_an_infinite_order():
    # (p - w)/(p - v) = (10 - 1e-300)/10 is 1.0 in floating point: q would be +inf.
    from clsc.models import get_model

    with pytest.raises(ParameterError, match="w must give a retailer critical ratio"):
        get_model("contracts").solve(
            "wholesale",
            params={"demand": "normal(mean=50, sd=8)", "p": 10, "cm": 2, "w": 1e-300},
        )
