"""Game construction, validation and the classic game generators."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.coop import Game, from_costs
from clsc.coop.game import coalition_of, mask_of, subset_sums
from clsc.coop.games import airport, bankruptcy, weighted_voting
from clsc.errors import ParameterError

GLOVE = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}


def test_three_inputs_give_the_same_table():
    from_map = Game(GLOVE)
    from_fun = Game(lambda s: GLOVE[s], n=3)
    from_arr = Game(from_map.values.copy())
    for g in (from_fun, from_arr):
        np.testing.assert_array_equal(g.values, from_map.values)
    assert from_map[(3, 1)] == 1.0 and from_map[()] == 0.0
    assert Game({**GLOVE, (): 0}).n == 3
    assert Game(from_map).n == 3
    with pytest.raises(ParameterError):
        Game(from_map, n=4)


def test_masks_round_trip():
    for mask in range(1, 64):
        assert mask_of(coalition_of(mask)) == mask
    np.testing.assert_array_equal(subset_sums(np.array([1.0, 2.0, 4.0])), np.arange(8.0))


@pytest.mark.parametrize(
    ("v", "n", "name"),
    [
        ({(1,): 0, (2,): 0}, None, "v"),  # (1, 2) missing
        ({(1,): 0, (2,): 0, (1, 2): float("nan")}, None, "v(1, 2)"),
        ({(1,): 0, (2,): 0, (1, 2): 1, (1, 3): 1}, 2, "coalition"),  # player 3 beyond n
        ({(1,): 0, (1, 1): 0}, None, "coalition"),
        ({(0,): 1}, None, "coalition"),
        ({(1,): 0, (2,): 0, (1, 2): 1, (2, 1): 2}, None, "v"),  # named twice
        ({(1,): 0, (2,): 0, (1, 2): 1, (): 3}, None, "v(())"),
        ({(1,): "a", (2,): 0, (1, 2): 1}, None, "v(1,)"),
        ([0.0, 1.0, 2.0], None, "v"),  # not a power of two
        ([1.0, 1.0], None, "v[0]"),
        (lambda s: 1.0, None, "n"),
        (lambda s: 1.0, 0, "n"),
    ],
)
def test_bad_games_name_the_parameter(v, n, name):
    with pytest.raises(ParameterError) as err:
        Game(v, n)
    assert err.value.name == name


def test_from_costs_float_and_exact():
    costs = {(1,): Fraction(1, 3), (2,): 1, (1, 2): Fraction(1, 2)}
    saving = from_costs(costs)
    assert saving.exact_values()[3] == Fraction(5, 6)
    expected_float = 1 / 3 + 1 - 0.5
    assert from_costs({k: float(c) for k, c in costs.items()})[(1, 2)] == pytest.approx(
        expected_float, abs=1e-15
    )
    assert saving[(1,)] == 0.0


def test_lazy_game_beyond_the_table():
    big = Game(lambda s: float(len(s) ** 2), n=30)
    assert not big.tabulated and big[(1, 2, 30)] == 9.0
    with pytest.raises(ParameterError):
        _ = big.values
    assert from_costs(big)[(1, 2)] == 1 + 1 - 4


def test_weighted_voting_and_bankruptcy_tables():
    g = weighted_voting(51, [49, 48, 3])
    for s in [(1, 2), (1, 3), (2, 3), (1, 2, 3)]:
        assert g[s] == 1.0
    assert g[(1,)] == g[(2,)] == g[(3,)] == 0.0
    b = bankruptcy(300, [100, 200, 300])
    expected = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 100, (2, 3): 200, (1, 2, 3): 300}
    for s, val in expected.items():
        assert b[s] == val
    assert b.exact_values()[6] == 200 and not bankruptcy(300.0, [100, 200, 300.5]).is_exact
    half = bankruptcy(Fraction(1, 3), [Fraction(1, 3), 1])
    assert half.is_exact and half.exact_values()[3] == Fraction(1, 3)
    a = airport([3, 1, 2])
    assert a[(1, 2)] == 3 and a[(2, 3)] == 2 and a[(2,)] == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: weighted_voting(100, [1, 2]),
        lambda: weighted_voting(0, [1, 2]),
        lambda: bankruptcy(10, [1, 2]),
        lambda: bankruptcy(1, [1, -2]),
        lambda: airport([1, float("inf")]),
        lambda: airport([]),
    ],
)
def test_bad_generator_input(call):
    with pytest.raises(ParameterError):
        call()


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.one_of(
            st.tuples(st.integers(-1, 4)),
            st.tuples(st.integers(-1, 4), st.integers(0, 4)),
            st.integers(-1, 4),
            st.text(max_size=2),
        ),
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-5, 5),
            st.text(max_size=2),
            st.none(),
        ),
        max_size=8,
    )
)
def test_junk_mappings_are_a_game_or_a_parameter_error(mapping):
    try:
        game = Game(mapping)
    except ParameterError:
        return
    assert np.all(np.isfinite(game.values)) and game.values[0] == 0
