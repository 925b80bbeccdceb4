"""Spec 4.7 / 4.9: the formation game's closed forms, numeric rest points and basins.

**Tolerance.** The spec's tables were computed from unrounded stage-1 outputs; it prints
G = 178.244 (3 decimals) and alpha = 0.7869 (4 decimals). Fed the printed values, a quantity
q(G, alpha) can differ from the table by as much as q varies over the rounding box
G in [178.2435, 178.2445], alpha in [0.78685, 0.78695]. Each check therefore asserts that the
printed value lies in the range of q over that box (evaluated on a 5x5 grid; q is smooth and
the box tiny), widened by half a unit of the printed last digit (5e-5). E.g. det J at (1,1)
moves by about 0.9 over the alpha interval, which is why it reads 1276.8223 from the rounded
inputs against the spec's 1276.1198. A second, ~100x tighter check takes alpha from the
spec's printed bargaining savings (alpha = (s_1 + s_2)/G, s_i to 4 decimals). The simulated
basin count (808 of 1521 starts to (1,1)) is the same everywhere in the rounding box, so it is
checked exactly. The exact end-to-end check from stage-1's own unrounded values is done by the
joint-inventory model's tests.
"""

from __future__ import annotations

import numpy as np
import pytest

from clsc.errors import ParameterError
from clsc.evolution import basin, formation_game, rest_points, trajectory

G_PRINTED, ALPHA_PRINTED = 178.244, 0.7869
G_BOX = np.linspace(178.2435, 178.2445, 5)
ALPHA_BOX = np.linspace(0.78685, 0.78695, 5)
HALF_DIGIT = 5e-5

# spec 4.9, "Formation game", with penalty: (x, y) -> (det J, tr J, type)
EXPECTED_WITH_PENALTY = {
    (0, 0): (1985.6774, -89.1219, "ESS"),
    (1, 0): (500.8804, 55.8013, "unstable"),
    (0, 1): (5059.0163, 158.0912, "unstable"),
    (1, 1): (1276.1198, -124.7706, "ESS"),
    "saddle": (-287.2421, 0.0, "saddle"),
}
EXPECTED_SADDLE = (0.7986, 0.2819)  # spec 4.9 (x*, y*)
EXPECTED_POLYLINE = 0.4598  # spec 4.9
EXPECTED_BASIN_WITH_PENALTY = (0.5312, 0.4688, 0.0)  # spec 4.9: to (1,1), to (0,0), unsettled
# spec 4.9, no penalty, E_u = E_d = 0.45 G
EXPECTED_NO_PENALTY = {
    (0, 0): (1985.6774, -89.1219, "ESS"),
    (1, 0): (-3867.6098, -42.2328, "saddle"),
    (0, 1): (690.5260, 60.0572, "unstable"),
    (1, 1): (-1344.9744, 71.2975, "saddle"),
}
EXPECTED_BASIN_NO_PENALTY_00 = 1.0  # spec 4.9

WITH_PENALTY = {}
NO_PENALTY = {"E_u": "0.45G", "E_d": "0.45G", "penalty": 0.0}


def make(G, alpha, case):
    kw = {k: (0.45 * G if v == "0.45G" else v) for k, v in case.items()}
    return formation_game(G, alpha, **kw)


def point_values(game, key):
    """det, trace of the closed-form Jacobian at a corner or at the saddle."""
    xy = game.saddle if key == "saddle" else key
    J = game.jacobian(*xy)
    return np.linalg.det(J), np.trace(J)


def assert_within_rounding(fn, expected, label, box=None, width=2.0):
    """``expected`` lies in the range of ``fn`` over the (G, alpha) rounding box."""
    box = [(g, a) for g in G_BOX for a in ALPHA_BOX] if box is None else box
    values = np.array([fn(g, a) for g, a in box])
    lo, hi = values.min() - HALF_DIGIT, values.max() + HALF_DIGIT
    assert lo <= expected <= hi, f"{label}: spec {expected} outside [{lo}, {hi}]"
    assert hi - lo < width, f"{label}: rounding range too wide to be a test"


@pytest.mark.parametrize(
    ("case", "table"),
    [(WITH_PENALTY, EXPECTED_WITH_PENALTY), (NO_PENALTY, EXPECTED_NO_PENALTY)],
    ids=["with_penalty", "no_penalty"],
)
def test_spec_tables_det_trace_type(case, table):
    printed = make(G_PRINTED, ALPHA_PRINTED, case)
    for key, (det, tr, kind) in table.items():
        for k, exp in ((0, det), (1, tr)):
            assert_within_rounding(
                lambda g, a, key=key, k=k: point_values(make(g, a, case), key)[k],
                exp,
                f"{key} {'det' if k == 0 else 'tr'}",
            )
        frame = printed.closed_form_table().to_frame()
        xy = printed.saddle if key == "saddle" else key
        row = frame[np.isclose(frame.x, xy[0]) & np.isclose(frame.y, xy[1])]
        assert list(row.type) == [kind]
    assert (printed.saddle is None) == ("saddle" not in table)


