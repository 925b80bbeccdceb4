"""The derived bounds are valid: simplex (vertex) duals never exceed them; reformulations agree."""

from __future__ import annotations

import numpy as np
import pytest

from clsc.bilevel import BilevelProblem, solve
from clsc.bilevel.bounds import compute_bounds
from clsc.bilevel.highs import OPTIMAL

from .literature import LINEAR


def test_moore_bard_bounds_by_hand():
    sf = BilevelProblem.from_dict(LINEAR[0].problem).standard_form()
    b = compute_bounds(sf)
    # HPR of Moore-Bard: x in [0, 8], y in [0, 4]; stationarity 1 + B'lambda = 0 has vertex
    # duals 1/1 (2x - y <= 15), 1/10 (2x + 10y >= 15), 1/1 (y >= 0); others can't be >= 0.
    np.testing.assert_allclose(b.v_lo, [0, 0], atol=1e-9)
    np.testing.assert_allclose(b.v_hi, [8, 4], atol=1e-9)
    np.testing.assert_allclose(b.lam_max, [0, 0, 1, 0.1, 1], atol=1e-12)
    assert b.proven


def _follower_duals(sf, x):
    """Row duals of the follower's LP at x from HiGHS' simplex (a vertex of the dual set)."""
    from clsc.solvers.highs import solve as highs_solve
    from clsc.solvers.program import LinearProgram

    rhs = sf.b - sf.A @ x
    lp = LinearProgram(sf.c + sf.K[:, : sf.n] @ x, sf.B, None, rhs, -np.inf, np.inf)
    sol = highs_solve(lp)
    if sol.status != OPTIMAL:
        return None
    return -sol.y  # HiGHS: <= rows have duals <= 0


def _random_problem(rng):
    n, m, p = 1 + rng.integers(2), 1 + rng.integers(2), 2 + rng.integers(3)
    xs = [f"x{j}" for j in range(n)]
    ys = [f"y{k}" for k in range(m)]

    def lin(names, coef):
        return " + ".join(f"({c:g})*{v}" for c, v in zip(coef, names, strict=True))

    cons = [
        f"{lin(xs + ys, rng.integers(-5, 6, n + m))} <= {rng.integers(1, 20)}" for _ in range(p)
    ]
    cons += [f"{v} >= 0" for v in ys] + [f"{v} <= 10" for v in ys]
    return {
        "leader": {"vars": xs, "objective": lin(xs + ys, rng.integers(-5, 6, n + m)),
                   "constraints": [f"{v} >= 0" for v in xs] + [f"{v} <= 10" for v in xs]},
        "follower": {"vars": ys, "objective": lin(ys, rng.integers(-5, 6, m)), "constraints": cons},
    }  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_vertex_duals_respect_bounds_and_reformulations_agree(seed):
    rng = np.random.default_rng(seed)
    data = _random_problem(rng)
    problem = BilevelProblem.from_dict(data)
    sf = problem.standard_form()
    b = compute_bounds(sf)
    if b.hpr_status == OPTIMAL:
        for _ in range(20):
            x = rng.uniform(b.v_lo[: sf.n], b.v_hi[: sf.n])
            duals = _follower_duals(sf, x)
            if duals is not None:
                assert np.all(duals <= b.lam_max + 1e-7)
    a, c = solve(problem, "kkt-bigm"), solve(problem, "kkt-branch")
    assert a.status == c.status
    if a.status == "optimal":
        assert pytest.approx(c.F, abs=1e-6) == a.F
    data["integer_vars"] = list(data["leader"]["vars"])
    problem = BilevelProblem.from_dict(data)
    d, e = solve(problem, "strong-duality"), solve(problem, "kkt-bigm")
    assert d.status == e.status
    if d.status == "optimal":
        assert pytest.approx(e.F, abs=1e-6) == d.F
