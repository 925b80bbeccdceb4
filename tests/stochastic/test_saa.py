"""The SAA LP (pyomo + HiGHS): sample quantile, in-place re-solve, status mapping."""

from __future__ import annotations

import numpy as np
import pytest

from clsc.results import INFEASIBLE, OPTIMAL, SOLVER_ERROR, UNBOUNDED
from clsc.stochastic.mc import SortedSamples
from clsc.stochastic.saa import NewsvendorSAA, status_from_termination


@pytest.fixture(scope="module")
def saa():
    return NewsvendorSAA(200)


def test_lp_optimum_is_the_sample_quantile_and_objective_the_sample_cost(saa):
    d = np.random.default_rng(1).normal(50.0, 8.0, 200)
    co, cu = 0.18, 0.70
    sol = saa.solve(d, overage=co, underage=cu)
    assert sol.status == OPTIMAL
    s = SortedSamples(d)
    expected_q = s.quantile(cu / (cu + co))  # unique: ratio*N is not an integer
    assert sol.q == pytest.approx(expected_q, abs=1e-6)
    m = s.moments(np.array([sol.q]))
    assert sol.objective == pytest.approx(co * m.leftover[0] + cu * m.shortage[0], rel=1e-8)


def test_resolve_in_place_with_new_parameters(saa):
    d = np.random.default_rng(2).uniform(0.0, 100.0, 200)
    first = saa.solve(d, overage=1.0, underage=1.0)
    shifted = saa.solve(d + 5.0)
    assert shifted.q == pytest.approx(first.q + 5.0, abs=1e-6)
    costly = saa.solve(overage=1.0, underage=9.0)  # ratio 0.9
    assert costly.q == pytest.approx(SortedSamples(d + 5.0).quantile(0.9), abs=1e-6)


def test_negative_overage_is_reported_unbounded_not_raised():
    sol = NewsvendorSAA(5).solve(np.arange(5.0), overage=-1.0, underage=1.0)
    assert sol.status in (UNBOUNDED, INFEASIBLE)
    assert sol.q is None and sol.message


def test_status_mapping():
    class TC:
        def __init__(self, name):
            self.name = name

    assert status_from_termination(TC("optimal"))[0] == OPTIMAL
    assert status_from_termination(TC("infeasible"))[0] == INFEASIBLE
    assert status_from_termination(TC("unbounded"))[0] == UNBOUNDED
    assert status_from_termination(TC("maxIterations"))[0] == SOLVER_ERROR


def test_appsi_fallback_path_gives_the_same_answers():
    d = np.random.default_rng(3).gamma(4.0, 10.0, 60)
    fast = NewsvendorSAA(60)
    slow = NewsvendorSAA(60)
    slow._push = None  # what happens if APPSI internals change: plain solver.solve(model)
    slow.solver.update_config.update_params = True
    for shift, co, cu in ((0.0, 0.3, 0.7), (7.0, 1.0, 0.5), (-2.0, 0.2, 2.0)):
        a, b = fast.solve(d + shift, co, cu), slow.solve(d + shift, co, cu)
        assert a.status == b.status == OPTIMAL
        assert a.objective == pytest.approx(b.objective, rel=1e-9)
        assert a.q == pytest.approx(b.q, abs=1e-7)
    # the pyomo model itself holds the updated parameters and the solution
    assert fast.model.d[5].value == pytest.approx(d[5] - 2.0)
    assert fast.model.cu.value == 2.0
    assert fast.model.q.value == pytest.approx(a.q)
