"""The newsvendor variants as options of the model and from `clsc solve` (CLI)."""

from __future__ import annotations

import json
import sys

import pytest

from clsc.cli import main
from clsc.models import get_model

BASE = ["solve", "newsvendor", "--set", "price=10", "--set", "cost=4", "--set", "salvage=1",
        "--set", "demand=uniform(low=0, high=100)", "--json"]  # fmt: skip


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_variant_options_are_declared_and_documented():
    model = get_model("newsvendor")
    for name in ("alpha", "q_max", "integer", "demand_model", "a", "slope", "elasticity"):
        assert name in model.options
    text = sys.modules[model.__module__].__doc__
    for word in ("q_max", "integer", "alpha", "demand_model", "CVaR"):
        assert word in text


def test_cli_cvar_closed_form(capsys):
    code, out, err = run([*BASE, "--option", "alpha=0.5"], capsys)
    assert code == 0 and not err
    res = json.loads(out)
    expected_q = 100 * 0.5 * (10 - 4) / (10 - 1)  # Gotoh & Takano: F^-1(beta*(p-c)/(p-v))
    assert res["decisions"]["q"] == pytest.approx(expected_q)


def test_cli_cvar_saa_with_integer_capacity(capsys):
    argv = [*BASE, "--method", "saa", "--samples", "500", "--option", "alpha=0.3",
            "--option", "q_max=30.5", "--option", "integer=true"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == 0 and not err
    res = json.loads(out)
    assert res["decisions"]["q"] == 30.0  # unconstrained CVaR order ~ 46.7 > 30


def test_cli_capacity_and_integer(capsys):
    code, out, _ = run([*BASE, "--option", "q_max=40"], capsys)
    assert code == 0 and json.loads(out)["decisions"]["q"] == 40.0
    code, out, _ = run([*BASE, "--option", "integer=yes"], capsys)
    # risk-neutral q* = 100*(6/9) = 66.67; profit 6q - 9q^2/200 is larger at 67 than at 66
    assert code == 0 and json.loads(out)["decisions"]["q"] == 67.0


def test_cli_price_dependent_demand(capsys):
    argv = ["solve", "newsvendor", "--set", "price=60", "--set", "cost=10",
            "--set", "demand=normal(mean=0, sd=1e-7)", "--option", "demand_model=additive",
            "--option", "a=100", "--option", "slope=2", "--json"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == 0 and not err
    expected_price = (100 + 2 * 10) / (2 * 2)  # monopoly price (a + b*c)/(2b)
    assert json.loads(out)["decisions"]["price"] == pytest.approx(expected_price, abs=1e-4)


@pytest.mark.parametrize(
    "option", ["alpha=1.5", "q_max=-3", "integer=maybe", "demand_model=cubic", "alpha=abc"]
)
def test_cli_bad_option_is_exit_2_with_one_line(option, capsys):
    code, out, err = run([*BASE, "--option", option], capsys)
    name = option.split("=")[0]
    assert code == 2 and not out
    assert name in err and len(err.strip().splitlines()) == 1
