"""Two-stage pooled-stock SAA: array-built LP, numba recourse, pyomo, L-shaped, MRP, mpi-sppy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from clsc.errors import ParameterError
from clsc.stochastic.two_stage import TransshipmentCosts, TransshipmentSAA
from clsc.stochastic.two_stage_eval import evaluate, mrp_gap, recourse
from clsc.stochastic.two_stage_lshaped import lshaped
from clsc.stochastic.two_stage_pyomo import solve_pyomo

MU = np.array([100.0, 80.0, 120.0])
SIGMA = np.array([30.0, 20.0, 40.0])
SPEC_COSTS = TransshipmentCosts(
    [2.0, 1.0, 1.5], [1.0, 1.5, 2.0], [8.0, 12.0, 16.0], [[0, 1, 2.5], [1, 0, 1.5], [2.5, 1.5, 0]]
)


def spec_sample(seed: int, size: int, rho=None) -> np.ndarray:
    """The spec's sampling recipe (4.5)."""
    rho = np.eye(3) if rho is None else rho
    cov = np.outer(SIGMA, SIGMA) * rho
    return np.random.default_rng(seed).multivariate_normal(MU, cov, size=size)


def close(value: float, printed: float, decimals: int) -> bool:
    """Spec 1.4: |computed - printed| <= 0.5*10^-d + 1e-9*|printed|."""
    return abs(value - printed) <= 0.5 * 10.0**-decimals + 1e-9 * abs(printed)


def random_instance(rng: np.random.Generator):
    n = int(rng.integers(1, 6))
    costs = TransshipmentCosts(
        rng.uniform(0, 2, n), rng.uniform(0, 3, n), rng.uniform(2, 15, n), rng.uniform(0, 3, (n, n))
    )
    mask = rng.random(n) < 0.7
    mask[int(rng.integers(n))] = True
    q = rng.uniform(0, 120, n) * (rng.random(n) < 0.85)
    return costs, [int(j) + 1 for j in np.flatnonzero(mask)], mask, q


def test_recourse_kernel_equals_lp_on_random_instances():
    rng = np.random.default_rng(11)
    for _ in range(25):
        costs, members, mask, q = random_instance(rng)
        demand = rng.normal(50, 45, (6, costs.n))  # negative requirements included
        share, _ = recourse(costs, q, demand, mask)
        for w in range(demand.shape[0]):
            lp = TransshipmentSAA(costs, demand[w : w + 1])
            expected_lp = lp.fixed_cost(q, members) - float(costs.c @ np.where(mask, q, 0))
            assert abs(share[w].sum() - expected_lp) <= 1e-9 * (1 + abs(expected_lp))
        assert np.all(share[:, ~mask] == 0)


def test_recourse_subgradient_is_between_one_sided_derivatives():
    rng = np.random.default_rng(12)
    eps = 1e-5
    for _ in range(20):
        costs, _, mask, q = random_instance(rng)
        demand = rng.normal(50, 45, (4, costs.n))
        base, grad = recourse(costs, q, demand, mask)
        for j in np.flatnonzero(mask):
            up = q.copy()
            up[j] += eps
            right = (recourse(costs, up, demand, mask)[0].sum(1) - base.sum(1)) / eps
            assert np.all(grad[:, j] <= right + 1e-6)
            if q[j] > eps:
                down = q.copy()
                down[j] -= eps
                left = (base.sum(1) - recourse(costs, down, demand, mask)[0].sum(1)) / eps
                assert np.all(grad[:, j] >= left - 1e-6)


def test_pooling_closed_form_and_saa_reference():
    """Spec 4.9 pooling benchmark: c = 1.5, h = 1.5, p = 12, tau = 0, all three nodes."""
    costs = TransshipmentCosts([1.5] * 3, [1.5] * 3, [12.0] * 3, np.zeros((3, 3)))
    kappa = (12.0 - 1.5) / (12.0 + 1.5)
    sigma_s = math.sqrt(float(SIGMA @ SIGMA))
    closed_q = MU.sum() + sigma_s * norm.ppf(kappa)
    closed_cost = 1.5 * MU.sum() + 13.5 * sigma_s * norm.pdf(norm.ppf(kappa))
    assert close(closed_q, 341.181, 3) and close(closed_cost, 666.501, 3)  # expected_ spec 4.9
    sample = spec_sample(2024, 4000)
    expected_saa_q, expected_saa_cost = 342.215, 665.549  # spec 4.9
    for sol in (TransshipmentSAA(costs, sample).solve(), lshaped(costs, sample, groups=16)):
        assert close(sol.Q.sum(), expected_saa_q, 3)
        assert close(sol.objective, expected_saa_cost, 3)
    # the SAA converges to the closed form: within a few sampling standard errors
    ev = evaluate(costs, sol.Q, spec_sample(99, 200_000))
    assert abs(ev.mean - closed_cost) < 4 * ev.se + 0.5


