"""Integer followers: the follower's response comes from its own feasible set at ``x`` and is
re-solved exactly; checked against brute-force enumeration (no solver) and published answers."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.integer import verify_integer

from .independent import check_answer, point


def brute_force(data: dict, box_x: int, box_y: int) -> tuple[float, tuple] | None:
    """Exhaustive enumeration (pure Python, no solver): every integer x in [0, box_x]^n, the
    follower's optimal set among integer y in [0, box_y]^m satisfying its own rows (the box is
    among the follower's rows), the optimistic choice among those satisfying the leader's
    rows. Returns ``(F, (x, y))`` in the leader's sense (min), or None if infeasible."""
    p = BilevelProblem.from_dict(data)
    sf = p.standard_form()
    n, m = sf.n, sf.m
    best = None
    for x in itertools.product(range(box_x + 1), repeat=n):
        ys = [
            y for y in itertools.product(range(box_y + 1), repeat=m)
            if all(sum(a * v for a, v in zip(row, (*x, *y), strict=True)) <= rhs + 1e-9
                   for row, rhs in zip(_ab(sf), sf.b, strict=True))
        ]  # fmt: skip
        if not ys:
            continue
        f = {y: sf.follower_value(_v(x, y)) for y in ys}
        fmin = min(f.values())
        for y in (y for y in ys if f[y] <= fmin + 1e-9):
            v = _v(x, y)
            if len(sf.g) and any(sf.G @ v > sf.g + 1e-9):
                continue
            F = sf.leader_value(v)
            if best is None or best[0] - 1e-9 > F:
                best = (F, (x, y))
    return best


def _ab(sf):
    import numpy as np

    return np.hstack([sf.A, sf.B]).tolist()


def _v(x, y):
    import numpy as np

    return np.array([*x, *y], dtype=float)


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
def integer_problems(draw):
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
    data = {
        "leader": {"vars": xs, "objective": lin(xs + ys),
                   "constraints": [*lrows, *(f"{x} >= 0" for x in xs),
                                   *(f"{x} <= {box_x}" for x in xs)]},
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
    data, box_x, box_y = case
    problem = BilevelProblem.from_dict(data)
    expected = brute_force(data, box_x, box_y)
    result = solve(problem)
    if expected is None:
        assert result.status == "infeasible", result.message
        return
    assert result.status == "optimal", result.message
    sign = problem.standard_form().sign_F
    assert math.isclose(result.F, sign * expected[0], rel_tol=1e-9, abs_tol=1e-9)
    check_answer(problem, result)


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
