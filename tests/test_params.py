"""Parameter declarations: coercion from text, bounds, rules, clear errors."""

import math

import pytest

from clsc.errors import ParameterError
from clsc.params import Param, ParamSpec, Rule, ordered

SPEC = ParamSpec(
    params=(
        Param("p", 20.0),
        Param("w", 5.0),
        Param("v", 2.0),
        Param("k", 10.0, lower=0, strict=True),
        Param("n", 3, kind="int", lower=1),
        Param("mode", "scope", kind="choice", choices=("scope", "per_unit")),
        Param("mu", (1.0, 2.0), kind="vector"),
    ),
    rules=(
        Rule(("w", "v", "p"), "must satisfy v < w < p", ordered(["v", "w", "p"])),
        Rule(("p",), "should not exceed 100 (flag)", lambda d: d["p"] <= 100, cls="FLAG"),
    ),
)


def test_defaults_and_text_coercion():
    values, flags = SPEC.resolve({"p": "30", "n": "4", "mode": "per_unit", "mu": "[1, 2.5]"})
    assert values["p"] == 30.0 and values["n"] == 4 and values["mode"] == "per_unit"
    assert values["mu"] == (1.0, 2.5)
    assert flags == ()


def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(ParameterError, match="unknown parameter 'q'; valid parameters: p, w, v"):
        SPEC.resolve({"q": 1})


def test_bound_message_names_parameter_rule_value():
    with pytest.raises(ParameterError, match=r"^k must be > 0; got k=-1$"):
        SPEC.resolve({"k": "-1"})


def test_rule_message_shows_involved_values():
    with pytest.raises(ParameterError, match=r"^w must satisfy v < w < p; got w=1, v=2, p=20$"):
        SPEC.resolve({"w": 1})


def test_flag_rule_is_recorded_not_raised():
    _, flags = SPEC.resolve({"p": 200})
    assert flags == ("p should not exceed 100 (flag); got p=200",)


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("p", "abc", "p: "),
        ("p", "nan", "p"),
        ("p", math.inf, "finite"),
        ("p", "1e308", "must have magnitude <= 1e\\+100"),
        ("n", "2.5", "integer"),
        ("mode", "other", "must be one of scope, per_unit"),
        ("mu", "[1, 'a']", "must be a number"),
    ],
)
def test_bad_values(name, value, match):
    with pytest.raises(ParameterError, match=match):
        SPEC.resolve({name: value})


def test_required_parameter():
    spec = ParamSpec(params=(Param("demand", kind="text"),))
    with pytest.raises(ParameterError, match="parameter 'demand' is required"):
        spec.resolve({})
