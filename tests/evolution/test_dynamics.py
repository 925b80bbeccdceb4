"""Trajectories, the Jacobian convention, basins on grids, result frames and bad input."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.errors import ParameterError
from clsc.evolution import (
    basin,
    bimatrix,
    field,
    jacobian,
    populations,
    rest_points,
    symmetric,
    trajectory,
)
from clsc.evolution.basin import grid_starts
from clsc.evolution.replicator import full_jacobian

MODULES = ["games", "replicator", "rest_points", "stability", "polynomial", "basin",
           "formation", "plot"]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"clsc.evolution.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


matrices3 = st.lists(st.integers(-5, 5), min_size=9, max_size=9).map(
    lambda v: np.array(v, dtype=float).reshape(3, 3)
)
simplex3 = (
    st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3)
    .filter(lambda v: sum(v) > 0.05)
    .map(lambda v: np.array(v) / sum(v))
)


@settings(max_examples=25, deadline=None)
@given(A=matrices3, x0=simplex3)
def test_trajectories_stay_on_the_simplex(A, x0):
    r = trajectory(A, x0, horizon=5.0, n_points=21)
    assert np.all(r.states >= 0.0)
    np.testing.assert_allclose(r.states.sum(axis=1), 1.0, atol=1e-12)
    assert r.max_correction < 1e-9
    # a share that starts at zero stays exactly zero (faces are invariant)
    assert np.all(r.states[:, x0 == 0] == 0.0)


@settings(max_examples=20, deadline=None)
@given(
    payoffs=st.lists(st.integers(-4, 4), min_size=12, max_size=12),
    x=st.floats(0.0, 1.0),
    y=simplex3,
)
def test_bimatrix_trajectories_stay_on_both_simplices(payoffs, x, y):
    A = np.array(payoffs[:6], dtype=float).reshape(2, 3)
    B = np.array(payoffs[6:], dtype=float).reshape(2, 3)
    r = trajectory(bimatrix(A, B), [[x, 1 - x], y], horizon=4.0, n_points=9)
    assert np.all(r.states >= 0.0)
    np.testing.assert_allclose(r.states[:, :2].sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r.states[:, 2:].sum(axis=1), 1.0, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(A=matrices3)
def test_every_rest_point_is_a_zero_of_the_field(A):
    for p in rest_points(A).points:
        assert np.all(p.state >= 0) and abs(p.state.sum() - 1) < 1e-12
        np.testing.assert_allclose(field(symmetric(A), p.state), 0.0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(v=st.lists(st.integers(-5, 5), min_size=4, max_size=4))
def test_two_strategy_rest_points_match_the_analytic_list(v):
    a, b, c, d = map(float, v)
    res = rest_points([[a, b], [c, d]])
    expected = {(1.0, 0.0), (0.0, 1.0)}
    den = a - c + d - b
    if den != 0 and 0 < (d - b) / den < 1:
        x = (d - b) / den
        expected.add((round(x, 9), round(1 - x, 9)))
    found = {tuple(np.round(p.state, 9)) for p in res.points if p.isolated}
    assert found == expected
    if a == c and b == d:  # the payoff difference is identically zero: a continuum
        assert any(not p.isolated for p in res.points)


def test_pure_starting_state_is_reported_as_a_rest_point():
    r = trajectory(bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]), (1, 0), horizon=4, n_points=5)
    assert r.at_rest and "pure starting state is a rest point" in r.message
    assert np.all(r.states == [1.0, 0.0, 0.0, 1.0])


def test_trajectory_frame_is_long_format():
    r = trajectory([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [0.5, 0.3, 0.2], n_points=11)
    frame = r.to_frame()
    assert list(frame.columns) == ["t", "population", "strategy", "share"]
    assert len(frame) == 11 * 3
    wide = frame.pivot(index="t", columns="strategy", values="share").to_numpy()
    np.testing.assert_array_equal(wide, r.states)


def test_hawk_dove_trajectory_converges_to_v_over_c():
    r = trajectory([[-0.5, 2.0], [0.0, 1.0]], [0.05, 0.95], horizon=60)  # V=2, C=3
    assert r.final[0] == pytest.approx(2 / 3, abs=1e-8)


def test_jacobian_matches_finite_differences_in_the_drop_last_chart():
    rng = np.random.default_rng(7)
    A, B = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    g = bimatrix(A, B)
    x = np.array([0.2, 0.5, 0.3, 0.6, 0.4])
    J = jacobian(g, x)
    h = 1e-6
    numeric = np.zeros((3, 3))
    free = [0, 1, 3]  # chart coordinates: drop the last strategy of each population
    last = {0: 2, 1: 2, 3: 4}
    for c, i in enumerate(free):
        e = np.zeros(5)
        e[i], e[last[i]] = h, -h
        numeric[:, c] = (field(g, x + e) - field(g, x - e))[free] / (2 * h)
    np.testing.assert_allclose(J, numeric, atol=1e-8)
    # the full Jacobian maps tangent vectors to tangent vectors
    full = full_jacobian(g, x)
    v = np.array([0.3, -0.1, -0.2, 0.5, -0.5])
    out = full @ v
    assert abs(out[:3].sum()) < 1e-12 and abs(out[3:].sum()) < 1e-12


def test_three_population_fitness_function_trajectory_and_basin():
    mp = np.array([[1.0, -1.0], [-1.0, 1.0]])

    def fitness(x, y, z):  # 1 coordinates with 2, 2 with 3, 3 with 1 (pure coordination)
        return y @ mp.T, z @ mp.T, x @ mp.T

    g = populations(fitness=fitness, sizes=(2, 2, 2))
    r = trajectory(g, [0.7, 0.6, 0.8], horizon=20)
    np.testing.assert_allclose(r.final, [1, 0, 1, 0, 1, 0], atol=1e-6)
    b = basin(g, grid=5, step=0.01, horizon=30, targets=[[1, 1, 1], [0, 0, 0]])
    assert b.n_starts == 125
    assert sum(b.shares) + b.unsettled == pytest.approx(1.0)
    assert b.shares[0] == pytest.approx(b.shares[1])  # symmetric under relabelling
    with pytest.raises(ParameterError, match="tensors"):
        rest_points(g)


def test_grid_is_the_interior_lattice():
    g = bimatrix(np.eye(2))
    starts = grid_starts(g, 39)
    assert starts.shape == (39 * 39, 4)
    np.testing.assert_allclose(np.unique(starts[:, 0]), np.linspace(0.025, 0.975, 39))
    s3 = grid_starts(symmetric(np.eye(3)), 4)  # denominators 5, positive parts: C(4, 2) = 6
    assert s3.shape == (6, 3) and np.all(s3 > 0)
    np.testing.assert_allclose(s3.sum(axis=1), 1.0)


def test_basin_table_and_unsettled_share_for_a_centre():
    b = basin(bimatrix([[1, -1], [-1, 1]]), grid=9, step=0.01, horizon=5)
    # closed orbits: nothing converges, except the one start placed on the centre itself
    assert b.share_of([0.5, 0.5, 0.5, 0.5]) == 1 / 81
    assert b.unsettled == 80 / 81
    frame = b.to_frame()
    assert frame["share"].sum() == pytest.approx(1.0)
    assert frame.iloc[-1]["type"] == "unsettled"


def test_numba_matrix_kernel_matches_numpy_on_a_3x3_game():
    A = np.array([[0, 6, -4], [-3, 0, 5], [-1, 3, 0]], dtype=float)
    kw = {"grid": 6, "step": 0.01, "horizon": 3.0}
    fast = basin(A, integrator="numba", **kw)
    slow = basin(A, integrator="numpy", **kw)
    np.testing.assert_allclose(fast.finals, slow.finals, atol=1e-12)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: trajectory([[1, 0], [0, 1]], [0.5, 0.6]), "x0"),
        (lambda: trajectory([[1, 0], [0, 1]], [-0.5, 1.5]), "x0"),
        (lambda: trajectory([[1, 0], [0, 1]], [0.2, 0.3, 0.5]), "x0"),
        (lambda: trajectory([[1, 0], [0, 1]], [0.5, 0.5], horizon=0), "horizon"),
        (lambda: symmetric([[1, 0, 0], [0, 1, 0]]), "A"),
        (lambda: symmetric([[1, np.inf], [0, 1]]), "A"),
        (lambda: bimatrix([[1, 0]], [[1, 0], [0, 1]]), "B"),
        (lambda: basin([[1, 0], [0, 1]], step=0), "step"),
        (lambda: basin([[1, 0], [0, 1]], grid=0), "grid"),
        (lambda: basin([[1, 0], [0, 1]], integrator="euler"), "integrator"),
        (lambda: basin(populations(*[np.ones((2, 2, 2))] * 3), integrator="numba"), "integrator"),
    ],
)
def test_bad_input_is_a_parameter_error(call, name):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name


def test_too_many_supports_is_refused_before_work():
    with pytest.raises(ParameterError, match="support profiles") as info:
        rest_points(np.zeros((17, 17)))
    assert info.value.name == "game"


def test_import_does_not_load_heavy_libraries():
    import subprocess
    import sys

    code = (
        "import sys, clsc.evolution; "
        "print(sorted(m for m in ('scipy', 'pandas', 'matplotlib', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
