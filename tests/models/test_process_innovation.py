"""process-innovation (seed 002): spec section 6 reference numbers through the game engine.

Closed forms come from the engine's sympy backward induction (exact rationals, compiled
evaluators); the same numbers are reproduced by the numeric nested best-response method.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from clsc.errors import ParameterError
from clsc.game.symbols import symbol
from clsc.models.process_innovation import ProcessInnovation
from clsc.results import CONDITION_FAILED, OPTIMAL

METHODS = ("closed-form", "numeric")
DEFAULTS = {"a": 100, "c0": 8, "cr": 7, "h": 5, "b": 2, "r": 2, "k": 6}


def close(computed: float, printed: float, decimals: int) -> bool:
    """Spec 1.4 tolerance rule."""
    return abs(computed - printed) <= 0.5 * 10 ** (-decimals) + 1e-9 * abs(printed)


@pytest.fixture(scope="module")
def model() -> ProcessInnovation:
    return ProcessInnovation()


# spec 6.9 Table 4 (theta = 1/2 in PM): mode -> w, x, q, p, pi_PB, pi_NEV, total (exact)
F = Fraction
expected_table4 = {
    "P": (F(1691, 23), F(85, 23), F(425, 46), F(4175, 46), F(36125, 92), F(180625, 2116),
          F(252875, 529)),
    "M": (F(936, 19), F(85, 38), F(425, 76), F(7175, 76), F(36125, 152), F(180625, 1444),
          F(1047625, 2888)),
    "PM": (F(598, 11), F(340, 77), F(850, 77), F(6850, 77), F(36125, 77), F(180625, 847),
           F(578000, 847)),
}  # fmt: skip
expected_table4_printed = {
    "P": (73.5217, 3.6957, 9.2391, 90.7609, 392.6630, 85.3615, 478.0246),
    "M": (49.2632, 2.2368, 5.5921, 94.4079, 237.6645, 125.0866, 362.7510),
    "PM": (54.3636, 4.4156, 11.0390, 88.9610, 469.1558, 213.2527, 682.4085),
}
KEYS = ("w", "x", "q", "p", "pi_PB", "pi_NEV", "total")


HALF = sp.Rational(1, 2)


def _exact_point(theta=HALF):
    subs = {symbol(k): sp.Integer(v) for k, v in DEFAULTS.items()}
    subs[symbol("theta")] = theta
    return subs


@pytest.mark.parametrize("mode", ["P", "M", "PM"])
def test_table4_exact_fractions(model, mode):
    exprs = model.symbolic(mode).expressions()
    subs = _exact_point()
    for key, expected in zip(KEYS, expected_table4[mode], strict=True):
        value = sp.nsimplify(exprs[key].xreplace(subs))
        assert value == sp.Rational(expected.numerator, expected.denominator), key


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["P", "M", "PM"])
def test_table4_printed(model, mode, method):
    r = model.solve(mode, method=method)
    assert r.status == OPTIMAL
    got = {**r.decisions, **r.profits}
    for key, e in zip(KEYS, expected_table4_printed[mode], strict=True):
        assert close(got[key], e, 4), (key, got[key], e)
    # spec 6.8: cr - r*x >= 0 is a FLAG only: -0.391 in P and -1.831 in PM
    assert any("cr - r*x" in f for f in r.flags) == (mode != "M")


def test_table4_ordering(model):
    # spec 6.9: at theta = 0.5, PM has the highest q, x and profits and the lowest p
    res = {m: model.solve(m) for m in ("P", "M", "PM")}
    for key in ("q", "x"):
        assert res["PM"].decisions[key] == max(r.decisions[key] for r in res.values())
    for key in ("pi_PB", "pi_NEV", "total"):
        assert res["PM"].profits[key] == max(r.profits[key] for r in res.values())
    assert res["PM"].decisions["p"] == min(r.decisions["p"] for r in res.values())


def test_existence_conditions_as_in_the_source(model):
    h, k, r, theta = (symbol(n) for n in ["h", "k", "r", "theta"])
    leader = {
        mode: [
            c.expr for c in model.symbolic(mode).conditions if c.name.startswith("PB: SOC minor 2")
        ]
        for mode in ("P", "M", "PM")
    }
    # spec 6.1 / 6.7 [TEXT]: (4+k)h - r^2 > 0, 2(2+k)h - r^2 > 0, 2h[2+k(1-θ)^2] + hkθ^2 - r^2 > 0
    expected_p = (4 + k) * h - r**2
    expected_m = 2 * (2 + k) * h - r**2
    expected_pm = 2 * h * (2 + k * (1 - theta) ** 2) + h * k * theta**2 - r**2
    assert sp.expand(leader["P"][0] - expected_p) == 0
    assert sp.expand(leader["M"][0] - expected_m) == 0
    assert sp.expand(leader["PM"][0] - expected_pm) == 0
    # and the stated difference Delta_M - Delta_PM = h k theta (4 - 3 theta)
    diff = leader["PM"][0].subs(theta, 0) - leader["PM"][0]
    assert sp.expand(diff - h * k * theta * (4 - 3 * theta)) == 0


def test_existence_failure_is_a_status(model):
    # (4+k)h - r^2 <= 0 in mode P: h = 1, k = 1, r = 3 -> 5 - 9 < 0
    bad = model.solve("P", params={"h": 1, "k": 1, "r": 3})
    assert bad.status == CONDITION_FAILED and not bad.decisions and not bad.profits
    assert "PB: SOC minor 2" in bad.message


def test_b_cancels_out(model):
    # spec 6.6: b cancels out of q, x, p and all profits; it only shifts w
    exprs = model.symbolic("PM").expressions()
    b = symbol("b")
    for key in ("q", "x", "p", "pi_PB", "pi_NEV", "total"):
        assert sp.simplify(sp.diff(exprs[key], b)) == 0, key
    assert sp.simplify(sp.diff(exprs["w"], b)) != 0


def _theta_function(model, method, key):
    if method == "closed-form":
        cs = model.compiled("PM")
        return lambda t: float(cs(**DEFAULTS, theta=t)[key])
    return lambda t: {**(r := model.solve("PM", params={"theta": t}, method=method)).decisions,
                      **r.profits}[key]  # fmt: skip


# spec 6.9: PB profit, q and x peak at 2/3, NEV at 0.479251, total at 0.592006
expected_peaks = {
    "pi_PB": (0.666667, 501.7361),
    "pi_NEV": (0.479251, 213.5956),
    "total": (0.592006, 698.1055),
    "q": (0.666667, 11.8056),
    "x": (0.666667, 4.7222),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("key", list(expected_peaks))
def test_theta_maximisers(model, method, key):
    f = _theta_function(model, method, key)
    # coarse bounded search, then the vertex of a least-squares parabola through nearby points
    # (robust to the ~1e-12 noise of nested numeric solves on a flat maximum)
    coarse = optimize.minimize_scalar(
        lambda t: -f(t), bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-5}
    ).x
    theta = coarse
    for half_width in (2e-3, 2e-4):
        ts = theta + np.linspace(-half_width, half_width, 7)
        c2, c1, _ = np.polyfit(ts - theta, [f(t) for t in ts], 2)
        theta = theta - c1 / (2 * c2)
    theta_star, peak = expected_peaks[key]
    assert close(theta, theta_star, 6)
    assert close(f(theta), peak, 4)


def test_pb_peak_exactly_two_thirds(model):
    theta = symbol("theta")
    pi_pb = (
        model.symbolic("PM")
        .profits["PB"]
        .xreplace({symbol(k): sp.Integer(v) for k, v in DEFAULTS.items()})
    )
    roots = sp.solve(sp.numer(sp.together(sp.diff(pi_pb, theta))), theta)
    assert sp.Rational(2, 3) in roots  # spec 6.6: D(theta) is minimised at theta = 2/3


# spec 6.9: PM > P for PB on (1/3, 1); for total on (0.175806, 1); PM > M for NEV on (0, 0.854757)
expected_thresholds = [
    ("pi_PB", "P", 1 / 3, (0.05, 0.6)),
    ("total", "P", 0.175806, (0.05, 0.5)),
    ("pi_NEV", "M", 0.854757, (0.6, 0.99)),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("key,other,expected,bracket", expected_thresholds)
def test_theta_thresholds(model, method, key, other, expected, bracket):
    base = model.solve(other, method=method).profits[key]
    f = _theta_function(model, method, key)
    root = optimize.brentq(lambda t: f(t) - base, *bracket, xtol=1e-10)
    assert close(root, expected, 6)


def test_pb_threshold_exactly_one_third(model):
    theta = symbol("theta")
    subs = {symbol(k): sp.Integer(v) for k, v in DEFAULTS.items()}
    gap = model.symbolic("PM").profits["PB"].xreplace(subs) - model.symbolic("P").profits[
        "PB"
    ].xreplace(subs)
    roots = sp.solve(sp.numer(sp.together(gap)), theta)
    assert sp.Rational(1, 3) in roots


# spec 6.9 Propositions 8-10: signs of d(w, p, q, x, pi_PB, pi_NEV)/d(h, r, k) (PM, theta = 0.5)
expected_signs = {
    "h": ("+", "+", "-", "-", "-", "-"),
    "r": ("-", "-", "+", "+", "+", "+"),
    "k": ("+", "+", "-", "-", "-", "-"),
}
SIGN_KEYS = ("w", "p", "q", "x", "pi_PB", "pi_NEV")


def _sign(v: float) -> str:
    return "+" if v > 0 else "-" if v < 0 else "0"


@pytest.mark.parametrize("param", list(expected_signs))
def test_derivative_signs_closed_form(model, param):
    exprs = model.symbolic("PM").expressions()
    subs = _exact_point()
    got = tuple(_sign(sp.diff(exprs[k], symbol(param)).xreplace(subs)) for k in SIGN_KEYS)
    assert got == expected_signs[param]


@pytest.mark.parametrize("param", list(expected_signs))
def test_derivative_signs_numeric(model, param):
    step = 1e-3 * DEFAULTS[param]

    def values(v):
        r = model.solve("PM", params={param: v}, method="numeric")
        return {**r.decisions, **r.profits}

    hi, lo = values(DEFAULTS[param] + step), values(DEFAULTS[param] - step)
    got = tuple(_sign((hi[k] - lo[k]) / (2 * step)) for k in SIGN_KEYS)
    assert got == expected_signs[param]


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["a", "c0", "cr", "h", "r", "k", "b", "theta"]),
    value=st.one_of(
        st.floats(max_value=-1e-9), st.just(float("inf")), st.text(alphabet="xyz!(", max_size=4)
    ),
)
def test_invalid_input_always_gives_parameter_error(model, name, value):
    with pytest.raises(ParameterError):
        model.solve("PM", params={name: value})


def test_theta_above_one_is_an_error(model):
    with pytest.raises(ParameterError, match="theta must be <= 1"):
        model.solve("PM", params={"theta": 1.5})
