"""Integer followers: the follower's response comes from its own feasible set at ``x`` and is
re-solved exactly; checked against brute-force enumeration (no solver) and published answers."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.bounds import compute_bounds
from clsc.bilevel.intbranch import solve_branch
from clsc.bilevel.integer import verify_integer
from clsc.errors import ParameterError
from clsc.solvers.highs import solve as highs_solve
from clsc.solvers.program import LinearProgram

from .independent import EXACT, check_answer, point


def brute_force(data: dict, box_x: int, box_y: int, x_lo: int = 0) -> tuple[float, tuple] | None:
    """Exhaustive enumeration (numpy arithmetic, no solver): every integer x in
    [x_lo, box_x]^n, the follower's optimal set among integer y in [0, box_y]^m satisfying its
    own rows (the box is among the follower's rows), the optimistic choice among those
    satisfying the leader's rows. Returns ``(F, (x, y))`` in the leader's sense (min), or
    None if infeasible."""
    sf = BilevelProblem.from_dict(data).standard_form()
    n, m = sf.n, sf.m
    Y = np.array(list(itertools.product(range(box_y + 1), repeat=m)), dtype=float)
    AB = np.hstack([sf.A, sf.B])
    best = None
    for x in itertools.product(range(x_lo, box_x + 1), repeat=n):
        V = np.hstack([np.broadcast_to(np.array(x, dtype=float), (len(Y), n)), Y])
        V = V[np.all(sf.b + 1e-9 >= V @ AB.T, axis=1)] if len(sf.b) else V
        if not len(V):
            continue
        f = np.array([sf.follower_value(v) for v in V])
        V = V[f <= f.min() + 1e-9]
        if len(sf.g):
            V = V[np.all(sf.g + 1e-9 >= V @ sf.G.T, axis=1)]
        for v in V:
            F = sf.leader_value(v)
            if best is None or best[0] - 1e-9 > F:
                best = (F, (x, tuple(int(t) for t in v[n:])))
    return best


def outside_is_no_better(data: dict, K: int, best: tuple | None) -> bool:
    """Certificate that the box [-K, K]^n of the leader holds an optimum: outside it the
    high-point relaxation (every row, the follower's optimality dropped; a MILP solved by
    HiGHS through the solver layer) is infeasible, or no better than ``best``."""
    sf = BilevelProblem.from_dict(data).standard_form()
    N = sf.n + sf.m
    rows = np.vstack([sf.G.reshape(-1, N), np.hstack([sf.A, sf.B])])
    rhs = np.concatenate([sf.g, sf.b])
    for j in range(sf.n):
        for lo, hi in ((K + 1, np.inf), (-np.inf, -K - 1)):
            col_lo, col_hi = np.full(N, -np.inf), np.full(N, np.inf)
            col_lo[j], col_hi[j] = lo, hi
            lp = LinearProgram(sf.h, rows, None, rhs, col_lo, col_hi, np.ones(N, bool),
                               offset=sf.h0)  # fmt: skip
            sol = highs_solve(lp, options=EXACT)
            if sol.status == "infeasible":
                continue
            if not sol or best is None or sol.objective < best[0] - 1e-9:
                return False
    return True


# Issue 13: leader min -x - 2y s.t. y <= 5, 0 <= x <= 4; follower max y s.t. y <= 2x + 1,
# 0 <= y <= 10. At x = 4 the follower's own optimum is y = 9 > 5, so x = 4 is infeasible.
ISSUE_13 = {
    "leader": {"vars": ["x"], "objective": "-x - 2*y", "constraints": ["y <= 5", "x >= 0",
                                                                       "x <= 4"]},
    "follower": {"vars": ["y"], "sense": "max", "objective": "y",
                 "constraints": ["y <= 2*x + 1", "y >= 0", "y <= 10"]},
    "integer_vars": ["x", "y"],
}  # fmt: skip
# PAO's pao/pyomo/examples/toyexample2.py: Toy Example 2 of Yue, Gao, Zeng & You (2019, JOGO
# 73, "A projection-based reformulation and decomposition algorithm for global optimization of
# a class of mixed integer bilevel linear programs"): x, y >= 0 integer; the leader's rows
# couple x and y. Before the fix clsc answered (6, 8), F = -22; at x = 6 the follower's own
# optimum is y = 12, which violates x + y <= 14.
PAO_TOY_2 = {
    "leader": {"vars": ["x"], "objective": "-x - 2*y",
               "constraints": ["-2*x + 3*y <= 12", "x + y <= 14", "x >= 0"]},
    "follower": {"vars": ["y"], "sense": "max", "objective": "y",
                 "constraints": ["-3*x + y <= -3", "3*x + y <= 30", "y >= 0"]},
    "integer_vars": ["x", "y"],
}  # fmt: skip
# MibS's generalExample (MibS input file documentation, Lehigh COR@L; also PAO's
# pao/pyomo/examples/mibs.py): published optimum x = 6, y = 5.
MIBS_GENERAL = {
    "leader": {"vars": ["x"], "objective": "-x - 7*y",
               "constraints": ["-3*x + 2*y <= 12", "x + 2*y <= 20", "x >= 0", "x <= 10"]},
    "follower": {"vars": ["y"], "objective": "y",
                 "constraints": ["2*x - y <= 7", "-2*x + 4*y <= 16", "y >= 0", "y <= 5"]},
    "integer_vars": ["x", "y"],
}  # fmt: skip


def test_issue_13_coupling_rows_do_not_restrict_the_follower():
    result = solve(BilevelProblem.from_dict(ISSUE_13))
    expected_x, expected_y, expected_F = 2.0, 5.0, -12.0  # issue 13 (by hand: y = 2x + 1 <= 5)
    assert result.status == "optimal", result.message
    assert (result.x["x"], result.y["y"], result.F) == (expected_x, expected_y, expected_F)
    check_answer(BilevelProblem.from_dict(ISSUE_13), result)
    assert brute_force(ISSUE_13, 4, 10)[0] == expected_F


def test_issue_13_wrong_answer_fails_verification():
    """(4, 5) satisfies every row, but the follower's own optimum at x = 4 is y = 9."""
    p = BilevelProblem.from_dict(ISSUE_13)
    check = verify_integer(p.standard_form(), point(p, {"x": 4.0, "y": 5.0}))
    assert not check.ok


def test_pao_toy_example_2():
    data = PAO_TOY_2
    result = solve(BilevelProblem.from_dict(data))
    # brute force over x in [0, 14] (x + y <= 14, y >= 0) and y in [0, 30] (3x + y <= 30)
    expected = brute_force(_boxed(data, 14, 30), 14, 30)
    assert expected == (-20.0, ((8,), (6,)))
    assert result.status == "optimal", result.message
    assert expected[0] == result.F
    check_answer(BilevelProblem.from_dict(data), result)


def test_mibs_general_example():
    result = solve(BilevelProblem.from_dict(MIBS_GENERAL))
    expected_x, expected_y = 6.0, 5.0  # MibS documentation
    expected_F = -expected_x - 7 * expected_y
    assert result.status == "optimal", result.message
    assert expected_F == result.F
    check_answer(BilevelProblem.from_dict(MIBS_GENERAL), result)
    assert brute_force(MIBS_GENERAL, 10, 5)[0] == expected_F


def _boxed(data: dict, box_x: int, box_y: int) -> dict:
    """The same problem with redundant box rows stated (for the brute force's grid)."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    xs, ys = out["leader"]["vars"], out["follower"]["vars"]
    out["leader"]["constraints"] = [*data["leader"]["constraints"],
                                    *(f"{x} <= {box_x}" for x in xs)]  # fmt: skip
    out["follower"]["constraints"] = [*data["follower"]["constraints"],
                                      *(f"{y} <= {box_y}" for y in ys)]  # fmt: skip
    return out


_coef = st.integers(-4, 4)


@st.composite
def integer_problems(draw, open_leader: bool = False):
    """Random small integer bilevel problems; the follower's y lies in [0, box_y]^m. With
    ``open_leader`` some of the leader's bounds 0 <= x <= box_x are left out, so that x is
    often unbounded in the high-point relaxation."""
    n, m = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    xs, ys = [f"x{i}" for i in range(n)], [f"y{i}" for i in range(m)]
    box_x, box_y = draw(st.integers(1, 3)), draw(st.integers(1, 4))

    def lin(names):
        return " + ".join(f"({draw(_coef)})*{v}" for v in names)

    frows = [f"{lin(xs + ys)} <= {draw(st.integers(-2, 8))}"
             for _ in range(draw(st.integers(1, 3)))]  # fmt: skip
    lrows = [f"{lin(xs + ys)} <= {draw(st.integers(-2, 8))}"
             for _ in range(draw(st.integers(0, 2)))]  # fmt: skip
    fobj = lin(xs + ys)
    sense = draw(st.sampled_from(["min", "max"]))
    if draw(st.booleans()):  # a convex quadratic follower (enumerated, HiGHS has no MIQP)
        k = draw(st.integers(1, 3)) * (1 if sense == "min" else -1)
        fobj += f" + ({k})*({ys[0]} - {draw(st.integers(0, 4))})^2"
    if open_leader and draw(st.booleans()):  # a leader-dependent follower cost x*y
        fobj += f" + ({draw(_coef)})*{xs[-1]}*{ys[-1]}"
    xbounds = [f"{x} >= 0" for x in xs] + [f"{x} <= {box_x}" for x in xs]
    if open_leader:
        xbounds = [row for row in xbounds if draw(st.booleans())]
    data = {
        "leader": {"vars": xs, "objective": lin(xs + ys),
                   "constraints": [*lrows, *xbounds]},
        "follower": {"vars": ys, "sense": sense,
                     "objective": fobj,
                     "constraints": [*frows, *(f"{y} >= 0" for y in ys),
                                     *(f"{y} <= {box_y}" for y in ys)]},
        "integer_vars": xs + ys,
    }  # fmt: skip
    return data, box_x, box_y


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integer_problems())
def test_random_integer_bilevel_matches_brute_force(case):
    """Both methods: ``solve`` (enumeration of the bounded leader) and the branch-and-bound
    called directly."""
    data, box_x, box_y = case
    problem = BilevelProblem.from_dict(data)
    expected = brute_force(data, box_x, box_y)
    result = solve(problem)
    sf = problem.standard_form()
    branch = solve_branch(sf, compute_bounds(sf))
    if expected is None:
        assert result.status == "infeasible", result.message
        assert branch.status == "infeasible", branch.message
        return
    assert result.status == "optimal", result.message
    assert math.isclose(result.F, sf.sign_F * expected[0], rel_tol=1e-9, abs_tol=1e-9)
    check_answer(problem, result)
    assert branch.status == "optimal", branch.message
    assert verify_integer(sf, branch.v).ok
    assert math.isclose(sf.leader_value(branch.v), expected[0], rel_tol=1e-9, abs_tol=1e-9)


RADII = (4, 8, 16)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integer_problems(open_leader=True))
def test_random_unbounded_leader_matches_certified_brute_force(case):
    """The leader's x often unbounded in the relaxation. Brute force over the box
    [-K, K]^n, with K the first radius for which the relaxation outside the box is provably
    no better (``outside_is_no_better``): then clsc must find that optimum. With no such K
    (the relaxation is unbounded out there), clsc may refuse naming a leader bound, and a
    point it returns is verified and at least as good as the box's best."""
    data, _, box_y = case
    problem = BilevelProblem.from_dict(data)
    sign = problem.standard_form().sign_F
    for K in RADII:
        expected = brute_force(data, K, box_y, x_lo=-K)
        if outside_is_no_better(data, K, expected):
            break
    else:
        K = None
    try:
        result = solve(problem)
    except ParameterError as exc:
        assert K is None, f"refused although the box [-{RADII[-1]}, ...] is certified: {exc}"
        assert "bounding" in str(exc)
        return
    if K is not None and expected is None:
        assert result.status == "infeasible", result.message
    elif K is not None:
        assert result.status == "optimal", result.message
        assert math.isclose(result.F, sign * expected[0], rel_tol=1e-9, abs_tol=1e-9)
    if result.status in ("optimal", "not_proven") and result.x:
        check_answer(problem, result)
        if expected is not None:
            assert sign * result.F <= expected[0] + 1e-9
    elif expected is not None:  # a feasible point exists: infeasible would be wrong
        assert result.status != "infeasible", result.message


def test_quadratic_integer_follower_enumerates_its_own_set():
    # follower min (y - 3)^2 s.t. y <= x + 10 (its own set at x is {y <= x + 10}: y = 3);
    # the leader's row y <= 2 cuts every follower optimum: infeasible
    data = {
        "leader": {"vars": ["x"], "objective": "x", "constraints": ["y <= 2", "x >= 0",
                                                                    "x <= 2"]},
        "follower": {"vars": ["y"], "objective": "(y - 3)^2",
                     "constraints": ["y <= x + 10", "y >= 0"]},
        "integer_vars": ["x", "y"],
    }  # fmt: skip
    assert solve(BilevelProblem.from_dict(data)).status == "infeasible"
    assert brute_force(_boxed(data, 2, 12), 2, 12) is None


@pytest.mark.parametrize("data", [ISSUE_13, PAO_TOY_2, MIBS_GENERAL])
def test_time_limit_is_a_status(data):
    result = solve(BilevelProblem.from_dict(data), time_limit=1e-9)
    assert result.status == "time_limit"
    assert "gave up after" in result.message


def test_unbounded_integer_leader_names_the_bound_that_would_make_it_solvable():
    """x has no lower bound in the high-point relaxation (the follower's y >= x only bounds x
    from above): enumeration is impossible, and the message says which bound to add."""
    from clsc.errors import ParameterError

    data = {
        "leader": {"vars": ["x"], "objective": "x - y", "constraints": []},
        "follower": {"vars": ["y"], "objective": "y",
                     "constraints": ["y >= x", "y >= 0", "y <= 5"]},
        "integer_vars": ["x", "y"],
    }  # fmt: skip
    with pytest.raises(ParameterError, match=r"x has no lower bound.*bounding x from below"):
        solve(BilevelProblem.from_dict(data))
