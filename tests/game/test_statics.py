"""Comparative statics, thresholds and maximisers on plain sympy expressions and callables.

The closed forms below are the spec's hand-written formulas (spec 6.6 for process-innovation,
7.7 for sorting-collection, 8 for its variant C), used here only as independent inputs to the
generic root finders and sign tests; the model tests run the same numbers through the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.errors import ParameterError
from clsc.game.roots import maximisers, minimisers, thresholds, vectorised
from clsc.game.statics import classify, derivative_sign, sample_box


def close(computed: float, printed: float, decimals: int) -> bool:
    """Spec 1.4 tolerance rule."""
    return abs(computed - printed) <= 0.5 * 10.0**-decimals + 1e-9 * abs(printed)


# ---------------------------------------------------------------------------------------------
# spec 6.6: process-innovation, PM mode as a function of theta (P: theta=1, M: theta=0)
a, c0, cr, h, r, k, b, th = sp.symbols("a c0 cr h r k b theta", real=True)
A = a - c0 - cr
D = 4 + 2 * k * (1 - th) ** 2 + k * th**2
Dl = h * D - r**2
Q = A * h / Dl
PI = {
    "w": a - c0 + b * (1 - th) - (2 + k * (1 - th) ** 2) * Q,
    "p": a - Q,
    "q": Q,
    "x": r * A / Dl,
    "pi_PB": A**2 * h / (2 * Dl),
    "pi_NEV": (1 + k * (1 - th) ** 2 / 2) * Q**2,
}
PI["total"] = PI["pi_PB"] + PI["pi_NEV"]
DEFAULTS_002 = {"a": 100, "c0": 8, "cr": 7, "h": 5, "b": 2, "r": 2, "k": 6}


def pi_002(key: str, theta=None):
    """Vectorised function of theta (or the value at a fixed theta) at the spec-6.9 defaults."""
    expr = PI[key].subs({sp.Symbol(n, real=True): v for n, v in DEFAULTS_002.items()})
    if theta is not None:
        return float(expr.subs(th, theta))
    return sp.lambdify(th, expr, "numpy")


def test_process_innovation_maximisers_spec_6_9():
    expected = {  # spec 6.9 theta results: (argmax, decimals, max, decimals)
        "pi_PB": (2 / 3, 6, 501.7361, 4),
        "pi_NEV": (0.479251, 6, 213.5956, 4),
        "total": (0.592006, 6, 698.1055, 4),
    }
    for key, (x_star, dx, v_star, dv) in expected.items():
        ext = maximisers(pi_002(key), 0.0, 1.0)
        assert close(ext.x, x_star, dx), (key, ext)
        assert close(ext.value, v_star, dv), (key, ext)
    # q and x peak, p is lowest, at 2/3
    assert close(maximisers(pi_002("q"), 0, 1).x, 2 / 3, 6)
    assert close(maximisers(pi_002("x"), 0, 1).x, 2 / 3, 6)
    ext = minimisers(pi_002("p"), 0, 1)
    assert close(ext.x, 2 / 3, 6)
    assert close(maximisers(pi_002("q"), 0, 1).value, 11.8056, 4)


def test_process_innovation_maximiser_is_root_of_spec_cubic():
    # spec 6.9: the NEV peak is the root in (0,1) of 3hk t^3 - 9hk t^2 + (8hk+8h+r^2) t - ...
    hh, rr, kk = 5, 2, 6
    coeffs = [
        3 * hh * kk,
        -9 * hh * kk,
        8 * hh * kk + 8 * hh + rr**2,
        -2 * hh * kk - 4 * hh - rr**2,
    ]
    roots = [z.real for z in np.roots(coeffs) if abs(z.imag) < 1e-12 and 0 < z.real < 1]
    assert len(roots) == 1
    assert maximisers(pi_002("pi_NEV"), 0, 1).x == pytest.approx(roots[0], abs=1e-8)


def test_process_innovation_thresholds_spec_6_9():
    def diff(key, other_theta):
        f, base = pi_002(key), pi_002(key, other_theta)
        return lambda t: f(t) - base

    # PB: PM > P on (1/3, 1); at theta = 1 PM is P (touching/end root)
    roots = thresholds(diff("pi_PB", 1.0), 0.0, 1.0)
    assert close(roots[0], 1 / 3, 6) and close(roots[-1], 1.0, 9) and len(roots) == 2
    # total: PM > P on (0.175806, 1)
    roots = thresholds(diff("total", 1.0), 0.0, 0.99)
    assert len(roots) == 1 and close(roots[0], 0.175806, 6)
    # NEV: PM > M on (0, 0.854757); theta = 0 is M itself
    roots = thresholds(diff("pi_NEV", 0.0), 0.01, 1.0)
    assert len(roots) == 1 and close(roots[0], 0.854757, 6)
    # independent check: the spec's cubic 675t^3 - 1800t^2 + 1979t - 798
    cubic = [z.real for z in np.roots([675, -1800, 1979, -798]) if abs(z.imag) < 1e-12]
    assert roots[0] == pytest.approx(cubic[0], abs=1e-9)


# spec 6.9 Propositions 8-10 (PM at theta = 0.5)
expected_props_8_10 = {
    "h": {"w": "+", "p": "+", "q": "-", "x": "-", "pi_PB": "-", "pi_NEV": "-"},
    "r": {"w": "-", "p": "-", "q": "+", "x": "+", "pi_PB": "+", "pi_NEV": "+"},
    "k": {"w": "+", "p": "+", "q": "-", "x": "-", "pi_PB": "-", "pi_NEV": "-"},
}


@pytest.mark.parametrize("param", ["h", "r", "k"])
def test_propositions_8_10_signs_exact_and_over_a_box(param):
    point = {**DEFAULTS_002, "theta": 0.5}
    box = {"h": (3.0, 10.0), "r": (0.5, 3.0), "k": (2.0, 10.0)}
    for key, expected in expected_props_8_10[param].items():
        at_point = derivative_sign(PI[key], param, point=point)
        assert at_point.how == "exact" and at_point.sign == expected, key
        over_box = derivative_sign(PI[key], param, point=point, box=box, n=128)
        assert over_box.sign == expected, key
        assert over_box.how == "symbolic" or over_box.n_points >= 128
        sampled = derivative_sign(PI[key], param, point=point, box=box, n=128, symbolic=False)
        assert (sampled.sign, sampled.how) == (expected, "numeric"), key


def test_symbolic_sign_with_aggregate_positive_symbols():
    # spec 7.7 / P1: tau_N = 3*Delta*E/(4k), E = 4k(A0 + 4Q0)/(16k - 3 alpha Delta^2); with the
    # SOC written as a positive symbol S = 16k - 3 alpha Delta^2 the sign is provable.
    Delta, A0, Q0, kk, S = sp.symbols("Delta A0 Q0 k S", positive=True)
    tau = 3 * Delta * (A0 + 4 * Q0) / (16 * kk - 3 * Delta**2)
    res = derivative_sign(tau, "k")  # -48 Delta (A0 + 4 Q0) / (16k - 3 Delta^2)^2
    assert (res.sign, res.how) == ("-", "symbolic")
    res = derivative_sign(tau, "Delta")  # 3(A0 + 4Q0)(16k + 3 Delta^2)/(16k - 3 Delta^2)^2
    assert (res.sign, res.how) == ("+", "symbolic")
    tau_s = 3 * Delta * (A0 + 4 * Q0) / S
    res = derivative_sign(tau_s, "S")
    assert (res.sign, res.how) == ("-", "symbolic")
    assert derivative_sign(A0 * Delta**2 + Q0, "Q0").sign == "+"
    assert derivative_sign(A0 * Delta + Q0, "k") == derivative_sign(sp.Integer(0), "k")
    assert derivative_sign(A0 * Delta + Q0, "k").sign == "0"


def test_symbolic_sign_respects_box_below_zero():
    x, y = sp.symbols("x y", real=True)
    # d/dx (x*y) = y: positive only if y > 0; with a box reaching below zero it is mixed
    assert derivative_sign(x * y, "x").how == "symbolic"
    res = derivative_sign(x * y, "x", box={"y": (-1.0, 1.0)})
    assert (res.sign, res.how) == ("mixed", "numeric")


def test_where_restricts_the_sampled_points():
    x, y = sp.symbols("x y", real=True)
    box = {"x": (0.0, 2.0), "y": (-1.0, 1.0)}
    res = derivative_sign(x * y, "x", box=box, where=lambda v: v["y"] > 0.1)
    assert res.sign == "+" and 0 < res.n_points < len(sample_box(box)["x"])
    none = derivative_sign(x * y, "x", box=box, where=lambda v: v["y"] > 5)
    assert none.how == "none" and none.n_points == 0


def test_missing_values_give_a_clear_error():
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(ParameterError, match="give a value or a box"):
        derivative_sign(x * y - x**2, "x")
    with pytest.raises(ParameterError, match="lo <= hi"):
        derivative_sign(x * y, "x", box={"y": (1.0, -1.0)})


def test_callable_sign_by_finite_differences():
    f = pi_002("pi_PB")
    assert derivative_sign(lambda theta: f(theta), "theta", box={"theta": (0.0, 0.6)}).sign == "+"
    assert derivative_sign(lambda theta: f(theta), "theta", box={"theta": (0.7, 1.0)}).sign == "-"
    assert (
        derivative_sign(lambda theta: f(theta), "theta", box={"theta": (0.5, 0.8)}).sign == "mixed"
    )

    def scalar_only(theta, a):
        return float(a) * math.cos(float(theta))

    res = derivative_sign(scalar_only, "a", point={"theta": 0.3}, box={"a": (1.0, 2.0)}, n=16)
    assert res.sign == "+"
    assert derivative_sign(lambda x: 0 * x + 3.0, "x", point={"x": 1.0}).sign == "0"


def test_classify():
    assert classify(np.array([1.0, 2.0]), 0.0) == "+"
    assert classify(np.array([-1.0, 0.0]), 0.0) == "-"
    assert classify(np.array([1e-14, -1e-14]), 1e-12) == "0"
    assert classify(np.array([1.0, -1.0]), 0.0) == "mixed"


# ---------------------------------------------------------------------------------------------
# roots: edge cases and invariants


def test_thresholds_edge_cases():
    assert thresholds(lambda x: x**2 + 1, -1, 1) == []
    assert thresholds(lambda x: (x - 0.5) ** 2, 0, 1) == [pytest.approx(0.5, abs=1e-6)]
    # two roots hidden between grid points
    roots = thresholds(lambda x: (x - 0.5) ** 2 - 1e-8, 0, 1, n_grid=11)
    assert roots == [pytest.approx(0.5 - 1e-4, abs=1e-9), pytest.approx(0.5 + 1e-4, abs=1e-9)]
    # non-finite region (an existence condition fails) is skipped, never bracketed
    with np.errstate(all="ignore"):
        roots = thresholds(lambda x: np.where(x < 0.2, np.nan, x - 0.6), 0, 1)
    assert roots == [pytest.approx(0.6, abs=1e-12)]
    # a scalar-only function
    assert thresholds(lambda x: math.sin(x), 1, 4) == [pytest.approx(math.pi, abs=1e-12)]
    assert vectorised(lambda x: 2.0)(np.zeros(3)).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("bad", [(1.0, 1.0), (2.0, 1.0), (0.0, math.inf), (math.nan, 1.0)])
def test_bad_interval_is_a_parameter_error(bad):
    with pytest.raises(ParameterError, match="lo < hi"):
        thresholds(lambda x: x, *bad)
    with pytest.raises(ParameterError, match="lo < hi"):
        maximisers(lambda x: x, *bad)


def test_maximiser_at_the_boundary_and_nan():
    assert maximisers(lambda x: x, 0, 1).x == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="not finite"):
        maximisers(lambda x: np.full_like(x, np.nan), 0, 1)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-9.5, 9.5), min_size=1, max_size=4, unique=True).filter(
        lambda rs: all(abs(u - v) > 1e-3 for i, u in enumerate(rs) for v in rs[i + 1 :])
    )
)
def test_thresholds_find_every_simple_root(roots):
    found = thresholds(lambda x: np.prod([x - z for z in roots], axis=0), -10, 10)
    assert found == pytest.approx(sorted(roots), abs=1e-9)


# ---------------------------------------------------------------------------------------------
# the same seed-002 numbers through the game engine (process-innovation model), both methods


@pytest.fixture(scope="module")
def pi_model():
    from clsc.models import get_model

    return get_model("process-innovation")


@pytest.mark.parametrize(("method", "n_grid"), [("closed-form", 2001), ("numeric", 11)])
def test_engine_maximisers_spec_6_9(pi_model, method, n_grid):
    from clsc.game.roots import scenario_function

    expected = {
        "pi_PB": (2 / 3, 501.7361),
        "pi_NEV": (0.479251, 213.5956),
        "total": (0.592006, 698.1055),
    }
    for key, (x_star, v_star) in expected.items():
        f = scenario_function(pi_model, "PM", key, "theta", method=method)
        ext = maximisers(f, 0.0, 1.0, n_grid=n_grid)
        assert close(ext.x, x_star, 6 if method == "closed-form" else 4), (key, ext)
        assert close(ext.value, v_star, 4), (key, ext)


def test_engine_crossings_spec_6_9(pi_model):
    from clsc.game.statics import crossings

    pb = crossings(pi_model, "PM", "P", "pi_PB", "theta", 0.0, 0.99)
    total = crossings(pi_model, "PM", "P", "total", "theta", 0.0, 0.99)
    nev = crossings(pi_model, "PM", "M", "pi_NEV", "theta", 0.01, 1.0)
    assert len(pb) == len(total) == len(nev) == 1
    assert close(pb[0], 1 / 3, 6) and close(total[0], 0.175806, 6) and close(nev[0], 0.854757, 6)
    # the numeric method (one solve per point) on narrow brackets
    num = crossings(pi_model, "PM", "M", "pi_NEV", "theta", 0.85, 0.86, method="numeric", n_grid=3)
    assert len(num) == 1 and close(num[0], 0.854757, 5)


@pytest.mark.parametrize("method", ["closed-form", "numeric"])
def test_engine_sign_table_propositions_8_10(pi_model, method):
    from clsc.game.statics import sign_table

    for param, row in expected_props_8_10.items():
        table = sign_table(pi_model, "PM", param, method=method)
        assert {k: table.loc[k, "sign"] for k in row} == row, (param, method)
    box = {"h": (3.0, 10.0), "r": (0.5, 3.0), "k": (2.0, 10.0)}
    table = sign_table(
        pi_model, "PM", "k", box=box, method=method, n=32 if method == "closed-form" else 4
    )
    assert {k: table.loc[k, "sign"] for k in expected_props_8_10["k"]} == expected_props_8_10["k"]