def test_coalition_by_bounds_equals_fresh_smaller_program():
    demand = spec_sample(5, 300)
    reused = TransshipmentSAA(SPEC_COSTS, demand)
    reused.solve()
    for members in ([1, 3], [2], [2, 3], [1, 2, 3], [1, 2]):
        idx = [m - 1 for m in members]
        sc = SPEC_COSTS
        small = TransshipmentCosts(sc.c[idx], sc.h[idx], sc.p[idx], sc.tau[np.ix_(idx, idx)])
        fresh = TransshipmentSAA(small, demand[:, idx]).solve()
        sol = reused.solve(members)
        assert sol.objective == pytest.approx(fresh.objective, rel=1e-9)
        assert sum(sol.alloc) == pytest.approx(sol.objective, rel=1e-9)
        outside = [j for j in range(3) if j not in idx]
        assert np.all(sol.Q[outside] == 0) and np.all(sol.alloc[outside] == 0)


def test_in_sample_evaluation_of_the_optimum_equals_the_lp_objective():
    demand = spec_sample(6, 400)
    saa = TransshipmentSAA(SPEC_COSTS, demand)
    for members in (None, [1, 3]):
        sol = saa.solve(members)
        ev = evaluate(SPEC_COSTS, sol.Q, demand, members)
        assert ev.mean == pytest.approx(sol.objective, rel=1e-10)
        assert ev.alloc.sum() == pytest.approx(sol.objective, rel=1e-10)


def test_pyomo_formulation_equals_array_built_lp():
    demand = spec_sample(7, 40)
    saa = TransshipmentSAA(SPEC_COSTS, demand)
    for members in (None, [2, 3]):
        sol = saa.solve(members)
        objective, _ = solve_pyomo(saa.to_pyomo(members))
        assert objective == pytest.approx(sol.objective, rel=1e-9)


def test_lshaped_equals_extensive_form():
    demand = spec_sample(8, 500)
    saa = TransshipmentSAA(SPEC_COSTS, demand)
    for members in (None, [1, 2]):
        sol = saa.solve(members)
        res = lshaped(SPEC_COSTS, demand, members, groups=16)
        assert str(res.status) == "optimal"
        assert res.objective == pytest.approx(sol.objective, rel=1e-8)
        assert res.lower <= res.objective + 1e-9
        # a vertex optimum: value at the L-shaped stocks is the LP optimum
        assert saa.fixed_cost(res.Q, members) == pytest.approx(sol.objective, rel=1e-8)


def test_mrp_gap_of_optimum_small_and_of_bad_candidate_large():
    demand = spec_sample(9, 300)
    saa = TransshipmentSAA(SPEC_COSTS, demand)
    good = saa.solve().Q
    bad = np.array([0.0, 0.0, 0.0])

    def optimum(sample):
        saa.set_demand(sample)
        return saa.solve().objective

    def draw(rng):
        return rng.multivariate_normal(MU, np.diag(SIGMA**2), size=300)

    est = {}
    for name, q in (("good", good), ("bad", bad)):
        est[name] = mrp_gap(
            lambda s, q=q: evaluate(SPEC_COSTS, q, s).mean, optimum, draw, 4,
            np.random.default_rng(3),
        )  # fmt: skip
        assert np.all(est[name].gaps >= -1e-8)
        assert est[name].upper >= est[name].mean
    # the true gap of Q = 0 (everything short) is several hundred
    truth = evaluate(SPEC_COSTS, bad, spec_sample(10, 50_000)).mean - 650.0
    assert est["bad"].upper >= truth - 20
    assert est["good"].upper < 15.0 < truth
    with pytest.raises(ParameterError, match="replications"):
        mrp_gap(lambda s: 0.0, lambda s: 0.0, draw, 1, np.random.default_rng(0))


def test_bad_input_is_a_parameter_error():
    with pytest.raises(ParameterError, match="h must have length 2"):
        TransshipmentCosts([1, 1], [1], [2, 2], np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="p must be finite and >= 0"):
        TransshipmentCosts([1], [1], [-2], [[0]])
    with pytest.raises(ParameterError, match=r"members must name nodes 1\.\.3"):
        TransshipmentSAA(SPEC_COSTS, spec_sample(1, 5)).solve([1, 4])
    with pytest.raises(ParameterError, match="demand"):
        TransshipmentSAA(SPEC_COSTS, np.ones((4, 2)))


def test_mpisppy_extensive_form_equals_clsc():
    pytest.importorskip("mpisppy")
    from mpisppy.opt.ef import ExtensiveForm

    from clsc.stochastic.two_stage_mpisppy import scenario_creator, scenario_names

    demand = spec_sample(13, 30)
    for members in (None, [1, 3]):
        ef = ExtensiveForm(
            {"solver": "appsi_highs"},
            scenario_names(len(demand)),
            scenario_creator,
            scenario_creator_kwargs={"costs": SPEC_COSTS, "demand": demand, "members": members},
        )
        ef.solve_extensive_form()
        expected = TransshipmentSAA(SPEC_COSTS, demand).solve(members).objective
        assert ef.get_objective_value() == pytest.approx(expected, rel=1e-9)
