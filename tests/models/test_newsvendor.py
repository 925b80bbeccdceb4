"""Model `newsvendor`: textbook answers computed independently, and mc / saa vs closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from clsc.errors import ParameterError
from clsc.models import get_model
from clsc.results import EVALUATED, OPTIMAL

MODEL = get_model("newsvendor")
NORMAL = {"demand": "normal(mean=50, sd=8)", "holding": "0.18", "shortage": "0.70"}
POISSON = {"demand": "poisson(mean=6)", "price": 10, "cost": 4, "salvage": 1}
PMF = {
    "demand": "discrete(values=[10, 20, 30, 40], probs=[0.1, 0.3, 0.4, 0.2])",
    "price": 5,
    "cost": 2,
}


def close(computed: float, printed: str) -> bool:
    """Spec 1.4: |computed - printed| <= 0.5*10^-d + 1e-9*|printed| (d printed decimals)."""
    d = len(printed.split(".")[1]) if "." in printed else 0
    return abs(computed - float(printed)) <= 0.5 * 10**-d + 1e-9 * abs(float(printed))


def normal_loss(q: float, mean: float, sd: float) -> tuple[float, float]:
    """E[(q-D)+], E[(D-q)+] for normal demand from the standard normal loss function."""
    z = (q - mean) / sd
    shortage = sd * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return q - mean + shortage, shortage


def pmf_profit(values, probs, q, price, cost, salvage=0.0) -> float:
    values, probs = np.asarray(values, float), np.asarray(probs, float)
    sales = np.minimum(values, q) @ probs
    leftover = np.maximum(q - values, 0) @ probs
    return price * sales + salvage * leftover - cost * q


# ---------------------------------------------------------------- closed form (textbook)


def test_textbook_normal_cost_form():
    res = MODEL.solve(params=NORMAL)
    # textbook numbers, printed to 4 decimals (issue: q* = 56.6040, expected cost 1.9976)
    expected_q, expected_cost = "56.6040", "1.9976"
    assert res.status == OPTIMAL
    assert close(res.decisions["q"], expected_q)
    assert close(res.metrics["cost"], expected_cost)
    # independently: z = Phi^-1(p/(p+h)), q* = mean + sd*z, cost = (h+p)*sd*phi(z)
    z = stats.norm.ppf(0.70 / 0.88)
    assert res.decisions["q"] == pytest.approx(50 + 8 * z, rel=1e-12)
    assert res.metrics["cost"] == pytest.approx((0.18 + 0.70) * 8 * stats.norm.pdf(z), rel=1e-10)
    assert res.metrics["critical_ratio"] == pytest.approx(0.70 / 0.88)
    assert res.profits["pi_R"] == pytest.approx(-res.metrics["cost"])  # price = 0


def test_metric_identities_normal():
    m = MODEL.solve(params=NORMAL).metrics
    q = MODEL.solve(params=NORMAL).decisions["q"]
    assert m["sales"] + m["lost_sales"] == pytest.approx(50.0)
    assert m["leftover"] - m["lost_sales"] == pytest.approx(q - 50.0)
    assert m["fill_rate"] == pytest.approx(m["sales"] / 50.0)
    leftover, lost = normal_loss(q, 50.0, 8.0)
    assert m["leftover"] == pytest.approx(leftover, rel=1e-10)
    assert m["lost_sales"] == pytest.approx(lost, rel=1e-10)


def test_poisson_smallest_q_rule():
    res = MODEL.solve(params=POISSON)
    ratio = (10 - 4) / (10 - 4 + 4 - 1)
    expected_q = next(k for k in range(100) if stats.poisson.cdf(k, 6) >= ratio)
    assert res.decisions["q"] == expected_q == 7
    ks = np.arange(200)
    expected_profit = pmf_profit(ks, stats.poisson.pmf(ks, 6), expected_q, 10, 4, 1)
    assert res.profits["pi_R"] == pytest.approx(expected_profit, rel=1e-10)
    # q* is a maximiser among integers
    for k in (expected_q - 1, expected_q + 1):
        assert pmf_profit(ks, stats.poisson.pmf(ks, 6), k, 10, 4, 1) <= expected_profit


def test_explicit_pmf_smallest_q_rule():
    res = MODEL.solve(params=PMF)
    values, probs = [10, 20, 30, 40], [0.1, 0.3, 0.4, 0.2]
    ratio = (5 - 2) / 5
    expected_q = next(v for v, c in zip(values, np.cumsum(probs), strict=True) if c >= ratio)
    assert res.decisions["q"] == expected_q == 30
    assert res.profits["pi_R"] == pytest.approx(pmf_profit(values, probs, 30, 5, 2))


def test_exact_tie_takes_the_smallest_q():
    # F(1) = 0.5 = ratio exactly: q = 1 and q = 2 both cost 0.75; the rule picks 1
    res = MODEL.solve(
        params={
            "demand": "discrete(values=[0, 1, 2], probs=[0.25, 0.25, 0.5])",
            "holding": 1,
            "shortage": 1,
        }
    )
    assert res.decisions["q"] == 1.0
    assert res.metrics["cost"] == pytest.approx(0.75)


def test_fixed_q_evaluation_closed_form():
    res = MODEL.solve(params=NORMAL, fix={"q": 60})
    leftover, lost = normal_loss(60.0, 50.0, 8.0)
    assert res.status == EVALUATED
    assert res.decisions == {"q": 60.0}
    assert res.metrics["cost"] == pytest.approx(0.18 * leftover + 0.70 * lost, rel=1e-10)
    opt = MODEL.solve(params=NORMAL)
    assert res.metrics["cost"] > opt.metrics["cost"]


def test_negative_quantile_is_clipped_at_zero_and_reported():
    res = MODEL.solve(params={"demand": "normal(mean=1, sd=8)", "holding": 9, "shortage": 1})
    assert res.status == OPTIMAL and res.decisions["q"] == 0.0
    assert not res.condition("q_nonnegative").holds


# ---------------------------------------------------------------- mc and saa vs closed form


def q_se(ratio: float, n: int, density: float) -> float:
    return math.sqrt(ratio * (1 - ratio) / n) / density


@pytest.mark.parametrize("sampling", ["plain", "antithetic", "sobol"])
def test_mc_agrees_with_closed_form_within_4_se(sampling):
    exact = MODEL.solve(params=NORMAL)
    res = MODEL.solve(params=NORMAL, method="mc", samples=20_000, seed=5, sampling=sampling)
    assert res.status == OPTIMAL
    se = res.std_errors
    assert 0 < se["pi_R"] < 0.05
    assert abs(res.profits["pi_R"] - exact.profits["pi_R"]) <= 4 * se["pi_R"]
    for name in ("sales", "leftover", "lost_sales", "cost"):
        assert abs(res.metrics[name] - exact.metrics[name]) <= 4 * se[name] + 1e-12, name
    assert abs(res.decisions["q"] - exact.decisions["q"]) <= 4 * se["q"]
    # the exact expected profit at the sampled q is no better than at q*
    assert res.metrics["profit_exact"] <= exact.profits["pi_R"] + 1e-12


def test_mc_discrete_demand_and_determinism():
    exact = MODEL.solve(params=POISSON)
    a = MODEL.solve(params=POISSON, method="mc", samples=20_000, seed=2)
    b = MODEL.solve(params=POISSON, method="mc", samples=20_000, seed=2, evaluator="brute")
    assert a.decisions["q"] == exact.decisions["q"]
    assert abs(a.profits["pi_R"] - exact.profits["pi_R"]) <= 4 * a.std_errors["pi_R"]
    assert b.decisions == a.decisions
    for k, v in a.metrics.items():
        assert b.metrics[k] == pytest.approx(v, rel=1e-9), k


def test_mc_fixed_q_and_seed_repeatability():
    exact = MODEL.solve(params=NORMAL, fix={"q": 60})
    a = MODEL.solve(params=NORMAL, fix={"q": 60}, method="mc", samples=20_000, seed=9)
    b = MODEL.solve(params=NORMAL, fix={"q": 60}, method="mc", samples=20_000, seed=9)
    assert a.status == EVALUATED and a.decisions == {"q": 60.0}
    assert a.metrics == b.metrics and a.std_errors == b.std_errors
    assert abs(a.metrics["cost"] - exact.metrics["cost"]) <= 4 * a.std_errors["cost"]
    assert a.metrics["cost_exact"] == pytest.approx(exact.metrics["cost"])


def test_saa_agrees_with_closed_form():
    exact = MODEL.solve(params=NORMAL)
    res = MODEL.solve(params=NORMAL, method="saa", samples=1_000, seed=4)
    assert res.status == OPTIMAL
    assert abs(res.profits["pi_R"] - exact.profits["pi_R"]) <= 4 * res.std_errors["pi_R"]
    density = stats.norm.pdf(exact.decisions["q"], 50, 8)
    assert abs(res.decisions["q"] - exact.decisions["q"]) <= 4 * q_se(0.70 / 0.88, 1000, density)
    # the LP objective is the sample-average overage/underage cost at its q
    assert res.metrics["objective"] == pytest.approx(res.metrics["cost"], rel=1e-9)
    # same draws: the SAA q is the MC sample quantile (ratio*N is not an integer)
    mc = MODEL.solve(params=NORMAL, method="mc", samples=1_000, seed=4)
    assert res.decisions["q"] == pytest.approx(mc.decisions["q"], abs=1e-6)


def test_saa_discrete_agrees_on_profit_and_fixed_q():
    exact = MODEL.solve(params=PMF)
    res = MODEL.solve(params=PMF, method="saa", samples=500, seed=1)
    assert res.status == OPTIMAL
    assert abs(res.profits["pi_R"] - exact.profits["pi_R"]) <= 4 * res.std_errors["pi_R"]
    fixed = MODEL.solve(params=PMF, method="saa", samples=500, seed=1, fix={"q": 20})
    assert fixed.status == EVALUATED and fixed.decisions == {"q": 20.0}
    exact_fixed = MODEL.solve(params=PMF, fix={"q": 20})
    assert abs(fixed.profits["pi_R"] - exact_fixed.profits["pi_R"]) <= (
        4 * fixed.std_errors["pi_R"]
    )


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "fix", "needle"),
    [
        (
            {"demand": "normal(mean=50, sd=8)", "holding": 1},
            None,
            "price must satisfy underage cost price - cost + shortage > 0",
        ),
        (
            {"demand": "normal(mean=50, sd=8)", "price": 5},
            None,
            "cost must satisfy overage cost cost - salvage + holding > 0",
        ),
        (
            {"demand": "normal(mean=50, sd=8)", "holding": -1, "shortage": 1},
            None,
            "holding must be >= 0",
        ),
        ({"holding": 1, "shortage": 1}, None, "parameter 'demand' is required"),
        (NORMAL, {"q": -3}, "q must be a finite number >= 0"),
    ],
)
def test_bad_input_names_parameter_rule_and_value(params, fix, needle):
    with pytest.raises(ParameterError, match=None) as info:
        MODEL.solve(params=params, fix=fix)
    assert needle in str(info.value)


@pytest.mark.parametrize("option", [{"sampling": "latin"}, {"replicates": 1}, {"evaluator": "x"}])
def test_bad_options(option):
    with pytest.raises(ParameterError):
        MODEL.solve(params=NORMAL, method="mc", samples=100, **option)


finite = st.floats(-10, 10, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    price=finite,
    cost=finite,
    salvage=finite,
    holding=finite,
    shortage=finite,
    q=st.one_of(st.none(), st.floats(allow_nan=True)),
)
def test_any_input_either_solves_or_raises_parameter_error(
    price, cost, salvage, holding, shortage, q
):
    params = {
        "demand": "normal(mean=50, sd=8)",
        "price": price,
        "cost": cost,
        "salvage": salvage,
        "holding": holding,
        "shortage": shortage,
    }
    try:
        res = MODEL.solve(params=params, fix=None if q is None else {"q": q})
    except ParameterError:
        return
    assert res.ok
    assert math.isfinite(res.profits["pi_R"])
    assert 0 < res.metrics["critical_ratio"] < 1


def test_saa_solver_failure_is_a_status_without_numbers(monkeypatch):
    from clsc.results import INFEASIBLE
    from clsc.stochastic import saa

    def failing(self, samples=None, overage=None, underage=None):
        return saa.SAASolution(INFEASIBLE, None, None, "the SAA program is infeasible")

    monkeypatch.setattr(saa.NewsvendorSAA, "solve", failing)
    res = MODEL.solve(params=NORMAL, method="saa", samples=50)
    assert res.status == INFEASIBLE and not res.ok
    assert res.decisions == {} and res.profits == {}
    assert "infeasible" in res.message
