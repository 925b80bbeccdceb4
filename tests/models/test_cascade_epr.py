"""cascade-epr (seed 001): spec section 5 reference numbers through the game engine.

Every table row is computed by both the compiled closed form and the numeric method.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from clsc.errors import ParameterError
from clsc.game.symbols import symbol
from clsc.models.cascade_epr import CascadeEPR
from clsc.results import CONDITION_FAILED, OPTIMAL

METHODS = ("closed-form", "numeric")


def close(computed: float, printed: float, decimals: int) -> bool:
    """Spec 1.4 tolerance rule."""
    return abs(computed - printed) <= 0.5 * 10 ** (-decimals) + 1e-9 * abs(printed)


@pytest.fixture(scope="module")
def model() -> CascadeEPR:
    return CascadeEPR()


# spec 5.10 Table 1 (D; b = 8, delta = 20; B sweeps 8..20): B, w, p1, q, t, pi_R, pi_M, total
expected_table1 = [
    (8, 40.0000, 45.0000, 10.0000, 0.0000, 50.0000, 100.0000, 150.0000),
    (9, 39.7165, 44.8454, 10.3093, 0.0258, 53.0078, 103.0928, 156.1005),
    (10, 39.4681, 44.6809, 10.6383, 0.0532, 56.0208, 106.3830, 162.4038),
    (11, 39.2582, 44.5055, 10.9890, 0.0824, 59.0206, 109.8901, 168.9108),
    (12, 39.0909, 44.3182, 11.3636, 0.1136, 61.9835, 113.6364, 175.6198),
    (13, 38.9706, 44.1176, 11.7647, 0.1471, 64.8789, 117.6471, 182.5260),
    (14, 38.9024, 43.9024, 12.1951, 0.1829, 67.6681, 121.9512, 189.6193),
    (15, 38.8924, 43.6709, 12.6582, 0.2215, 70.3012, 126.5823, 196.8835),
    (16, 38.9474, 43.4211, 13.1579, 0.2632, 72.7147, 131.5789, 204.2936),
    (17, 39.0753, 43.1507, 13.6986, 0.3082, 74.8264, 136.9863, 211.8127),
    (18, 39.2857, 42.8571, 14.2857, 0.3571, 76.5306, 142.8571, 219.3878),
    (19, 39.5896, 42.5373, 14.9254, 0.4104, 77.6899, 149.2537, 226.9436),
    (20, 40.0000, 42.1875, 15.6250, 0.4688, 78.1250, 156.2500, 234.3750),
]

# spec 5.10 Table 2 (B = delta = 20; b sweeps 5..17):
# b, w, p1, p1 - b, q, t, pi_R, pi_M, total, p1* (C), t* (C), Pi* (C)
expected_table2 = [
    (5, 40.0, 38.5714, 33.5714, 22.8571, 0.8571, 114.2857, 228.5714, 342.8571, 27.1429, 1.7143, 457.1429),  # noqa: E501
    (6, 40.0, 40.1961, 34.1961, 19.6078, 0.6863, 98.0392, 196.0784, 294.1176, 30.3922, 1.3725, 392.1569),  # noqa: E501
    (7, 40.0, 41.3420, 34.3420, 17.3160, 0.5628, 86.5801, 173.1602, 259.7403, 32.6840, 1.1255, 346.3203),  # noqa: E501
    (8, 40.0, 42.1875, 34.1875, 15.6250, 0.4688, 78.1250, 156.2500, 234.3750, 34.3750, 0.9375, 312.5000),  # noqa: E501
    (9, 40.0, 42.8315, 33.8315, 14.3369, 0.3943, 71.6846, 143.3692, 215.0538, 35.6631, 0.7885, 286.7384),  # noqa: E501
    (10, 40.0, 43.3333, 33.3333, 13.3333, 0.3333, 66.6667, 133.3333, 200.0000, 36.6667, 0.6667, 266.6667),  # noqa: E501
    (11, 40.0, 43.7304, 32.7304, 12.5392, 0.2821, 62.6959, 125.3918, 188.0878, 37.4608, 0.5643, 250.7837),  # noqa: E501
    (12, 40.0, 44.0476, 32.0476, 11.9048, 0.2381, 59.5238, 119.0476, 178.5714, 38.0952, 0.4762, 238.0952),  # noqa: E501
    (13, 40.0, 44.3020, 31.3020, 11.3960, 0.1994, 56.9801, 113.9601, 170.9402, 38.6040, 0.3989, 227.9202),  # noqa: E501
    (14, 40.0, 44.5055, 30.5055, 10.9890, 0.1648, 54.9451, 109.8901, 164.8352, 39.0110, 0.3297, 219.7802),  # noqa: E501
    (15, 40.0, 44.6667, 29.6667, 10.6667, 0.1333, 53.3333, 106.6667, 160.0000, 39.3333, 0.2667, 213.3333),  # noqa: E501
    (16, 40.0, 44.7917, 28.7917, 10.4167, 0.1042, 52.0833, 104.1667, 156.2500, 39.5833, 0.2083, 208.3333),  # noqa: E501
    (17, 40.0, 44.8849, 27.8849, 10.2302, 0.0767, 51.1509, 102.3018, 153.4527, 39.7698, 0.1535, 204.6036),  # noqa: E501
]  # fmt: skip

# spec 5.10 contract example: phi, ws, pi_R^s, pi_M^s
expected_contract = [
    (0.52, 21.0000, 78.1250, 234.3750),
    (0.54, 21.3750, 87.8906, 224.6094),
    (0.56, 21.7500, 97.6562, 214.8438),
    (0.58, 22.1250, 107.4219, 205.0781),
    (0.60, 22.5000, 117.1875, 195.3125),
    (0.62, 22.8750, 126.9531, 185.5469),
    (0.64, 23.2500, 136.7188, 175.7812),
    (0.66, 23.6250, 146.4844, 166.0156),
    (0.68, 24.0000, 156.2500, 156.2500),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("row", expected_table1, ids=lambda r: f"B={r[0]}")
def test_table1_decentralised(model, method, row):
    B, *values = row
    r = model.solve("decentralised", params={"B_subsidy": B}, method=method)
    assert r.status == OPTIMAL
    got = [r.decisions[k] for k in ("w", "p1", "q", "tau")]
    got += [r.profits[k] for k in ("pi_R", "pi_M", "total")]
    for g, e in zip(got, values, strict=True):
        assert close(g, e, 4), (got, values)
    assert r.condition("w > p2").holds  # spec 5.8: w** in [38.89, 40] > p2 in every row


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("row", expected_table2, ids=lambda r: f"b={r[0]}")
def test_table2_decentralised_and_centralised(model, method, row):
    b, w, p1, net, q, t, pi_r, pi_m, total, p1_c, t_c, pi_c = row
    d = model.solve("decentralised", params={"b": b}, method=method)
    c = model.solve("centralised", params={"b": b}, method=method)
    assert d.status == c.status == OPTIMAL
    for got, e in [
        (d.decisions["w"], w),
        (d.decisions["p1"], p1),
        (d.decisions["p1"] - b, net),
        (d.decisions["q"], q),
        (d.decisions["tau"], t),
        (d.profits["pi_R"], pi_r),
        (d.profits["pi_M"], pi_m),
        (d.profits["total"], total),
        (c.decisions["p1"], p1_c),
        (c.decisions["tau"], t_c),
        (c.profits["Pi_MR"], pi_c),
    ]:
        assert close(got, e, 4), (got, e)
    # spec 5.8: t <= 1 is a FLAG in C (fails for b <= 7), never a cap or an error
    assert any("tau <= 1" in f for f in c.flags) == (b <= 7)


@pytest.mark.parametrize("method", METHODS)
def test_text_numbers_p1_minus_b(model, method):
    # spec 5.1 [TEXT]: p1 - b = 27.88 at b = 17 and 33.57 at b = 5 (Table 2: 27.8849, 33.5714)
    expected = {17: 27.8849, 5: 33.5714}
    for b, e in expected.items():
        r = model.solve("decentralised", params={"b": b}, method=method)
        assert close(r.decisions["p1"] - b, e, 4)


@pytest.mark.parametrize("method", METHODS)
def test_contract_table_and_pareto_range(model, method):
    c = model.solve("centralised", method=method)
    d = model.solve("decentralised", method=method)
    # spec 5.10 contract example: C and D at b = 8, B = delta = 20; efficiency 75.00 %
    assert close(c.decisions["p1"], 34.3750, 4) and close(c.decisions["q"], 31.2500, 4)
    assert close(c.decisions["tau"], 0.93750, 5) and close(c.profits["Pi_MR"], 312.5, 4)
    assert close(100 * d.metrics["efficiency"], 75.00, 2)
    for phi, ws, pi_r, pi_m in expected_contract:
        r = model.solve("revenue-sharing", params={"phi": phi}, method=method)
        assert r.status == OPTIMAL
        assert close(r.decisions["ws"], ws, 4)
        assert close(r.profits["pi_R"], pi_r, 4) and close(r.profits["pi_M"], pi_m, 4)
        assert close(r.profits["total"], 312.5, 4)  # the contract coordinates
        assert close(r.decisions["p1"], c.decisions["p1"], 9)
        # spec 5.10: Pareto range phi in [0.52, 0.68]
        assert close(r.metrics["phi_low"], 0.52, 2) and close(r.metrics["phi_high"], 0.68, 2)


def test_pareto_range_exact_and_ws_line(model):
    sol = model.symbolic("revenue-sharing")
    names = ["a", "alpha", "b", "delta", "k", "phi", "cm"]
    a, alpha, b, delta, k, phi, cm = (symbol(n) for n in names)
    # spec 5.6: Pareto range 1/4 + 3*alpha*d^2/(16k) <= phi <= 1/2 + alpha*d^2/(8k)
    d = delta - b
    expected_low = sp.Rational(1, 4) + 3 * alpha * d**2 / (16 * k)
    expected_high = sp.Rational(1, 2) + alpha * d**2 / (8 * k)
    assert sp.simplify(sol.quantities["phi_low"] - expected_low) == 0
    assert sp.simplify(sol.quantities["phi_high"] - expected_high) == 0
    # spec 5.10: ws = 11.25 + 18.75*phi at the defaults
    ws = sol.quantities["ws"].subs({a: 100, alpha: 2, cm: 30, b: 8, delta: 20, k: 200})
    assert sp.expand(ws - (sp.Rational(45, 4) + sp.Rational(75, 4) * phi)) == 0


def _same_sign_condition(cond: sp.Expr, expected: sp.Expr, assumptions: dict) -> bool:
    """cond = c * expected with c a positive constant (or positive under the assumptions)."""
    ratio = sp.cancel(cond / expected)
    pos = {s: sp.Symbol(s.name, positive=True) for s in ratio.free_symbols}
    return bool(ratio.xreplace(pos).is_positive)


def test_theorem1_and_second_order_conditions(model):
    names = ["alpha", "b", "B_subsidy", "delta", "k", "phi"]
    alpha, b, B, delta, k, phi = (symbol(n) for n in names)
    socs = {
        sc: [c.expr for c in model.symbolic(sc).conditions if c.kind == "SOC"]
        for sc in model.scenarios
    }
    # spec 5.7 Theorem 1 [TEXT]: 4k > alpha (delta - b)^2 (centralised)
    theorem1 = 4 * k - alpha * (delta - b) ** 2
    assert any(_same_sign_condition(c, theorem1, {}) for c in socs["centralised"])
    # D: R's SOC 4k > alpha (B - b)^2 and M's SOC K = 4k - alpha (B - b)(delta - b) > 0
    assert any(
        _same_sign_condition(c, 4 * k - alpha * (B - b) ** 2, {}) for c in socs["decentralised"]
    )
    K = 4 * k - alpha * (B - b) * (delta - b)
    assert any(_same_sign_condition(c, K, {}) for c in socs["decentralised"])
    # RS: phi > alpha (delta - b)^2 / (4k) (0.36 at the defaults)
    assert any(
        _same_sign_condition(c, 4 * k * phi - alpha * (delta - b) ** 2, {})
        for c in socs["revenue-sharing"]
    )


@pytest.mark.parametrize("method", ["closed-form"])
def test_rs_soc_threshold_status(model, method):
    # spec 5.7: R's SOC under RS needs phi > 0.36 at the defaults
    bad = model.solve("revenue-sharing", params={"phi": 0.35}, method=method)
    assert bad.status == CONDITION_FAILED
    assert "R: SOC minor 2" in bad.message and not bad.decisions and not bad.profits
    assert model.solve("revenue-sharing", params={"phi": 0.37}, method=method).ok


def test_rs_numeric_below_soc_is_unbounded(model):
    r = model.solve("revenue-sharing", params={"phi": 0.30}, method="numeric")
    assert r.status == "unbounded" and not r.decisions


def test_theorem1_failure_is_a_status(model):
    # 4k < alpha (delta - b)^2: k = 50, b = 8, delta = 20 -> 200 < 288
    r = model.solve("centralised", params={"k": 50})
    assert r.status == CONDITION_FAILED and not r.decisions and not r.profits
    assert "MR: SOC minor 2" in r.message


def test_flags(model):
    r = model.solve("decentralised")  # B = 20 > p3 = 18: Assumption 4 is a FLAG only
    assert r.ok and any("B_subsidy" in f for f in r.flags)
    r = model.solve("decentralised", params={"B_subsidy": 15})
    assert not any("B_subsidy" in f for f in r.flags)


def test_fixed_wholesale_price_is_evaluated(model):
    # R's reaction to w (spec 5.6): q(w) = 2k(a - alpha w)/(4k - alpha m^2), t = m q/(2k)
    w, k, a, alpha, m = 42.0, 200.0, 100.0, 2.0, 12.0
    q = 2 * k * (a - alpha * w) / (4 * k - alpha * m**2)
    for method in METHODS:
        r = model.solve("decentralised", fix={"w": w}, method=method)
        assert r.status == "evaluated"
        assert r.decisions["q"] == pytest.approx(q, rel=1e-9)
        assert r.decisions["tau"] == pytest.approx(m * q / (2 * k), rel=1e-9)


def test_vectorised_evaluation_matches_solve(model):
    B = np.linspace(8, 20, 13)
    out = model.evaluate("decentralised", B_subsidy=B)
    assert out["w"].shape == (13,)
    for row, w in zip(expected_table1, out["w"], strict=True):
        assert close(float(w), row[1], 4)


def test_bad_parameters_raise_clear_errors(model):
    with pytest.raises(ParameterError, match="p2 must satisfy p2 > p3"):
        model.solve("decentralised", params={"p2": 10})
    with pytest.raises(ParameterError, match="B_subsidy must satisfy b <= B_subsidy <= delta"):
        model.solve("decentralised", params={"B_subsidy": 25})
    with pytest.raises(ParameterError, match="a must satisfy a - alpha\\*cm > 0"):
        model.solve("centralised", params={"a": 50})


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["a", "alpha", "cm", "k", "b", "theta", "p2"]),
    value=st.one_of(
        st.floats(max_value=0.0), st.just(float("nan")), st.text(alphabet="xyz!@(", max_size=5)
    ),
)
def test_invalid_input_always_gives_parameter_error(model, name, value):
    with pytest.raises(ParameterError):
        model.solve("decentralised", params={name: value})