# alpha is the alliance's share (s_1 + s_2)/S of spec 4.9's bargaining table (w_A = 2):
# s_1 + s_2 = 2 * 70.1334 (4 decimals each, so +-1e-4) and S = G. This box is ~100x tighter.
EXPECTED_ALLIANCE_SAVING = 2 * 70.1334  # spec 4.9 bargaining table
SAVING_BOX = np.linspace(EXPECTED_ALLIANCE_SAVING - 1e-4, EXPECTED_ALLIANCE_SAVING + 1e-4, 5)
TIGHT_BOX = [(g, s / g) for g in G_BOX for s in SAVING_BOX]


@pytest.mark.parametrize(
    ("case", "table"),
    [(WITH_PENALTY, EXPECTED_WITH_PENALTY), (NO_PENALTY, EXPECTED_NO_PENALTY)],
    ids=["with_penalty", "no_penalty"],
)
def test_spec_tables_with_alpha_from_the_bargaining_table(case, table):
    for key, (det, tr, _) in table.items():
        for k, exp in ((0, det), (1, tr)):
            assert_within_rounding(
                lambda g, a, key=key, k=k: point_values(make(g, a, case), key)[k],
                exp, f"{key} {'det' if k == 0 else 'tr'}", box=TIGHT_BOX, width=0.15,
            )  # fmt: skip


def test_simulated_basin_count_is_the_same_over_the_rounding_box():
    for g in G_BOX[[0, -1]]:
        for a in ALPHA_BOX[[0, -1]]:
            b = make(g, a, WITH_PENALTY).basin()
            assert b.counts[[0, 3]].tolist() == [808, 713]  # 808/1521 = 0.5312 (spec 4.9)


def test_spec_saddle_and_polyline():
    for i, exp in enumerate(EXPECTED_SADDLE):
        assert_within_rounding(
            lambda g, a, i=i: make(g, a, WITH_PENALTY).saddle[i], exp, f"saddle[{i}]"
        )
    assert_within_rounding(
        lambda g, a: make(g, a, WITH_PENALTY).polyline_basin, EXPECTED_POLYLINE, "polyline"
    )
    assert np.isnan(make(G_PRINTED, ALPHA_PRINTED, NO_PENALTY).polyline_basin)


def test_spec_simulated_basin_with_penalty():
    game = make(G_PRINTED, ALPHA_PRINTED, WITH_PENALTY)
    b = game.basin()
    assert b.n_starts == 39 * 39
    assert b.n_steps == int(np.ceil(890 / game.C_run / 0.002))
    to_11, to_00 = b.share_of([1, 0, 1, 0]), b.share_of([0, 1, 0, 1])
    # one start is 1/1521 = 0.00066, so 4 printed decimals pin the count exactly
    assert (round(to_11, 4), round(to_00, 4), b.unsettled) == EXPECTED_BASIN_WITH_PENALTY


def test_spec_simulated_basin_no_penalty():
    b = make(G_PRINTED, ALPHA_PRINTED, NO_PENALTY).basin()
    assert b.share_of([0, 1, 0, 1]) == EXPECTED_BASIN_NO_PENALTY_00
    assert b.unsettled == 0.0


def test_basin_numpy_integrator_agrees_with_numba_on_the_spec_grid():
    game = make(G_PRINTED, ALPHA_PRINTED, WITH_PENALTY)
    starts = np.array([[x, 1 - x, y, 1 - y] for x in (0.3, 0.8, 0.95) for y in (0.2, 0.28, 0.9)])
    kw = {"grid": starts, "horizon": game.horizon}
    fast = basin(game.game, integrator="numba", **kw)
    slow = basin(game.game, integrator="numpy", **kw)
    np.testing.assert_allclose(fast.finals, slow.finals, atol=1e-12)
    assert fast.assignment.tolist() == slow.assignment.tolist()
    for start, final in zip(starts[:3], fast.finals[:3], strict=True):
        ref = trajectory(game.game, start, horizon=game.horizon).final
        np.testing.assert_allclose(final, ref, atol=1e-6)


