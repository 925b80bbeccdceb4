"""sorting-collection (seed 003): spec 7 (scope sorting) and 8 (variant C) through the engine.

Every reference number of spec 7.10 is computed by the engine (``closed-form``: sympy backward
induction compiled to numpy; ``numeric``: nested best responses), compared with the printed
value by the spec-1.4 tolerance rule, and the two methods are cross-checked. The closed forms
of spec 7.7 appear only here, as an independent check (``hand_*``). Variant C
(``sorting="per_unit"``, spec 8) is at the end.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clsc.errors import ParameterError
from clsc.game.roots import thresholds
from clsc.game.statics import crossings, expression_function, sign_table
from clsc.models import get_model

MODES = ("N", "MR", "MC", "MRC")
DEFAULTS = dict(
    a=100.0, alpha=1.0, cn=50.0, cr=30.0, k=2000.0, Q0=50.0, g=500.0, delta=100.0, lam=1.0
)


def close(computed: float, printed: float, decimals: int) -> bool:
    """Spec 1.4: |computed - printed| <= 0.5*10^-d + 1e-9*|printed|."""
    return abs(computed - printed) <= 0.5 * 10.0**-decimals + 1e-9 * abs(printed)


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@pytest.fixture(scope="module")
def model():
    return get_model("sorting-collection")


def evaluate(model, mode, **params):
    """Compiled closed forms of ``mode`` on (arrays of) parameters, NaN where conditions fail."""
    cs = model.compiled(mode)
    values = {**DEFAULTS, **params}
    out = cs(**values)
    ok = cs.valid(out)
    return {k: np.where(ok, v, np.nan) for k, v in out.items()}


def values_of(result):
    assert result.ok, result.message
    return {**result.decisions, **result.profits, **result.metrics}


# ---------------------------------------------------------------------------------------------
# spec 7.10: equilibrium at delta = 100 (every printed cell), both methods

expected_delta_100 = {  # spec 7.10 "Equilibrium at delta = 100"
    "N": dict(
        w="70.1299",
        p="85.0649",
        q="14.9351",
        tau_m="0.3247",
        tau_c="0.1623",
        tau="0.4870",
        b="10.0000",
        s="0.1000",
        pi_M="621.8831",
        pi_R="223.0562",
        pi_C="52.7070",
        Pi_coal="621.8831",
        total="897.6463",
    ),
    "MR": dict(
        p="68.9189",
        q="31.0811",
        tau_m="0.4054",
        tau_c="0.2027",
        tau="0.6081",
        b="10.0000",
        s="0.1000",
        pi_C="82.1768",
        Pi_coal="1086.0811",
        total="1168.2579",
    ),
    "MC": dict(
        w="68.4211",
        p="84.2105",
        q="15.7895",
        tau_m="0.3289",
        tau_c="0.3289",
        tau="0.6579",
        s="0.2000",
        pi_R="249.3075",
        Pi_coal="743.6842",
        total="992.9917",
    ),
    "MRC": dict(
        p="66.6667",
        q="33.3333",
        tau_m="0.4167",
        tau_c="0.4167",
        tau="0.8333",
        s="0.2000",
        Pi_coal="1270.0000",
        total="1270.0000",
    ),
}
expected_absent = {
    "MR": ("w", "pi_M", "pi_R"),
    "MC": ("b", "pi_M", "pi_C"),
    "MRC": ("w", "b", "pi_M", "pi_R", "pi_C"),
}


@pytest.mark.parametrize("method", ["closed-form", "numeric"])
@pytest.mark.parametrize("mode", MODES)
def test_table_delta_100(model, mode, method):
    result = model.solve(mode, method=method)
    got = values_of(result)
    for key, printed in expected_delta_100[mode].items():
        assert close(got[key], float(printed), decimals(printed)), (mode, key, got[key], printed)
    for key in expected_absent.get(mode, ()):
        assert key not in got, (mode, key)
    assert not [f for f in result.flags if "fails" in f]  # p > w > cn holds at the defaults


def test_methods_agree_at_delta_100(model):
    for mode in MODES:
        cf = values_of(model.solve(mode))
        num = values_of(model.solve(mode, method="numeric"))
        for key, value in cf.items():
            assert num[key] == pytest.approx(value, rel=1e-6, abs=1e-6), (mode, key)


expected_delta_400 = {  # spec 7.10 "Equilibrium at delta = 400": s, pi_M, Pi_coal, total
    "N": dict(s="0.4000", pi_M="696.8831", Pi_coal="696.8831", total="972.6463"),
    "MR": dict(s="0.4000", Pi_coal="1161.0811", total="1243.2579"),
    "MC": dict(s="0.8000", Pi_coal="1043.6842", total="1292.9917"),
    "MRC": dict(s="0.8000", Pi_coal="1570.0000", total="1570.0000"),
}


@pytest.mark.parametrize("method", ["closed-form", "numeric"])
def test_table_delta_400(model, method):
    for mode, row in expected_delta_400.items():
        got = values_of(model.solve(mode, params={"delta": 400}, method=method))
        for key, printed in row.items():
            assert close(got[key], float(printed), decimals(printed)), (mode, key, got[key])
        # only s and the sorting terms change: the other decisions are those at delta = 100
        for key in ("p", "q", "tau"):
            assert close(got[key], float(expected_delta_100[mode][key]), 4)


expected_k_sweep = {  # spec 7.10 "k sweep (delta = 100)": tau N, MR, MC, MRC; total N..MRC
    1800: ("0.5435 0.6818 0.7353 0.9375", "947.82 1234.34 1053.74 1348.12"),
    2000: ("0.4870 0.6081 0.6579 0.8333", "897.65 1168.26 992.99 1270.00"),
    2500: ("0.3866 0.4787 0.5208 0.6522", "808.95 1052.70 886.16 1134.13"),
    3000: ("0.3205 0.3947 0.4310 0.5357", "750.95 977.99 816.67 1046.79"),
    4000: ("0.2389 0.2922 0.3205 0.3947", "679.67 887.10 731.70 941.05"),
    6000: ("0.1582 0.1923 0.2119 0.2586", "609.74 798.89 648.77 838.97"),
}


def test_k_sweep_closed_form(model):
    ks = np.array(sorted(expected_k_sweep), dtype=float)
    out = {mode: evaluate(model, mode, k=ks) for mode in MODES}
    for i, k in enumerate(ks):
        taus, totals = (row.split() for row in expected_k_sweep[int(k)])
        for j, mode in enumerate(MODES):
            assert close(out[mode]["tau"][i], float(taus[j]), 4), (k, mode)
            assert close(out[mode]["total"][i], float(totals[j]), 2), (k, mode)


def test_k_sweep_numeric_row(model):
    taus, totals = (row.split() for row in expected_k_sweep[1800])
    for j, mode in enumerate(MODES):
        got = values_of(model.solve(mode, params={"k": 1800}, method="numeric"))
        assert close(got["tau"], float(taus[j]), 4) and close(got["total"], float(totals[j]), 2)


expected_delta_sweep = {  # spec 7.10 "delta sweep (k = 2000)": totals N..MRC, G_MC - G_MR
    0: "892.65 1163.26 972.99 1250.00 -187.05",
    100: "897.65 1168.26 992.99 1270.00 -172.05",
    200: "912.65 1183.26 1052.99 1330.00 -127.05",
    300: "937.65 1208.26 1152.99 1430.00 -52.05",
    350: "953.90 1224.51 1217.99 1495.00 -3.30",
    400: "972.65 1243.26 1292.99 1570.00 52.95",
    500: "1017.65 1288.26 1472.99 1750.00 187.95",
}
GAIN_DIFF = "Pi_coal[MC] - pi_C[N] - Pi_coal[MR] + pi_R[N]"  # G_MC - G_MR (spec 7.7)


def test_delta_sweep_closed_form(model):
    deltas = np.array(sorted(expected_delta_sweep), dtype=float)
    out = {mode: evaluate(model, mode, delta=deltas) for mode in MODES}
    gain = expression_function(model, GAIN_DIFF, "delta")(deltas)
    for i, d in enumerate(deltas):
        printed = expected_delta_sweep[int(d)].split()
        for j, mode in enumerate(MODES):
            assert close(out[mode]["total"][i], float(printed[j]), 2), (d, mode)
        assert close(gain[i], float(printed[4]), 2), d


def test_delta_sweep_numeric_row(model):
    printed = expected_delta_sweep[350].split()
    got = {m: values_of(model.solve(m, params={"delta": 350}, method="numeric")) for m in MODES}
    for j, mode in enumerate(MODES):
        assert close(got[mode]["total"], float(printed[j]), 2), mode
    gain = got["MC"]["Pi_coal"] - got["N"]["pi_C"] - got["MR"]["Pi_coal"] + got["N"]["pi_R"]
    assert close(gain, float(printed[4]), 2)


# ---------------------------------------------------------------------------------------------
# spec 7.10: thresholds and bounds

expected_delta_M = 353.127  # spec 7.10: P7 threshold delta_M*
expected_delta_T = 356.152  # spec 7.10: P8 threshold delta_T*
expected_D0, expected_T0 = -187.0477, -190.2662  # spec 7.10


def test_thresholds_by_root_finding(model):
    p8 = crossings(model, "MC", "MR", "total", "delta", 0, 500)
    assert len(p8) == 1 and close(p8[0], expected_delta_T, 3)
    p7 = thresholds(expression_function(model, GAIN_DIFF, "delta"), 0, 500)
    assert len(p7) == 1 and close(p7[0], expected_delta_M, 3)
    # delta < 0 is not admissible (ERR): the mirror root -delta* is never reported
    mirrored = thresholds(expression_function(model, GAIN_DIFF, "delta"), -500, 500)
    assert mirrored == pytest.approx(p7, abs=1e-9)


def test_thresholds_match_the_quadratic_formula(model):
    # spec 7.7: delta* = sqrt(-4 g D0/(lam (lam + 2))), D0/T0 = the differences at delta = 0
    d0 = float(expression_function(model, GAIN_DIFF, "delta")(np.array([0.0]))[0])
    t0 = float(expression_function(model, "total[MC] - total[MR]", "delta")(np.array([0.0]))[0])
    assert close(d0, expected_D0, 4) and close(t0, expected_T0, 4)
    g, lam = DEFAULTS["g"], DEFAULTS["lam"]
    p7 = thresholds(expression_function(model, GAIN_DIFF, "delta"), 0, 500)[0]
    assert p7 == pytest.approx(math.sqrt(-4 * g * d0 / (lam * (lam + 2))), rel=1e-10)
    p8 = crossings(model, "MC", "MR", "total", "delta", 0, 500)[0]
    assert p8 == pytest.approx(math.sqrt(-4 * g * t0 / (lam * (lam + 2))), rel=1e-10)


def test_thresholds_numeric_method(model):
    # the numeric method brackets the same crossings (narrow interval: each point is a solve)
    p8 = crossings(model, "MC", "MR", "total", "delta", 355.0, 357.0, method="numeric", n_grid=3)
    assert len(p8) == 1 and close(p8[0], expected_delta_T, 3)
    gain = expression_function(model, GAIN_DIFF, "delta", method="numeric")
    low, high = gain(np.array([expected_delta_M - 0.0005, expected_delta_M + 0.0005]))
    assert low < 0 < high


def test_bounds_spec_7_10(model):
    # Assumption 4 requires k > 1700.0
    with pytest.raises(ParameterError, match="Assumption 4"):
        model.solve("N", params={"k": 1700})
    assert model.solve("N", params={"k": 1700.5}).ok
    # s <= 1 requires delta <= 500.0
    assert model.solve("MC", params={"delta": 500}).ok
    with pytest.raises(ParameterError, match="s <= 1"):
        model.solve("MC", params={"delta": 500.01})
    # P4 requires Q0 > 29.412 (FLAG only)
    assert not any("P4" in f for f in model.solve("N", params={"Q0": 29.42}).flags)
    flagged = model.solve("N", params={"Q0": 29.41})
    assert flagged.ok and any("P4" in f for f in flagged.flags)
    # the P7/P8 switch needs D0 < 0 and T0 < 0: true at the defaults
    assert not any("D0" in f for f in model.solve("N").flags)


# ---------------------------------------------------------------------------------------------
# Propositions P1-P8 (spec 7.10) through the engine


def test_p1_return_rates_fall_in_k(model):
    box = {"k": (1800.0, 6000.0), "Q0": (30.0, 200.0), "delta": (0.0, 200.0)}
    for mode in MODES:
        table = sign_table(model, mode, "k", box=box, n=64)
        for key in ("tau", "tau_m", "tau_c"):
            assert table.loc[key, "sign"] == "-", (mode, key, table.loc[key].to_dict())


def test_p3_demand_and_price_do_not_depend_on_g_or_delta(model):
    for mode in MODES:
        for wrt in ("g", "delta"):
            table = sign_table(model, mode, wrt)
            for key in ("q", "p", "tau", "b", "w"):
                if key in table.index:
                    assert table.loc[key, "sign"] == "0", (mode, wrt, key)
            assert table.loc["s", "sign"] == ("+" if wrt == "delta" else "-")


def test_p2_to_p8_orderings_at_defaults(model):
    got = {m: values_of(model.solve(m)) for m in MODES}
    check_propositions(got, delta=DEFAULTS["delta"])


def test_p7_is_an_exact_quadratic_in_delta(model):
    sols = {m: model.symbolic(m) for m in ("N", "MR", "MC")}
    expr = {m: sols[m].expressions() for m in sols}
    gain = expr["MC"]["Pi_coal"] - expr["N"]["pi_C"] - expr["MR"]["Pi_coal"] + expr["N"]["pi_R"]
    delta, g, lam = (
        sp.Symbol("delta", real=True),
        sp.Symbol("g", real=True),
        sp.Symbol("lam", real=True),
    )
    poly = sp.Poly(sp.cancel(gain), delta)
    assert poly.degree() == 2
    assert sp.simplify(poly.coeff_monomial(delta)) == 0
    assert sp.simplify(poly.coeff_monomial(delta**2) - lam * (lam + 2) / (4 * g)) == 0


def check_propositions(v, delta, tol=1e-9):
    """P2-P8 and the price conclusion on equilibrium values ``v[mode][key]`` (arrays allowed)."""
    w, q, tau, p, tot = (
        {m: v[m][k] for m in v if k in v[m]} for k in ("w", "q", "tau", "p", "total")
    )
    assert np.all(w["MC"] < w["N"])  # P2
    assert np.all((q["N"] < q["MC"]) & (q["MC"] < q["MR"]) & (q["MR"] < q["MRC"]))  # P3
    assert np.all((tau["MRC"] > tau["MC"]) & (tau["MC"] > tau["MR"]) & (tau["MR"] > tau["N"]))  # P4
    assert np.all(v["MC"]["Pi_coal"] > v["N"]["pi_M"] + v["N"]["pi_C"] - tol)  # P5
    assert np.all(v["MC"]["pi_R"] > v["N"]["pi_R"])
    assert np.all(v["MR"]["Pi_coal"] > v["N"]["pi_M"] + v["N"]["pi_R"] - tol)  # P6
    assert np.all(v["MR"]["pi_C"] > v["N"]["pi_C"])
    assert np.all(tot["N"] < np.minimum(tot["MR"], tot["MC"]))  # P8
    assert np.all(tot["MRC"] > np.maximum(tot["MR"], tot["MC"]))
    assert np.all((p["MRC"] < p["MR"]) & (p["MR"] < p["MC"]) & (p["MC"] < p["N"]))  # conclusion


def test_p7_p8_switch_direction(model):
    # MR preferred below the thresholds, MC above (spec 7.7)
    gain = expression_function(model, GAIN_DIFF, "delta")
    total = expression_function(model, "total[MC] - total[MR]", "delta")
    lo, hi = np.array([0.0, 300.0]), np.array([360.0, 500.0])
    assert np.all(gain(lo) < 0) and np.all(gain(hi) > 0)
    assert np.all(total(lo) < 0) and np.all(total(hi) > 0)


# property test (spec 7.10): P1-P8 on random parameter sets satisfying Assumption 4, the P4
# bound, D0 < 0, T0 < 0, s <= 1 and p > cn
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_property_propositions_hold_on_admissible_random_sets(model, seed):
    rng = np.random.default_rng(seed)
    n = 400
    a = rng.uniform(60, 200, n)
    alpha = rng.uniform(0.5, 2.0, n)
    cn = rng.uniform(0.2, 0.9, n) * a / alpha
    cr = cn * rng.uniform(0.3, 0.9, n)
    dlt, a0, q0 = cn - cr, a - alpha * cn, rng.uniform(0, 300, n)
    k = (alpha * dlt**2 + dlt * (a0 + 2 * q0)) / 2 * rng.uniform(1.01, 4.0, n)
    g, lam = rng.uniform(50, 1000, n), rng.uniform(0.05, 1.0, n)
    delta = rng.uniform(0, 1, n) * 2 * g / (1 + lam)
    params = dict(a=a, alpha=alpha, cn=cn, cr=cr, k=k, Q0=q0, g=g, lam=lam, delta=delta)
    v = {m: evaluate(model, m, **params) for m in MODES}
    d0 = v["MC"]["Pi_coal"] - v["N"]["pi_C"] - v["MR"]["Pi_coal"] + v["N"]["pi_R"]
    d0 -= lam * (lam + 2) * delta**2 / (4 * g)  # without the sorting terms (spec 7.7)
    t0 = v["MC"]["total"] - v["MR"]["total"] - lam * (lam + 2) * delta**2 / (4 * g)
    p4 = q0 > 2 * a0 / (4 - 3 * alpha * dlt**2 / k)
    keep = p4 & (d0 < 0) & (t0 < 0) & np.all([v[m]["p"] > cn for m in MODES], axis=0)
    keep &= np.all([np.isfinite(v[m]["total"]) for m in MODES], axis=0)
    assert keep.sum() > 0
    sub = {m: {key: arr[keep] for key, arr in v[m].items()} for m in MODES}
    check_propositions(sub, delta[keep])
    # P7: the switch in delta exists at delta* = sqrt(-4 g D0/(lam (lam + 2)))
    assert np.all(np.isfinite(np.sqrt(-4 * g[keep] * d0[keep] / (lam[keep] * (lam[keep] + 2)))))


# ---------------------------------------------------------------------------------------------
# spec 7.7 hand formulas as an independent check of the engine on random parameters


def hand_scope(a, alpha, cn, cr, k, Q0, g, delta, lam):
    """Spec 7.7 closed forms: q, E, tau_m, tau_c, s, p of every mode."""
    A0, D = a - alpha * cn, cn - cr
    y = alpha * D**2
    rows = {  # mode: (q numerator, denominator, E numerator, tau_c divisor, sorting scope n)
        "N": (4 * k * A0 + 3 * y * Q0, 16 * k - 3 * y, 4 * k * (A0 + 4 * Q0), 4, 1),
        "MR": (4 * k * A0 + 3 * y * Q0, 8 * k - 3 * y, 4 * k * (A0 + 2 * Q0), 4, 1),
        "MC": (k * A0 + y * Q0, 4 * k - y, k * (A0 + 4 * Q0), 2, 1 + lam),
        "MRC": (k * A0 + y * Q0, 2 * k - y, k * (A0 + 2 * Q0), 2, 1 + lam),
    }
    out = {}
    for mode, (qn, den, en, tc, n) in rows.items():
        q, E = qn / den, en / den
        out[mode] = dict(
            q=q,
            E=E,
            tau_m=D * E / (2 * k),
            tau_c=D * E / (tc * k),
            s=n * delta / (2 * g),
            p=(a - q) / alpha,
        )
    return out


@settings(max_examples=30, deadline=None)
@given(
    st.floats(60, 200), st.floats(0.5, 2), st.floats(0.2, 0.9), st.floats(0.3, 0.9),
    st.floats(1.05, 5), st.floats(0, 300), st.floats(50, 1000), st.floats(0, 1), st.floats(0.05, 1),
)  # fmt: skip
def test_engine_matches_hand_formulas(model, a, alpha, fc, fr, fk, Q0, g, fd, lam):
    cn = fc * a / alpha
    cr = cn * fr
    D, A0 = cn - cr, a - alpha * cn
    k = fk * (alpha * D**2 + D * (A0 + 2 * Q0)) / 2
    delta = fd * 2 * g / (1 + lam)
    params = dict(a=a, alpha=alpha, cn=cn, cr=cr, k=k, Q0=Q0, g=g, delta=delta, lam=lam)
    hand = hand_scope(**params)
    for mode in MODES:
        got = evaluate(model, mode, **params)
        for key, value in hand[mode].items():
            assert float(got[key]) == pytest.approx(value, rel=1e-9, abs=1e-9), (mode, key)


# ---------------------------------------------------------------------------------------------
# bad input: always a ParameterError naming the parameter and the rule, never a crash


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["a", "alpha", "cn", "cr", "k", "Q0", "g", "delta", "lam"]),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5)),
)
def test_bad_input_is_a_clear_parameter_error(model, name, value):
    try:
        result = model.solve("MRC", params={name: value})
    except ParameterError as exc:
        assert str(exc)
        return
    assert result.ok or result.status == "condition_failed"


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"cr": 60}, "cn > cr"),
        ({"a": 40}, "A0 = a - alpha\\*cn > 0"),
        ({"lam": 0}, "0 < lam <= 1"),
        ({"lam": 1.5}, "lam must be <= 1"),
        ({"Q0": -1}, "Q0 must be >= 0"),
        ({"sorting": "both"}, "sorting must be one of scope, per_unit"),
        ({"k": 1000}, "Assumption 4"),
    ],
)
def test_invalid_parameters(model, params, needle):
    with pytest.raises(ParameterError, match=needle):
        model.solve("N", params=params)


# ---------------------------------------------------------------------------------------------
# spec 8: variant C, sorting = "per_unit" (value per returned unit V = Delta + delta^2/(4g))

VARIANT_C = dict(sorting="per_unit", k=16000, Q0=200, g=20, delta=20)  # spec 8 reference set
expected_gain_C = {0: -112.549, 40: 11.938}  # spec 8: G_MC - G_MR at delta = 0 and 40
expected_total_C = {0: -112.756, 40: 11.417}  # spec 8: Total_MC - Total_MR
expected_switch_P7_C = 38.4424  # spec 8: P7 switch, by root finding
expected_switch_P8_C = 38.5098  # spec 8: P8 switch


def test_variant_c_differences_and_switches_closed_form(model):
    gain = expression_function(model, GAIN_DIFF, "delta", VARIANT_C)
    total = expression_function(model, "total[MC] - total[MR]", "delta", VARIANT_C)
    ends = np.array([0.0, 40.0])
    for i, d in enumerate(ends):
        assert close(gain(ends)[i], expected_gain_C[int(d)], 3)
        assert close(total(ends)[i], expected_total_C[int(d)], 3)
    p7 = thresholds(gain, 0, 40)
    p8 = crossings(model, "MC", "MR", "total", "delta", 0, 40, VARIANT_C)
    assert len(p7) == 1 and close(p7[0], expected_switch_P7_C, 4)
    assert len(p8) == 1 and close(p8[0], expected_switch_P8_C, 4)
    # not a quadratic in delta (spec 8): the scope model's formula does not give the switch
    g, lam = VARIANT_C["g"], 1.0
    assert abs(math.sqrt(-4 * g * gain(np.array([0.0]))[0] / (lam * (lam + 2))) - p7[0]) > 1


def test_variant_c_numeric_method(model):
    modes = ("N", "MR", "MC")
    at = {
        d: {
            m: values_of(model.solve(m, params={**VARIANT_C, "delta": d}, method="numeric"))
            for m in modes
        }
        for d in (0.0, 40.0, expected_switch_P7_C - 5e-5, expected_switch_P7_C + 5e-5)
    }
    for d, v in at.items():
        gain = v["MC"]["Pi_coal"] - v["N"]["pi_C"] - v["MR"]["Pi_coal"] + v["N"]["pi_R"]
        if d in expected_gain_C:
            assert close(gain, expected_gain_C[int(d)], 3)
            assert close(v["MC"]["total"] - v["MR"]["total"], expected_total_C[int(d)], 3)
        elif d < expected_switch_P7_C:
            assert gain < 0
        else:
            assert gain > 0
    p8 = crossings(
        model, "MC", "MR", "total", "delta", 38.4, 38.6, VARIANT_C, method="numeric", n_grid=3
    )
    assert len(p8) == 1 and close(p8[0], expected_switch_P8_C, 4)


def test_variant_c_methods_agree_and_propositions(model):
    cf = {m: values_of(model.solve(m, params=VARIANT_C)) for m in MODES}
    num = {m: values_of(model.solve(m, params=VARIANT_C, method="numeric")) for m in MODES}
    for m in MODES:
        for key, value in cf[m].items():
            assert num[m][key] == pytest.approx(value, rel=1e-6, abs=1e-6), (m, key)
    check_propositions(cf, VARIANT_C["delta"])  # P2-P6, P8 orderings hold (spec 8)
    # b* = V/2 with V = Delta + delta^2/(4g) (spec 8)
    V = 20 + VARIANT_C["delta"] ** 2 / (4 * VARIANT_C["g"])
    assert cf["N"]["b"] == pytest.approx(V / 2, rel=1e-12)
    assert cf["N"]["s"] == pytest.approx(VARIANT_C["delta"] / (2 * VARIANT_C["g"]), rel=1e-12)


def test_variant_c_mechanisms_and_no_strong_p3(model):
    # b, pi_R and pi_C rise with delta; q depends on delta (strong P3 fails); P1 still holds
    n_signs = sign_table(model, "N", "delta", VARIANT_C)
    for key in ("b", "pi_R", "pi_C", "q"):
        assert n_signs.loc[key, "sign"] == "+", key
    for mode in MODES:
        assert sign_table(model, mode, "k", VARIANT_C).loc["tau", "sign"] == "-", mode
    # lam has no effect in variant C
    base = model.solve("MC", params=VARIANT_C).profits["total"]
    assert model.solve("MC", params={**VARIANT_C, "lam": 0.3}).profits["total"] == base
    # s <= 1 reads delta <= 2g without the scope (1 + lam)
    assert model.solve("MC", params={**VARIANT_C, "delta": 40}).ok
    with pytest.raises(ParameterError, match="s <= 1"):
        model.solve("MC", params={**VARIANT_C, "delta": 40.5})


@pytest.mark.parametrize(
    "overrides", [{}, {"Q0": 400.0, "k": 9000.0}, {"alpha": 0.7, "cr": 20.0, "k": 5000.0}]
)
def test_switch_constants_formula_matches_the_engine(model, overrides):
    # the FLAG rule D0 < 0, T0 < 0 uses spec 7.7's closed-form table (no derivation in
    # validation); the engine's equilibria at delta = 0 give the same numbers
    from clsc.models.sorting_collection import switch_constants

    values = {**model.spec.defaults(), **overrides}
    at0 = {k: v for k, v in values.items() if k != "sorting"} | {"delta": 0.0}
    n, mr, mc = (model.compiled(s)(**at0) for s in ("N", "MR", "MC"))
    engine_d0 = float(mc["Pi_coal"] - n["pi_C"] - mr["Pi_coal"] + n["pi_R"])
    engine_t0 = float(mc["total"] - mr["total"])
    d0, t0 = switch_constants(values)
    assert d0 == pytest.approx(engine_d0, rel=1e-10) and t0 == pytest.approx(engine_t0, rel=1e-10)
