"""Replicator rest points and their types for textbook games, against analytic values.

Sources: Hofbauer & Sigmund, *Evolutionary Games and Population Dynamics* (1998), ch. 7-10
(Hawk-Dove mixed ESS at V/C; rock-paper-scissors' interior centre with constant of motion
x1*x2*x3; matching pennies' centre in the bimatrix replicator; Zeeman's game, an
asymptotically stable rest point that is not an ESS); Weibull, *Evolutionary Game Theory*
(1995), ch. 3 (Prisoner's Dilemma, coordination / Stag Hunt).
"""

from __future__ import annotations

import numpy as np
import pytest

from clsc.evolution import bimatrix, populations, rest_points, trajectory


def by_state(points):
    return {tuple(np.round(p.state, 9)): p for p in points}


def assert_points(result, expected):
    """``expected``: {state tuple: type}; the found set must equal it exactly."""
    found = by_state(result.points)
    want = {tuple(np.round(s, 9)): t for s, t in expected.items()}
    assert set(found) == set(want)
    assert {s: p.type for s, p in found.items()} == want


@pytest.mark.parametrize(("V", "C"), [(2.0, 4.0), (2.0, 3.0), (1.0, 10.0)])
def test_hawk_dove_interior_ess_at_v_over_c(V, C):
    A = [[(V - C) / 2, V], [0.0, V / 2]]
    expected_share = V / C  # analytic mixed ESS
    res = rest_points(A)
    assert_points(
        res,
        {(1.0, 0.0): "unstable", (0.0, 1.0): "unstable",
         (expected_share, 1 - expected_share): "ESS"},
    )  # fmt: skip
    # eigenvalue on the tangent space: d/dx [x(1-x)(V/2 - C x/2)] at x = V/C
    expected_eig = -expected_share * (1 - expected_share) * C / 2
    interior = res.of_type("ESS")[0]
    np.testing.assert_allclose(interior.eigenvalues.real, [expected_eig], rtol=1e-12)


def test_prisoners_dilemma_defect_is_the_only_ess():
    res = rest_points([[3, 0], [5, 1]])  # (cooperate, defect)
    assert_points(res, {(1.0, 0.0): "unstable", (0.0, 1.0): "ESS"})
    r = trajectory([[3, 0], [5, 1]], [0.99, 0.01], horizon=30)
    assert r.final[1] > 0.999


def test_stag_hunt_two_ess_and_interior_unstable():
    a, b, c, d = 4.0, 1.0, 3.0, 3.0
    expected_x = (d - b) / (a - c + d - b)  # analytic indifference point = 2/3
    res = rest_points([[a, b], [c, d]])
    assert_points(
        res, {(1.0, 0.0): "ESS", (0.0, 1.0): "ESS", (expected_x, 1 - expected_x): "unstable"}
    )


def test_rock_paper_scissors_interior_centre():
    A = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    res = rest_points(A)
    third = 1 / 3
    expected = {
        (1.0, 0.0, 0.0): "saddle",
        (0.0, 1.0, 0.0): "saddle",
        (0.0, 0.0, 1.0): "saddle",
        (third, third, third): "centre",
    }
    assert_points(res, expected)
    centre = res.of_type("centre")[0]
    # analytic eigenvalues at the barycentre: +-i/sqrt(3)
    np.testing.assert_allclose(sorted(centre.eigenvalues.imag), [-(3**-0.5), 3**-0.5])
    np.testing.assert_allclose(centre.eigenvalues.real, 0.0, atol=1e-15)
    # x1*x2*x3 is a constant of motion: orbits are closed cycles, not spirals
    r = trajectory(A, [0.5, 0.3, 0.2], horizon=30)
    np.testing.assert_allclose(np.prod(r.states, axis=1), 0.03, rtol=1e-7)


