"""Price-dependent stochastic demand (variants.price_demand; Petruzzi & Dada 1999)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from clsc.errors import ParameterError
from clsc.models import get_model

NV = get_model("newsvendor")
A, SLOPE, C = 100.0, 2.0, 10.0


def additive(noise: str, **extra) -> dict:
    return {"params": {"price": 60, "cost": C, "demand": noise, **extra}, "a": A, "slope": SLOPE}


def test_degenerate_noise_gives_the_monopoly_price():
    res = NV.solve(**additive("normal(mean=0, sd=1e-7)"), demand_model="additive")
    expected_p = (A + SLOPE * C) / (2 * SLOPE)  # deterministic monopoly price (a + b*c)/(2b)
    expected_q = A - SLOPE * expected_p
    assert res.status == "optimal"
    assert res.decisions["price"] == pytest.approx(expected_p, abs=1e-4)
    assert res.decisions["q"] == pytest.approx(expected_q, abs=1e-3)
    assert res.profits["pi_R"] == pytest.approx((expected_p - C) * expected_q, rel=1e-5)


def test_multiplicative_degenerate_noise_gives_the_markup_price():
    elasticity = 2.5
    res = NV.solve(
        params={"price": 200, "cost": C, "demand": "uniform(low=0.99999, high=1.00001)"},
        demand_model="multiplicative",
        a=1000,
        elasticity=elasticity,
    )
    expected_p = elasticity * C / (elasticity - 1)  # riskless p0 = e*c/(e - 1)
    assert res.decisions["price"] == pytest.approx(expected_p, rel=1e-4)


def uniform_shortage(z: float, lo: float, hi: float) -> float:
    """E[(eps - z)+] for eps ~ U(lo, hi), lo <= z <= hi."""
    return (hi - z) ** 2 / (2 * (hi - lo))


def test_additive_fixed_point_and_sign_petruzzi_dada():
    lo, hi = -20.0, 20.0
    res = NV.solve(
        **additive(f"uniform(low={lo:g}, high={hi:g})", salvage=2), demand_model="additive"
    )
    p = res.decisions["price"]
    # optimal z for this p: F(z) = (p - c)/(p - v), independent computation
    ratio = (p - C) / (p - 2.0)
    z = lo + ratio * (hi - lo)
    # Petruzzi & Dada (1999): p* = p0 - E[(eps - z*)+]/(2b) with p0 = (a + mu + b*c)/(2b)
    p0 = (A + 0.0 + SLOPE * C) / (2 * SLOPE)
    expected_p = p0 - uniform_shortage(z, lo, hi) / (2 * SLOPE)
    assert p == pytest.approx(expected_p, abs=1e-6)
    assert p < p0  # additive: p* below the riskless price
    assert res.decisions["q"] == pytest.approx(A - SLOPE * p + z, abs=1e-5)
    assert res.metrics["riskless_price"] == pytest.approx(p0)


def brute_profit_additive(p, q, lo, hi, c=C):
    """Exact expected profit with D = A - SLOPE*p + U(lo, hi) (no salvage), from the cdf."""
    y = A - SLOPE * p
    z = np.clip(q - y, lo, hi)
    left = (z - lo) ** 2 / (2 * (hi - lo)) + np.maximum(q - y - hi, 0.0)
    return (p - c) * q - p * left


def test_additive_beats_a_two_dimensional_brute_force_grid():
    lo, hi = -15.0, 25.0
    res = NV.solve(**additive(f"uniform(low={lo:g}, high={hi:g})"), demand_model="additive")
    ps = np.linspace(C, 50, 801)[:, None]
    qs = np.linspace(0, 100, 2001)[None, :]
    grid = brute_profit_additive(ps, qs, lo, hi)
    best = float(grid.max())
    assert res.profits["pi_R"] >= best - 1e-9
    assert res.profits["pi_R"] - best < 0.05  # grid resolution
    i, _ = np.unravel_index(np.argmax(grid), grid.shape)
    assert res.decisions["price"] == pytest.approx(float(ps[i, 0]), abs=0.1)


def test_multiplicative_price_above_riskless_and_first_order_condition():
    elasticity, lo, hi = 2.0, 0.5, 1.5
    res = NV.solve(
        params={"price": 500, "cost": C, "demand": f"uniform(low={lo:g}, high={hi:g})"},
        demand_model="multiplicative",
        a=5000,
        elasticity=elasticity,
    )
    p = res.decisions["price"]
    p0 = elasticity * C / (elasticity - 1)
    assert p > p0  # Petruzzi & Dada (1999): multiplicative p* above the riskless price

    def profit_of_price(x: float) -> float:
        """Pi(p) = y(p)*[(p - c)*z - p*E[(z - eps)+]] at z = F^-1((p - c)/p), eps ~ U(lo, hi)."""
        z = lo + (x - C) / x * (hi - lo)
        left = (z - lo) ** 2 / (2 * (hi - lo))
        return 5000 * x**-elasticity * ((x - C) * z - x * left)

    h = 1e-4
    slope_at = (profit_of_price(p + h) - profit_of_price(p - h)) / (2 * h)
    assert abs(slope_at) < 1e-3
    expected_p = brentq(
        lambda x: (profit_of_price(x + h) - profit_of_price(x - h)) / (2 * h), p0, 100
    )
    assert p == pytest.approx(expected_p, rel=1e-5)


def test_capacity_combines_with_price_setting():
    res = NV.solve(
        **additive("uniform(low=-20, high=20)"), demand_model="additive", q_max=20, integer=True
    )
    assert res.decisions["q"] <= 20 and float(res.decisions["q"]).is_integer()
    free = NV.solve(**additive("uniform(low=-20, high=20)"), demand_model="additive")
    assert res.decisions["price"] > free.decisions["price"]  # scarce capacity raises the price


def test_price_cap_is_reported_when_it_binds():
    res = NV.solve(
        params={"price": 25, "cost": C, "demand": "uniform(low=-20, high=20)"},
        demand_model="additive",
        a=A,
        slope=SLOPE,
    )
    assert res.decisions["price"] == pytest.approx(25.0, rel=1e-6)
    cond = {c.name: c for c in res.conditions}
    assert not cond["price_interior"].holds


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"demand_model": "quadratic"}, "demand_model"),
        ({"demand_model": "additive", "slope": "-1"}, "slope"),
        ({"demand_model": "multiplicative", "elasticity": "1"}, "elasticity"),
        ({"demand_model": "additive", "a": "big"}, "a"),
    ],
)
def test_bad_options_are_parameter_errors(options, name):
    with pytest.raises(ParameterError, match=name):
        NV.solve(params={"price": 60, "cost": C, "demand": "uniform(low=0.5, high=1.5)"}, **options)


def test_multiplicative_noise_must_be_nonnegative_and_fix_is_refused():
    with pytest.raises(ParameterError, match="demand"):
        NV.solve(**additive("normal(mean=1, sd=0.2)"), demand_model="multiplicative")
    with pytest.raises(ParameterError, match="cost must be > 0"):
        NV.solve(
            params={"price": 60, "holding": 1, "demand": "uniform(low=0.5, high=1.5)"},
            demand_model="multiplicative",
        )
    with pytest.raises(ParameterError, match="fix"):
        NV.solve(**additive("uniform(low=-1, high=1)"), demand_model="additive", fix={"q": 3})
    with pytest.raises(ParameterError, match="method"):
        NV.solve(**additive("uniform(low=-1, high=1)"), demand_model="additive", method="mc")


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32), st.sampled_from(["x", "[1]", "-"])
)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["additive", "multiplicative"]),
    NUMBERS,
    NUMBERS,
    st.sampled_from(["uniform(low=0.5, high=1.5)", "uniform(low=-5, high=5)"]),
)
def test_any_option_values_solve_or_raise_a_parameter_error(kind, a, shape, noise):
    key = "slope" if kind == "additive" else "elasticity"
    try:
        res = NV.solve(
            params={"price": 60, "cost": C, "demand": noise}, demand_model=kind, a=a, **{key: shape}
        )
    except ParameterError as exc:
        assert any(name in str(exc) for name in ("a", key, "demand"))
        return
    assert res.status == "optimal"
    assert np.isfinite(res.profits["pi_R"]) and res.decisions["q"] >= 0
