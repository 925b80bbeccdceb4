"""Core: constraints, membership, emptiness (two LPs and a closed form), spec 4.9."""

from __future__ import annotations

import numpy as np
import pytest
from coop_reference import SPEC_COSTS
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.coop import (
    Game,
    alliance_bargaining,
    core_constraints,
    core_is_empty,
    from_costs,
    in_core,
    least_core,
    nash_bargaining,
    shapley,
)
from clsc.coop.core import CoreCheck, core_violation
from clsc.errors import ParameterError, SolverError
from clsc.results import Status

GLOVE = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}
MAJORITY = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 1, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}


def test_constraints_table():
    rows = core_constraints(GLOVE)
    assert rows.A.shape == (6, 3) and rows.grand == 1.0
    assert rows.coalitions[4] == (1, 3) and rows.lower[4] == 1.0
    np.testing.assert_array_equal(rows.A[4], [1, 0, 1])
    frame = rows.to_frame()
    assert frame["size"].tolist() == [1, 1, 2, 1, 2, 2]
    x = np.array([0.0, 0.0, 1.0])
    assert np.all(rows.A @ x >= rows.lower)


def test_membership_and_tolerance():
    assert in_core(GLOVE, [0, 0, 1])
    assert not in_core(GLOVE, [0.1, 0, 0.9])  # x(2,3) = 0.9 < v(2,3) = 1
    assert core_violation(GLOVE, [0.1, 0, 0.9]) == pytest.approx(0.1)
    assert in_core(GLOVE, [0, 0, 1 + 1e-10]) and not in_core(GLOVE, [0, 0, 1 + 1e-6])
    assert in_core(GLOVE, [0, 0, 1 + 1e-6], tol=1e-5)
    with pytest.raises(ParameterError):
        in_core(GLOVE, [0, 1])
    with pytest.raises(ParameterError):
        in_core(GLOVE, [0, 0, 1], tol=-1)


def test_majority_game_has_an_empty_core():
    # expected: v = 1 for every pair: the least core is (1/3, 1/3, 1/3) with epsilon = 1/3
    check = core_is_empty(MAJORITY)
    assert check.empty and bool(check) and check.status == Status.OPTIMAL
    assert check.min_total == pytest.approx(1.5) and check.epsilon == pytest.approx(1 / 3)
    assert least_core(MAJORITY).epsilon == pytest.approx(1 / 3)
    np.testing.assert_allclose(least_core(MAJORITY).to_frame()["x"], 1 / 3)
    assert check.to_frame()["empty"].tolist() == [True]
    assert not core_is_empty(GLOVE)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 10), min_size=4, max_size=4))
def test_three_player_closed_form(vals):
    # expected (Bondareva-Shapley for a zero-normalised 3-player game): the core is nonempty
    # iff v(ij) <= v(N) for every pair and v(12) + v(13) + v(23) <= 2 v(N)
    v12, v13, v23, vn = vals
    game = {(1,): 0, (2,): 0, (3,): 0, (1, 2): v12, (1, 3): v13, (2, 3): v23, (1, 2, 3): vn}
    margin = min(vn - v12, vn - v13, vn - v23, 2 * vn - v12 - v13 - v23)
    if abs(margin) < 1e-6:
        return  # borderline: decided by the tolerance, not by the closed form
    check = core_is_empty(game)
    assert check.empty == (margin < 0)
    assert (check.epsilon > 0) == check.empty
    if not check.empty:
        assert in_core(game, check.point, tol=1e-8)


@pytest.mark.parametrize("seed", range(4))
def test_convex_games_have_a_core_with_the_shapley_value(seed):
    # expected: convex (supermodular) games have a nonempty core holding the Shapley value
    rng = np.random.default_rng(seed)
    n = 8
    w = rng.uniform(0.5, 2, n)
    game = Game(lambda s: float(sum(w[i - 1] for i in s)) ** 2, n=n)
    assert not core_is_empty(game)
    assert in_core(game, shapley(game).values, tol=1e-8)


def test_spec_49_allocations_are_in_the_core():
    game = from_costs(SPEC_COSTS)
    d = [SPEC_COSTS[(i,)] for i in (1, 2, 3)]
    allocations = [
        nash_bargaining(SPEC_COSTS[(1, 2, 3)], d).gains,
        alliance_bargaining(SPEC_COSTS[(1, 2, 3)], d, SPEC_COSTS[(1, 2)]).gains,
        alliance_bargaining(SPEC_COSTS[(1, 2, 3)], d, SPEC_COSTS[(1, 2)], alliance_weight=1).gains,
        shapley(game).values,
    ]
    for s in allocations:
        assert in_core(game, s, tol=1e-9)
    # the printed savings against the printed saving game: each v(T) is off by up to 0.0005,
    # each s_i by 0.00005, so a row may be off by 3 * 0.00005 + 0.0005
    printed_game = {
        (1,): 0,
        (2,): 0,
        (3,): 0,
        (1, 2): 64.313,
        (1, 3): 88.738,
        (2, 3): 79.049,
        (1, 2, 3): 178.244,
    }
    printed = [
        (59.4146, 59.4146, 59.4146),
        (70.1334, 70.1334, 37.9769),
        (60.6392, 60.6392, 56.9654),
        (58.5735, 53.7289, 65.9413),
    ]
    for s in printed:
        assert in_core(printed_game, s, tol=3 * 0.00005 + 0.0005)
    assert not in_core(printed_game, (100.0, 39.0, 39.244), tol=0.00065)  # x(2,3) = 78.244 < v(2,3)


def test_unsettled_check_refuses_to_be_read_as_a_bool():
    failed = CoreCheck(False, np.nan, 1.0, np.nan, np.full(2, np.nan), Status.SOLVER_ERROR)
    with pytest.raises(SolverError):
        bool(failed)
    with pytest.raises(ParameterError):
        core_is_empty(Game(lambda s: 1.0, n=22))
