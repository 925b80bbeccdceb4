"""Tests of the buyback-effort grid evaluator (sort + prefix sums, numba cube)."""

from __future__ import annotations

import numpy as np
import pytest

from clsc.errors import ParameterError
from clsc.stochastic.buyback_grid import evaluate_grid

PRICES = {"p": 20.0, "w": 5.0, "cm": 1.0, "v": 2.0, "k": 10.0}


def direct(d, q, b, e, p, w, cm, v, k):
    """Per-sample profits of spec 9.4 averaged directly (no moments, no kernels)."""
    L = np.maximum(q - d, 0.0)
    r_n = (p * np.minimum(d, q) + v * L - w * q).mean()
    r_b = p * np.minimum(d, q) + b * L - w * q
    m_b = (w - cm) * q - b * L + (1 + e) * v * L - k * e * e
    return (
        r_n,
        r_b.mean(),
        m_b.mean(),
        r_b.std(ddof=1) / np.sqrt(d.size),
        m_b.std(ddof=1) / np.sqrt(d.size),
    )


def test_grid_equals_direct_sample_averages():
    d = np.random.default_rng(1).exponential(100.0, 5_001)
    q, b, e = np.array([0.0, 50.0, 180.0, 400.0]), np.array([2.5, 4.0]), np.array([0.0, 3.0])
    g = evaluate_grid(d, q, b, e, **PRICES)
    for i, qi in enumerate(q):
        for j, bj in enumerate(b):
            for t, et in enumerate(e):
                r_n, r_b, m_b, se_r, se_m = direct(d, qi, bj, et, **PRICES)
                assert g.pi_R_N[i] == pytest.approx(r_n, rel=1e-9, abs=1e-9)
                assert g.pi_R_B[i, j] == pytest.approx(r_b, rel=1e-9, abs=1e-9)
                assert g.pi_M_B[i, j, t] == pytest.approx(m_b, rel=1e-9, abs=1e-9)
                assert g.se_pi_R_B[i, j] == pytest.approx(se_r, rel=1e-7, abs=1e-12)
                assert g.se_pi_M_B[i, j, t] == pytest.approx(se_m, rel=1e-7, abs=1e-12)
    assert np.array_equal(g.pi_M_N, (5.0 - 1.0) * q)


def test_grid_agrees_with_exact_expectation_for_uniform_demand():
    U = 100.0
    d = np.random.default_rng(2).uniform(0.0, U, 200_000)
    q, b, e = np.linspace(10, 100, 7), np.linspace(2.5, 4.5, 5), np.linspace(0, 6, 4)
    g = evaluate_grid(d, q, b, e, **PRICES)
    p, w, cm, v, k = (PRICES[n] for n in ("p", "w", "cm", "v", "k"))
    S = q**2 / (2 * U)  # spec 9.7: S(q) = q^2/(2U) for q <= U
    exact_R_B = (p - w) * q[:, None] - (p - b[None, :]) * S[:, None]
    exact_M_B = (
        (w - cm) * q[:, None, None]
        - (b[None, :, None] - (1 + e[None, None, :]) * v) * S[:, None, None]
        - k * e[None, None, :] ** 2
    )
    assert np.all(np.abs(g.pi_R_B - exact_R_B) <= 4 * g.se_pi_R_B + 1e-12)
    assert np.all(np.abs(g.pi_M_B - exact_M_B) <= 4 * g.se_pi_M_B + 1e-12)
    # the grid optimum of M's profit along e (given q, b) is near the closed form v*S/(2k)
    e_fine = np.linspace(0, 6, 601)
    g2 = evaluate_grid(d, [93.75], [4.0], e_fine, **PRICES)
    assert e_fine[np.argmax(g2.pi_M_B[0, 0])] == pytest.approx(4.3945, abs=0.02)


def test_bad_grid_is_a_clear_error():
    with pytest.raises(ParameterError, match="q grid"):
        evaluate_grid(np.ones(10), [], [1.0], [1.0], **PRICES)
    with pytest.raises(ParameterError, match="e grid"):
        evaluate_grid(np.ones(10), [1.0], [1.0], [np.nan], **PRICES)
