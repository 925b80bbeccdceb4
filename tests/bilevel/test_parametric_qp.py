"""Parametric-QP followers (terms ``x*y^2``): published problems against an independent solve.

The independent check does not use clsc's standard form: the follower's objective is
differentiated by sympy, its Hessian and gradient at ``x`` are evaluated from polynomials in
``x``, and its QP is solved by HiGHS through the solver layer; the leader's value is then
searched over a grid of ``x`` refined by scipy's bounded scalar minimiser.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.pqp import GAP_TOL
from clsc.errors import ParameterError, SpecError
from clsc.solvers.highs import solve as highs_solve
from clsc.solvers.program import LinearProgram

from .literature import OUTRATA_F, OUTRATA_ROWS, PARAMETRIC, close, problem, with_leader_box

EXACT = {"mip_rel_gap": 0.0}


class Independent:
    """``F(x)``: the leader's value at the follower's exact QP optimum at a scalar ``x``."""

    def __init__(self, data: dict):
        p = BilevelProblem.from_dict(data)
        (x,), ys = p.leader_vars, p.follower_vars
        sign = 1 if p.follower_sense == "min" else -1
        f = sp.expand(sign * p.follower_obj)
        coeffs = lambda e: np.array([float(c) for c in sp.Poly(e, x).all_coeffs()])  # noqa: E731
        self.H = [[coeffs(sp.diff(f, a, b)) for b in ys] for a in ys]
        self.g = [coeffs(sp.diff(f, a).subs({y: 0 for y in ys})) for a in ys]
        rows = [sp.Poly(c.expr, *ys, x) for c in p.follower_cons]
        assert all(c.kind == "<=" for c in p.follower_cons)
        self.A = np.array([[float(r.coeff_monomial(y)) for y in ys] for r in rows])
        self.b = np.array([-float(r.coeff_monomial(1)) for r in rows])
        self.Ax = np.array([float(r.coeff_monomial(x)) for r in rows])
        terms = sp.Poly(sp.expand(p.leader_obj), x, *ys).terms()
        self.F_terms = [(np.array(m, dtype=float), float(c)) for m, c in terms]

    def F(self, v) -> float:
        """The leader's objective at ``v = (x, y)`` (from its monomials)."""
        v = np.asarray(v, dtype=float)
        return float(sum(c * np.prod(v**m) for m, c in self.F_terms))

    def hessian_gradient(self, x: float) -> tuple[np.ndarray, np.ndarray]:
        Q = np.array([[np.polyval(e, x) for e in row] for row in self.H])
        return Q, np.array([np.polyval(e, x) for e in self.g])

    def response(self, x: float) -> np.ndarray:
        Q, g = self.hessian_gradient(x)
        lp = LinearProgram(c=g, A=self.A, row_upper=self.b - self.Ax * x,
                           col_lower=-np.inf, P=Q)  # fmt: skip
        sol = highs_solve(lp, options=EXACT)
        assert sol, sol.message
        return np.asarray(sol.x)

    def value(self, x: float) -> float:
        return self.F((x, *self.response(x)))

    def minimum(self, hi: float, points: int = 101) -> tuple[float, float]:
        """``(min F, argmin x)`` over ``[0, hi]``: a grid, refined around its best point."""
        from scipy.optimize import minimize_scalar

        xs = np.linspace(0.0, hi, points)
        values = [self.value(x) for x in xs]
        i = int(np.argmin(values))
        step = xs[1] - xs[0]
        lo, up = max(0.0, xs[i] - step), min(hi, xs[i] + step)
        res = minimize_scalar(self.value, bounds=(lo, up), method="bounded",
                              options={"xatol": 1e-9})  # fmt: skip
        return (res.fun, res.x) if res.fun < values[i] else (values[i], xs[i])


def _check_point(data: dict, result) -> None:
    """The returned point: the follower's QP re-solved independently at x gives y's value."""
    ind = Independent(data)
    (x,) = result.x.values()
    y = np.array(list(result.y.values()))
    assert x >= -1e-9
    assert np.all(ind.A @ y <= ind.b - ind.Ax * x + 1e-7)
    y_star = ind.response(x)
    Q, g = ind.hessian_gradient(x)
    f = lambda u: 0.5 * u @ Q @ u + g @ u  # noqa: E731
    assert f(y) <= f(y_star) + 1e-7 * (1 + abs(f(y_star)))
    assert pytest.approx(ind.F((x, *y)), abs=1e-9) == result.F


