"""CVaR (risk-averse) newsvendor: closed form, Rockafellar-Uryasev LP (pyomo/HiGHS), limits.

Convention (documented in clsc.stochastic.variants.cvar): alpha is the risk-aversion level and
the retailer maximises the mean of the worst beta = 1 - alpha fraction of its profits.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from clsc.distributions import parse
from clsc.errors import ParameterError
from clsc.models import get_model
from clsc.stochastic.variants.capacity import Limits
from clsc.stochastic.variants.cvar import beta_of, cvar_exact, cvar_lp

NV = get_model("newsvendor")
P, C, V, U = 10.0, 4.0, 1.0, 100.0
UNIFORM = {"price": P, "cost": C, "salvage": V, "demand": f"uniform(low=0, high={U:g})"}
VALUES = {"price": P, "cost": C, "salvage": V, "holding": 0.0, "shortage": 0.0}


def profit(q, d, p=P, c=C, v=V, s=0.0):
    return p * np.minimum(q, d) + v * np.maximum(q - d, 0.0) - s * np.maximum(d - q, 0.0) - c * q


def brute_sample_cvar(q: float, d: np.ndarray, beta: float, s: float = 0.0) -> float:
    """Mean of the worst beta fraction of the sample profits (beta*N an integer here)."""
    x = np.sort(profit(q, d, s=s))
    k = round(beta * d.size)
    return float(x[:k].mean())


@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.5, 0.9])
def test_closed_form_order_gotoh_takano(alpha):
    # Gotoh & Takano (2007) / Chen, Xu & Zhang (2009), no shortage cost:
    # q* = F^-1((1 - alpha)*(p - c)/(p - v)); for U(0, U): q* = U*(1 - alpha)*(p - c)/(p - v)
    expected_q = U * (1 - alpha) * (P - C) / (P - V)
    res = NV.solve(params=UNIFORM, alpha=alpha)
    assert res.status == "optimal"
    assert res.decisions["q"] == pytest.approx(expected_q, rel=1e-12)


def test_alpha_zero_is_the_risk_neutral_newsvendor():
    neutral = NV.solve(params=UNIFORM)
    res = NV.solve(params=UNIFORM, alpha="0")
    assert res.decisions["q"] == pytest.approx(neutral.decisions["q"], rel=1e-12)
    assert res.metrics["cvar"] == pytest.approx(neutral.profits["pi_R"], rel=1e-12)
    # and alpha -> 0 converges to it
    near = NV.solve(params=UNIFORM, alpha=1e-6)
    assert near.decisions["q"] == pytest.approx(neutral.decisions["q"], rel=1e-5)


@pytest.mark.parametrize("dist", ["uniform(low=0, high=100)", "exponential(mean=100)"])
@pytest.mark.parametrize("q", [20.0, 50.0, 90.0])
def test_exact_cvar_against_quantile_quadrature(dist, q):
    """CVaR_beta = (1/beta)*int_0^beta VaR_u du, VaR_u = pi(q, F^-1(u)) (pi nondecreasing in D)."""
    beta = 0.4
    params = {**VALUES, "demand": parse(dist)}
    d = parse(dist)
    integral, _ = quad(lambda u: float(profit(q, d.ppf(u))), 0.0, beta, limit=200)
    expected_cvar = integral / beta
    expected_var = float(profit(q, d.ppf(beta)))
    cvar, var = cvar_exact(params, q, beta)
    assert cvar == pytest.approx(expected_cvar, rel=1e-7, abs=1e-7)
    assert var == pytest.approx(expected_var, rel=1e-12)


def test_lp_matches_closed_form_on_uniform_demand():
    n = 1000
    d = U * (np.arange(n) + 0.5) / n  # midpoints of the uniform quantiles
    params = {**VALUES, "demand": parse("uniform(low=0, high=100)")}
    for beta in (1.0, 0.6, 0.25):
        status, q, cvar, _ = cvar_lp(d, params, beta)
        expected_q = U * beta * (P - C) / (P - V)  # closed form (Gotoh & Takano)
        assert status == "optimal"
        assert abs(q - expected_q) <= 2 * U / n
        # the LP objective is the sample CVaR at its q, and close to the exact CVaR
        assert cvar == pytest.approx(brute_sample_cvar(q, d, beta), abs=1e-6)
        assert cvar == pytest.approx(cvar_exact(params, expected_q, beta)[0], rel=2e-3)


def test_lp_with_shortage_cost_beats_a_brute_force_grid():
    rng = np.random.default_rng(5)
    d = rng.uniform(0.0, 100.0, 400)
    s, beta = 3.0, 0.3
    params = {**VALUES, "shortage": s, "demand": parse("uniform(low=0, high=100)")}
    status, q, cvar, _ = cvar_lp(d, params, beta)
    grid = np.linspace(0.0, 100.0, 2001)
    values = np.array([brute_sample_cvar(x, d, beta, s) for x in grid])
    assert status == "optimal"
    assert cvar >= values.max() - 1e-6
    assert cvar == pytest.approx(brute_sample_cvar(q, d, beta, s), abs=1e-6)


def test_lp_integer_and_capacity_brute_force():
    rng = np.random.default_rng(2)
    d = rng.uniform(0.0, 100.0, 300)
    params = {**VALUES, "demand": parse("uniform(low=0, high=100)")}
    beta = 0.5
    status, q, cvar, _ = cvar_lp(d, params, beta, Limits(q_max=20.5, integer=True))
    ints = np.arange(0, 21, dtype=float)
    values = np.array([brute_sample_cvar(x, d, beta) for x in ints])
    assert status == "optimal" and q.is_integer() and q <= 20
    assert cvar == pytest.approx(values.max(), abs=1e-6)
    status, q, _, _ = cvar_lp(d, params, beta, Limits(q_max=10.0))
    assert q == pytest.approx(10.0)


def test_saa_method_close_to_closed_form_and_decreasing_in_alpha():
    qs = []
    for alpha in (0.0, 0.3, 0.6):
        cf = NV.solve(params=UNIFORM, alpha=alpha)
        saa = NV.solve(
            params=UNIFORM, method="saa", alpha=alpha, samples=1024, seed=4, sampling="sobol"
        )
        assert saa.status == "optimal"
        assert abs(saa.decisions["q"] - cf.decisions["q"]) < 1.0
        qs.append(cf.decisions["q"])
    assert qs[0] > qs[1] > qs[2]


def test_capacity_and_integer_with_closed_form_cvar():
    res = NV.solve(params=UNIFORM, alpha=0.5, q_max=20)
    assert res.decisions["q"] == 20.0 and res.metrics["capacity_binding"] == 1.0
    res = NV.solve(params=UNIFORM, alpha=0.5, integer=True)
    beta = 0.5
    params = {**VALUES, "demand": parse("uniform(low=0, high=100)")}
    ints = np.arange(0, 101, dtype=float)
    expected_q = float(ints[np.argmax([cvar_exact(params, x, beta)[0] for x in ints])])
    assert res.decisions["q"] == expected_q


def test_closed_form_needs_zero_shortage_and_unsupported_methods_are_errors():
    with pytest.raises(ParameterError, match="shortage"):
        NV.solve(params={**UNIFORM, "shortage": 1}, alpha=0.3)
    with pytest.raises(ParameterError, match="method"):
        NV.solve(params=UNIFORM, method="mc", alpha=0.3)
    with pytest.raises(ParameterError, match="cannot be combined"):
        NV.solve(params=UNIFORM, alpha=0.3, demand_model="additive")


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
        st.floats(min_value=1.0, allow_nan=False, allow_infinity=False),
        st.just(float("nan")),
        st.sampled_from(["one", "0.5.1", "[0.2]", "'x'", ""]),
    )
)
def test_bad_alpha_is_a_parameter_error(alpha):
    with pytest.raises(ParameterError, match="alpha"):
        beta_of({"alpha": alpha})


def test_alpha_one_is_refused_with_the_rule():
    with pytest.raises(ParameterError, match=r"0 <= alpha < 1"):
        beta_of({"alpha": 1})
    assert math.isclose(beta_of({"alpha": "0.25"}), 0.75)
