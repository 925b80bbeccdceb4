"""Nash and alliance bargaining: closed forms, a numeric check, spec 4.9, no agreement."""

from __future__ import annotations

import numpy as np
import pytest
from coop_reference import rounding_tolerance
from scipy.optimize import minimize

from clsc.coop import alliance_bargaining, nash_bargaining
from clsc.errors import ParameterError
from clsc.results import Status

D = [298.1719, 152.1158, 378.1662]  # spec 4.9: separate costs d_i to 4 dp
C_N, C_12 = 650.210, 385.975  # spec 4.9: C(N), C({1,2}) to 3 dp
HALF = [0.00005] * 3 + [0.0005, 0.0005]  # rounding half-widths of (d, C(N), C({1,2}))


def nash_product_optimum(total, d, w):
    """Maximise sum_i w_i log(d_i - x_i) s.t. sum x = total numerically (cost form)."""
    d, w = np.asarray(d, float), np.asarray(w, float)
    res = minimize(
        lambda x: -np.sum(w * np.log(np.maximum(d - x, 1e-300))),
        d - (d.sum() - total) / len(d),
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - total}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert res.success
    return res.x


@pytest.mark.parametrize("seed", range(5))
def test_closed_form_maximises_the_nash_product(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    d = rng.uniform(50, 150, n)
    w = rng.uniform(0.5, 3, n)
    total = d.sum() - rng.uniform(5, 40)
    r = nash_bargaining(total, d, w)
    assert r.status == Status.OPTIMAL and r.ok
    np.testing.assert_allclose(r.allocation, nash_product_optimum(total, d, w), atol=1e-5)
    assert r.allocation.sum() == pytest.approx(total)
    np.testing.assert_allclose(r.gains / w, r.surplus / w.sum())
    # the value form is the cost form of the negated numbers
    v = nash_bargaining(-total, -d, w, kind="value")
    np.testing.assert_allclose(v.allocation, -r.allocation)
    np.testing.assert_allclose(v.gains, r.gains)


def test_equal_weights_split_equally_and_weights_scale_free():
    r = nash_bargaining(10.0, [8.0, 6.0])
    np.testing.assert_allclose(r.gains, [2.0, 2.0])
    np.testing.assert_allclose(r.allocation, [6.0, 4.0])
    np.testing.assert_allclose(nash_bargaining(10.0, [8.0, 6.0], [3, 1]).gains, [3.0, 1.0])
    np.testing.assert_allclose(nash_bargaining(10.0, [8.0, 6.0], [6, 2]).gains, [3.0, 1.0])
    value = nash_bargaining(14.0, [8.0, 2.0], kind="value")
    np.testing.assert_allclose(value.allocation, [10.0, 4.0])


def spec_rows(x):
    d, c_n, c_12 = x[:3], x[3], x[4]
    three = nash_bargaining(c_n, d)
    a2 = alliance_bargaining(c_n, d, c_12, alliance=(1, 2))
    a1 = alliance_bargaining(c_n, d, c_12, alliance=(1, 2), alliance_weight=1)
    return np.concatenate(
        [r.gains for r in (three, a2, a1)] + [r.allocation for r in (three, a2, a1)]
    )


def test_spec_49_bargaining_table():
    # expected: spec 4.9 bargaining table (printed from unrounded inputs; rounded here)
    expected = np.array(
        [
            59.4146,
            59.4146,
            59.4146,  # three parties: savings
            70.1334,
            70.1334,
            37.9769,  # alliance, w_A = 2
            60.6392,
            60.6392,
            56.9654,  # alliance, w_A = 1
            238.7574,
            92.7012,
            318.7516,  # final costs
            228.0385,
            81.9823,
            340.1893,
            237.5327,
            91.4766,
            321.2008,
        ]
    )
    inputs = [*D, C_N, C_12]
    tol = rounding_tolerance(spec_rows, inputs, HALF, 0.00005)
    got = spec_rows(np.array(inputs))
    assert np.all(np.abs(got - expected) <= tol), np.c_[got, expected, tol]
    assert np.all(tol < 0.0015)
    expected_surplus = 178.244  # spec 4.9: S
    assert nash_bargaining(C_N, D).surplus == pytest.approx(expected_surplus, abs=0.0007)


def test_alliance_details_and_frame():
    a = alliance_bargaining(C_N, D, C_12)
    assert a.alliance == (1, 2) and a.alliance_weight == 2.0 and a.alliance_threat == C_12
    s_prime = C_12 + D[2] - C_N
    assert a.surplus == pytest.approx(s_prime)
    assert a.alliance_total == pytest.approx(C_12 - 2 * s_prime / 3)
    assert a.alliance_surplus == pytest.approx(D[0] + D[1] - a.alliance_total)
    assert a.allocation.sum() == pytest.approx(C_N)
    frame = a.to_frame()
    assert frame["in_alliance"].tolist() == [True, True, False]
    assert frame["allocation"].sum() == pytest.approx(C_N)
    assert set(frame["status"]) == {"optimal"}


@pytest.mark.parametrize("seed", range(4))
def test_alliance_of_one_is_plain_nash(seed):
    rng = np.random.default_rng(seed)
    n = 4
    d, w = rng.uniform(10, 20, n), rng.uniform(1, 2, n)
    total = d.sum() - 7.0
    i = int(rng.integers(1, n + 1))
    a = alliance_bargaining(total, d, d[i - 1], alliance=(i,), weights=w)
    np.testing.assert_allclose(a.allocation, nash_bargaining(total, d, w).allocation)


def test_general_alliance_sums_and_inner_split():
    d, w = np.array([10.0, 12.0, 9.0, 15.0]), np.array([1.0, 2.0, 1.0, 3.0])
    a = alliance_bargaining(36.0, d, 20.0, alliance=(4, 2), weights=w, kind="cost")
    assert a.alliance == (2, 4) and a.allocation.sum() == pytest.approx(36.0)
    inside = a.gains[[1, 3]]
    np.testing.assert_allclose(inside / w[[1, 3]], a.alliance_surplus / 5.0)
    value = alliance_bargaining(-36.0, -d, -20.0, alliance=(2, 4), weights=w, kind="value")
    np.testing.assert_allclose(value.allocation, -a.allocation)


def test_no_agreement_returns_the_disagreement_point():
    r = nash_bargaining(20.0, [8.0, 6.0])
    assert r.status == Status.NO_AGREEMENT and not r.ok and r.surplus == -6.0
    np.testing.assert_array_equal(r.allocation, [8.0, 6.0])
    np.testing.assert_array_equal(r.gains, [0.0, 0.0])
    assert nash_bargaining(14.0, [8.0, 6.0]).status == Status.NO_AGREEMENT  # S = 0
    # the alliance's threat is so good that the others cannot gain: S' <= 0
    a = alliance_bargaining(20.0, [10.0, 10.0, 5.0], 15.0)
    assert a.status == Status.NO_AGREEMENT and "surplus" in a.message
    np.testing.assert_array_equal(a.allocation, [10.0, 10.0, 5.0])
    # the alliance is worse than its members alone and the deal does not make up for it
    inner = alliance_bargaining(24.0, [10.0, 10.0, 5.0], 24.0)
    assert inner.surplus > 0 and inner.status == Status.NO_AGREEMENT
    assert inner.alliance_surplus <= 0 and "S_A" in inner.message


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: nash_bargaining(1.0, [1.0, 2.0], [1.0, 0.0]), "weights"),
        (lambda: nash_bargaining(1.0, [1.0, 2.0], [1.0]), "weights"),
        (lambda: nash_bargaining(1.0, [1.0, float("nan")]), "disagreement"),
        (lambda: nash_bargaining(float("inf"), [1.0, 2.0]), "total"),
        (lambda: nash_bargaining(1.0, []), "disagreement"),
        (lambda: nash_bargaining(1.0, [1.0], kind="profit"), "kind"),
        (lambda: alliance_bargaining(1.0, D, 2.0, alliance=(1, 4)), "alliance"),
        (lambda: alliance_bargaining(1.0, D, 2.0, alliance=(1, 1)), "alliance"),
        (lambda: alliance_bargaining(1.0, D, 2.0, alliance=(1, 2, 3)), "alliance"),
        (lambda: alliance_bargaining(1.0, D, 2.0, alliance_weight=0), "alliance_weight"),
        (lambda: alliance_bargaining(1.0, D, "x"), "alliance_total"),
    ],
)
def test_bad_input(call, name):
    with pytest.raises(ParameterError) as err:
        call()
    assert err.value.name == name
