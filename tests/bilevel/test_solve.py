"""Statuses, optimistic tie-breaking, derived versus naive big-M, verification, integers."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel import api as solve_module
from clsc.bilevel.bounds import Bounds, compute_bounds
from clsc.bilevel.kkt import solve_kkt_bigm
from clsc.bilevel.result import Outcome
from clsc.bilevel.verify import follower_response, verify
from clsc.errors import ParameterError, SpecError

from .literature import LINEAR, MOORE_BARD_FOLLOWER, problem

REFORMULATIONS = ["kkt-bigm", "kkt-branch"]

# Self-constructed tie example. Follower: min y1 + y2 s.t. y1 + y2 >= x, 0 <= y1, y2 <= 1, so
# every y with y1 + y2 = x is optimal. Leader: min x - 2*y1, 0 <= x <= 2.
# Optimistic: y1 = min(x, 1) -> F(x) = -x on [0, 1], x - 2 on [1, 2] -> x = 1, y = (1, 0), F = -1.
# Pessimistic: y1 = max(0, x - 1) -> F(x) = x on [0, 1], 2 - x on [1, 2] -> F = 0.
TIE = problem("x", "x - 2*y1", ["x >= 0", "x <= 2"], ("y1", "y2"), "y1 + y2",
              ["y1 + y2 >= x", "y1 >= 0", "y2 >= 0", "y1 <= 1", "y2 <= 1"])  # fmt: skip
expected_tie_F, expected_tie_y1 = -1.0, 1.0  # closed form above

# Mitsos & Barton (2007) Example 3.2 = BASBLib mb_2007_02 ("Infeasible problem"): no leader
# variable; the follower maximises y in [-1, 1] but the leader requires y <= 0.
INFEASIBLE = problem((), "y", ["y <= 0"], "y", "-y", ["y >= -1", "y <= 1"])
# Unbounded (closed form): the follower answers y = x, so F = -2x -> -inf as x -> inf.
UNBOUNDED = problem("x", "-x - y", ["x >= 0"], "y", "y", ["y >= x"])
# Scaled Moore-Bard: the row 2x - y <= 15 written as 0.02x - 0.01y <= 0.15 (same set, so the
# same optimum x = 8, y = 1, F = -18), but its multiplier at the optimum is 100 instead of 1.
SCALED_MB = problem("x", "-x - 10*y", [], "y", "y",
                    [r.replace("2*x - y <= 15", "0.02*x - 0.01*y <= 0.15")
                     for r in MOORE_BARD_FOLLOWER])  # fmt: skip


@pytest.mark.parametrize("reformulation", REFORMULATIONS)
def test_optimistic_tie_break(reformulation):
    result = solve(BilevelProblem.from_dict(TIE), reformulation)
    assert result.status == "optimal"
    assert result.semantics == "optimistic"
    assert pytest.approx(expected_tie_F, abs=1e-7) == result.F
    assert result.y["y1"] == pytest.approx(expected_tie_y1, abs=1e-7)
    assert result.to_dict()["semantics"] == "optimistic"


def test_tie_break_matters_in_published_example():
    """cw_1990_01 (Clark & Westerberg 1990, 'multiple inner problem maxima'): at x* = 5 the
    follower is indifferent in y2; the optimistic answer picks y2 = 2, another optimum
    y2 = 4 would give the leader F = -9 instead of -13."""
    case = next(c for c in LINEAR if c.name == "cw_1990_01")
    p = BilevelProblem.from_dict(case.problem)
    sf = p.standard_form()
    result = solve(p)
    assert result.y["y2"] == pytest.approx(2.0, abs=1e-7)
    other = np.array([5.0, 4.0, 4.0])
    assert verify(sf, other).ok is False  # follower-optimal, but not leader-preferred
    assert "not leader-preferred" in verify(sf, other).message
    assert follower_response(sf, np.array([5.0])).value == pytest.approx(-4.0)
    assert sf.sign_F * sf.leader_value(other) == pytest.approx(-9.0)


@pytest.mark.parametrize("reformulation", REFORMULATIONS)
def test_infeasible_status(reformulation):
    result = solve(BilevelProblem.from_dict(INFEASIBLE), reformulation)
    assert result.status == "infeasible"
    assert result.x == {} and result.y == {} and result.F is None


def test_infeasible_high_point_relaxation():
    p = problem("x", "x", ["x >= 3"], "y", "y", ["y >= 0", "y <= x - 5", "x <= 4"])
    result = solve(BilevelProblem.from_dict(p))
    assert result.status == "infeasible"
    assert "high-point relaxation" in result.message


@pytest.mark.parametrize("reformulation", REFORMULATIONS)
def test_unbounded_status(reformulation):
    result = solve(BilevelProblem.from_dict(UNBOUNDED), reformulation)
    assert result.status == "unbounded"
    assert result.F is None


# Unbounded through a leader variable z that the follower never sees (closed form: the
# follower answers y = x for x in [-3, 3], F = 2x - z -> -inf), also with integer x and z.
UNBOUNDED_Z = problem(("x", "z"), "x + y - z", ["x >= -3", "x <= 3"], "y", "y",
                      ["y >= x", "y <= 5"])  # fmt: skip


@pytest.mark.parametrize(
    ("reformulation", "integer"),
    [(r, i) for r in REFORMULATIONS for i in [(), ("x",), ("x", "z")]]
    + [("strong-duality", ("x",)), ("strong-duality", ("x", "z"))],  # needs integer x here
)
def test_unbounded_with_bounded_follower(reformulation, integer):
    data = {**UNBOUNDED_Z, "integer_vars": list(integer)}
    result = solve(BilevelProblem.from_dict(data), reformulation)
    assert result.status == "unbounded", result.message


def naive_fixed_big_m(sf, M: float) -> Outcome:
    """NAIVE BASELINE (what clsc does not do): one user-guessed M for every multiplier and slack."""
    p, N = len(sf.b), sf.n + sf.m
    guessed = Bounds(
        "optimal", np.full(N, -np.inf), np.full(N, np.inf), np.full(p, M), np.full(p, M)
    )
    return solve_kkt_bigm(sf, guessed)


def test_naive_fixed_big_m_is_wrong_where_derived_bounds_are_right():
    expected_F, expected_x, expected_y = -18.0, 8.0, 1.0  # Moore & Bard (1990); same feasible set
    sf = BilevelProblem.from_dict(SCALED_MB).standard_form()
    naive = naive_fixed_big_m(sf, 10.0)
    # the naive MILP claims optimality for a wrong point: F = -15 at (0, 1.5)
    assert naive.status == "optimal"
    naive_F = sf.leader_value(naive.v)
    assert naive_F > expected_F + 1.0
    assert naive.v == pytest.approx([0.0, 1.5], abs=1e-7)
    # clsc derives the bound 100 for that multiplier and finds the true optimum
    bounds = compute_bounds(sf)
    assert bounds.lam_max[2] == pytest.approx(100.0)
    result = solve(BilevelProblem.from_dict(SCALED_MB), "kkt-bigm")
    assert result.status == "optimal" and result.reformulation == "kkt-bigm"
    assert pytest.approx(expected_F, abs=1e-6) == result.F
    assert result.x["x"] == pytest.approx(expected_x, abs=1e-6)
    assert result.y["y"] == pytest.approx(expected_y, abs=1e-6)


def test_failed_verification_is_never_optimal(monkeypatch):
    """A reformulation that returns a point that is not follower-optimal -> not_proven."""

    def wrong(sf, bounds, opts):
        return Outcome("optimal", np.array([4.0, 2.0])), "kkt-bigm", ""

    monkeypatch.setitem(solve_module.REFORMULATIONS, "kkt-bigm", wrong)
    result = solve(BilevelProblem.from_dict(LINEAR[0].problem), "kkt-bigm")
    assert result.status == "not_proven"
    assert "not follower-optimal" in result.message


def test_unprovable_big_m_switches_to_branching():
    # y unbounded above in the relaxation: the slack of y >= x has no finite bound
    result = solve(BilevelProblem.from_dict(UNBOUNDED), "kkt-bigm")
    assert result.reformulation == "kkt-branch"
    assert "no finite big-M can be proven" in result.message


def test_moore_bard_integer_version_from_toml_example():
    from importlib.resources import files

    path = files("clsc.bilevel") / "examples" / "moore_bard_integer.toml"
    result = solve(BilevelProblem.from_file(path))
    expected_x, expected_y, expected_F = 2.0, 2.0, -22.0  # Moore & Bard (1990), integer version
    assert result.status == "optimal"
    assert result.reformulation == "integer-enumeration"
    assert (result.x["x"], result.y["y"], result.F) == (expected_x, expected_y, expected_F)


def test_integer_follower_needs_integer_leader():
    p = problem("x", "-x - 10*y", [], "y", "y", MOORE_BARD_FOLLOWER, integer=["y"])
    with pytest.raises(ParameterError, match="integer leader variables"):
        solve(BilevelProblem.from_dict(p))


def test_integer_follower_too_large_is_refused():
    """Too many leader points to enumerate: a linear leader goes to branch-and-bound (the
    follower answers y = max(0, x - 40000), so by hand x = 50000, y = 10000, F = -60000); a
    quadratic leader (HiGHS has no MIQP) is refused."""
    p = problem("x", "-x - y", ["x >= 0", "x <= 50000"], "y", "y",
                ["y >= 0", "y <= 50000", "y >= x - 40000"], integer=["x", "y"])  # fmt: skip
    result = solve(BilevelProblem.from_dict(p))
    expected_x, expected_y, expected_F = 50000.0, 10000.0, -60000.0
    assert result.status == "optimal" and result.reformulation == "integer-branch"
    assert (result.x["x"], result.y["y"], result.F) == (expected_x, expected_y, expected_F)
    p["leader"]["objective"] = "(x - 3)^2 - y"
    with pytest.raises(ParameterError, match="too large"):
        solve(BilevelProblem.from_dict(p))


def test_nonconvex_leader_refused_and_nonconvex_follower_refused():
    p = problem("x", "-x^2 - y", ["x >= 0", "x <= 1"], "y", "y", ["y >= x"])
    result = solve(BilevelProblem.from_dict(p))  # a verified point, optimality not claimed
    assert result.status == "not_proven" and "not convex" in result.message
    p = problem("x", "x", ["x >= 0", "x <= 1"], "y", "-y^2", ["y >= x", "y <= 2"])
    with pytest.raises(SpecError, match="not convex"):
        BilevelProblem.from_dict(p)


def test_from_sympy_matches_file_form():
    x, y = sp.symbols("x y", real=True)
    p = BilevelProblem.from_sympy(
        [x], [y], -x - 10 * y, y, [],
        [-25 * x + 20 * y <= 30, x + 2 * y <= 10, 2 * x - y <= 15, 2 * x + 10 * y >= 15,
         x >= 0, y >= 0],
    )  # fmt: skip
    result = solve(p)
    assert result.status == "optimal"
    assert (result.x["x"], result.y["y"]) == pytest.approx((8.0, 1.0))
    # max-sense: maximise x + 10 y is the same problem with F reported in its own sense
    q = BilevelProblem.from_sympy([x], [y], x + 10 * y, y, [], p_cons(x, y), leader_sense="max")
    assert pytest.approx(18.0) == solve(q).F


def p_cons(x, y):
    return [-25 * x + 20 * y <= 30, x + 2 * y <= 10, 2 * x - y <= 15, 2 * x + 10 * y >= 15,
            x >= 0, y >= 0]  # fmt: skip


def test_result_dict_and_frame():
    result = solve(BilevelProblem.from_dict(LINEAR[0].problem))
    d = result.to_dict()
    assert set(d) >= {"status", "x", "y", "F", "f", "reformulation", "seconds", "semantics"}
    frame = result.to_frame()
    assert frame.loc[0, "x"] == pytest.approx(8.0)
    assert frame.loc[0, "F"] == pytest.approx(-18.0)
    assert frame.loc[0, "status"] == "optimal"


def test_node_limit_gives_not_proven_never_optimal():
    case = next(c for c in LINEAR if c.name == "bf_1982_01")
    result = solve(BilevelProblem.from_dict(case.problem), "kkt-branch", node_limit=2)
    assert result.status == "not_proven"
    assert "node limit" in result.message


def test_unknown_reformulation_is_a_parameter_error():
    with pytest.raises(ParameterError, match="reformulation must be one of"):
        solve(BilevelProblem.from_dict(TIE), "simplex")
