"""Capacity limit and integer orders for the newsvendor (clsc.stochastic.variants.capacity)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from clsc.errors import ParameterError
from clsc.models import get_model
from clsc.stochastic.variants.capacity import Limits, constrain

NV = get_model("newsvendor")
FLAGS = ("true", "false", "yes", "no", "1", "0", "on", "off")
UNIFORM = {"price": 10, "cost": 4, "demand": "uniform(low=0, high=100)"}
NORMAL = {"price": 12, "cost": 5, "salvage": 1, "demand": "normal(mean=50.3, sd=7)"}


def uniform_profit(q: np.ndarray, p=10.0, c=4.0, upper=100.0) -> np.ndarray:
    """E[p*min(D, q)] - c*q for D ~ U(0, upper), q <= upper: E[min] = q - q^2/(2*upper)."""
    return p * (q - q * q / (2.0 * upper)) - c * q


def normal_profit(q: np.ndarray, p=12.0, c=5.0, v=1.0, mu=50.3, sd=7.0) -> np.ndarray:
    """p*E[min(D,q)] + v*E[(q-D)+] - c*q with the normal loss function E[(D-q)+]."""
    z = (q - mu) / sd
    short = sd * (norm.pdf(z) - z * norm.sf(z))
    left = q - mu + short
    return p * (q - left) + v * left - c * q


def test_capacity_binding_matches_brute_force():
    res = NV.solve(params=UNIFORM, q_max=50)
    grid = np.linspace(0.0, 50.0, 50_001)
    expected_q = float(grid[np.argmax(uniform_profit(grid))])  # brute force on [0, q_max]
    assert res.status == "optimal"
    assert res.decisions["q"] == pytest.approx(expected_q, abs=1e-3)
    assert res.metrics["q_unconstrained"] == pytest.approx(60.0)  # F^-1(0.6), closed form
    assert res.metrics["capacity_binding"] == 1.0
    assert res.profits["pi_R"] == pytest.approx(float(uniform_profit(np.array(50.0))))
    # shadow price = d profit / dq at q_max (central finite difference of the closed form)
    h = 1e-5
    expected_shadow = float((uniform_profit(50.0 + h) - uniform_profit(50.0 - h)) / (2 * h))
    assert res.metrics["capacity_shadow_price"] == pytest.approx(expected_shadow, rel=1e-6)


def test_capacity_not_binding_keeps_the_optimum():
    res = NV.solve(params=UNIFORM, q_max=80)
    assert res.decisions["q"] == pytest.approx(60.0)
    assert res.metrics["capacity_binding"] == 0.0


def test_integer_order_is_the_brute_force_integer_optimum():
    res = NV.solve(params=NORMAL, integer="true")
    qs = np.arange(0, 151, dtype=float)
    expected_q = float(qs[np.argmax(normal_profit(qs))])
    assert res.decisions["q"] == expected_q
    assert res.decisions["q"].is_integer()
    assert res.profits["pi_R"] == pytest.approx(float(normal_profit(np.array(expected_q))))


@pytest.mark.parametrize("q_max", [48.0, 52.7, 100.0])
def test_integer_with_capacity_brute_force(q_max):
    res = NV.solve(params=NORMAL, integer=True, q_max=q_max)
    qs = np.arange(0, math.floor(q_max) + 1, dtype=float)
    expected_q = float(qs[np.argmax(normal_profit(qs))])
    assert res.decisions["q"] == expected_q


def test_capacity_with_mc_and_saa_cut_at_q_max():
    for method in ("mc", "saa"):
        res = NV.solve(params=UNIFORM, method=method, samples=2000, seed=3, q_max=40)
        assert res.decisions["q"] == 40.0
        assert res.status == "optimal"
        assert res.metrics["q_unconstrained"] > 40.0


def test_integer_mc_compares_neighbours_with_common_random_numbers():
    res = NV.solve(params=NORMAL, method="mc", samples=20_000, seed=1, integer=True)
    free = NV.solve(params=NORMAL, method="mc", samples=20_000, seed=1)
    q = res.decisions["q"]
    assert q in (math.floor(free.decisions["q"]), math.ceil(free.decisions["q"]))
    for other in (q - 1, q + 1):
        val = NV.solve(params=NORMAL, method="mc", samples=20_000, seed=1, fix={"q": other})
        assert res.profits["pi_R"] >= val.profits["pi_R"]


def test_constrain_helper_on_a_concave_function():
    def f(q):
        return -((q - 3.4) ** 2)

    assert constrain(3.4, f, Limits(None, True)).q == 3.0
    assert constrain(3.6, lambda q: -((q - 3.6) ** 2), Limits(None, True)).q == 4.0
    assert constrain(3.6, f, Limits(2.5, True)).q == 2.0
    assert constrain(3.6, f, Limits(2.5, False)).q == 2.5


def test_fixed_q_must_respect_the_limits():
    with pytest.raises(ParameterError, match="q_max"):
        NV.solve(params=UNIFORM, fix={"q": 70}, q_max=50)
    with pytest.raises(ParameterError, match="integer"):
        NV.solve(params=UNIFORM, fix={"q": 10.5}, integer=True)
    res = NV.solve(params=UNIFORM, fix={"q": 30}, q_max=50)
    assert res.status == "evaluated" and res.decisions["q"] == 30


def _not_a_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().strip("'\"").lower() not in ("inf", "infinity")
    return False


@settings(max_examples=30, deadline=None)
@given(
    st.one_of(
        st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False),
        st.just(float("nan")),
        st.text(min_size=1, max_size=8).filter(_not_a_number),
    )
)
def test_bad_q_max_is_a_parameter_error(value):
    with pytest.raises(ParameterError, match="q_max"):
        Limits.of({"q_max": value})


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=6).filter(lambda s: s.strip().strip("'\"").lower() not in FLAGS))
def test_bad_integer_flag_is_a_parameter_error(value):
    with pytest.raises(ParameterError, match="integer"):
        Limits.of({"integer": value})
