"""Any scipy.stats distribution by name, with the loss function by quadrature / summation."""

from __future__ import annotations

import numpy as np
import pytest
from dist_reference import quad_shortage, sum_shortage
from scipy import stats

from clsc.distributions import as_distribution, from_scipy, normal, parse
from clsc.errors import ParameterError, SpecError


def test_burr12_loss_matches_pdf_quadrature():
    d = parse("scipy:burr12(c=2, d=3, scale=10)")
    ref = stats.burr12(c=2, d=3, scale=10)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-12)
    for u in (0.01, 0.2, 0.5, 0.8, 0.999):
        x = float(ref.ppf(u))
        expected_loss = quad_shortage(ref.pdf, x, 0.0, np.inf)
        assert d.expected_shortage(x) == pytest.approx(expected_loss, rel=1e-7)
    assert d.expected_shortage(-2.0) == pytest.approx(d.mean + 2.0)


def test_scipy_norm_agrees_with_closed_form_normal():
    q = from_scipy("norm", loc=50, scale=8)
    n = normal(50, 8)
    xs = np.linspace(20, 80, 13)
    np.testing.assert_allclose(q.expected_shortage(xs), n.expected_shortage(xs), rtol=1e-7)
    np.testing.assert_allclose(
        q.expected_leftover(xs), n.expected_leftover(xs), rtol=1e-7, atol=1e-9
    )


def test_discrete_scipy_family_by_summation():
    d = parse("scipy:nbinom(n=5, p=0.3)")
    assert d.discrete
    ks = np.arange(400)
    pmf = stats.nbinom.pmf(ks, 5, 0.3)
    for x in (0.0, 3.5, 10.0, 11.7, 30.0):
        expected_loss = sum_shortage(ks, pmf, x)
        assert d.expected_shortage(x) == pytest.approx(expected_loss, rel=1e-8)
    assert d.ppf(stats.nbinom.cdf(9, 5, 0.3)) == 9.0


def test_spec_omits_defaults_and_round_trips():
    d = from_scipy("burr12", c=2, d=3, loc=0, scale=10)
    assert d.spec == "scipy:burr12(c=2, d=3, scale=10)"
    assert parse(d.spec) == d
    assert from_scipy("gamma", a=2.5).spec == "scipy:gamma(a=2.5)"


def test_frozen_scipy_objects_are_accepted():
    d = as_distribution(stats.gamma(2, scale=50))
    assert d.spec == "scipy:gamma(a=2, scale=50)"
    assert as_distribution(stats.poisson(mu=4)).spec == "scipy:poisson(mu=4)"
    assert d.expected_shortage(100.0) == pytest.approx(
        parse("gamma(shape=2, scale=50)").expected_shortage(100.0), rel=1e-8
    )


def test_sampling_passes_the_generator():
    d = parse("scipy:burr12(c=2, d=3, scale=10)")
    a = d.sample(100, np.random.default_rng(5))
    np.testing.assert_array_equal(a, d.sample(100, np.random.default_rng(5)))
    expected_draws = stats.burr12(c=2, d=3, scale=10).rvs(
        size=100, random_state=np.random.default_rng(5)
    )
    np.testing.assert_array_equal(a, expected_draws)


@pytest.mark.parametrize(
    ("text", "cls", "message"),
    [
        ("scipy:nosuchdist(a=1)", SpecError, "unknown scipy.stats distribution 'nosuchdist'"),
        ("scipy:rv_continuous(a=1)", SpecError, "unknown scipy.stats distribution"),
        ("scipy:__class__(a=1)", SpecError, "unknown scipy.stats distribution"),
        (
            "scipy:burr12(c=2)",
            SpecError,
            "missing argument 'd' for scipy:burr12; arguments: c, d, loc, scale",
        ),
        ("scipy:burr12(c=2, d=3, shape=1)", SpecError, "unknown argument 'shape'"),
        ("scipy:burr12(c=-2, d=3)", ParameterError, "invalid arguments for scipy:burr12"),
        ("scipy:burr12(c=2, d=3, scale=0)", ParameterError, "invalid arguments"),
        ("scipy:cauchy()", ParameterError, "has no finite mean"),
        ("scipy:poisson(mu=3, scale=2)", SpecError, "unknown argument 'scale'"),
        ("scipy:poisson(mu=3, loc=0.5)", ParameterError, "loc must be an integer"),
        ("scipy:norm(loc='a')", ParameterError, "loc must be a number"),
    ],
)
def test_invalid_scipy_specs(text, cls, message):
    with pytest.raises(cls) as info:
        parse(text)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("name", "kwargs", "spec"),
    [
        ("norm", {"loc": 50, "scale": 8}, "normal(mean=50, sd=8)"),
        ("gamma", {"a": 0.5, "scale": 3}, "gamma(shape=0.5, scale=3)"),
        ("lognorm", {"s": 1.2, "scale": np.e}, "lognormal(mu=1, sigma=1.2)"),
        ("expon", {"scale": 100}, "exponential(mean=100)"),
        ("uniform", {"loc": -20, "scale": 25}, "uniform(low=-20, high=5)"),
        (
            "truncnorm",
            {"a": -10 / 3, "b": np.inf, "loc": 100, "scale": 30},
            "truncnormal(mean=100, sd=30, lower=0)",
        ),
    ],
)
def test_tabulated_quadrature_agrees_with_closed_forms(name, kwargs, spec):
    generic, closed = from_scipy(name, **kwargs), parse(spec)
    u = np.array([1e-9, 1e-4, 0.01, 0.2, 0.5, 0.8, 0.99, 0.9999, 1 - 1e-9])
    x = np.concatenate([closed.ppf(u), closed.ppf(u) + 0.37 * closed.sd])
    scale = closed.sd
    np.testing.assert_allclose(
        generic.expected_shortage(x), closed.expected_shortage(x), rtol=1e-9, atol=1e-12 * scale
    )
    np.testing.assert_allclose(
        generic.expected_leftover(x), closed.expected_leftover(x), rtol=1e-9, atol=1e-9 * scale
    )


@pytest.mark.parametrize(
    ("name", "kwargs", "spec"),
    [
        ("poisson", {"mu": 6}, "poisson(mean=6)"),
        ("poisson", {"mu": 1e4}, "poisson(mean=10000)"),
        ("binom", {"n": 2000, "p": 0.02}, "binomial(n=2000, p=0.02)"),
    ],
)
def test_tabulated_sums_agree_with_closed_form_discrete(name, kwargs, spec):
    generic, closed = from_scipy(name, **kwargs), parse(spec)
    x = np.concatenate(
        [closed.ppf([1e-9, 0.01, 0.3, 0.5, 0.7, 0.99, 0.999999]) + 0.25, [-3.0, 0.0]]
    )
    np.testing.assert_allclose(
        generic.expected_shortage(x), closed.expected_shortage(x), rtol=1e-10, atol=1e-13
    )
    np.testing.assert_allclose(
        generic.expected_leftover(x), closed.expected_leftover(x), rtol=1e-7, atol=1e-12
    )


def test_heavy_tail_pareto_exact():
    # Pareto(b) on [1, inf): E[(D - x)+] = x^(1 - b)/(b - 1) for x >= 1
    d = from_scipy("pareto", b=2.5)
    x = np.array([1.0, 2.0, 10.0, 1e3, 1e5])
    expected_loss = x**-1.5 / 1.5
    np.testing.assert_allclose(d.expected_shortage(x), expected_loss, rtol=1e-10)
