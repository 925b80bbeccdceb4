"""Issue 15 items checked in the audit that had no test yet."""

from __future__ import annotations

import re

import pytest

from clsc.models import get_model


def test_process_innovation_docs_state_the_failing_flag_with_the_numbers_solve_gives():
    # spec section 6: cr - r*x is negative at the defaults, -0.391 in P and -1.831 in PM
    model = get_model("process-innovation")
    doc = type(model).__module__
    import importlib

    text = " ".join((importlib.import_module(doc).__doc__ or "").split())
    for scenario, fails in (("P", True), ("PM", True), ("M", False)):
        result = model.solve(scenario)
        value = model.spec["cr"].default - model.spec["r"].default * result.decisions["x"]
        shown = re.search(rf"(-?\d+\.\d+) in {scenario} \(x = ", text)
        assert shown, f"docs give no value for {scenario}"
        assert float(shown.group(1)) == pytest.approx(value, abs=5e-4)
        assert (value < 0) == fails
        assert any("cr - r*x >= 0" in f for f in result.flags) == fails


NV = ("--set", "demand=normal(mean=50, sd=8)", "--set", "holding=0.18", "--set", "shortage=0.7")


def test_a_model_without_scenarios_is_shown_the_same_way_everywhere(cli, monkeypatch):
    """Issue 15: not null in one place, [None], "None" or "-" in others: JSON says null (and
    has no scenario keys), frames hold None, text says nothing or '(single scenario)'."""
    import json

    import clsc.demo as demo

    _code, out, _ = cli("solve", "newsvendor", *NV, "--json")
    assert json.loads(out)["scenario"] is None
    _code, out, _ = cli("models", "newsvendor", "--json")
    d = json.loads(out)
    assert d["scenarios"] == [] and d["default_scenario"] is None
    assert d["methods_by_scenario"] == {}  # was {"None": [...]}
    _code, out, _ = cli("models", "--json")
    listed = next(m for m in json.loads(out) if m["name"] == "newsvendor")
    assert listed["scenarios"] == [] and listed["methods_by_scenario"] == {}
    for argv in (("models", "newsvendor"), ("models",)):
        _code, text, _ = cli(*argv)
        block = text[text.index("newsvendor:") :].split("\n\n")[0]
        assert "None" not in block and "(single scenario)" in block
    params = dict(item.split("=", 1) for item in NV[1::2])
    frame = get_model("newsvendor").solve(params=params)
    monkeypatch.setattr(demo, "EXAMPLES", (demo.EXAMPLES[0],))
    assert demo.run_demo().loc[0, "scenario"] is None
    assert frame.scenario is None and frame.to_frame().loc[0, "scenario"] is None


def test_bilevel_shipped_examples_run_by_name_and_print_their_path(cli):
    import json
    from pathlib import Path

    code, out, err = cli("bilevel", "--example", "moore-bard")
    assert code == 0 and err == ""
    path = Path(out.splitlines()[0].split(": ", 1)[1])
    assert path.is_file() and path.name == "moore_bard.json"
    _code, by_name, _ = cli("bilevel", "--example", "moore-bard", "--json")
    _code, by_path, _ = cli("bilevel", str(path), "--json")
    a, b = json.loads(by_name), json.loads(by_path)
    assert (a["x"], a["y"], a["F"]) == (b["x"], b["y"], b["F"])
    code, _out, err = cli("bilevel", "--example", "nope")
    assert code == 2 and "moore-bard" in err and len(err.strip().splitlines()) == 1
    code, _out, err = cli("bilevel")
    assert code == 2 and "--example" in err


def test_text_prints_integers_as_integers_in_models_statics_and_vectors(cli):
    """Issue 15: integers print as integers in every text output (was 'p 20.0' in ``clsc
    models``, 'at a=100.0' in ``statics``, '(100.0, 80.0, 120.0)' and 'None' for vectors)."""
    float_zero = re.compile(r"(?<![\w.])-?\d+\.0(?!\d)|\bNone\b")
    _code, listing, _ = cli("models")
    assert re.search(r"^\s+p\s+20\s", listing, re.M)
    _code, detail, _ = cli("models", "joint-inventory")
    assert "[100, 80, 120]" in detail and "(not set)" in detail
    _code, statics, _ = cli("statics", "process-innovation", "--scenario", "PM", "--wrt", "k")
    assert "at a=100, c0=8," in statics
    for text in (listing, detail.split("documentation:")[0], statics):
        assert not float_zero.search(text), float_zero.search(text)
    from clsc.cli.output import table

    result = get_model("joint-inventory").solve(
        "separate", params={"n_scenarios": 200, "n_eval": 500}, seed=1
    )
    shown = table(result)
    assert "[100, 80, 120]" in shown and "None" not in shown


