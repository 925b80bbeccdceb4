"""Capacity limit q <= q_max and integer orders as options of the `buyback-effort` model."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.cli import main
from clsc.errors import ParameterError
from clsc.models import get_model

MODEL = get_model("buyback-effort")
BASE = {"p": 20.0, "w": 5.0, "b": 4.0, "v": 2.0, "cm": 1.0, "k": 10.0}
UNIFORM = "uniform(low=0, high=100)"
EXPONENTIAL = "exponential(mean=100)"
EQ_KEYS = ("q_N", "q_B", "S_N", "S_B", "e_B", "pi_R_N", "pi_R_B", "pi_M_N", "pi_M_B", "delta_R",
           "Gamma", "k_bar")  # fmt: skip


# ---- exact expected leftover S(q) = E[(q - D)+] written here ----------------------------------


def leftover_uniform(q, high=100.0):
    q = np.asarray(q, dtype=float)
    return np.where(q <= high, q * q / (2.0 * high), q - high / 2.0)


def leftover_exponential(q, mean=100.0):
    q = np.asarray(q, dtype=float)
    return q - mean * (1.0 - np.exp(-q / mean))


def pi_R(q, s, S, x=BASE):
    """(p - w)*q - (p - s)*S(q): R's expected profit with salvage/buyback s."""
    return (x["p"] - x["w"]) * q - (x["p"] - s) * S(q)


def brute_order(s, S, upper, integer=False):
    grid = np.arange(0.0, math.floor(upper) + 1.0) if integer else np.linspace(0, upper, 200_001)
    return float(grid[np.argmax(pi_R(grid, s, S))])


def by_hand(q_N, q_B, S, x=BASE):
    """Equilibrium numbers at given orders, from the model equations (1), (2), (6), (7)."""
    w, c, v, b, k = (x[n] for n in ("w", "cm", "v", "b", "k"))
    S_N, S_B = float(S(q_N)), float(S(q_B))
    es = np.linspace(0.0, 20.0, 400_001)
    m_B = (w - c) * q_B - b * S_B + (1 + es) * v * S_B - k * es**2  # M's effort by brute force
    e = float(es[np.argmax(m_B)])
    gamma = (b - v) * S_B - (w - c) * (q_B - q_N)
    return {
        "q_N": q_N,
        "q_B": q_B,
        "S_N": S_N,
        "S_B": S_B,
        "e_B": e,
        "pi_R_N": float(pi_R(q_N, v, S)),
        "pi_R_B": float(pi_R(q_B, b, S)),
        "pi_M_N": (w - c) * q_N,
        "pi_M_B": float(m_B.max()),
        "Gamma": gamma,
        "k_bar": math.inf if gamma <= 0 else v**2 * S_B**2 / (4 * gamma),
    }


def test_options_declared_and_documented():
    assert "q_max" in MODEL.options and "integer" in MODEL.options
    doc = sys.modules[MODEL.__module__].__doc__
    for word in ("q_max", "integer", "re-optimised", "k_bar", "Gamma"):
        assert word in doc


# ---- limiting cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["N", "B"])
@pytest.mark.parametrize("demand", [UNIFORM, EXPONENTIAL])
def test_slack_capacity_is_the_closed_form(scenario, demand):
    x = {**BASE, "demand": demand}
    free = MODEL.solve(scenario, params=x)
    lim = MODEL.solve(scenario, params=x, q_max=1e4)
    assert lim.status == free.status == "optimal"
    assert lim.decisions == pytest.approx(free.decisions, rel=1e-12)
    assert lim.profits == pytest.approx(free.profits, rel=1e-12)
    for key in ("S", *EQ_KEYS):
        assert lim.metrics[key] == pytest.approx(free.metrics[key], rel=1e-12), key
    assert [c.holds for c in lim.conditions[:4]] == [c.holds for c in free.conditions]
    assert lim.metrics["capacity_binding"] == 0.0 and lim.metrics["capacity_shadow_price"] == 0.0


@pytest.mark.parametrize("scenario", ["N", "B"])
def test_integer_when_the_orders_are_integers_is_the_closed_form(scenario):
    # F(q_N) = 12/18 and F(q_B) = 12/16 on U(0, 120): q_N = 80, q_B = 90
    x = {**BASE, "w": 8.0, "demand": "uniform(low=0, high=120)"}
    free = MODEL.solve(scenario, params=x)
    assert free.metrics["q_N"] == pytest.approx(80.0) and free.metrics["q_B"] == pytest.approx(90.0)
    lim = MODEL.solve(scenario, params=x, integer="true")
    assert lim.decisions == pytest.approx(free.decisions, rel=1e-12)
    assert lim.profits == pytest.approx(free.profits, rel=1e-12)
    for key in EQ_KEYS:
        assert lim.metrics[key] == pytest.approx(free.metrics[key], rel=1e-12), key


