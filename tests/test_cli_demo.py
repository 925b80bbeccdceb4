"""``clsc demo``: fits the terminal, shows the distribution, standard errors and flags."""

from __future__ import annotations

import clsc.demo as demo


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
    ]
    assert frame.loc[0, "demand"] == "normal(mean=50, sd=8)"
    assert "(se " in frame.loc[0, "decisions"]
    assert "cr - r*x >= 0" in frame.loc[1, "flags"]
    code, out, err = cli("demo", "--width", "60")
    assert code == 0 and err == ""
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "flags:" in out
