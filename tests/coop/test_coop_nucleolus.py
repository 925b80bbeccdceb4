"""Nucleolus and prenucleolus: published values, exact proofs, properties, bad input."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from coop_reference import SPEC_COSTS, talmud
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.coop import (
    Game,
    core_is_empty,
    from_costs,
    in_core,
    is_nucleolus,
    nucleolus,
    prenucleolus,
)
from clsc.coop.exact import prove
from clsc.coop.game import popcount
from clsc.coop.games import bankruptcy, weighted_voting
from clsc.errors import ParameterError
from clsc.results import Status

GLOVE = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 0, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}


def random_game(n, rng, integer=True):
    """|S| * (10 + noise) for |S| >= 2 and v({i}) in [0, 5]: a nonempty imputation set."""
    size = popcount(np.arange(1 << n))
    if integer:
        values = size * (10 + rng.integers(0, 20, size=1 << n))
        values[1 << np.arange(n)] = rng.integers(0, 6, size=n)
    else:
        values = size * (10 + rng.uniform(0, 20, size=1 << n))
        values[1 << np.arange(n)] = rng.uniform(0, 5, size=n)
    values[0] = 0
    return Game(values)


def monotone_game(n, rng):
    """v(S) = max of random weights over the subsets of S, v({i}) = 0: zero-monotonic."""
    w = rng.uniform(0, 10, size=1 << n)
    w[0] = 0
    for i in range(n):
        w3 = w.reshape(-1, 2, 1 << i)
        w3[:, 1, :] = np.maximum(w3[:, 1, :], w3[:, 0, :])
    w[1 << np.arange(n)] = 0
    return Game(w)


def test_glove_game():
    # expected: two left gloves, one right glove; the nucleolus gives all to the scarce side
    expected = [Fraction(0), Fraction(0), Fraction(1)]
    nu = nucleolus(GLOVE, exact=True)
    assert nu.status == Status.OPTIMAL and list(nu.exact) == expected
    np.testing.assert_allclose(nucleolus(GLOVE).values, [0, 0, 1], atol=1e-9)


@pytest.mark.parametrize(
    ("estate", "expected"),
    [
        # expected: Aumann and Maschler (1985), the Talmud's estates 100, 200, 300 for
        # claims 100, 200, 300 (Ketubot 93a), equal to the bankruptcy game's nucleolus
        (100, [Fraction(100, 3)] * 3),
        (200, [50, 75, 75]),
        (300, [50, 100, 150]),
    ],
)
def test_talmud_estates(estate, expected):
    game = bankruptcy(estate, [100, 200, 300])
    nu = nucleolus(game, exact=True)
    assert nu.status == Status.OPTIMAL
    assert list(nu.exact) == [Fraction(e) for e in expected]
    np.testing.assert_allclose(nucleolus(game).values, [float(e) for e in expected], atol=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_bankruptcy_nucleolus_is_the_talmud_rule(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    claims = [int(c) for c in rng.integers(1, 60, n)]
    estate = int(rng.integers(1, sum(claims) + 1))
    expected = talmud(estate, claims)
    nu = nucleolus(bankruptcy(estate, claims), exact=n <= 5)
    if n <= 5:
        assert nu.status == Status.OPTIMAL and list(nu.exact) == expected
    np.testing.assert_allclose(nu.values, [float(e) for e in expected], atol=1e-7)


def test_security_council_nucleolus():
    # expected: the five permanent members are veto players, so the core is the set of
    # splits among them and the nucleolus splits equally: 1/5 each, 0 for the others
    nu = nucleolus(weighted_voting(39, [7] * 5 + [1] * 10))
    assert nu.ok and len(nu.values) == 15
    np.testing.assert_allclose(nu.values, [0.2] * 5 + [0.0] * 10, atol=1e-8)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("kind", [nucleolus, prenucleolus])
def test_float_answer_passes_the_exact_kohlberg_test(n, kind):
    game = random_game(n, np.random.default_rng(100 + n))
    nu = kind(game)
    x = [Fraction(float(a)).limit_denominator(10**5) for a in nu.values]
    assert is_nucleolus(game, x, imputation=kind is nucleolus)
    exact = kind(game, exact=True)
    assert exact.status == Status.OPTIMAL and list(exact.exact) == x


def test_two_players_split_the_surplus_equally():
    game = {(1,): 1, (2,): 3, (1, 2): 10}
    for kind in (nucleolus, prenucleolus):
        np.testing.assert_allclose(kind(game).values, [4, 6], atol=1e-9)
    assert nucleolus({(1,): 2.5}).values.tolist() == [2.5]


@pytest.mark.parametrize("seed", range(5))
def test_generated_rows_equal_the_full_sequence(seed):
    rng = np.random.default_rng(seed)
    game = random_game(int(rng.integers(4, 10)), rng, integer=False)
    for kind in (nucleolus, prenucleolus):
        gen, full = kind(game), kind(game, rows="all")
        np.testing.assert_allclose(gen.values, full.values, atol=1e-7)
        assert gen.max_rows < full.max_rows


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 8), st.integers(0, 2**32 - 1))
def test_properties(n, seed):
    rng = np.random.default_rng(seed)
    game = random_game(n, rng, integer=False)
    nu = nucleolus(game)
    scale = game.scale()
    assert nu.values.sum() == pytest.approx(game.grand(), abs=1e-8 * scale)
    assert np.all(nu.values >= game.singletons() - 1e-8 * scale)
    if not core_is_empty(game):
        assert in_core(game, nu.values, tol=1e-7 * scale)
    # a zero-monotonic game (v(S + i) >= v(S) + v({i})): prenucleolus = nucleolus
    mono = monotone_game(n, rng)
    np.testing.assert_allclose(
        prenucleolus(mono).values, nucleolus(mono).values, atol=1e-7 * mono.scale()
    )


def test_symmetric_players_get_equal_values():
    # v depends on |S| only: every player gets v(N)/n
    game = Game(lambda s: float(len(s)) ** 1.5, n=7)
    np.testing.assert_allclose(nucleolus(game).values, 7**1.5 / 7, atol=1e-8)


def test_spec_saving_game_nucleolus_is_in_the_core():
    # spec 4.9 separate and joint costs; the saving game has a nonempty core
    costs = SPEC_COSTS
    game = from_costs(costs)
    nu = nucleolus(game)
    assert not core_is_empty(game) and in_core(game, nu.values, tol=1e-8)


def test_not_proven_when_the_levels_do_not_determine_x():
    game = Game(GLOVE)
    nu = nucleolus(game)
    out = prove(game, nu, [(7, -1)])  # only x(N) = v(N): x not determined
    assert out.status == Status.NOT_PROVEN and out.exact is None and "determine" in out.message


def test_empty_imputation_set_and_bad_arguments():
    with pytest.raises(ParameterError, match="imputation set"):
        nucleolus({(1,): 2, (2,): 2, (1, 2): 3})
    assert prenucleolus({(1,): 2, (2,): 2, (1, 2): 3}).ok  # the prenucleolus exists
    with pytest.raises(ParameterError) as err:
        nucleolus(GLOVE, rows="some")
    assert err.value.name == "rows"
    with pytest.raises(ParameterError):
        nucleolus(Game(lambda s: 1.0, n=25))
    with pytest.raises(ParameterError):
        nucleolus(random_game(9, np.random.default_rng(0)), exact=True)
    with pytest.raises(ParameterError):
        is_nucleolus(GLOVE, [0, 1])
    assert not is_nucleolus(GLOVE, [0, 0, 2])  # not efficient
    assert not is_nucleolus(GLOVE, [Fraction(1, 2), Fraction(1, 2), 0])


def test_result_frames_and_levels():
    nu = nucleolus(bankruptcy(200, [100, 200, 300]))
    frame = nu.to_frame()
    assert frame["player"].tolist() == [1, 2, 3] and set(frame["status"]) == {"optimal"}
    assert nu.levels[0].excess == pytest.approx(-50.0)
    assert set(nu.levels[0].coalitions) == {(1,), (2, 3)}
    assert np.asarray(nu).shape == (3,)
    levels = nu.levels_frame()
    assert levels["level"].tolist() == [1, 1, 2, 2] and not levels["at_lower_bound"].any()


def test_prenucleolus_leaves_the_imputation_set_when_not_zero_monotonic():
    # expected (by hand): {1} and {2,3} balance at e = 5 - x1 = x1 - 2, so the prenucleolus
    # is (7/2, 5/4, 5/4), below v({1}) = 5; the nucleolus sets x1 = 5 and splits 1 equally
    game = {(1,): 5, (2,): 0, (3,): 0, (1, 2): 5, (1, 3): 5, (2, 3): 4, (1, 2, 3): 6}
    pre, nu = prenucleolus(game, exact=True), nucleolus(game, exact=True)
    assert list(pre.exact) == [Fraction(7, 2), Fraction(5, 4), Fraction(5, 4)]
    assert list(nu.exact) == [5, Fraction(1, 2), Fraction(1, 2)]
    assert nu.levels[0].at_lower_bound == (1,) and nu.levels[0].coalitions == ((2, 3),)


def test_exact_proof_of_a_highly_degenerate_game():
    # 27 coalitions tie at the maximal excess 0 at x = (2, ..., 2); sympy's rational simplex
    # cycles on this balancedness problem, the certificate method must not
    values = [
        0,
        0,
        0,
        4,
        0,
        4,
        0,
        6,
        0,
        2,
        0,
        6,
        0,
        6,
        0,
        8,
        0,
        4,
        2,
        6,
        4,
        3,
        3,
        8,
        4,
        6,
        6,
        8,
        6,
        8,
        4,
        5,
        0,
        2,
        2,
        0,
        0,
        3,
        6,
        0,
        0,
        6,
        3,
        4,
        6,
        8,
        8,
        5,
        2,
        6,
        3,
        0,
        6,
        8,
        4,
        5,
        6,
        8,
        8,
        5,
        0,
        5,
        5,
        12,
    ]
    game = Game(values)
    for kind in (nucleolus, prenucleolus):
        r = kind(game, exact=True)
        assert r.status == Status.OPTIMAL and list(r.exact) == [2] * 6
    assert is_nucleolus(game, [2] * 6)
    assert not is_nucleolus(game, [3, 1, 2, 2, 2, 2])


def test_empty_core_still_has_a_nucleolus():
    # expected: the three-player majority game has an empty core; by symmetry the nucleolus
    # (and the least core) is (1/3, 1/3, 1/3)
    majority = {(1,): 0, (2,): 0, (3,): 0, (1, 2): 1, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1}
    assert core_is_empty(majority)
    nu = nucleolus(majority, exact=True)
    assert list(nu.exact) == [Fraction(1, 3)] * 3
    assert nu.levels[0].excess == pytest.approx(1 / 3)
