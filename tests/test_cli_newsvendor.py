"""`clsc solve newsvendor` end to end through clsc.cli.main (in process)."""

from __future__ import annotations

import json

import pytest
from scipy import stats

BASE = (
    "solve",
    "newsvendor",
    "--set",
    "demand=normal(mean=50, sd=8)",
    "--set",
    "holding=0.18",
    "--set",
    "shortage=0.70",
)


def test_closed_form_json(cli):
    code, out, err = cli(*BASE, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["model"] == "newsvendor" and data["method"] == "closed-form"
    assert data["status"] == "optimal"
    z = stats.norm.ppf(0.70 / 0.88)
    assert data["decisions"]["q"] == pytest.approx(50 + 8 * z)
    assert data["profits"]["pi_R"] == pytest.approx(-(0.88 * 8 * stats.norm.pdf(z)))
    assert set(data["metrics"]) >= {
        "sales",
        "leftover",
        "lost_sales",
        "profit",
        "cost",
        "critical_ratio",
        "fill_rate",
    }
    names = {c["name"] for c in data["conditions"]}
    assert "critical_ratio" in names
    for cond in data["conditions"]:
        assert set(cond) >= {"name", "expression", "value", "holds"}


def test_fixed_q_json(cli):
    code, out, _ = cli(*BASE, "--fix", "q=86", "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "evaluated"
    assert data["decisions"] == {"q": 86.0}
    assert data["metrics"]["leftover"] == pytest.approx(36.0, abs=1e-3)  # P(D > 86) ~ 3e-6


def test_mc_json_carries_standard_errors(cli):
    code, out, _ = cli(*BASE, "--method", "mc", "--samples", "5000", "--seed", "3", "--json")
    data = json.loads(out)
    assert code == 0 and data["method"] == "mc"
    assert {"pi_R", "profit", "cost", "q"} <= set(data["std_errors"])
    again = json.loads(
        cli(*BASE, "--method", "mc", "--samples", "5000", "--seed", "3", "--json")[1]
    )
    assert again["decisions"] == data["decisions"] and again["metrics"] == data["metrics"]


def test_mc_sampling_option_and_table_output(cli):
    code, out, _ = cli(
        *BASE,
        "--method",
        "mc",
        "--samples",
        "4096",
        "--option",
        "sampling=sobol",
        "--option",
        "replicates=8",
    )
    assert code == 0
    assert "method=mc" in out and "(se " in out


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--set", "holding=-1", "--set", "shortage=1"), "holding must be >= 0; got holding=-1"),
        (("--set", "holding=1"), "price must satisfy underage cost price - cost + shortage > 0"),
        (("--set", "price=3"), "cost must satisfy overage cost cost - salvage + holding > 0"),
        ((*BASE[4:], "--fix", "q=-5"), "q must be a finite number >= 0"),
        ((*BASE[4:], "--fix", "x=5"), "unknown decision 'x'"),
        ((*BASE[4:], "--method", "mc", "--option", "sampling=latin"), "sampling must be one of"),
        ((*BASE[4:], "--method", "mc", "--samples", "0"), "samples must be a positive integer"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, extra, needle):
    code, out, err = cli(*BASE[:4], *extra)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], err
