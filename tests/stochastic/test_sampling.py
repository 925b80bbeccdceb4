"""Seeded uniforms: common random numbers, antithetic pairs, scrambled Sobol replicates."""

from __future__ import annotations

import numpy as np
import pytest

from clsc.distributions import parse
from clsc.errors import ParameterError
from clsc.stochastic.sampling import demand_samples, draw_uniforms


@pytest.mark.parametrize("method", ["plain", "antithetic", "sobol"])
def test_seeded_draws_repeat_and_stay_inside_unit_interval(method):
    a = draw_uniforms(1000, seed=7, method=method, replicates=8)
    b = draw_uniforms(1000, seed=7, method=method, replicates=8)
    np.testing.assert_array_equal(a.u, b.u)
    assert np.all((a.u > 0) & (a.u < 1))
    assert not np.array_equal(a.u, draw_uniforms(1000, seed=8, method=method, replicates=8).u)


def test_antithetic_pairs_and_sobol_sizes():
    a = draw_uniforms(10, seed=1, method="antithetic")
    np.testing.assert_allclose(a.u[:5] + a.u[5:], 1.0)
    assert a.groups == 5
    s = draw_uniforms(1000, seed=1, method="sobol", replicates=8)
    assert s.n == 8 * 128 and s.groups == 8  # 1000/8 = 125 -> nearest power of two 128


def test_common_random_numbers_across_scenarios():
    draws = draw_uniforms(500, seed=3)
    low = demand_samples(parse("normal(mean=50, sd=8)"), draws)
    high = demand_samples(parse("normal(mean=60, sd=8)"), draws)
    np.testing.assert_allclose(high - low, 10.0)


def test_mean_se_plain_is_iid_formula_and_antithetic_uses_pairs():
    plain = draw_uniforms(2000, seed=2)
    values = plain.u**2
    mean, se = plain.mean_se(values)
    assert mean == pytest.approx(values.mean())
    assert se == pytest.approx(values.std(ddof=1) / np.sqrt(values.size))
    anti = draw_uniforms(2000, seed=2, method="antithetic")
    mean, se = anti.mean_se(anti.u)  # u + (1 - u) is constant: zero variance
    assert mean == pytest.approx(0.5) and se == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("method", ["antithetic", "sobol"])
def test_variance_reduction_beats_plain_on_a_monotone_integrand(method):
    d = parse("normal(mean=50, sd=8)")
    plain = draw_uniforms(4096, seed=4)
    other = draw_uniforms(4096, seed=4, method=method)
    se_plain = plain.mean_se(np.minimum(demand_samples(d, plain), 56.6))[1]
    se_other = other.mean_se(np.minimum(demand_samples(d, other), 56.6))[1]
    assert se_other < se_plain


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"n": 1}, "samples must be an integer >= 2"),
        ({"n": 10, "method": "latin"}, "sampling must be one of"),
        ({"n": 10, "method": "sobol", "replicates": 1}, "replicates must be an integer >= 2"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(ParameterError, match=needle):
        draw_uniforms(**kwargs)
