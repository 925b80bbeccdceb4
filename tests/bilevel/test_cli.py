"""``clsc bilevel FILE [--reformulation ...] [--json]``: output, exit codes, one-line errors."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

import clsc.cli

EXAMPLES = files("clsc.bilevel") / "examples"


@pytest.fixture(autouse=True)
def _only_bilevel(monkeypatch):
    # other sub-commands are registered by other modules; test this one in isolation
    monkeypatch.setattr(clsc.cli, "COMMANDS", ("bilevel",))


@pytest.mark.parametrize("reformulation", ["kkt-bigm", "kkt-branch"])
def test_json_output(cli, reformulation):
    code, out, _ = cli("bilevel", EXAMPLES / "moore_bard.json",
                       "--reformulation", reformulation, "--json")  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"status", "x", "y", "F", "f", "reformulation", "seconds"}
    expected_F = -18.0  # Moore & Bard (1990)
    assert d["status"] == "optimal" and d["F"] == pytest.approx(expected_F)
    assert d["x"] == {"x": pytest.approx(8.0)} and d["reformulation"] == reformulation


def test_table_output_and_toml(cli):
    code, out, _ = cli("bilevel", EXAMPLES / "moore_bard_integer.toml")
    assert code == 0
    assert "status=optimal" in out and "F = -22" in out and "optimistic" in out


def test_user_errors_exit_2_with_one_line(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"leader": {"vars": ["x"], "objective": "x*y*y"},
                               "follower": {"vars": ["y"], "objective": "y"}}))  # fmt: skip
    code, out, err = cli("bilevel", bad)
    assert code == 2 and out == ""
    assert err.startswith("clsc: error:") and err.count("\n") == 1
    code, _, err = cli("bilevel", EXAMPLES / "moore_bard.json", "--reformulation", "x")
    assert code == 2 and "invalid choice" in err
    code, _, err = cli("bilevel", EXAMPLES / "moore_bard.json",
                       "--reformulation", "strong-duality")  # fmt: skip
    assert code == 2 and "strong-duality" in err


def test_non_optimal_status_exits_1(cli, tmp_path):
    path = tmp_path / "inf.json"
    path.write_text(json.dumps({"leader": {"vars": [], "objective": "y", "constraints": ["y <= 0"]},
                                "follower": {"vars": ["y"], "objective": "-y",
                                             "constraints": ["y >= -1", "y <= 1"]}}))  # fmt: skip
    code, out, _ = cli("bilevel", path, "--json")
    assert code == 1 and json.loads(out)["status"] == "infeasible"
