"""Shapley value: published values, the definition, properties, sampling."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from coop_reference import (
    airport_sequential_split,
    all_coalitions,
    rounding_tolerance,
    shapley_by_permutations,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.coop import Game, from_costs, shapley
from clsc.coop.games import airport, weighted_voting
from clsc.errors import ParameterError

GLOVE = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}


def random_game(n, rng, integer=False):
    values = rng.integers(-20, 60, size=1 << n) if integer else rng.normal(10, 5, size=1 << n)
    values[0] = 0
    return Game(values)


def test_glove_game():
    # expected: Shapley (1953) glove market with two left gloves and one right glove
    expected = [Fraction(1, 6), Fraction(1, 6), Fraction(2, 3)]
    phi = shapley(GLOVE, rational=True)
    assert list(phi.exact) == expected
    np.testing.assert_allclose(shapley(GLOVE).values, [float(f) for f in expected], atol=1e-15)


def test_weighted_voting_51_49_48_3():
    # expected: any two of the three form a majority, so each is pivotal in 2 of 6 orders
    expected = [Fraction(1, 3)] * 3
    assert list(shapley(weighted_voting(51, [49, 48, 3]), rational=True).exact) == expected


def test_un_security_council():
    # expected: 15 members, quota 39, permanent weight 7, others 1. A non-permanent member is
    # pivotal when it is the 9th voter after the 5 permanent and 3 of the 9 other non-permanent
    # members: C(9,3) 8! 6! / 15! = 4/2145 (0.00186); each permanent member gets
    # (1 - 10*4/2145)/5 = 421/2145 (0.1963), the figures of e.g. Straffin, "Game Theory and
    # Strategy" (1993), ch. 8.
    expected_permanent, expected_other = 421 / 2145, 4 / 2145
    phi = shapley(weighted_voting(39, [7] * 5 + [1] * 10))
    np.testing.assert_allclose(phi.values[:5], expected_permanent, rtol=1e-12)
    np.testing.assert_allclose(phi.values[5:], expected_other, rtol=1e-12)
    assert round(phi.values[0], 4) == 0.1963


@pytest.mark.parametrize("seed", range(4))
def test_airport_game_is_the_sequential_split(seed):
    rng = np.random.default_rng(seed)
    costs = [int(c) for c in rng.integers(1, 50, size=int(rng.integers(2, 9)))]
    expected = airport_sequential_split(costs)  # Littlechild and Owen (1973)
    assert list(shapley(airport(costs), rational=True).exact) == expected
    # the saving game's Shapley value is the stand-alone cost minus the cost share
    saving = shapley(from_costs(airport(costs))).values
    np.testing.assert_allclose(
        saving, [c - float(e) for c, e in zip(costs, expected, strict=True)], atol=1e-9
    )


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_matches_the_permutation_definition(n):
    game = random_game(n, np.random.default_rng(n), integer=True)
    table = {s: int(game[s]) for s in all_coalitions(n)}
    expected = shapley_by_permutations(table, n)
    assert list(shapley(game, rational=True).exact) == expected
    np.testing.assert_allclose(shapley(game).values, [float(e) for e in expected], atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 9), st.integers(0, 2**32 - 1))
def test_efficiency_symmetry_dummy_linearity(n, seed):
    rng = np.random.default_rng(seed)
    g, h = random_game(n, rng), random_game(n, rng)
    phi = shapley(g).values
    assert phi.sum() == pytest.approx(g.grand(), abs=1e-9 * g.scale())
    np.testing.assert_allclose(
        shapley(Game(g.values + 2 * h.values)).values,
        phi + 2 * shapley(h).values,
        atol=1e-9 * g.scale() * 3,
    )
    # symmetry: make players 1 and 2 interchangeable; dummy: player n adds exactly 1.5
    masks = np.arange(1 << n)
    swapped = (masks & ~3) | ((masks & 1) << 1) | ((masks >> 1) & 1)
    sym = g.values + g.values[swapped]
    phi_sym = shapley(Game(sym)).values
    assert phi_sym[0] == pytest.approx(phi_sym[1], abs=1e-9 * np.abs(sym).max())
    top = 1 << (n - 1)
    dummy = np.where(masks & top, g.values[masks & ~top] + 1.5, g.values)
    assert shapley(Game(dummy)).values[-1] == pytest.approx(1.5, abs=1e-9 * g.scale())


def test_spec_49_shapley_value():
    # expected: spec 4.9 bargaining table, Shapley value of the saving game, printed to 4 dp
    # from unrounded inputs; v is printed to 3 dp, so each input is off by up to 0.0005
    expected = np.array([58.5735, 53.7289, 65.9413])
    inputs = [64.313, 88.738, 79.049, 178.244]

    def phi(x):
        v12, v13, v23, vn = x
        table = {(1,): 0, (2,): 0, (3,): 0, (1, 2): v12, (1, 3): v13, (2, 3): v23, (1, 2, 3): vn}
        return shapley(table).values

    tol = rounding_tolerance(phi, inputs, 0.0005, 0.00005)
    assert np.all(np.abs(phi(inputs) - expected) <= tol), (phi(inputs), tol)
    assert np.all(tol < 0.001)


def test_sampled_within_four_standard_errors():
    game = random_game(10, np.random.default_rng(7))
    exact = shapley(game).values
    est = shapley(game, method="sampled", n_permutations=3000, seed=11)
    assert est.method == "sampled" and est.n_permutations == 3000
    assert np.all(np.abs(est.values - exact) <= 4 * est.std_errors)
    assert est.values.sum() == pytest.approx(game.grand(), abs=1e-9)
    again = shapley(game, method="sampled", n_permutations=3000, seed=np.random.default_rng(11))
    np.testing.assert_array_equal(again.values, est.values)
    frame = est.to_frame()
    assert list(frame.columns) == ["player", "shapley", "se"] and len(frame) == 10


def test_sampled_beyond_the_table():
    # 30 players; v(S) = |S|^2 is symmetric, so every player's value is v(N)/n = 30
    big = Game(lambda s: float(len(s)) ** 2, n=30)
    est = shapley(big, n_permutations=200, seed=3)
    assert est.method == "sampled"
    np.testing.assert_allclose(est.values, 30.0, atol=4 * est.std_errors.max() + 1e-9)
    assert est.values.sum() == pytest.approx(900.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"method": "permutation"}, "method"),
        ({"method": "sampled", "n_permutations": 1}, "n_permutations"),
        ({"method": "sampled", "n_permutations": 2.5}, "n_permutations"),
        ({"method": "sampled", "rational": True}, "rational"),
    ],
)
def test_bad_arguments(kwargs, name):
    with pytest.raises(ParameterError) as err:
        shapley(GLOVE, **kwargs)
    assert err.value.name == name
    with pytest.raises(ParameterError):
        shapley(Game(lambda s: 1.0, n=25), method="exact")


def test_array_protocol():
    assert np.asarray(shapley(GLOVE)).shape == (3,)
