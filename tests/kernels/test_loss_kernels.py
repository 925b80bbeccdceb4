"""numba loss-sum kernels against a plain numpy reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.kernels import (
    LEFTOVER,
    LEFTOVER_SQ,
    SHORTAGE,
    SHORTAGE_SQ,
    loss_sums_brute,
    loss_sums_sorted,
)


def reference(samples: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Independent numpy reference: broadcast over (q, sample) and sum."""
    x = qs[:, None] - samples[None, :]
    pos, neg = np.maximum(x, 0.0), np.maximum(-x, 0.0)
    out = np.empty((4, qs.shape[0]))
    out[LEFTOVER], out[LEFTOVER_SQ] = pos.sum(axis=1), (pos**2).sum(axis=1)
    out[SHORTAGE], out[SHORTAGE_SQ] = neg.sum(axis=1), (neg**2).sum(axis=1)
    return out


def brute(samples, qs, **kw):
    out = np.full((4, qs.shape[0]), np.nan)
    loss_sums_brute(samples, qs, out, *kw.values())
    return out


def by_sorting(samples, qs):
    order = np.argsort(qs)
    out = np.full((4, qs.shape[0]), np.nan)
    loss_sums_sorted(np.sort(samples), qs[order], out)
    back = np.empty_like(out)
    back[:, order] = out
    return back


def test_hand_example():
    samples = np.array([1.0, 2.0, 4.0])
    qs = np.array([2.0, 0.0, 5.0])
    expected = np.array(
        [[1.0, 0.0, 4 + 3 + 1], [1.0, 0.0, 16 + 9 + 1], [2.0, 7.0, 0.0], [4.0, 1 + 4 + 16, 0.0]]
    )
    np.testing.assert_allclose(brute(samples, qs), expected, rtol=0, atol=0)
    np.testing.assert_allclose(by_sorting(samples, qs), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [1, 7, 2048, 5000])
def test_kernels_match_numpy_normal(n):
    rng = np.random.default_rng(n)
    samples = rng.normal(50.0, 8.0, n)
    qs = np.concatenate([np.linspace(0.0, 100.0, 23), samples[:3]])  # includes ties
    ref = reference(samples, qs)
    np.testing.assert_allclose(brute(samples, qs), ref, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(by_sorting(samples, qs), ref, rtol=1e-12, atol=1e-9)


def test_kernels_match_numpy_integer_samples_exactly():
    rng = np.random.default_rng(3)
    samples = rng.poisson(6.0, 3000).astype(float)
    qs = np.array([0.0, 3.0, 6.0, 6.0, 6.5, 30.0, 2.0])
    ref = reference(samples, qs)
    np.testing.assert_array_equal(brute(samples, qs), ref)
    np.testing.assert_array_equal(by_sorting(samples, qs), ref)


def test_small_tiles_exercise_every_block_boundary():
    rng = np.random.default_rng(5)
    samples = rng.exponential(10.0, 1001)
    qs = rng.uniform(0.0, 40.0, 37)
    ref = reference(samples, qs)
    out = brute(samples, qs, tile=16, chunk=64, qblock=5)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-9)


def test_brute_is_bit_identical_for_any_thread_count():
    import numba

    rng = np.random.default_rng(11)
    samples = rng.normal(0.0, 1.0, 20_000)
    qs = np.linspace(-3, 3, 40)
    before = numba.get_num_threads()
    try:
        results = []
        for threads in range(1, numba.config.NUMBA_NUM_THREADS + 1):
            numba.set_num_threads(threads)
            results.append(brute(samples, qs, tile=256, chunk=1024, qblock=4))
    finally:
        numba.set_num_threads(before)
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=10),
)
def test_evaluators_agree_on_arbitrary_data(samples, qs):
    samples, qs = np.array(samples), np.array(qs)
    ref = reference(samples, qs)
    scale = 1.0 + np.abs(ref).max()
    np.testing.assert_allclose(brute(samples, qs), ref, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(by_sorting(samples, qs), ref, rtol=1e-9, atol=1e-9 * scale)
