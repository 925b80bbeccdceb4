"""joint-inventory stages 2 and 0: bargaining and formation tables of spec 4.9, end to end."""

from __future__ import annotations

import numpy as np
import pytest

from clsc.errors import ParameterError
from clsc.models import get_model

# stages 2 and 0 use clsc.coop and clsc.evolution (merged into main from their own branches)
pytest.importorskip("clsc.coop")
pytest.importorskip("clsc.evolution")

MODEL = get_model("joint-inventory")


def assert_printed(value: float, printed: str) -> None:
    """Spec 1.4: |computed - printed| <= 0.5*10^-d + 1e-9*|printed|."""
    d = len(printed.split(".")[1]) if "." in printed else 0
    assert abs(value - float(printed)) <= 0.5 * 10.0**-d + 1e-9 * abs(float(printed)), (
        value,
        printed,
    )


# spec 4.9 bargaining table: rule -> (savings, final costs)
EXPECTED_BARGAINING = {
    "nash": (("59.4146",) * 3, ("238.7574", "92.7012", "318.7516")),
    "alliance": (("70.1334", "70.1334", "37.9769"), ("228.0385", "81.9823", "340.1893")),
    "shapley": (("58.5735", "53.7289", "65.9413"), None),
}
EXPECTED_ALLIANCE_WA1 = (("60.6392", "60.6392", "56.9654"), ("237.5327", "91.4766", "321.2008"))

# spec 4.9 formation tables: (x, y) -> (det J, tr J, type)
EXPECTED_PENALTY = {
    (0, 0): ("1985.6774", "-89.1219", "ESS"),
    (1, 0): ("500.8804", "55.8013", "unstable"),
    (0, 1): ("5059.0163", "158.0912", "unstable"),
    (1, 1): ("1276.1198", "-124.7706", "ESS"),
}
EXPECTED_FREE_RIDING = {
    (0, 0): ("1985.6774", "-89.1219", "ESS"),
    (1, 0): ("-3867.6098", "-42.2328", "saddle"),
    (0, 1): ("690.5260", "60.0572", "unstable"),
    (1, 1): ("-1344.9744", "71.2975", "saddle"),
}


@pytest.fixture(scope="module")
def bargained():
    return MODEL.solve("bargaining", method="decomposition")


@pytest.fixture(scope="module")
def formed():
    return MODEL.solve("formation", method="decomposition")


def test_bargaining_table_reproduces_spec(bargained):
    assert bargained.ok
    table = bargained.table("bargaining").to_frame()
    for rule, (savings, finals) in EXPECTED_BARGAINING.items():
        mine = table[table["rule"] == rule]
        for value, text in zip(mine["saving_share"], savings, strict=True):
            assert_printed(value, text)
        if finals:
            for value, text in zip(mine["final_cost"], finals, strict=True):
                assert_printed(value, text)
        assert mine["in_core"].all()  # spec 4.9: all allocations lie in the core
        assert abs(mine["transfer"].sum()) < 1e-9  # transfers sum to 0
        assert mine["saving_share"].sum() == pytest.approx(bargained.metrics["saving"])
    assert_printed(bargained.metrics["saving"], "178.244")
    assert_printed(bargained.metrics["alpha_up"], "0.7869")


def test_alliance_weight_one():
    res = MODEL.solve("bargaining", method="decomposition", params={"w_alliance": 1})
    mine = res.table("bargaining").to_frame().query("rule == 'alliance'")
    savings, finals = EXPECTED_ALLIANCE_WA1
    for value, text in zip(mine["saving_share"], savings, strict=True):
        assert_printed(value, text)
    for value, text in zip(mine["final_cost"], finals, strict=True):
        assert_printed(value, text)


def test_no_agreement_is_a_status():
    """Prohibitive moves and a 5-scenario SAA: the joint stocks do worse out of sample than
    the exact separate optimum, S < 0, so there is nothing to share (spec 4.6)."""
    tau = ((0, 1000, 1000), (1000, 0, 1000), (1000, 1000, 0))
    params = {"tau_move": tau, "n_scenarios": 5}
    res = MODEL.solve("bargaining", method="decomposition", params=params)
    assert res.metrics["saving"] < 0
    assert str(res.status) == "no_agreement" and not res.decisions
    assert "no gain to share" in res.message
    table = res.table("bargaining").to_frame().query("rule != 'shapley'")
    d = np.tile([298.1719, 152.1158, 378.1662], 2)  # the disagreement point, spec 4.9
    np.testing.assert_allclose(table["final_cost"], d, atol=5e-5)
    assert (table["saving_share"] == 0).all() and table["transfer"].isna().all()
    formed = MODEL.solve("formation", method="decomposition", params=params)
    assert str(formed.status) == "no_agreement"


def _check_points(res, expected):
    points = res.table("formation_rest_points").to_frame()
    for (x, y), (det, tr, kind) in expected.items():
        row = points[(points["x"] == x) & (points["y"] == y)].iloc[0]
        assert_printed(row["det"], det)
        assert_printed(row["trace"], tr)
        assert row["type"] == kind


def test_formation_with_penalty_reproduces_spec(formed):
    assert formed.ok
    _check_points(formed, EXPECTED_PENALTY)
    assert_printed(formed.metrics["G"], "178.244")
    assert_printed(formed.metrics["alpha_up"], "0.7869")
    assert_printed(formed.metrics["x_star"], "0.7986")
    assert_printed(formed.metrics["y_star"], "0.2819")
    assert_printed(formed.metrics["polyline_basin"], "0.4598")
    assert_printed(formed.metrics["basin_11"], "0.5312")
    assert_printed(formed.metrics["basin_00"], "0.4688")
    assert formed.metrics["basin_unsettled"] == 0
    assert all(c.holds for c in formed.conditions)


def test_formation_free_riding_reproduces_spec(formed):
    G = formed.metrics["G"]
    params = {"E_u": 0.45 * G, "E_d": 0.45 * G, "penalty": 0.0}
    res = MODEL.solve("formation", method="decomposition", params=params)
    _check_points(res, EXPECTED_FREE_RIDING)
    assert_printed(res.metrics["basin_00"], "1.0000")
    assert not all(c.holds for c in res.conditions)


@pytest.mark.parametrize(
    ("sets", "expected_message"),
    [
        ({"weights": (1, 0, 1)}, r"weights\[1\] must be > 0"),
        ({"w_alliance": 0}, "w_alliance must be > 0"),
        ({"alpha_up": 1.5}, "alpha_up must be <= 1"),
        ({"beta_up": -0.1}, "beta_up must be >= 0"),
        ({"C_run": 0}, "C_run must be > 0"),
        ({"alliance": (1, 2, 3)}, "alliance must leave at least one node outside"),
        ({"alliance": (1, 5)}, "alliance must name distinct nodes"),
    ],
)
def test_bad_stage2_input(sets, expected_message):
    with pytest.raises(ParameterError, match=expected_message):
        MODEL.solve("formation", params=sets)


def test_cli_bargaining(cli):
    code, out, err = cli(
        "solve", "joint-inventory", "--scenario", "bargaining", "--method", "decomposition",
        "--set", "alliance=1,2", "--set", "weights=1,1,1", "--set", "n_scenarios=300",
        "--set", "n_eval=2000", "--json",
    )  # fmt: skip
    assert code == 0, err
    import json

    data = json.loads(out)
    table = data["tables"]["bargaining"]
    assert set(table["rule"]) == {"nash", "alliance", "shapley"}
    assert np.isclose(sum(table["transfer"][:3]), 0.0, atol=1e-9)
