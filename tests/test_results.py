"""Result objects are frozen data with JSON-safe dicts and one-row frames."""

import json
import math

import pytest

from clsc.results import CONDITION_FAILED, OPTIMAL, Condition, Result


def make(status=OPTIMAL):
    return Result(
        model="m",
        scenario="B",
        method="closed-form",
        status=status,
        params={"k": 10.0},
        decisions={"q": 93.75},
        profits={"pi_R": 703.125},
        metrics={"k_bar": math.inf},
        conditions=(Condition("soc", "k > 0", 10.0, True),),
    )


def test_to_dict_is_json_safe():
    d = make().to_dict()
    text = json.dumps(d)
    assert json.loads(text)["metrics"]["k_bar"] == "inf"
    assert d["conditions"][0] == {
        "name": "soc",
        "expression": "k > 0",
        "value": 10.0,
        "holds": True,
        "kind": "SOC",
    }


def test_frozen_mappings():
    r = make()
    with pytest.raises(TypeError):
        r.decisions["q"] = 1.0


def test_to_frame_one_row():
    frame = make().to_frame()
    assert len(frame) == 1
    assert frame.loc[0, "q"] == 93.75 and frame.loc[0, "profit.pi_R"] == 703.125


def test_ok_and_failed_conditions():
    r = Result(
        "m",
        None,
        "closed-form",
        CONDITION_FAILED,
        conditions=(Condition("soc", "4k > a", -1.0, False),),
    )
    assert not r.ok
    assert [c.name for c in r.failed_conditions] == ["soc"]
    assert make().ok