@pytest.mark.parametrize("case", PARAMETRIC, ids=lambda c: c.name)
def test_published_parametric_qp(case):
    result = solve(BilevelProblem.from_dict(case.problem), "auto")
    assert result.status == "optimal", result.message
    assert result.reformulation == "kkt-branch" and "parametric-QP" in result.message
    assert close(result.F, case.expected_F, case.digits), (result.F, case.expected_F)
    _check_point(case.problem, result)
    # independent: no grid point of [0, 20] does better (the optimum lies well inside)
    F_grid, _ = Independent(case.problem).minimum(20.0)
    assert F_grid + GAP_TOL * max(1.0, abs(F_grid)) >= result.F  # clsc's proven tolerance
    assert F_grid - 1e-5 <= result.F


def test_outrata_2e_published_point_is_infeasible():
    """BOLIB's Outrata1990Ex2e lists F = 0.90 at x = 3.999, y = (1.665, 3.887); that y violates
    -0.333 y1 + y2 <= 2 (3.33 > 2). clsc's optimum is checked against the independent search."""
    data = problem("x", OUTRATA_F, ["x >= 0"], ("y1", "y2"),
                   "0.5*(1 + x)*y1^2 + 0.5*y2^2 - (3 + 1.333*x)*y1 - x*y2",
                   OUTRATA_ROWS)  # fmt: skip
    published_y = np.array([1.665, 3.887])
    assert -0.333 * published_y[0] + published_y[1] > 2 + 1.0
    result = solve(BilevelProblem.from_dict(data), "auto")
    assert result.status == "optimal", result.message
    _check_point(data, result)
    expected_F, expected_x = Independent(data).minimum(20.0)  # independent grid + refinement
    assert pytest.approx(expected_F, abs=1e-5) == result.F
    assert expected_F + GAP_TOL * max(1.0, abs(expected_F)) >= result.F
    assert pytest.approx(expected_x, abs=1e-2) == result.x["x"]


# Self-constructed, closed form: follower min 0.5*x*y^2 - y over 0 <= y <= 10 answers y = 1/x
# for x >= 0.5; the leader minimises x + 6*y = x + 6/x: x = sqrt(6), F = 2*sqrt(6); with integer
# x the best are x = 2 and x = 3, F = 5.
CLOSED = problem("x", "x + 6*y", ["x >= 0.5"], "y", "0.5*x*y^2 - y", ["y >= 0", "y <= 10"])
expected_closed_F = 2.0 * math.sqrt(6.0)  # closed form above
expected_closed_integer_F = 5.0  # closed form above


def test_closed_form_unbounded_leader():
    result = solve(BilevelProblem.from_dict(CLOSED), "kkt-branch")
    assert result.status == "optimal", result.message
    assert pytest.approx(expected_closed_F, abs=1e-5) == result.F
    assert pytest.approx(math.sqrt(6.0), abs=1e-2) == result.x["x"]
    assert pytest.approx(1.0 / result.x["x"], abs=1e-7) == result.y["y"]


def test_closed_form_integer_leader():
    data = {**CLOSED, "integer_vars": ["x"]}
    result = solve(BilevelProblem.from_dict(data), "auto")
    assert result.status == "optimal", result.message
    assert pytest.approx(expected_closed_integer_F, abs=1e-7) == result.F
    assert result.x["x"] in (2.0, 3.0)


def test_node_limit_returns_verified_point_not_proven():
    case = PARAMETRIC[1]
    result = solve(BilevelProblem.from_dict(case.problem), "kkt-branch", node_limit=3)
    assert result.status == "not_proven"
    assert result.info["verified"] and result.info["gap"] > 0
    assert "gap" in result.message
    _check_point(case.problem, result)


def test_time_limit_on_boxed_problem():
    data = with_leader_box(PARAMETRIC[1].problem, 10.0)
    result = solve(BilevelProblem.from_dict(data), "kkt-branch", time_limit=1e-3)
    assert result.status in ("time_limit", "optimal")
    if result.F is not None:
        _check_point(data, result)