# ---- binding cases vs brute force -------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["N", "B"])
@pytest.mark.parametrize(
    ("demand", "S"), [(UNIFORM, leftover_uniform), (EXPONENTIAL, leftover_exponential)]
)
@pytest.mark.parametrize(("q_max", "integer"), [(50.0, False), (88.6, False), (70.5, True)])
def test_binding_orders_match_brute_force(scenario, demand, S, q_max, integer):
    x = {**BASE, "demand": demand}
    res = MODEL.solve(scenario, params=x, q_max=q_max, integer=integer)
    q_N = brute_order(BASE["v"], S, q_max, integer)
    q_B = brute_order(BASE["b"], S, q_max, integer)
    assert res.status == "optimal"
    tol = 0 if integer else 1e-3
    assert res.metrics["q_N"] == pytest.approx(q_N, abs=tol)
    assert res.metrics["q_B"] == pytest.approx(q_B, abs=tol)
    # recompute at the model's orders (grid error above) for the remaining numbers
    expected = by_hand(res.metrics["q_N"], res.metrics["q_B"], S)
    for key in ("S_N", "S_B", "pi_R_N", "pi_R_B", "pi_M_N", "Gamma", "k_bar"):
        assert res.metrics[key] == pytest.approx(expected[key], rel=1e-9), key
    assert res.metrics["e_B"] == pytest.approx(expected["e_B"], abs=1e-4)  # M re-optimises e
    assert res.metrics["pi_M_B"] == pytest.approx(expected["pi_M_B"], rel=1e-9)
    q = res.decisions["q"]
    assert q == res.metrics["q_N" if scenario == "N" else "q_B"]
    if scenario == "B":
        assert res.decisions["e"] == res.metrics["e_B"]
        assert res.profits["pi_M"] == pytest.approx(expected["pi_M_B"], rel=1e-9)
    k_bar = res.metrics["k_bar"]
    m_gains = {c.name: c for c in res.conditions}["M_gains"]
    assert m_gains.value == k_bar and m_gains.holds == (BASE["k"] <= k_bar)


def test_capacity_changes_the_managers_decision():
    # unconstrained: k = 10 <= k_bar = 41.779 (spec 9.9), M gains from the buyback
    free = MODEL.solve("B", params={**BASE, "demand": UNIFORM})
    assert free.metrics["k_bar"] == pytest.approx(41.779, abs=5e-4)
    res = MODEL.solve("B", params={**BASE, "demand": UNIFORM}, q_max=50)
    # q_N = q_B = 50: Gamma = (b - v)*S(50) = 2*12.5, k_bar = 4*12.5^2/(4*25) = 6.25 < k
    expected_k_bar = 6.25
    assert res.metrics["k_bar"] == pytest.approx(expected_k_bar, rel=1e-12)
    assert not {c.name: c for c in res.conditions}["M_gains"].holds
    expected_shadow = (20 - 5) - (20 - 4) * 0.5  # p - w - (p - b)*F(50)
    assert res.metrics["capacity_shadow_price"] == pytest.approx(expected_shadow, rel=1e-12)


# ---- sampled methods --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["mc", "saa"])
def test_sampled_methods_cap_both_orders(method):
    x = {**BASE, "demand": UNIFORM}
    closed = MODEL.solve("B", params=x, q_max=60, integer=True)
    opts = {"lp": "highspy"} if method == "saa" else {}
    res = MODEL.solve(
        "B", params=x, method=method, samples=20_000, seed=2, q_max=60, integer=True, **opts
    )
    assert res.status == "optimal"
    assert res.metrics["q_N"] == res.metrics["q_B"] == res.decisions["q"] == 60.0
    for key in ("e_B", "pi_M_B", "Gamma"):
        se = res.std_errors[key]
        assert abs(res.metrics[key] - closed.metrics[key]) <= 5 * se + 1e-9, key
    free = MODEL.solve("N", params=x, method=method, samples=20_000, seed=2, integer=True, **opts)
    assert float(free.decisions["q"]).is_integer()
    assert abs(free.decisions["q"] - 100 * 15 / 18) < 2.0


# ---- fixed orders, combinations and bad input -------------------------------------------------


def test_fixed_order_checks_and_effort_options():
    x = {**BASE, "demand": UNIFORM}
    with pytest.raises(ParameterError, match="q_max"):
        MODEL.solve("B", params=x, fix={"q": 60}, q_max=50)
    with pytest.raises(ParameterError, match="integer"):
        MODEL.solve("N", params=x, fix={"q": 40.5}, integer=True)
    with pytest.raises(ParameterError, match="gamma"):
        MODEL.solve("B", params=x, q_max=50, gamma=2)
    res = MODEL.solve("B", params=x, fix={"e": 1.0}, q_max=50)  # e fixed: q still capped
    assert res.status == "evaluated" and res.decisions == {"q": 50.0, "e": 1.0}


@settings(max_examples=30, deadline=None)
@given(value=st.one_of(st.floats(max_value=0.0), st.sampled_from(["x", "-1", "0", "nan", ""])))
def test_bad_q_max_is_a_parameter_error(value):
    with pytest.raises(ParameterError, match="q_max"):
        MODEL.solve("B", params={**BASE, "demand": UNIFORM}, q_max=value)


# ---- CLI --------------------------------------------------------------------------------------

CLI = ["solve", "buyback-effort", "--scenario", "B", "--set", "demand=uniform(low=0, high=100)",
       "--json"]  # fmt: skip


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_capacity_and_integer(capsys):
    code, out, err = run([*CLI, "--option", "q_max=50"], capsys)
    assert code == 0 and not err
    res = json.loads(out)
    assert res["decisions"] == {"q": 50.0, "e": pytest.approx(2 * 12.5 / 20)}
    code, out, err = run([*CLI, "--option", "integer=true"], capsys)
    assert code == 0 and json.loads(out)["decisions"]["q"] in (93.0, 94.0)
    code, out, err = run([*CLI, "--method", "mc", "--samples", "4000", "--option", "q_max=50"],
                         capsys)  # fmt: skip
    assert code == 0 and json.loads(out)["decisions"]["q"] == 50.0


@pytest.mark.parametrize("option", ["q_max=0", "q_max=-3", "integer=maybe"])
def test_cli_bad_option_is_exit_2_with_one_line(option, capsys):
    code, out, err = run([*CLI, "--option", option], capsys)
    assert code == 2 and not out
    assert option.split("=")[0] in err and len(err.strip().splitlines()) == 1
