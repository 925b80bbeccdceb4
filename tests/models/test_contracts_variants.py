"""Capacity limit q <= q_max and integer orders as options of the `contracts` model."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from clsc.cli import main
from clsc.errors import ParameterError
from clsc.models import get_model

MODEL = get_model("contracts")
SCENARIOS = ("wholesale", "buyback", "revenue-sharing")
NORMAL = (100.0, 30.0)
BASE = {"p": 10.0, "w": 6.0, "cm": 2.0, "v": 1.0, "b": 2.0, "phi": 0.9}
TERMS = {"wholesale": {}, "buyback": {}, "revenue-sharing": {"w": 5.0}}
CAPACITY_KEYS = ("q_unconstrained", "capacity_binding", "capacity_shadow_price")
CAP_KEYS = ("q_int_cap", "total_int_cap", "efficiency_cap", "channel_shadow_price")


def params(scenario, demand=f"normal(mean={NORMAL[0]:g}, sd={NORMAL[1]:g})", **kw):
    return {**BASE, **TERMS[scenario], "demand": demand, **kw}


# ---- exact loss functions written here (independent of clsc.distributions) --------------------


def normal_sales_over(q, mu=NORMAL[0], sd=NORMAL[1]):
    """(E[min(D,q)], E[(q-D)+]) for D ~ N(mu, sd^2) via the normal loss function."""
    q = np.asarray(q, dtype=float)
    z = (q - mu) / sd
    short = sd * (sps.norm.pdf(z) - z * sps.norm.sf(z))
    over = q - mu + short
    return q - over, over


def poisson_sales_over(q, mean=40.0):
    """(E[min(D,q)], E[(q-D)+]) for D ~ Poisson(mean) by summation over the support."""
    d = np.arange(0, 400)
    pmf = sps.poisson.pmf(d, mean)
    q = np.atleast_1d(np.asarray(q, dtype=float))
    sales = np.array([np.sum(np.minimum(d, x) * pmf) for x in q])
    over = np.array([np.sum(np.maximum(x - d, 0.0) * pmf) for x in q])
    return sales, over


def profits_at(scenario, x, q, sales_over):
    """pi_R, pi_M and the integrated total of spec 10 at order(s) q."""
    p, w, c, v, b, phi = (x[n] for n in ("p", "w", "cm", "v", "b", "phi"))
    sales, over = sales_over(q)
    if scenario == "wholesale":
        pi_R, pi_M = p * sales + v * over - w * q, (w - c) * q
    elif scenario == "buyback":
        pi_R, pi_M = p * sales + (v + b) * over - w * q, (w - c) * q - b * over
    else:
        pi_R = phi * p * sales + v * over - w * q
        pi_M = (w - c) * q + (1 - phi) * p * sales
    return pi_R, pi_M, p * sales + v * over - c * q


def brute_force(scenario, x, upper, sales_over, integer=False, step=1e-3):
    """argmax of pi_R over a grid (or the integers) on [0, upper]; also the channel's."""
    grid = np.arange(0.0, math.floor(upper) + 1.0) if integer else np.arange(0.0, upper, step)
    grid = grid if integer else np.append(grid, upper)
    pi_R, _, total = profits_at(scenario, x, grid, sales_over)
    return float(grid[np.argmax(pi_R)]), float(grid[np.argmax(total)]), float(total.max())


# ---- options declared and documented ----------------------------------------------------------


def test_options_declared_and_documented():
    assert "q_max" in MODEL.options and "integer" in MODEL.options
    doc = sys.modules[MODEL.__module__].__doc__
    for word in ("q_max", "integer", "q_int_cap", "efficiency_cap", "UNCONSTRAINED"):
        assert word in doc


# ---- limiting cases: identical to the closed form ---------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("demand", ["normal(mean=100, sd=30)", "gamma(shape=4, scale=25)"])
def test_slack_capacity_is_the_closed_form(scenario, demand):
    x = params(scenario, demand)
    free = MODEL.solve(scenario, params=x)
    lim = MODEL.solve(scenario, params=x, q_max=1e4)
    assert lim.status == free.status == "optimal"
    assert lim.decisions == free.decisions and lim.profits == free.profits
    for key, value in free.metrics.items():
        assert lim.metrics[key] == value
    assert lim.metrics["capacity_binding"] == 0.0 and lim.metrics["capacity_shadow_price"] == 0.0
    # the capped channel coincides with the integrated channel when the capacity is slack
    assert lim.metrics["q_int_cap"] == pytest.approx(free.metrics["q_int"], rel=1e-12)
    assert lim.metrics["efficiency_cap"] == pytest.approx(free.metrics["efficiency"], rel=1e-12)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_integer_order_on_integer_demand_is_the_closed_form(scenario):
    x = params(scenario, "poisson(mean=40)")
    free = MODEL.solve(scenario, params=x)
    assert float(free.decisions["q"]).is_integer()  # discrete demand: q* is a support point
    lim = MODEL.solve(scenario, params=x, integer="true")
    assert lim.decisions == free.decisions and lim.profits == free.profits
    for key, value in free.metrics.items():
        assert lim.metrics[key] == value