# regimes across the closed-form ESS conditions: (alpha, beta, E_u, E_d, P) with G = 100
REGIMES = [
    (0.7869, 0.5, 20.0, 20.0, 30.0),  # both hold
    (0.95, 0.5, 20.0, 20.0, 30.0),  # downstream fails
    (0.2, 0.5, 20.0, 20.0, 30.0),  # upstream fails
    (0.5, 0.5, 45.0, 45.0, 0.0),  # both fail
    (0.6, 0.3, 10.0, 35.0, 5.0),  # both hold, uneven
    (0.6, 0.8, 10.0, 0.0, 5.0),  # upstream fails (beta large)
]


@pytest.mark.parametrize("regime", REGIMES)
def test_closed_form_ess_condition_matches_numeric_and_simulation(regime):
    alpha, beta, eu, ed, pen = regime
    g = formation_game(100.0, alpha, C_run=50.0, beta_up=beta, E_u=eu, E_d=ed, penalty=pen)
    numeric = {tuple(p.state[[0, 2]].round(12)): p for p in rest_points(g.game).points}
    assert (numeric[(1.0, 1.0)].type == "ESS") == g.joint_is_ess
    closed = g.closed_form_table().to_frame()
    for row in closed.itertuples():
        p = min(numeric.values(), key=lambda p: abs(p.state[0] - row.x) + abs(p.state[2] - row.y))
        assert abs(p.state[0] - row.x) + abs(p.state[2] - row.y) < 1e-12
        assert p.type_det_tr == row.type
        np.testing.assert_allclose([p.det, p.trace], [row.det, row.trace], rtol=1e-9, atol=1e-9)
    # simulation from starts near (1,1): they stay there iff the closed form says ESS
    near = basin(g.game, grid=[[0.97, 0.03, 0.97, 0.03], [0.99, 0.01, 0.98, 0.02]],
                 horizon=g.horizon)  # fmt: skip
    assert (near.share_of([1, 0, 1, 0]) == 1.0) == g.joint_is_ess


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("alpha_up", 1.5, "<= 1"),
        ("beta_up", -0.1, ">= 0"),
        ("C_run", 0.0, "> 0"),
        ("G", float("nan"), "finite"),
        ("penalty", "abc", "number"),
    ],
)
def test_bad_input_names_parameter_rule_and_value(name, value, rule):
    kw = {"G": 100.0, "alpha_up": 0.5, name: value}
    with pytest.raises(ParameterError, match=rule) as info:
        formation_game(**kw)
    assert info.value.name == name


def test_solve_reports_metrics_conditions_and_tables():
    from clsc.evolution.formation import solve

    game = make(G_PRINTED, ALPHA_PRINTED, WITH_PENALTY)
    r = game.solve(grid=19)
    assert r.metrics["basin_11"] + r.metrics["basin_00"] + r.metrics["basin_unsettled"] == 1.0
    assert r.metrics["polyline_basin"] == game.polyline_basin
    assert [c.holds for c in r.conditions] == [True, True]
    assert set(r.tables) == {"formation_rest_points", "basin"}
    assert len(r.tables["formation_rest_points"].to_frame()) == 5
    frame = r.to_frame()
    assert frame.loc[0, "cond.ess_11_up"] and frame.loc[0, "metric.joint_is_ess"] == 1.0
    no_pen = solve(make(G_PRINTED, ALPHA_PRINTED, NO_PENALTY), simulate=False)
    assert np.isnan(no_pen.metrics["x_star"]) and "basin" not in no_pen.tables
    assert [c.holds for c in no_pen.conditions] == [True, False]  # (1,1) is a saddle


@pytest.mark.parametrize("regime", REGIMES)
def test_corner_eigenvalues_follow_the_spec_table(regime):
    """Spec 4.7's eigenvalue table, transcribed here independently of the code under test."""
    alpha, beta, eu, ed, pen = regime
    G, C = 100.0, 50.0
    g = formation_game(G, alpha, C_run=C, beta_up=beta, E_u=eu, E_d=ed, penalty=pen)
    aU, aD = alpha * G - eu + pen, (1 - alpha) * G - ed + pen
    expected_eigs = {
        (0, 0): (-beta * C, -(1 - beta) * C),
        (1, 0): (beta * C, aD - (1 - beta) * C),
        (0, 1): (aU - beta * C, (1 - beta) * C),
        (1, 1): (-(aU - beta * C), -(aD - (1 - beta) * C)),
    }
    numeric = {tuple(p.state[[0, 2]].round(12)): p for p in rest_points(g.game).points}
    for (x, y), eigs in expected_eigs.items():
        p = numeric[(float(x), float(y))]
        np.testing.assert_allclose(sorted(p.eigenvalues.real), sorted(eigs), atol=1e-9)
        np.testing.assert_allclose(g.jacobian(x, y), np.diag(eigs), atol=1e-12)
