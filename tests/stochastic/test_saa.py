"""The SAA LP (clsc.solvers + HiGHS): sample quantile, in-place re-solve, shared programs."""

from __future__ import annotations

import numpy as np
import pytest

from clsc.results import INFEASIBLE, OPTIMAL, UNBOUNDED
from clsc.stochastic.mc import SortedSamples
from clsc.stochastic.saa import NewsvendorSAA, shared_program, solve_shared


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


def test_shared_program_is_reused_and_gives_fresh_answers():
    # the models' saa methods solve on one built program per sample size
    a = shared_program(37)
    assert shared_program(37) is a
    rng = np.random.default_rng(5)
    for co, cu in ((0.3, 0.7), (1.0, 0.5), (0.2, 2.0)):
        d = rng.gamma(4.0, 10.0, 37)
        shared = solve_shared(d, co, cu)
        fresh = NewsvendorSAA(37).solve(d, co, cu)  # built for this solve only
        assert shared.status == fresh.status == OPTIMAL
        assert shared.objective == pytest.approx(fresh.objective, rel=1e-9)
        expected_objective = (
            co * np.maximum(shared.q - d, 0).mean() + cu * np.maximum(d - shared.q, 0).mean()
        )
        assert shared.objective == pytest.approx(expected_objective, rel=1e-9)


def test_newsvendor_saa_method_repeats_exactly_on_the_shared_program():
    from clsc.models.newsvendor import Newsvendor

    params = {"demand": "normal(mean=50, sd=8)", "holding": 0.18, "shortage": 0.70}
    first = Newsvendor().solve(params=params, method="saa", samples=300, seed=3)
    other = Newsvendor().solve(params={**params, "shortage": 2.0}, method="saa", samples=300)
    again = Newsvendor().solve(params=params, method="saa", samples=300, seed=3)
    assert first.status == other.status == again.status == OPTIMAL
    assert again.decisions["q"] == first.decisions["q"]


def test_no_private_pyomo_or_highs_attribute():
    import inspect

    import clsc.stochastic.saa as module

    source = inspect.getsource(module)
    assert "pyomo" not in source.split('"""', 2)[2]  # code, not the docstring
    assert "._solver_model" not in source


@pytest.mark.parametrize("n", [7, 120, 600])
def test_dual_knapsack_and_primal_forms_agree(n):
    rng = np.random.default_rng(n)
    dual, primal = NewsvendorSAA(n), NewsvendorSAA(n, form="primal")
    for co, cu in ((0.3, 0.7), (2.0, 0.5), (0.0, 1.0)):
        d = rng.lognormal(3.0, 0.5, n)
        a, b = dual.solve(d, co, cu), primal.solve(d, co, cu)
        assert a.status == b.status == OPTIMAL
        assert a.objective == pytest.approx(b.objective, rel=1e-9, abs=1e-12)
        # q may differ inside the optimal interval: check it is optimal for the primal
        expected_cost = co * np.maximum(a.q - d, 0).mean() + cu * np.maximum(d - a.q, 0).mean()
        assert expected_cost == pytest.approx(b.objective, rel=1e-9, abs=1e-12)
