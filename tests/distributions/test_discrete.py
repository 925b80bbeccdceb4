"""Poisson, binomial and explicit discrete demand: exact sums, ppf convention, sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dist_reference import sum_shortage
from scipy import stats

from clsc.distributions import binomial, discrete, parse, poisson
from clsc.errors import ParameterError

XS = np.array([-3.0, 0.0, 0.4, 1.0, 2.5, 5.0, 5.999, 6.0, 7.3, 12.0, 19.5, 40.0])


def poisson_reference(lam: float, x: float) -> float:
    """Direct summation of sum_k (k - x)+ lam^k e^-lam / k! up to a negligible tail."""
    ks = range(int(lam + 40 * math.sqrt(lam) + 60))
    return sum_shortage(ks, [stats.poisson.pmf(k, lam) for k in ks], x)


@pytest.mark.parametrize("lam", [0.3, 6.0, 35.5])
def test_poisson_loss_by_direct_summation(lam):
    d = poisson(lam)
    got = d.expected_shortage(XS)
    for x, g in zip(XS, got, strict=True):
        expected_loss = poisson_reference(lam, float(x))
        assert g == pytest.approx(expected_loss, rel=1e-9, abs=1e-13)


def test_poisson_loss_piecewise_linear_between_integers():
    d = poisson(6)
    a, b = d.expected_shortage(4.0), d.expected_shortage(5.0)
    for t in (0.1, 0.5, 0.77):
        assert d.expected_shortage(4.0 + t) == pytest.approx((1 - t) * a + t * b, rel=1e-12)
    # slope on [4, 5) is -P(D > 4)
    assert b - a == pytest.approx(-(1 - stats.poisson.cdf(4, 6)), rel=1e-12)


@pytest.mark.parametrize(("n", "p"), [(2000, 0.02), (10, 0.5), (7, 0.93), (1, 0.3), (0, 0.4)])
def test_binomial_loss_by_direct_summation(n, p):
    d = binomial(n, p)
    ks = np.arange(n + 1)
    pmf = stats.binom.pmf(ks, n, p)
    for x in [*XS, n - 0.5, float(n), n + 2.0]:
        expected_loss = sum_shortage(ks, pmf, float(x))
        assert d.expected_shortage(x) == pytest.approx(expected_loss, rel=1e-9, abs=1e-13)


def test_binomial_degenerate_p():
    assert binomial(5, 0.0).support == (0.0, 0.0)
    assert binomial(5, 0.0).ppf(1.0) == 0.0
    assert binomial(5, 1.0).ppf(0.01) == 5.0
    assert binomial(5, 1.0).expected_shortage(3.0) == pytest.approx(2.0)


def test_explicit_discrete_exact_sums():
    values, probs = [0, 1, 2, 7.5], [0.1, 0.2, 0.3, 0.4]
    d = discrete(values, probs)
    assert d.mean == pytest.approx(math.fsum(v * p for v, p in zip(values, probs, strict=True)))
    for x in [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 7.5, 9.0]:
        expected_loss = sum_shortage(values, probs, x)
        assert d.expected_shortage(x) == pytest.approx(expected_loss, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(
        d.cdf([-1, 0, 0.5, 1, 2, 7.49, 7.5, 8]), [0, 0.1, 0.1, 0.3, 0.6, 0.6, 1, 1]
    )
    np.testing.assert_allclose(d.pdf([0, 0.5, 1, 7.5]), [0.1, 0, 0.2, 0.4])
    assert d.partial_expectation(2.0) == pytest.approx(0.2 + 0.6)


def test_ppf_smallest_point_with_cdf_at_least_u():
    # brief: discrete(values=[0,1,2], probs=[0.3,0.4,0.3]) with ratio 0.7 must give 1
    d = parse("discrete(values=[0,1,2], probs=[0.3,0.4,0.3])")
    assert d.ppf(0.7) == 1.0
    # the same ratio computed with a rounding error either way still reaches F(1) = 0.7
    assert d.ppf(np.nextafter(0.7, 1.0)) == 1.0
    assert d.ppf(1 - 0.3) == 1.0
    assert d.ppf(0.70001) == 2.0
    assert d.ppf(0.3) == 0.0 and d.ppf(0.0) == 0.0 and d.ppf(1.0) == 2.0
    np.testing.assert_array_equal(d.ppf([0.1, 0.5, 0.95]), [0, 1, 2])
    assert math.isnan(d.ppf(1.2)) and math.isnan(d.ppf(-0.1))


@pytest.mark.parametrize(
    "spec", ["poisson(mean=6)", "binomial(n=2000, p=0.02)", "binomial(n=10, p=0.3)"]
)
def test_lattice_ppf_agrees_with_scipy_away_from_steps(spec):
    d = parse(spec)
    ref = stats.poisson(6) if spec.startswith("poisson") else stats.binom(*_binom_args(spec))
    u = np.linspace(0.013, 0.987, 41)
    np.testing.assert_array_equal(d.ppf(u), ref.ppf(u))
    # exactly at a step: F(k) itself maps to k, even if F(k) is rounded down by 1 ulp
    for k in (2.0, 5.0, 7.0):
        f = float(ref.cdf(k))
        assert d.ppf(f) == k
        assert d.ppf(np.nextafter(f, 1.0)) == k
    assert d.ppf(0.0) == 0.0


def _binom_args(spec: str) -> tuple[int, float]:
    d = parse(spec)
    return d.n, d.p


def test_poisson_ppf_extremes():
    d = poisson(6)
    assert d.ppf(1.0) == math.inf and d.support == (0.0, math.inf)


def test_discrete_moments_and_flags():
    for d in (poisson(6), binomial(2000, 0.02), discrete([0, 1, 2], [0.3, 0.4, 0.3])):
        assert d.discrete
    assert poisson(6).var == pytest.approx(6.0)
    assert binomial(2000, 0.02).sd == pytest.approx(math.sqrt(2000 * 0.02 * 0.98))
    assert discrete([0, 1, 2], [0.3, 0.4, 0.3]).var == pytest.approx(0.6)


def test_zero_probability_atoms_are_kept_in_spec_but_not_support():
    d = discrete([0, 1, 5], [0.0, 0.5, 0.5])
    assert d.support == (1.0, 5.0)
    assert d.ppf(0.0) == 1.0
    assert parse(d.spec) == d


def test_sampling_reproducible_and_correct_frequencies():
    d = discrete([0, 1, 2], [0.3, 0.4, 0.3])
    a = d.sample(20000, np.random.default_rng(1))
    np.testing.assert_array_equal(a, d.sample(20000, np.random.default_rng(1)))
    freq = np.array([(a == v).mean() for v in (0, 1, 2)])
    np.testing.assert_allclose(freq, [0.3, 0.4, 0.3], atol=5 * math.sqrt(0.25 / 20000))
    for spec in ("poisson(mean=6)", "binomial(n=2000, p=0.02)"):
        s = parse(spec).sample(5000, np.random.default_rng(3))
        assert s.dtype == np.float64
        np.testing.assert_array_equal(s, parse(spec).sample(5000, np.random.default_rng(3)))
        assert abs(s.mean() - parse(spec).mean) <= 5 * parse(spec).sd / math.sqrt(5000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("discrete(values=[0,1,2], probs=[0.3,0.4,0.2])", "probs must sum to 1; got sum=0.9"),
        ("discrete(values=[0,1], probs=[0.3,0.4,0.3])", "probs must have one entry per value"),
        ("discrete(values=[0,1,1], probs=[0.3,0.4,0.3])", "values must be distinct; got values=1"),
        ("discrete(values=[0,1], probs=[1.5,-0.5])", "probs must be >= 0; got probs=-0.5"),
        ("discrete(values=[], probs=[])", "values must not be empty"),
        ("discrete(values=[0,'a'], probs=[0.5,0.5])", "values must contain only finite numbers"),
        ("discrete(values=[0,inf], probs=[0.5,0.5])", "values must contain only finite numbers"),
        ("discrete(values=3, probs=[1])", "values must be a list of numbers"),
        ("poisson(mean=-1)", "mean must be > 0; got mean=-1"),
        ("binomial(n=10, p=1.5)", "p must satisfy 0 <= p <= 1; got p=1.5"),
        ("binomial(n=2.5, p=0.5)", "n must be an integer >= 0; got n=2.5"),
        ("binomial(n=-3, p=0.5)", "n must be an integer >= 0; got n=-3"),
    ],
)
def test_invalid_discrete_specs(text, message):
    with pytest.raises(ParameterError) as info:
        parse(text)
    assert message in str(info.value)
