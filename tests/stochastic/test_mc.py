"""Monte Carlo loss moments: evaluators agree, exact variance formula, sample quantile."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.errors import ParameterError
from clsc.stochastic.mc import EVALUATORS, SortedSamples, loss_moments


@pytest.fixture(scope="module")
def normal_samples():
    return np.random.default_rng(0).normal(50.0, 8.0, 20_001)


def test_all_evaluators_agree_to_1e9(normal_samples):
    qs = np.linspace(20.0, 80.0, 61)
    sums = {name: f(normal_samples, qs) for name, f in EVALUATORS.items()}
    for name in ("sorted", "brute"):
        np.testing.assert_allclose(sums[name], sums["numpy"], rtol=1e-9, atol=0)


def test_means_are_loss_functions(normal_samples):
    qs = np.array([40.0, 56.6])
    m = loss_moments(normal_samples, qs)
    x = qs[:, None] - normal_samples[None, :]
    np.testing.assert_allclose(m.leftover, np.maximum(x, 0).mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(m.shortage, np.maximum(-x, 0).mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(m.sales, np.minimum(normal_samples, qs[:, None]).mean(axis=1))


def test_affine_standard_error_equals_per_sample_computation(normal_samples):
    qs = np.array([45.0, 56.6, 70.0])
    m = loss_moments(normal_samples, qs, "brute")
    a_i, a_l, const, slope = -0.18, -0.70, 3.0, 0.5
    mean, se = m.affine(a_i, a_l, const, slope)
    for j, q in enumerate(qs):
        values = (
            const
            + slope * q
            + a_i * np.maximum(q - normal_samples, 0)
            + a_l * np.maximum(normal_samples - q, 0)
        )
        assert mean[j] == pytest.approx(values.mean(), rel=1e-12)
        expected_se = values.std(ddof=1) / np.sqrt(values.size)
        assert se[j] == pytest.approx(expected_se, rel=1e-9)


def test_sample_quantile_minimises_the_sample_average_cost(normal_samples):
    s = SortedSamples(normal_samples[:999])
    co, cu = 0.18, 0.70
    q = s.quantile(cu / (cu + co))
    grid = np.sort(normal_samples[:999])
    m = s.moments(grid)
    cost = co * m.leftover + cu * m.shortage
    assert q == grid[np.argmin(cost)]


def test_quantile_takes_the_smallest_minimiser_at_an_exact_tie():
    s = SortedSamples(np.array([4.0, 1.0, 3.0, 2.0]))
    assert s.quantile(0.5) == 2.0  # F_n(2) = 0.5 exactly
    assert s.quantile(0.7) == 3.0  # 0.7*10 rounding must not skip a sample
    assert SortedSamples(np.arange(10.0)).quantile(0.7) == 6.0


@pytest.mark.parametrize("bad", [np.array([]), np.array([1.0, np.nan]), np.ones((2, 2))])
def test_bad_samples_raise_parameter_error(bad):
    with pytest.raises(ParameterError, match="samples"):
        loss_moments(bad, np.array([1.0]))


def test_unknown_evaluator():
    with pytest.raises(ParameterError, match="evaluator must be one of"):
        loss_moments(np.ones(3), np.ones(1), "gpu")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
    st.sampled_from(sorted(EVALUATORS)),
)
def test_any_input_gives_sums_or_a_parameter_error(samples, qs, evaluator):
    try:
        m = loss_moments(np.array(samples, dtype=float), np.array(qs, dtype=float), evaluator)
    except ParameterError:
        return
    assert np.all(m.leftover_sum >= 0) and np.all(m.shortage_sum >= 0)