def test_follower_not_convex_on_the_leader_box_is_refused():
    data = problem("x", "x + y", ["x >= 0", "x <= 3"], "y", "(x - 2)*y^2 - y",
                   ["y >= 0", "y <= 1"])  # fmt: skip
    with pytest.raises(ParameterError, match=r"not convex.*x = 0.*branch-and-sandwich"):
        solve(BilevelProblem.from_dict(data), "auto")
    # on x >= 2 it is convex and solved; closed form: y(x) = min(1, 1/(2(x - 2))), so
    # F(x) = x + 1 on [2, 2.5] and x + 1/(2(x - 2)) >= 2 + sqrt(2) beyond: x = 2, F = 3
    convex = problem("x", "x + y", ["x >= 2", "x <= 3"], "y", "(x - 2)*y^2 - y",
                     ["y >= 0", "y <= 1"])  # fmt: skip
    result = solve(BilevelProblem.from_dict(convex), "auto")
    assert result.status == "optimal", result.message
    expected_F = 3.0  # closed form above
    assert pytest.approx(expected_F, abs=1e-6) == result.F


def test_follower_not_convex_unbounded_direction_is_refused():
    data = problem("x", "x + y", ["x <= 3"], "y", "x*y^2 - y", ["y >= 0", "y <= 1"])
    with pytest.raises(ParameterError, match="not convex"):
        solve(BilevelProblem.from_dict(data), "auto")


@pytest.mark.parametrize("reformulation", ["kkt-bigm", "strong-duality"])
def test_other_reformulations_name_the_class(reformulation):
    with pytest.raises(ParameterError, match=r"parametric-QP follower.*kkt-branch"):
        solve(BilevelProblem.from_dict(CLOSED), reformulation)


def test_other_cubic_terms_are_refused():
    for objective in ("x^2*y", "x*y*x*y", "x*x*y"):
        data = problem("x", "x", ["x >= 0"], "y", objective, ["y >= 0", "y <= 1"])
        with pytest.raises(SpecError, match="coefficients affine in the leader"):
            BilevelProblem.from_dict(data)
    data = problem("x", "x", ["x >= 0"], "y", "y^3", ["y >= 0", "y <= 1"])
    with pytest.raises(SpecError, match="linear or quadratic"):
        BilevelProblem.from_dict(data)


def test_cli(cli, tmp_path, monkeypatch):
    import json

    import clsc.cli

    monkeypatch.setattr(clsc.cli, "COMMANDS", ("bilevel",))
    path = tmp_path / "pqp.json"
    path.write_text(json.dumps(CLOSED))
    code, out, _ = cli("bilevel", path, "--json")
    d = json.loads(out)
    assert code == 0 and d["status"] == "optimal" and d["reformulation"] == "kkt-branch"
    assert pytest.approx(expected_closed_F, abs=1e-5) == d["F"]
    code, out, err = cli("bilevel", path, "--reformulation", "kkt-bigm")
    assert code == 2 and out == "" and "parametric-QP follower" in err and "kkt-branch" in err


def test_two_leader_variables_against_a_grid():
    """Self-constructed (Outrata-like, two leader variables in the follower's Hessian and a
    cross term x1*y1*y2): the optimum lies on the grid's corner x = (0, 10), so the exhaustive
    grid of clsc.bilevel.grid (follower QP re-solved at each point) attains it."""
    from clsc.bilevel.grid import grid_search

    data = problem(("x1", "x2"), OUTRATA_F + " + 0.05*x1 + 0.02*x2",
                   ["x1 >= 0", "x2 >= 0", "x1 <= 10", "x2 <= 10"], ("y1", "y2"),
                   "0.5*(1 + x1)*y1^2 + 0.5*(1 + x2)*y2^2 + 0.2*x1*y1*y2"
                   " - (3 + 1.333*x1)*y1 - 2*x2*y2", OUTRATA_ROWS)  # fmt: skip
    p = BilevelProblem.from_dict(data)
    result = solve(p, "auto")
    assert result.status == "optimal", result.message
    F_grid, _ = grid_search(p, 11)
    assert F_grid + GAP_TOL * max(1.0, abs(F_grid)) >= result.F
    assert pytest.approx(F_grid, abs=1e-6) == result.F