# ---- binding cases vs brute force -------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_binding_capacity_matches_brute_force(scenario):
    x = params(scenario)
    q_max = 80.0
    res = MODEL.solve(scenario, params=x, q_max=q_max)
    x_num = {k: float(v) for k, v in x.items() if k != "demand"}
    expected_q, expected_q_int_cap, expected_total_cap = brute_force(
        scenario, x_num, q_max, normal_sales_over
    )
    assert res.status == "optimal" and res.metrics["capacity_binding"] == 1.0
    assert res.metrics["q_unconstrained"] > q_max
    assert res.decisions["q"] == pytest.approx(expected_q, abs=2e-3)
    pi_R, pi_M, total = profits_at(scenario, x_num, q_max, normal_sales_over)
    assert res.profits["pi_R"] == pytest.approx(float(pi_R), rel=1e-9)
    assert res.profits["pi_M"] == pytest.approx(float(pi_M), rel=1e-9)
    # capacity-constrained integrated channel
    assert res.metrics["q_int_cap"] == pytest.approx(expected_q_int_cap, abs=2e-3)
    assert res.metrics["total_int_cap"] == pytest.approx(expected_total_cap, rel=1e-9)
    assert res.metrics["efficiency_cap"] == pytest.approx(float(pi_R + pi_M) / float(total))
    # ... and the unconstrained one is kept as q_int / total_int / efficiency
    free = MODEL.solve(scenario, params=x)
    for key in ("q_int", "total_int"):
        assert res.metrics[key] == free.metrics[key]
    assert res.metrics["efficiency"] == pytest.approx(
        res.profits["total"] / free.metrics["total_int"]
    )
    assert res.metrics["efficiency"] < res.metrics["efficiency_cap"]
    # shadow prices = derivatives at q_max (central differences of the test's closed forms)
    h = 1e-5
    up = profits_at(scenario, x_num, q_max + h, normal_sales_over)
    dn = profits_at(scenario, x_num, q_max - h, normal_sales_over)
    assert res.metrics["capacity_shadow_price"] == pytest.approx(
        float(up[0] - dn[0]) / (2 * h), rel=1e-6
    )
    assert res.metrics["channel_shadow_price"] == pytest.approx(
        float(up[2] - dn[2]) / (2 * h), rel=1e-6
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("q_max", [None, 200.0, 88.7])
def test_integer_order_matches_enumeration(scenario, q_max):
    x = params(scenario)
    opts = {"integer": "yes"} | ({} if q_max is None else {"q_max": q_max})
    res = MODEL.solve(scenario, params=x, **opts)
    x_num = {k: float(v) for k, v in x.items() if k != "demand"}
    expected_q, expected_q_int, _ = brute_force(
        scenario, x_num, 300.0 if q_max is None else q_max, normal_sales_over, integer=True
    )
    assert res.decisions["q"] == expected_q
    assert res.metrics["q_int_cap"] == expected_q_int
    pi_R, _, _ = profits_at(scenario, x_num, expected_q, normal_sales_over)
    assert res.profits["pi_R"] == pytest.approx(float(pi_R), rel=1e-9)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_discrete_demand_capacity_and_integer_match_enumeration(scenario):
    x = params(scenario, "poisson(mean=40)")
    x_num = {k: float(v) for k, v in x.items() if k != "demand"}
    res = MODEL.solve(scenario, params=x, q_max=36.5, integer=True)
    expected_q, expected_q_int, expected_total = brute_force(
        scenario, x_num, 36.5, poisson_sales_over, integer=True
    )
    assert res.decisions["q"] == expected_q == 36.0
    assert res.metrics["q_int_cap"] == expected_q_int
    assert res.metrics["total_int_cap"] == pytest.approx(expected_total, rel=1e-9)
    pi_R, pi_M, _ = profits_at(scenario, x_num, 36.0, poisson_sales_over)
    assert res.profits["pi_R"] == pytest.approx(float(pi_R[0]), rel=1e-9)
    assert res.profits["pi_M"] == pytest.approx(float(np.atleast_1d(pi_M)[0]), rel=1e-9)


def test_capacity_bounds_an_unbounded_buyback_order():
    x = params("buyback", b=5.5)  # v + b = 6.5 >= w = 6: pi_R increasing in q
    assert MODEL.solve("buyback", params=x).status == "unbounded"
    res = MODEL.solve("buyback", params=x, q_max=150)
    assert res.status == "optimal" and res.decisions["q"] == 150.0
    x_num = {k: float(v) for k, v in x.items() if k != "demand"}
    expected_q, _, _ = brute_force("buyback", x_num, 150.0, normal_sales_over)
    assert expected_q == pytest.approx(150.0, abs=2e-3)
    pi_R, _, _ = profits_at("buyback", x_num, 150.0, normal_sales_over)
    assert res.profits["pi_R"] == pytest.approx(float(pi_R), rel=1e-9)


def test_capped_channel_is_bounded_when_salvage_exceeds_cost():
    x = params("wholesale", v=3.0, w=5.0)  # v >= cm: the integrated channel orders without bound
    res = MODEL.solve("wholesale", params=x, q_max=90)
    assert math.isnan(res.metrics["q_int"]) and math.isnan(res.metrics["efficiency"])
    assert res.metrics["q_int_cap"] == 90.0
    x_num = {k: float(v) for k, v in x.items() if k != "demand"}
    expected_q, expected_q_int_cap, expected_total = brute_force(
        "wholesale", x_num, 90.0, normal_sales_over
    )
    assert res.decisions["q"] == pytest.approx(expected_q, abs=2e-3)
    assert expected_q_int_cap == pytest.approx(90.0, abs=2e-3)
    assert res.metrics["total_int_cap"] == pytest.approx(expected_total, rel=1e-6)
    assert math.isnan(MODEL.solve("wholesale", params=x, integer=True).metrics["q_int_cap"])


# ---- sampled methods --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["mc", "saa"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sampled_methods_respect_the_limits(method, scenario):
    x = params(scenario)
    opts = {"lp": "highspy"} if method == "saa" else {}  # the pyomo LP is slow here
    closed = MODEL.solve(scenario, params=x, q_max=80)
    res = MODEL.solve(scenario, params=x, method=method, samples=4000, seed=5, q_max=80, **opts)
    assert res.status == "optimal" and res.decisions["q"] == 80.0
    assert res.metrics["capacity_binding"] == 1.0
    se = res.std_errors["pi_R"]
    assert abs(res.profits["pi_R"] - closed.profits["pi_R"]) <= 5 * se + 1e-9
    free = MODEL.solve(
        scenario, params=x, method=method, samples=4000, seed=5, integer=True, **opts
    )
    assert float(free.decisions["q"]).is_integer()
    assert abs(free.decisions["q"] - free.metrics["q_unconstrained"]) < 1.0


# ---- fixed orders and bad input ---------------------------------------------------------------


def test_fixed_order_must_respect_the_limits():
    x = params("wholesale")
    with pytest.raises(ParameterError, match="q_max"):
        MODEL.solve("wholesale", params=x, fix={"q": 90}, q_max=80)
    with pytest.raises(ParameterError, match="integer"):
        MODEL.solve("wholesale", params=x, fix={"q": 50.5}, integer=True)
    res = MODEL.solve("wholesale", params=x, fix={"q": 50}, q_max=80, integer=True)
    assert res.status == "evaluated" and res.decisions["q"] == 50.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.one_of(
        st.floats(max_value=0.0, allow_nan=False),
        st.just("nan"),
        st.text(max_size=6).filter(lambda s: s.strip() and not _is_number(s)),
    )
)
def test_bad_q_max_is_a_parameter_error(value):
    with pytest.raises(ParameterError, match="q_max"):
        MODEL.solve("wholesale", params=params("wholesale"), q_max=value)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and float(text) > 0
    except ValueError:
        return False


