"""buyback-effort's effort variants as options of the model and from `clsc solve` (CLI)."""

from __future__ import annotations

import json
import sys

import pytest

from clsc.cli import main
from clsc.models import get_model

BASE = ["solve", "buyback-effort", "--scenario", "B", "--json"]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_effort_options_are_declared_and_documented():
    model = get_model("buyback-effort")
    for name in ("resale", "gamma", "effort_timing"):
        assert name in model.options
    text = sys.modules[model.__module__].__doc__
    for word in ("effort_timing", "ex-post", "gamma", "resale"):
        assert word in text


def test_cli_ex_post_gamma_one(capsys):
    code, out, err = run([*BASE, "--option", "effort_timing=ex-post"], capsys)
    assert code == 0 and not err
    res = json.loads(out)
    # U(0,100), (20,5,4,2,1), k = 10: q_B = 93.75, S = q^2/200, E[L^2] = q^3/300
    q = 93.75
    expected_pi_M = 4 * q - 2 * q * q / 200 + 4 * (q**3 / 300) / 40
    assert res["decisions"]["q"] == pytest.approx(q)
    assert res["profits"]["pi_M"] == pytest.approx(expected_pi_M, rel=1e-10)


def test_cli_resale_expression_and_gamma(capsys):
    code, out, _ = run([*BASE, "--option", "resale=v*(1+e)^gamma", "--option", "gamma=1"], capsys)
    assert code == 0
    # spec 9.9 row k = 10: e* = 4.3945 (printed to 4 decimals)
    assert abs(json.loads(out)["decisions"]["e"] - 4.3945) <= 0.5e-4
    code, out, _ = run([*BASE, "--option", "gamma=1.5", "--method", "mc", "--samples", "2000"],
                       capsys)  # fmt: skip
    assert code == 1 and json.loads(out)["status"] == "not_proven"  # non-ok status: exit 1


@pytest.mark.parametrize(
    "option", ["resale=exec('1')", "gamma=x", "effort_timing=during", "resale=v*(1+z)"]
)
def test_cli_bad_effort_option_is_exit_2(option, capsys):
    code, out, err = run([*BASE, "--option", option], capsys)
    assert code == 2 and not out
    assert option.split("=")[0] in err and len(err.strip().splitlines()) == 1