def test_matching_pennies_two_population_centre():
    res = rest_points(bimatrix([[1, -1], [-1, 1]]))
    corners = {(x, 1 - x, y, 1 - y): "saddle" for x in (0.0, 1.0) for y in (0.0, 1.0)}
    assert_points(res, {**corners, (0.5, 0.5, 0.5, 0.5): "centre"})
    centre = res.of_type("centre")[0]
    np.testing.assert_allclose(sorted(centre.eigenvalues.imag), [-1.0, 1.0])  # analytic +-i
    assert centre.type_det_tr == "degenerate"  # spec 4.7's rule: tr = 0, det > 0
    assert centre.det == pytest.approx(1.0) and centre.trace == pytest.approx(0.0, abs=1e-15)


def test_zeeman_game_stable_but_not_ess():
    # Zeeman (1980): the interior rest point (1/3, 1/3, 1/3) is asymptotically stable, but the
    # strategy e1 (a pure strict Nash equilibrium) invades it, so it is not an ESS.
    A = np.array([[0, 6, -4], [-3, 0, 5], [-1, 3, 0]], dtype=float)
    res = rest_points(A)
    interior = [p for p in res.points if len(p.support[0]) == 3]
    assert len(interior) == 1
    np.testing.assert_allclose(interior[0].state, [1 / 3] * 3, atol=1e-12)
    assert interior[0].type == "stable"
    assert by_state(res.points)[(1.0, 0.0, 0.0)].type == "ESS"


def test_prisoners_dilemma_bimatrix_defect_defect_is_ess():
    A = np.array([[3, 0], [5, 1]])
    res = rest_points(bimatrix(A, A.T))
    types = {tuple(p.state.round(9)): (p.type, p.type_det_tr) for p in res.points}
    assert types[(0.0, 1.0, 0.0, 1.0)] == ("ESS", "ESS")
    assert types[(1.0, 0.0, 1.0, 0.0)] == ("unstable", "unstable")
    assert len(res.points) == 4


def test_three_population_coordination_interior_point_by_polynomial_solve():
    T = np.zeros((2, 2, 2))
    T[0, 0, 0] = T[1, 1, 1] = 1.0  # every population wants all three to match
    res = rest_points(populations(T, T, T))
    interior = [p for p in res.points if all(len(s) == 2 for s in p.support)]
    assert len(interior) == 1
    np.testing.assert_allclose(interior[0].state, [0.5] * 6, atol=1e-12)
    pure = {tuple(p.state.round(9)): p.type for p in res.points if p.isolated}
    assert pure[(1.0, 0.0, 1.0, 0.0, 1.0, 0.0)] == "ESS"
    assert pure[(0.0, 1.0, 0.0, 1.0, 0.0, 1.0)] == "ESS"


def test_three_population_cyclic_pennies_matches_two_population_logic():
    # population p's payoff depends only on population p+1 (matching pennies around a cycle)
    mp = np.array([[1.0, -1.0], [-1.0, 1.0]])
    T1 = np.broadcast_to(mp[:, :, None], (2, 2, 2)).copy()  # 1 matches 2
    T2 = np.broadcast_to(-mp[None, :, :], (2, 2, 2)).copy()  # 2 mismatches 3
    T3 = np.broadcast_to(mp.T[:, None, :], (2, 2, 2)).copy()  # 3 matches 1
    res = rest_points(populations(T1, T2, T3))
    isolated = [p for p in res.points if p.isolated]
    states = {tuple(p.state.round(9)) for p in isolated}
    assert (0.5,) * 6 in states
    assert all(p.type != "ESS" for p in res.points)  # no strict equilibrium exists


def test_continuum_of_rest_points_reported_as_not_isolated():
    res = rest_points([[1.0, 1.0], [1.0, 1.0]])  # every state is a rest point
    interior = [p for p in res.points if len(p.support[0]) == 2]
    assert len(interior) == 1
    assert not interior[0].isolated and interior[0].type == "degenerate"