SOURCES = {  # the spec's section 2: source document of each seed model
    "joint-inventory": "000_65efe8f87a0570ca.txt",
    "cascade-epr": "001_5ea5278fb52b0752.txt",
    "process-innovation": "002_5d016a0a4bbfb29e.txt",
    "sorting-collection": "003_aac9ffadc21d5d04.txt",
    "buyback-effort": "004_7cb4968b2dc75105.txt",
}


def test_every_model_names_its_source_and_what_is_reconstructed(cli):
    import json

    from clsc.models import model_names

    for name in model_names():
        _code, out, _ = cli("models", name, "--json")
        doc = " ".join(json.loads(out)["documentation"].split())
        if name in SOURCES:
            assert f"Source: seed {SOURCES[name]}" in doc or f"Source: {SOURCES[name]}" in doc
            assert "[RECON]" in doc or "project's own" in doc, name
        else:  # textbook models name their references
            assert "textbook" in doc or "Pasternack" in doc, name
        _code, text, _ = cli("models", name)
        assert SOURCES.get(name, "") in text


def test_models_model_text_lists_variants_and_the_equations(cli):
    import json

    for name in ("newsvendor", "sorting-collection", "buyback-effort"):
        _code, out, _ = cli("models", name, "--json")
        variants = json.loads(out)["variants"]
        _code, text, _ = cli("models", name)
        assert variants and "variants (" in text
        for v in variants:
            assert f"    {v['name']}: selected by {' or '.join(v['selected_by'])}" in text
    _code, text, _ = cli("models", "buyback-effort")
    assert "pi_M" in text.split("documentation:")[1]  # the profit equations, from the economics


def test_threshold_states_the_fixed_parameters_as_numbers(cli):
    """The JSON had ``"params": {"delta": "250.0"}``: the scanned parameter's midpoint, as text,
    and none of the parameters actually held fixed; the text did not say them at all."""
    import json

    argv = ("threshold", "sorting-collection", "--compare", "MC,MR", "--player", "total")
    argv += ("--in", "delta=0:500", "--set", "k=2500")
    _code, out, _ = cli(*argv, "--json")
    params = json.loads(out)["params"]
    assert "delta" not in params  # it is scanned, not fixed
    assert params["k"] == 2500 and params["a"] == 100 and params["sorting"] == "scope"
    _code, text, _ = cli(*argv)
    assert text.splitlines()[1].startswith("  at a=100, alpha=1, cn=50, cr=30, k=2500,")


def test_threshold_player_name_works_for_models_without_declared_games(cli):
    import json

    argv = ("threshold", "buyback-effort", "--compare", "N,B", "--in", "k=1:100", "--json")
    _code, by_name, _ = cli(*argv, "--player", "M")
    _code, by_key, _ = cli(*argv, "--player", "pi_M")
    assert json.loads(by_name)["expr"] == "pi_M[N] - pi_M[B]"
    assert json.loads(by_name)["roots"] == json.loads(by_key)["roots"]


def test_counts_are_integers_in_json(cli):
    import json

    _code, out, _ = cli("solve", "sorting-collection", "--scenario", "MC", "--method", "bilevel")
    assert re.search(r"^  nodes\s+\d+$", out, re.M)
    _code, out, _ = cli(
        "solve", "sorting-collection", "--scenario", "MC", "--method", "bilevel", "--json"
    )
    assert isinstance(json.loads(out)["metrics"]["nodes"], int)


