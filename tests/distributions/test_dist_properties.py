"""Hypothesis property tests: loss-function identities, monotonicity, convexity, bad input."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clsc.distributions import (
    binomial,
    discrete,
    exponential,
    from_scipy,
    gamma,
    lognormal,
    normal,
    parse,
    poisson,
    truncnormal,
    uniform,
)
from clsc.errors import ParameterError

pos = st.floats(0.05, 200.0)
loc = st.floats(-100.0, 300.0)


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(range(11)))
    if kind == 9:
        return from_scipy(
            "burr12", c=draw(st.floats(1.5, 6.0)), d=draw(st.floats(0.8, 4.0)), scale=draw(pos)
        )
    if kind == 10:
        return from_scipy("nbinom", n=draw(st.floats(0.5, 30.0)), p=draw(st.floats(0.02, 0.95)))
    if kind == 0:
        return normal(draw(loc), draw(pos))
    if kind == 1:
        mean, sd = draw(loc), draw(pos)
        lower = draw(st.floats(mean - 3 * sd, mean + 2 * sd))
        upper = draw(st.one_of(st.just(math.inf), st.floats(lower + 0.1 * sd, mean + 4 * sd)))
        return truncnormal(mean, sd, lower, upper)
    if kind == 2:
        low = draw(loc)
        return uniform(low, low + draw(pos))
    if kind == 3:
        return exponential(draw(pos))
    if kind == 4:
        return gamma(draw(st.floats(0.2, 30.0)), draw(pos))
    if kind == 5:
        return lognormal(draw(st.floats(-2.0, 6.0)), draw(st.floats(0.05, 1.5)))
    if kind == 6:
        return poisson(draw(st.floats(0.1, 300.0)))
    if kind == 7:
        return binomial(draw(st.integers(0, 3000)), draw(st.floats(0.0, 1.0)))
    probs = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=12)))
    values = draw(st.lists(loc, min_size=len(probs), max_size=len(probs), unique=True))
    return discrete(values, list(probs / probs.sum()))


def grid(d) -> np.ndarray:
    lo, hi = d.ppf(1e-6), d.ppf(1 - 1e-6)
    width = max(hi - lo, 1.0)
    return np.linspace(lo - 0.2 * width, hi + 0.2 * width, 41)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(distributions())
def test_loss_identity_monotone_convex(d):
    x = grid(d)
    short, left = d.expected_shortage(x), d.expected_leftover(x)
    spread = d.sd if math.isfinite(d.sd) else d.ppf(0.75) - d.ppf(0.25)  # heavy tails
    scale = max(spread, 1.0) + abs(d.mean) * 1e-3
    # E[(x-D)+] - E[(D-x)+] = x - E[D]
    np.testing.assert_allclose(left - short, x - d.mean, atol=1e-9 * (scale + np.abs(x).max()))
    assert np.all(short >= 0) and np.all(left >= -1e-9 * scale)
    # E[(D-x)+] non-increasing with slope in [-1, 0], and convex
    diff = np.diff(short)
    tol = 1e-9 * (scale + np.abs(x).max())
    assert np.all(diff <= tol)
    assert np.all(diff / np.diff(x) >= -1 - 1e-7)
    assert np.all(np.diff(diff) >= -tol)
    # Jensen bounds: (mean - x)+ <= E[(D-x)+] <= E|D - x|
    assert np.all(short >= np.maximum(d.mean - x, 0) - tol)


@settings(max_examples=60, deadline=None)
@given(distributions(), st.floats(0.001, 0.999))
def test_ppf_is_generalised_inverse(d, u):
    q = d.ppf(u)
    # continuous: F(q) = u up to the rounding of q itself
    slack = 0.0 if d.discrete else 4 * np.spacing(abs(q))
    assert d.cdf(q + slack) >= u * (1 - 1e-9) - 1e-12
    if d.discrete:
        # the support point just below q has F < u (smallest point with F >= u)
        below = d.cdf(np.nextafter(q, -np.inf))
        assert below < u * (1 + 1e-9) or math.isclose(below, u, rel_tol=1e-9)
    # critical-ratio bounds: P(D < q) <= u <= P(D <= q)
    lo, hi = d.support
    assert lo <= q <= hi


@settings(max_examples=40, deadline=None)
@given(distributions(), st.integers(0, 50), st.integers(0, 2**32 - 1))
def test_sampling_is_reproducible(d, n, seed):
    a = d.sample(n, np.random.default_rng(seed))
    b = d.sample(n, np.random.default_rng(seed))
    assert a.shape == (n,)
    np.testing.assert_array_equal(a, b)


names = st.sampled_from(
    [
        "normal",
        "truncnormal",
        "uniform",
        "exponential",
        "gamma",
        "lognormal",
        "poisson",
        "binomial",
        "discrete",
        "empirical",
        "scipy:norm",
        "scipy:burr12",
        "scipy:poisson",
        "nope",
    ]
)
keys = st.sampled_from(
    [
        "mean",
        "sd",
        "lower",
        "upper",
        "low",
        "high",
        "shape",
        "scale",
        "mu",
        "sigma",
        "n",
        "p",
        "values",
        "probs",
        "c",
        "d",
        "loc",
        "file",
        "column",
        "x",
    ]
)
literal = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "inf",
            "-inf",
            "'a'",
            "[]",
            "[1, 2]",
            "[0.5, 0.5]",
            "[1, 'x']",
            "nan",
            "x",
            "1 + 2",
            "[[1]]",
            "()",
            "-'s'",
            "True",
            "None",
            "(1, 2)",
        ]
    ),
)


@st.composite
def call_specs(draw):
    name = draw(names)
    args = draw(st.lists(st.tuples(keys, literal), max_size=4))
    return f"{name}(" + ", ".join(f"{k}={v}" for k, v in args) + ")"


def _parse_or_clear_error(text):
    try:
        d = parse(text)
    except ParameterError as exc:  # SpecError is a subclass
        assert str(exc)
        return
    # a valid spec: it must round-trip
    assert parse(d.spec) == d


@settings(max_examples=300, deadline=None)
@given(call_specs())
def test_random_call_specs_parse_or_raise_clear_error(text):
    _parse_or_clear_error(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_random_text_never_crashes(text):
    _parse_or_clear_error(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="normalpiscy:()[]=,.-+0123456789e'_ ", max_size=50))
def test_spec_like_text_never_crashes(text):
    _parse_or_clear_error(text)


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.text(max_size=5),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
    st.just(np.array([1.0, np.nan])),
)
FACTORIES = [
    normal,
    truncnormal,
    uniform,
    exponential,
    gamma,
    lognormal,
    poisson,
    binomial,
    discrete,
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FACTORIES), st.lists(anything, min_size=1, max_size=4))
def test_factories_with_arbitrary_python_values_raise_parameter_error(factory, args):
    import inspect

    n = len(inspect.signature(factory).parameters)
    try:
        d = factory(*args[:n], *([1.0] * max(0, n - len(args))))
    except ParameterError as exc:
        assert str(exc)
        return
    assert parse(d.spec) == d
