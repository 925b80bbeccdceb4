"""buyback-effort scenario B with a general resale value and ex-ante / ex-post effort."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import brentq

from clsc.distributions import parse
from clsc.errors import ParameterError
from clsc.models import get_model
from clsc.stochastic.variants.effort_recourse import Resale, best_effort

BB = get_model("buyback-effort")
BASE = {"p": 20, "w": 5, "b": 4, "v": 2, "cm": 1}


def close(computed: float, printed: str) -> bool:
    """Spec 1.4 tolerance for a value printed with d decimals."""
    d = len(printed.split(".")[1]) if "." in printed else 0
    return abs(computed - float(printed)) <= 0.5 * 10.0**-d + 1e-9 * abs(float(printed))


# spec 9.9 (gamma = 1 is the closed form): (demand, k, e*, pi_M^B)
SPEC_ROWS = [
    ("uniform(low=0, high=100)", 10, "4.3945", "480.228"),
    ("uniform(low=0, high=100)", 40, "1.0986", "335.389"),
    ("uniform(low=0, high=100)", 100, "0.4395", "306.421"),
    ("exponential(mean=100)", 10, "18.3509", "4109.568"),
    ("exponential(mean=100)", 100, "1.8351", "1078.773"),
]


@pytest.mark.parametrize(("demand", "k", "expected_e", "expected_pi_M"), SPEC_ROWS)
def test_gamma_one_ex_ante_reproduces_spec_9_9(demand, k, expected_e, expected_pi_M):
    res = BB.solve("B", params={**BASE, "k": k, "demand": demand}, gamma="1")
    assert res.status == "optimal"
    assert close(res.decisions["e"], expected_e)
    assert close(res.profits["pi_M"], expected_pi_M)
    # the explicit expression is the same model
    alt = BB.solve("B", params={**BASE, "k": k, "demand": demand}, resale="v*(1 + e)")
    assert alt.profits["pi_M"] == pytest.approx(res.profits["pi_M"], rel=1e-10)


def second_moment_leftover(dist: str, q: float) -> float:
    """E[((q - D)+)^2] = int_0^q (q - x)^2 f(x) dx by adaptive quadrature."""
    d = parse(dist)
    return quad(lambda x: (q - x) ** 2 * float(d.pdf(x)), 0.0, q, limit=200)[0]


@pytest.mark.parametrize("demand", ["uniform(low=0, high=100)", "exponential(mean=100)"])
@pytest.mark.parametrize("k", [10, 40])
def test_gamma_one_ex_post_is_the_second_moment_formula(demand, k):
    """Spec 9.5: with e chosen after seeing L, M's effort term is E[v^2 L^2]/(4k)."""
    params = {**BASE, "k": k, "demand": demand}
    ante = BB.solve("B", params=params)
    post = BB.solve("B", params=params, effort_timing="ex-post")
    q = ante.decisions["q"]
    S = float(parse(demand).expected_leftover(q))
    EL2 = second_moment_leftover(demand, q)
    expected_pi_M = (5 - 1) * q - (4 - 2) * S + 2**2 * EL2 / (4 * k)
    assert post.status == "optimal"
    assert post.decisions["q"] == q  # R's order does not depend on the effort timing
    assert post.profits["pi_M"] == pytest.approx(expected_pi_M, rel=1e-9)
    assert post.metrics["e_mean"] == pytest.approx(2 * S / (2 * k), rel=1e-7)  # E[vL/(2k)]
    assert post.metrics["e_at_q"] == pytest.approx(2 * q / (2 * k), rel=1e-7)
    assert post.profits["pi_R"] == pytest.approx(ante.profits["pi_R"], rel=1e-12)
    # value of information: Var(L) >= 0
    assert post.profits["pi_M"] > ante.profits["pi_M"]


def test_uniform_ex_post_closed_form():
    # U(0,100), q = 93.75: E[L^2] = q^3/(3U), k = 10
    q, k = 93.75, 10
    expected_pi_M = 4 * q - 2 * q * q / 200 + 4 * (q**3 / 300) / (4 * k)
    post = BB.solve("B", params={**BASE, "k": k}, effort_timing="ex-post")
    assert post.profits["pi_M"] == pytest.approx(expected_pi_M, rel=1e-10)


def best_e_root(L: float, v: float, gamma: float, k: float) -> float:
    """Root of the first-order condition v*gamma*(1+e)^(gamma-1)*L = 2k*e (concave case)."""
    if L <= 0:
        return 0.0
    return brentq(lambda e: v * gamma * (1 + e) ** (gamma - 1) * L - 2 * k * e, 0.0, 1e6)


@pytest.mark.parametrize("gamma", [0.3, 0.5, 0.8])
def test_concave_gamma_ex_ante_against_the_first_order_condition(gamma):
    k = 10.0
    res = BB.solve("B", params={**BASE, "k": k}, gamma=gamma)
    S = res.metrics["S"]
    e = best_e_root(S, 2.0, gamma, k)
    assert res.status == "optimal"
    assert res.decisions["e"] == pytest.approx(e, rel=1e-7)
    expected_pi_M = 4 * res.decisions["q"] - 4 * S + 2 * (1 + e) ** gamma * S - k * e * e
    assert res.profits["pi_M"] == pytest.approx(expected_pi_M, rel=1e-10)


