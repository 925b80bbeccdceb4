"""The solver layer: statuses, in-place re-solves, refusal of data HiGHS would misread."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize as so

from clsc.errors import ParameterError
from clsc.results import Status
from clsc.solvers.highs import STATUS_MAP, ParametricProgram, map_status, solve
from clsc.solvers.program import LinearProgram, Solution


def random_lp(rng, m=6, n=5):
    A = rng.normal(size=(m, n))
    x0 = rng.uniform(0, 1, size=n)
    b = A @ x0 + rng.uniform(0.1, 1, size=m)
    c = rng.uniform(0.1, 2, size=n) * rng.choice([-1, 1], size=n)
    return c, A, b


@pytest.mark.parametrize("seed", range(8))
def test_matches_scipy_linprog(seed):
    rng = np.random.default_rng(seed)
    c, A, b = random_lp(rng)
    lp = LinearProgram(c=c, A=A, row_upper=b, col_lower=0.0, col_upper=5.0)
    sol = solve(lp)
    expected = so.linprog(c, A_ub=A, b_ub=b, bounds=[(0, 5)] * len(c), method="highs-ds")
    assert sol.status == Status.OPTIMAL and sol
    assert sol.objective == pytest.approx(expected.fun, abs=1e-9)
    assert np.all(A @ sol.x <= b + 1e-9)


def test_infeasible_and_unbounded():
    infeasible = LinearProgram(
        c=[1.0], A=[[1.0], [1.0]], row_lower=[2.0, -np.inf], row_upper=[np.inf, 1.0]
    )
    assert solve(infeasible).status == Status.INFEASIBLE
    unbounded = LinearProgram(c=[-1.0], A=[[1.0]], row_lower=[0.0], col_lower=0.0)
    sol = solve(unbounded)
    assert sol.status == Status.UNBOUNDED and not sol and sol.x is None


def test_infeasible_or_unbounded_is_settled():
    # min -x - y s.t. x - y >= 1, -x + y >= 1: infeasible (dual also infeasible)
    lp = LinearProgram(
        c=[-1.0, -1.0], A=[[1.0, -1.0], [-1.0, 1.0]], row_lower=[1.0, 1.0], col_lower=-np.inf
    )
    assert solve(lp).status == Status.INFEASIBLE


def test_mip_and_qp():
    mip = LinearProgram(
        c=[-1.0, -1.0], A=[[2.0, 2.0]], row_upper=[3.0], col_lower=0.0, integrality=[True, True]
    )
    sol = solve(mip)
    assert sol.status == Status.OPTIMAL and sol.objective == pytest.approx(-1.0)
    assert sol.gap is not None
    # min 0.5*(x-1)^2 + 0.5*(y-2)^2 -> x = 1, y = 2 (P = I, c = (-1, -2))
    qp = LinearProgram(c=[-1.0, -2.0], P=np.eye(2), col_lower=-10.0, col_upper=10.0, offset=2.5)
    sol = solve(qp)
    assert sol.x == pytest.approx([1.0, 2.0], abs=1e-6)
    assert sol.objective == pytest.approx(0.0, abs=1e-9)


def test_parametric_resolve_equals_fresh_solve():
    rng = np.random.default_rng(1)
    c, A, b = random_lp(rng, m=8, n=6)
    prog = ParametricProgram(LinearProgram(c=c, A=A, row_upper=b, col_lower=0.0, col_upper=4.0))
    for k in range(5):
        c2 = rng.uniform(-2, 2, size=c.size)
        b2 = b + rng.uniform(0, 1, size=b.size)
        prog.set_costs(range(c.size), c2)
        prog.set_row_bounds(range(b.size), -np.inf, b2)
        prog.set_col_bounds([k], 0.0, 1.0 + k)
        ub = np.full(c.size, 4.0)
        ub[: k + 1] = [1.0 + j for j in range(k + 1)]
        fresh = solve(LinearProgram(c=c2, A=A, row_upper=b2, col_lower=0.0, col_upper=ub))
        got = prog.solve()
        assert got.objective == pytest.approx(fresh.objective, abs=1e-9)


def test_huge_or_non_finite_data_is_refused():
    with pytest.raises(ParameterError, match=r"row_upper\[0\].*1e\+20"):
        LinearProgram(c=[1.0], A=[[1.0]], row_upper=[1e25])
    with pytest.raises(ParameterError, match=r"c\[1\] must be finite"):
        LinearProgram(c=[1.0, np.inf])
    with pytest.raises(ParameterError, match="A"):
        LinearProgram(c=[1.0], A=[[np.nan]])
    prog = ParametricProgram(LinearProgram(c=[1.0], col_lower=0.0))
    with pytest.raises(ParameterError, match="col_upper"):
        prog.set_col_bounds([0], 0.0, 1e30)


def test_errors_are_falsy_and_every_status_maps():
    assert not Solution(Status.SOLVER_ERROR)
    assert map_status("kSomethingNew")[0] == Status.SOLVER_ERROR
    assert all(isinstance(s, Status) for s, _ in STATUS_MAP.values())


def test_time_limit_is_a_status():
    rng = np.random.default_rng(0)
    n = 60
    c = -rng.uniform(1, 2, size=n)
    A = rng.uniform(1, 3, size=(30, n))
    lp = LinearProgram(
        c=c,
        A=A,
        row_upper=np.full(30, 20.0),
        col_lower=0.0,
        col_upper=1.0,
        integrality=np.ones(n, bool),
    )
    sol = solve(lp, time_limit=1e-6)
    assert sol.status in (Status.TIME_LIMIT, Status.OPTIMAL)
    if sol.status == Status.TIME_LIMIT:
        assert "time limit" in sol.message


def test_no_banner_on_stdout():
    import subprocess
    import sys

    code = (
        "from clsc.solvers.highs import solve\n"
        "from clsc.solvers.program import LinearProgram\n"
        "print(solve(LinearProgram(c=[1.0], col_lower=0.0)).status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "optimal\n"