@settings(max_examples=25, deadline=None)
@given(
    scenario=st.sampled_from(SCENARIOS),
    q_max=st.floats(min_value=0.5, max_value=300.0),
    integer=st.booleans(),
)
def test_constrained_order_is_feasible_and_no_better_than_free(scenario, q_max, integer):
    x = params(scenario)
    free = MODEL.solve(scenario, params=x)
    res = MODEL.solve(scenario, params=x, q_max=q_max, integer=integer)
    q = res.decisions["q"]
    assert 0.0 <= q <= q_max + 1e-12
    assert not integer or float(q).is_integer()
    assert res.profits["pi_R"] <= free.profits["pi_R"] + 1e-9
    if not integer:
        assert q == pytest.approx(min(free.decisions["q"], q_max), rel=1e-12)


# ---- CLI --------------------------------------------------------------------------------------

CLI = ["solve", "contracts", "--scenario", "buyback", "--set", "p=10", "--set", "w=6",
       "--set", "cm=2", "--set", "v=1", "--set", "b=2",
       "--set", "demand=normal(mean=100, sd=30)", "--json"]  # fmt: skip


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_capacity_and_integer(capsys):
    code, out, err = run([*CLI, "--option", "q_max=80"], capsys)
    assert code == 0 and not err
    res = json.loads(out)
    assert res["decisions"]["q"] == 80.0 and res["metrics"]["capacity_binding"] == 1.0
    code, out, err = run([*CLI, "--option", "q_max=88.7", "--option", "integer=true"], capsys)
    assert code == 0 and json.loads(out)["decisions"]["q"] == 88.0
    code, out, err = run([*CLI, "--method", "mc", "--samples", "2000", "--option", "q_max=80"],
                         capsys)  # fmt: skip
    assert code == 0 and json.loads(out)["decisions"]["q"] == 80.0


@pytest.mark.parametrize("option", ["q_max=0", "q_max=-3", "q_max=abc", "integer=maybe"])
def test_cli_bad_option_is_exit_2_with_one_line(option, capsys):
    code, out, err = run([*CLI, "--option", option], capsys)
    assert code == 2 and not out
    assert option.split("=")[0] in err and len(err.strip().splitlines()) == 1