@pytest.mark.parametrize("demand", ["uniform(low=0, high=100)", "exponential(mean=100)"])
def test_concave_gamma_ex_post_against_adaptive_quadrature(demand):
    gamma, k, v = 0.5, 10.0, 2.0
    res = BB.solve("B", params={**BASE, "k": k, "demand": demand}, gamma=gamma,
                   effort_timing="ex-post")  # fmt: skip
    q = res.decisions["q"]
    d = parse(demand)

    def phi(L: float) -> float:
        e = best_e_root(L, v, gamma, k)
        return v * (1 + e) ** gamma * L - k * e * e

    term = quad(lambda x: phi(q - x) * float(d.pdf(x)), 0.0, q, limit=200)[0]
    expected_pi_M = 4 * q - 4 * float(d.expected_leftover(q)) + term
    assert res.profits["pi_M"] == pytest.approx(expected_pi_M, rel=1e-7)


def test_mc_method_agrees_with_quadrature():
    params = {**BASE, "k": 10}
    quad_res = BB.solve("B", params=params, gamma=0.5, effort_timing="ex-post")
    mc = BB.solve("B", params=params, gamma=0.5, effort_timing="ex-post", method="mc",
                  samples=50_000, seed=7)  # fmt: skip
    se = mc.std_errors["pi_M"]
    assert 0 < se < 5
    assert abs(mc.profits["pi_M"] - quad_res.profits["pi_M"]) < 4 * se


def test_best_effort_matches_a_fine_grid():
    resale = Resale.parse("v*(1+log(1+e))", 2.0, 1.0)
    W = np.array([0.0, 5.0, 40.0])
    out = best_effort(resale, 3.0, W)
    grid = np.linspace(0, 50, 500_001)
    for i, w in enumerate(W):
        vals = 2 * (1 + np.log1p(grid)) * w - 3 * grid**2
        assert out.value[i] == pytest.approx(vals.max(), abs=1e-6)
        assert out.e[i] == pytest.approx(grid[np.argmax(vals)], abs=2e-4)
    assert out.concave and out.bounded


def test_non_concave_and_unbounded_value_functions_are_reported():
    params = {**BASE, "k": 10}
    res = BB.solve("B", params=params, gamma=1.5)
    cond = {c.name: c for c in res.conditions}
    assert res.status == "not_proven"
    assert not cond["M_concave_e"].holds
    # the global grid search still finds the brute-force optimum of p'(e)*S - k*e^2
    S = res.metrics["S"]
    grid = np.linspace(0, 500, 1_000_001)
    expected = float(np.max(2 * (1 + grid) ** 1.5 * S - 10 * grid**2))
    assert res.metrics["effort_value"] == pytest.approx(expected, rel=1e-9)
    unb = BB.solve("B", params=params, gamma=3)
    assert unb.status == "unbounded" and not unb.decisions


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"resale": "__import__('os')"}, "resale"),
        ({"resale": "v*(1+x)"}, "resale"),
        ({"resale": "log(e)"}, "resale"),
        ({"gamma": "one"}, "gamma"),
        ({"effort_timing": "later"}, "effort_timing"),
    ],
)
def test_bad_options_are_parameter_errors(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        BB.solve("B", **kwargs)


def test_options_need_scenario_b_and_a_supported_method():
    with pytest.raises(ParameterError, match="scenario B"):
        BB.solve("N", gamma=0.5)
    with pytest.raises(ParameterError, match="method"):
        BB.solve("B", method="saa", gamma=0.5)
    with pytest.raises(ParameterError, match="e"):
        BB.solve("B", effort_timing="ex-post", fix={"e": 1.0})


def test_fixed_decisions_are_evaluated():
    res = BB.solve("B", gamma=1, fix={"q": 80, "e": 2.0})
    S = 80**2 / 200
    expected_pi_M = 4 * 80 - 4 * S + 2 * 3.0 * S - 10 * 4.0
    assert res.status == "evaluated"
    assert res.profits["pi_M"] == pytest.approx(expected_pi_M, rel=1e-12)


LEAVES = st.sampled_from(["e", "v", "gamma", "0", "1", "2.5", "-3", "1e3"])


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^"]), children).map(
        lambda t: f"({t[0]}){t[1]}({t[2]})"
    )
    unary = st.tuples(st.sampled_from(["sqrt", "exp", "log", "abs", "pos", "-"]), children).map(
        lambda t: f"{t[0]}({t[1]})"
    )
    pair = st.tuples(st.sampled_from(["min", "max"]), children, children).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})"
    )
    return binary | unary | pair


@settings(max_examples=40, deadline=None)
@given(st.recursive(LEAVES, _combine, max_leaves=6))
def test_any_resale_expression_solves_or_is_a_parameter_error(text):
    try:
        res = BB.solve("B", resale=text, effort_timing="ex-post")
    except ParameterError as exc:
        assert "resale" in str(exc)
        return
    assert res.status in ("optimal", "not_proven", "unbounded")
    if res.status != "unbounded":
        assert np.isfinite(res.profits["pi_M"])
