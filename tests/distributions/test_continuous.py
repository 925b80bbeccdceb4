"""Closed-form loss functions of the continuous families against quadrature and textbooks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dist_reference import quad_shortage
from scipy import integrate, stats

from clsc.distributions import (
    exponential,
    gamma,
    lognormal,
    normal,
    parse,
    truncnormal,
    uniform,
)
from clsc.errors import ParameterError

FAMILIES = {
    "normal(mean=50, sd=8)": stats.norm(50, 8),
    "truncnormal(mean=90, sd=30, lower=0, upper=180)": stats.truncnorm(-3, 3, loc=90, scale=30),
    "truncnormal(mean=100, sd=30, lower=0)": stats.truncnorm(-100 / 30, np.inf, loc=100, scale=30),
    "truncnormal(mean=10, sd=5, lower=12, upper=30)": stats.truncnorm(0.4, 4, loc=10, scale=5),
    "truncnormal(mean=0, sd=1, upper=-1)": stats.truncnorm(-np.inf, -1, loc=0, scale=1),
    "uniform(low=0, high=100)": stats.uniform(0, 100),
    "uniform(low=-20, high=5)": stats.uniform(-20, 25),
    "exponential(mean=100)": stats.expon(scale=100),
    "gamma(shape=2, scale=50)": stats.gamma(2, scale=50),
    "gamma(shape=0.5, scale=3)": stats.gamma(0.5, scale=3),
    "lognormal(mu=6, sigma=0.3)": stats.lognorm(0.3, scale=math.exp(6)),
    "lognormal(mu=1, sigma=1.2)": stats.lognorm(1.2, scale=math.exp(1)),
}


@pytest.mark.parametrize("spec", FAMILIES)
def test_closed_form_loss_matches_quadrature(spec):
    d, ref = parse(spec), FAMILIES[spec]
    lo, hi = ref.support()
    xs = np.concatenate(
        [ref.ppf(np.linspace(0.001, 0.999, 9)), [lo - 7.0 if np.isfinite(lo) else ref.ppf(1e-6)]]
    )
    got = d.expected_shortage(xs)
    for x, g in zip(xs, got, strict=True):
        # below the support quad covers [lo, hi]; above it is 0
        expected_loss = quad_shortage(ref.pdf, float(x), lo, hi)
        assert g == pytest.approx(expected_loss, rel=1e-8, abs=1e-10 * ref.std())


@pytest.mark.parametrize("spec", FAMILIES)
def test_partial_expectation_matches_quadrature(spec):
    d, ref = parse(spec), FAMILIES[spec]
    lo, _ = ref.support()
    for u in (0.05, 0.5, 0.9):
        x = float(ref.ppf(u))
        # E[D 1{D <= x}] = int_lo^x t f(t) dt, integrated from a point far in the left tail
        start = lo if np.isfinite(lo) else float(ref.ppf(1e-15))
        expected_pe = integrate.quad(
            lambda t: t * ref.pdf(t), start, x, epsabs=1e-12, epsrel=1e-12
        )[0]
        assert d.partial_expectation(x) == pytest.approx(
            expected_pe, rel=1e-8, abs=1e-9 * ref.std()
        )


@pytest.mark.parametrize("spec", FAMILIES)
def test_matches_scipy_moments_and_functions(spec):
    d, ref = parse(spec), FAMILIES[spec]
    assert d.mean == pytest.approx(ref.mean(), rel=1e-12)
    assert d.sd == pytest.approx(ref.std(), rel=1e-10)
    assert d.var == pytest.approx(ref.var(), rel=1e-10)
    xs = ref.ppf([0.01, 0.3, 0.5, 0.9])
    np.testing.assert_allclose(d.cdf(xs), ref.cdf(xs), rtol=1e-12)
    np.testing.assert_allclose(d.pdf(xs), ref.pdf(xs), rtol=1e-12)
    np.testing.assert_allclose(d.ppf([0.01, 0.3, 0.5, 0.9]), xs, rtol=1e-12)
    assert d.support == pytest.approx(ref.support())
    assert not d.discrete


def test_normal_standard_loss_textbook_values():
    # standard normal loss function G(z) = phi(z) - z(1 - Phi(z)); tabulated values
    # as printed in unit-normal loss tables (e.g. Silver, Pyke & Peterson, Table B.1);
    # G(-z) = G(z) + z
    d = normal(0, 1)
    expected_g = {0.0: (0.3989, 4), 1.0: (0.08332, 5), -1.0: (1.0833, 4), 2.0: (0.008491, 6)}
    for z, (g, digits) in expected_g.items():
        assert abs(d.expected_shortage(z) - g) <= 0.5 * 10**-digits + 1e-9 * abs(g)
    # scaled: L(x) = sd * G((x - mean)/sd)
    assert abs(normal(50, 8).expected_shortage(58.0) - 8 * 0.08332) <= 8 * 0.5e-5


def test_exponential_and_uniform_textbook_forms():
    x = np.array([0.0, 10.0, 150.0])
    np.testing.assert_allclose(exponential(100).expected_shortage(x), 100 * np.exp(-x / 100))
    np.testing.assert_allclose(
        uniform(0, 100).expected_leftover(x), np.where(x <= 100, x**2 / 200, x - 50)
    )


def test_buyback_effort_reference_quantities():
    # spec 9.9: q = F^-1((p - w)/(p - s)) with (p, w, v, b) = (20, 5, 2, 4), S(q_B) = 2k e*/v,
    # pi_R^N = (p - v) * E[D 1{D <= q_N}]
    p, w, v, b, k = 20, 5, 2, 4, 10
    cases = {
        # spec 9.9 rows: (q_N, q_B, e* at k=10, pi_R^N, pi_R^B)
        "uniform(low=0, high=100)": (83.333, 93.750, 4.3945, 625.000, 703.125),
        "exponential(mean=100)": (179.176, 277.259, 18.3509, 962.472, 1222.741),
        "truncnormal(mean=100, sd=30, lower=0)": (129.031, 146.030, 4.6797, 1365.893, 1441.703),
    }
    for spec, (expected_qn, expected_qb, expected_e, expected_pin, expected_pib) in cases.items():
        d = parse(spec)
        qn, qb = d.ppf((p - w) / (p - v)), d.ppf((p - w) / (p - b))
        assert abs(qn - expected_qn) <= 0.5e-3 + 1e-9 * expected_qn
        assert abs(qb - expected_qb) <= 0.5e-3 + 1e-9 * expected_qb
        e = v * d.expected_leftover(qb) / (2 * k)
        assert abs(e - expected_e) <= 0.5e-4 + 1e-9 * expected_e
        assert abs((p - v) * d.partial_expectation(qn) - expected_pin) <= 0.5e-3 + 1e-6
        assert abs((p - b) * d.partial_expectation(qb) - expected_pib) <= 0.5e-3 + 1e-6


def test_truncnormal_parameterisation_is_scipys():
    d = truncnormal(100, 30, lower=0)
    ref = stats.truncnorm(a=-100 / 30, b=np.inf, loc=100, scale=30)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-13)
    assert d.ppf(0.5) == pytest.approx(ref.ppf(0.5), rel=1e-13)
    assert d.params == {"mean": 100, "sd": 30, "lower": 0}


def test_far_tail_truncation_is_accurate():
    # truncation 8 sd above the mean: Phi(beta) - Phi(alpha) must be computed on the upper side
    d = truncnormal(0, 1, lower=8, upper=9)
    ref = stats.truncnorm(8, 9)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-10)
    x = 8.05
    assert d.expected_shortage(x) == pytest.approx(quad_shortage(ref.pdf, x, 8, 9), rel=1e-7)


def test_loss_is_vectorised_and_scalar_in_scalar_out():
    d = gamma(2, 50)
    assert isinstance(d.expected_shortage(10), float)
    grid = np.linspace(0, 400, 12).reshape(3, 4)
    out = d.expected_shortage(grid)
    assert out.shape == (3, 4)
    assert out[1, 2] == d.expected_shortage(float(grid[1, 2]))


def test_below_support_loss_is_mean_minus_x():
    for d in (exponential(100), gamma(2, 50), lognormal(6, 0.3), uniform(10, 20)):
        assert d.expected_shortage(-5.0) == pytest.approx(d.mean + 5.0, rel=1e-14)
        assert d.expected_leftover(-5.0) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("factory", "args", "message"),
    [
        (normal, (50, -1), "sd must be > 0; got sd=-1"),
        (normal, (math.nan, 1), "mean must be a finite number"),
        (normal, (math.inf, 1), "mean must be a finite number"),
        (uniform, (5, 5), "low must be < high; got low=5, high=5"),
        (truncnormal, (0, 1, 3, 2), "lower must be < upper; got lower=3, upper=2"),
        (truncnormal, (0, 1, 60, 61), "must leave positive probability"),
        (exponential, (0,), "mean must be > 0; got mean=0"),
        (gamma, (0, 1), "shape must be > 0"),
        (gamma, (1, "2"), "scale must be a number; got scale='2'"),
        (lognormal, (1, -0.1), "sigma must be > 0"),
        (lognormal, (300, 10), "sigma must keep the variance representable"),
    ],
)
def test_invalid_parameters_name_argument_rule_and_value(factory, args, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace("^", r"\^")):
        factory(*args)


def test_sampling_uses_only_the_generator(rng):
    np.random.seed(0)
    global_state = np.random.get_state()[1].copy()
    for spec in FAMILIES:
        d = parse(spec)
        # the passed generator advances: two calls give different draws
        assert not np.array_equal(d.sample(5, rng), d.sample(5, rng))
        a = d.sample(2000, np.random.default_rng(7))
        b = d.sample(2000, np.random.default_rng(7))
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float64 and a.shape == (2000,)
        lo, hi = d.support
        assert np.all((a >= lo) & (a <= hi))
        # the sample mean is within 5 standard errors of the mean
        assert abs(a.mean() - d.mean) <= 5 * d.sd / math.sqrt(2000)
    # numpy's global RandomState was never touched
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