def test_monte_carlo_statics_use_common_random_numbers_and_mark_unsettled_signs(cli):
    """The se note says both solves of a central difference use the same random numbers; they
    did not (fresh entropy each), so outputs that do not depend on k got random derivatives."""
    import json

    argv = ("statics", "buyback-effort", "--scenario", "B", "--wrt", "k", "--method", "mc")
    _code, out, _ = cli(*argv, "--json")
    rows = {r["name"]: r for r in json.loads(out)["signs"]}
    # R's order and the N benchmark do not depend on M's effort cost k
    for name in ("q_N", "pi_M_N", "pi_R"):
        assert rows[name]["high"] == 0.0 and rows[name]["sign"] == "0", name
    closed = get_model("buyback-effort").solve("B")
    e, k = closed.decisions["e"], closed.params["k"]
    expected_de_dk = -e / k  # e = const/k in closed form (spec 9.7), so de/dk = -e/k
    assert rows["e"]["high"] == pytest.approx(expected_de_dk, rel=0.02)
    assert all(isinstance(r["significant"], bool) for r in rows.values())
    _code, text, _ = cli(*argv)
    for r in rows.values():
        shown = r["sign"] if r["significant"] else r["sign"] + "?"
        assert re.search(rf"^  {re.escape(r['name'])}\s+{re.escape(shown)}\s", text, re.M)


def test_merged_player_error_comes_before_any_derivation(cli, monkeypatch):
    from clsc.game.model import GameModel

    def no_derivation(*args, **kwargs):
        raise AssertionError("derived before the --player check")

    monkeypatch.setattr(GameModel, "symbolic", classmethod(no_derivation))
    monkeypatch.setattr(GameModel, "compiled", classmethod(no_derivation))
    argv = ("threshold", "sorting-collection", "--compare", "MC,MR", "--player", "pi_M")
    code, _out, err = cli(*argv, "--in", "a=100:200")
    assert code == 2 and "use pi_MC" in err and len(err.strip().splitlines()) == 1


def test_indicators_print_as_yes_no_in_text(cli):
    import json

    argv = ("solve", "newsvendor", "--set", "demand=normal(mean=50, sd=8)", "--set", "price=10")
    argv += ("--set", "cost=4")
    _code, text, _ = cli(*argv, "--option", "q_max=40")
    assert re.search(r"^  capacity_binding\s+yes$", text, re.M)
    _code, text, _ = cli(*argv, "--option", "q_max=80")
    assert re.search(r"^  capacity_binding\s+no$", text, re.M)
    _code, out, _ = cli(*argv, "--option", "q_max=40", "--json")
    assert json.loads(out)["metrics"]["capacity_binding"] == 1  # JSON keeps the number


def test_models_model_runs_for_every_model_in_text_and_json(cli):
    import json

    from clsc.models import model_names

    for name in model_names():
        code, out, err = cli("models", name, "--json")
        assert code == 0 and err == "" and json.loads(out)["name"] == name
        code, text, err = cli("models", name)
        assert code == 0 and err == "" and text.startswith(f"{name}: ")


def test_statics_over_a_box_says_it_is_sampled_and_how_many_points(cli):
    import json

    argv = ("statics", "process-innovation", "--wrt", "r", "--box", "h=3:10", "--samples", "32")
    _code, out, _ = cli(*argv, "--json")
    data = json.loads(out)
    assert data["box"] == {"h": [3.0, 10.0]}
    for row in data["signs"]:
        if row["how"] == "numeric":
            assert "sampled points" in row["where"] and row["points"] > 1
        else:
            assert row["how"] == "symbolic" and "for all positive" in row["where"]


def test_statics_on_the_boundary_of_a_rule_is_a_clear_one_line_error(cli):
    """Issue 15: not ``"signs": []`` with exit 0, nor ``ValueError: max() arg is an empty
    sequence``: holding = 0 is on its bound, so the solve at holding - h is refused."""
    argv = ("statics", "newsvendor", "--wrt", "holding", "--method", "mc", "--set")
    argv += ("demand=normal(mean=50, sd=8)", "--set", "price=10", "--set", "cost=4")
    for extra in ((), ("--json",)):
        code, out, err = cli(*argv, *extra)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
        assert "holding" in err and "boundary" in err


def test_cvar_reports_value_at_risk_by_its_full_name():
    result = get_model("newsvendor").solve(
        params={"demand": "normal(mean=50, sd=8)", "price": 10, "cost": 4}, alpha=0.5
    )
    assert "value_at_risk" in result.metrics and "var" not in result.metrics
    assert result.metrics["value_at_risk"] >= result.metrics["cvar"]  # the tail mean is lower
