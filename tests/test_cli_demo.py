"""``clsc demo``: fits the terminal; distribution, standard errors and flags shown (issue 15)."""

from __future__ import annotations

import pytest

import clsc.demo as demo

POISSON_ROW = demo.EXAMPLES[3]  # newsvendor closed form, poisson(mean=6): an integer q
FAILING_ROW = ("process-innovation", "PM", "closed-form", {"r": "7"}, {})  # x >= 0 fails


def _width(out: str) -> int:
    return max(len(line) for line in out.splitlines())


def test_demo_rows_show_demand_standard_errors_and_flags(cli, monkeypatch):
    rows = (
        demo.EXAMPLES[1],  # newsvendor mc
        ("process-innovation", "PM", "closed-form", {}, {}),  # FLAG cr - r*x >= 0 fails
    )
    monkeypatch.setattr(demo, "EXAMPLES", rows)
    frame = demo.run_demo()
    assert list(frame.columns) == [
        "model",
        "scenario",
        "method",
        "status",
        "demand",
        "decisions",
        "profits",
        "flags",
        "message",
    ]
    assert frame.loc[0, "demand"] == "normal(mean=50, sd=8)"
    assert "(se " in frame.loc[0, "decisions"]
    assert "cr - r*x >= 0" in frame.loc[1, "flags"]
    code, out, err = cli("demo", "--width", "60")
    assert code == 0 and err == ""
    assert _width(out) <= 60
    assert "flags:" in out
    assert "demand: normal(mean=50, sd=8)" in out


@pytest.mark.parametrize("columns", [80, 60, 30])
def test_demo_fits_the_terminal_width_from_the_environment(cli, monkeypatch, columns):
    """No ``--width``: the width is the terminal's (``shutil.get_terminal_size`` reads
    COLUMNS); every line fits it, down to narrow terminals."""
    monkeypatch.setattr(demo, "EXAMPLES", (demo.EXAMPLES[1], demo.EXAMPLES[4], POISSON_ROW))
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = cli("demo")
    assert code == 0 and err == ""
    assert _width(out) <= columns
    text = out.replace("\n    ", " ")  # wrapped lines joined again
    assert "(se " in text and "demand: uniform(low=0, high=100)" in text


def test_whole_demo_fits_80_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = cli("demo")
    assert code == 0 and err == ""
    assert _width(out) <= 80
    blocks = out.count("status=")
    assert blocks == len(demo.EXAMPLES)


def test_integers_print_as_integers_and_failures_show_their_message(cli, monkeypatch):
    monkeypatch.setattr(demo, "EXAMPLES", (POISSON_ROW, FAILING_ROW))
    frame = demo.run_demo()
    assert frame.loc[0, "decisions"] == "q=7"  # the Poisson optimum is an integer
    assert frame.loc[1, "status"] == "condition_failed"
    code, out, _ = cli("demo", "--width", "70")
    assert code == 1  # not every example is optimal
    text = out.replace("\n    ", " ")
    assert "message: SOC condition 'PB: SOC minor 2 (w, x)' fails" in text
    assert "interior condition 'x >= 0' fails" in text
    assert _width(out) <= 70
