"""Every sub-command on every registered model and scenario (issue 15).

With the model's defaults each command ends in exit 0 (or 1, a legitimate status) with output,
or exit 2 with exactly one line on stderr; never a traceback (exit 3). Every ``--json`` form
prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import json
import os

import pytest

from clsc.models import get_model, model_names


def _numeric_param(model):
    return next(p for p in model.spec if p.kind in ("float", "int") and not p.required)


def _argv_sets(name):
    model = get_model(name)
    scenarios = list(model.scenarios) or [None]
    param = _numeric_param(model)
    out = [("derive", name, "--format", "json")]
    for s in scenarios:
        scen = ("--scenario", s) if s else ()
        out.append(("solve", name, *scen, "--json"))
        out.append(("statics", name, *scen, "--wrt", param.name, "--json"))
    lo = param.default * 0.9 if param.default else 0.1
    hi = param.default * 1.1 if param.default else 1.0
    if lo > hi:
        lo, hi = hi, lo
    pair = scenarios[:2] if len(scenarios) >= 2 else [scenarios[0] or "x", scenarios[0] or "y"]
    out.append(
        (
            "threshold",
            name,
            "--compare",
            ",".join(pair),
            "--player",
            "total",
            "--in",
            f"{param.name}={lo!r}:{hi!r}",
            "--grid",
            "21",
            "--json",
        )
    )
    return out


CASES = [argv for name in model_names() for argv in _argv_sets(name)]


def _check(code, out, err, argv):
    assert code in (0, 1, 2), (argv, code, err)
    if code == 2:
        assert out == ""
        assert len(err.strip().splitlines()) == 1, (argv, err)
    else:
        assert err == "", (argv, err)
        json.loads(out)  # exactly one JSON document (json.loads refuses trailing text)


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a[:4]))
def test_every_command_on_every_model_is_clean(cli, argv):
    code, out, err = cli(*argv)
    _check(code, out, err, argv)


def test_models_json_and_text(cli):
    code, out, err = cli("models", "--json")
    assert code == 0 and err == ""
    json.loads(out)
    code, out, err = cli("models")
    assert code == 0 and err == "" and out


def test_version_and_every_flag_has_help(cli, capsys):
    from clsc.cli import build_parser

    with pytest.raises(SystemExit) as info:
        cli("--version")
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("clsc ")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        if name == "bilevel":  # owned by the bilevel command's own tests
            continue
        for action in command._actions:
            assert action.help, f"clsc {name} {action.option_strings or action.dest}: no help"


def test_internal_error_is_exit_3_with_one_line(cli, monkeypatch):
    import clsc.cli.solve_cmd as solve_cmd

    def boom(args):
        raise RuntimeError("line one\nline two")

    monkeypatch.setattr(solve_cmd, "run", boom)
    code, _out, err = cli("solve", "newsvendor")
    assert code == 3
    assert len(err.strip().splitlines()) == 1
    assert "internal error" in err and "line one\\nline two" in err


def test_stderr_is_one_line_with_escaped_controls_and_truncated_echo(cli):
    # issue 14: --set $'sorting=a\nb' printed two lines; echoed input was up to 200 KB
    code, _out, err = cli("solve", "sorting-collection", "--set", "sorting=a\nb")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "a\\nb" in err
    code, _out, err = cli("solve", "sorting-collection", "--set", "sorting=" + "x" * 200_000)
    assert code == 2 and len(err) < 600


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("--seed", "-1"), "--seed"),
        (("--method", "mc", "--samples", "1000000000000"), "TiB"),
        (("--set", "salvage=" + "1" * 400), "salvage must be a finite number"),
        (("--fix", "q=" + "1" * 400), "q must be a finite number"),
        (("--set", "salvage=" + "-" * 1000 + "1"), "nested deeper"),
    ],
)
def test_issue_14_newsvendor_reproductions_are_one_line_errors(cli, argv, needle):
    base = (
        "solve",
        "newsvendor",
        "--set",
        "demand=normal(mean=50, sd=8)",
        "--set",
        "shortage=0.7",
        "--set",
        "holding=0.18",
    )
    code, _out, err = cli(*base, *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert needle in err


def test_time_limit_gives_status_time_limit(cli):
    code, out, _err = cli(
        "solve", "sorting-collection", "--scenario", "MRC", "--time-limit", "0.001", "--json"
    )
    data = json.loads(out)
    if code == 1:  # the derivation was not cached: stopped
        assert data["status"] == "time_limit" and "gave up after 0.001 s" in data["message"]
    else:  # already derived in this process: fast enough to finish
        assert data["status"] == "optimal"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("--compare", "MC,MC", "--player", "total", "--in", "a=100:200"), "two different"),
        (("--compare", "MC,MR", "--player", "total", "--in", "sorting=0:1"), "choice parameter"),
        (("--compare", "MC,MR", "--player", "total", "--in", "a=100:200", "--grid", "0"), ">= 3"),
        (("--compare", "MC,MR", "--player", "total", "--in", "a=100:200", "--grid", "1e9"), "GiB"),
        (("--compare", "MC,MR", "--player", "pi_M", "--in", "a=100:200"), "use pi_MC"),
        (("--expr", "total[MC] + 10**1000", "--in", "a=100:200"), "too large"),
        (("--expr", "total[MC] + ((10**1024)**1024)**1024", "--in", "a=100:200"), "too large"),
        (("--expr", "total[MC] + sqrt(-1)", "--in", "a=100:200"), "complex"),
        (("--expr=" + "-" * 1000 + "total[MC]", "--in", "a=100:200"), "nested"),
    ],
)
def test_issue_14_threshold_reproductions(cli, argv, needle):
    code, _out, err = cli("threshold", "sorting-collection", *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_threshold_accepts_player_names_and_works_without_closed_forms(cli):
    code, out, _ = cli(
        "threshold",
        "process-innovation",
        "--compare",
        "P,PM",
        "--player",
        "PB",
        "--in",
        "k=1:100",
        "--json",
    )
    assert code == 0 and json.loads(out)["expr"] == "pi_PB[P] - pi_PB[PM]"
    # buyback-effort has no compiled closed forms: one solve per grid point; the crossing of
    # M's profits is the paper's k_bar (seed value 41.779, tests/models/test_buyback_effort.py)
    expected_k_bar = 41.779
    code, out, _ = cli(
        "threshold",
        "buyback-effort",
        "--compare",
        "N,B",
        "--player",
        "pi_M",
        "--in",
        "k=1:100",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["roots"] == [pytest.approx(expected_k_bar, abs=1e-3)]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("sorting-collection", "--scenario", "MC", "--wrt", "sorting"), "choice parameter"),
        (("sorting-collection", "--scenario", "MC", "--wrt", "a", "--samples", "1e9"), "GiB"),
    ],
)
def test_issue_14_statics_reproductions(cli, argv, needle):
    code, _out, err = cli("statics", *argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err


def test_statics_json_says_where_the_sign_holds(cli):
    code, out, _ = cli("statics", "process-innovation", "--scenario", "PM", "--wrt", "k", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"model", "scenario", "method", "params", "signs"} <= set(data)
    assert data["params"]["k"] == 6
    assert all("at this parameter point" in row["where"] for row in data["signs"])
    assert all(isinstance(row["points"], int) for row in data["signs"])


#: contracts at p = 20, w = 10, cm = 4, v = 1 (demand given by each test)
CONTRACTS = ("solve", "contracts", "--set", "p=20", "--set", "w=10", "--set", "cm=4",
             "--set", "v=1")  # fmt: skip


def test_contracts_zero_channel_profit_is_nan_efficiency_not_a_crash(cli):
    # issue 14: ZeroDivisionError when the integrated channel earns nothing
    for method in ("closed-form", "mc"):
        code, out, err = cli(
            *CONTRACTS, "--set", "demand=poisson(mean=0.1)", "--method", method, "--json"
        )
        assert code == 0, err
        assert json.loads(out)["metrics"]["efficiency"] == "nan"


def test_contracts_too_few_samples_is_refused_not_raised(cli):
    code, _out, err = cli(
        *CONTRACTS, "--set", "demand=poisson(mean=5)", "--method", "saa", "--samples", "2"
    )
    assert code == 2 and "samples must be >= 20" in err


def test_models_lists_bilevel_only_where_it_works(cli):
    # issue 15: sorting-collection listed bilevel for every scenario; it works in MC only
    code, out, _ = cli("models", "--json")
    listed = {d["name"]: d["methods_by_scenario"] for d in json.loads(out)}
    assert "bilevel" in listed["sorting-collection"]["MC"]
    assert "bilevel" not in listed["sorting-collection"]["MR"]
    for name, per in listed.items():
        for scenario, methods in per.items():
            if "bilevel" not in methods:
                continue
            code, out, err = cli(
                "solve", name, "--scenario", scenario, "--method", "bilevel", "--json"
            )
            assert code in (0, 1), (name, scenario, err)


def test_models_model_shows_parameters_rules_scenarios_and_documentation(cli):
    code, out, _ = cli("models", "process-innovation", "--json")
    d = json.loads(out)
    assert code == 0
    assert {p["name"] for p in d["params"]} >= {"a", "k", "theta"}
    assert all({"symbol", "unit", "default", "bounds", "doc"} <= set(p) for p in d["params"])
    assert set(d["methods_by_scenario"]) == {"PM", "P", "M"}
    assert "pi_PB" in d["documentation"]
    code, text, _ = cli("models", "process-innovation")
    assert code == 0 and "rules" in text and "documentation:" in text


def test_json_stdout_is_one_document_even_with_native_solver_output():
    # issue 15: the HiGHS banner was printed on stdout before the JSON (native code, so only a
    # real process shows it)
    import subprocess
    import sys
    from pathlib import Path

    import clsc.cli

    src = str(Path(clsc.cli.__file__).resolve().parents[2])  # the clsc under test
    out = subprocess.run(
        [sys.executable, "-m", "clsc.cli", "solve", "cascade-epr", "--method", "bilevel", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": src},
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "optimal"


def test_failed_flags_are_records_in_json_and_visible_in_text(cli):
    # issue 15: process-innovation fails the FLAG cr - r*x >= 0 at its defaults in PM
    _code, out, _ = cli("solve", "process-innovation", "--scenario", "PM", "--json")
    flags = json.loads(out)["flags"]
    record = next(f for f in flags if f["name"] == "cr - r*x >= 0")
    assert record["value"] < 0 and record["expression"].endswith(">= 0")
    _code, text, _ = cli("solve", "process-innovation", "--scenario", "PM")
    assert "flag: FLAG cr - r*x >= 0 fails" in text


def test_text_prints_integers_as_integers(cli):
    code, out, _ = cli(
        "solve",
        "newsvendor",
        "--set",
        "demand=poisson(mean=6)",
        "--set",
        "price=10",
        "--set",
        "cost=4",
        "--set",
        "salvage=1",
    )
    assert code == 0
    assert "  q  7\n" in out and "  price     10\n" in out


NV = ("solve", "newsvendor", "--set", "holding=0.18", "--set", "shortage=0.70", "--method")


@pytest.mark.parametrize("method", ["mc", "saa"])
def test_tiny_samples_are_flagged_not_silently_trusted(cli, method):
    # issue 14: never trust (or silently raise) a tiny sample
    _code, out, _ = cli(
        *NV, method, "--set", "demand=normal(mean=50, sd=8)", "--samples", "20", "--json"
    )
    data = json.loads(out)
    assert data["metrics"]["samples"] == 20 and isinstance(data["metrics"]["samples"], int)
    assert any("only n=20 samples" in f["expression"] for f in data["flags"])


def test_heavy_tails_are_flagged(cli):
    # issue 14: lognormal(mu=200, sigma=10): se 1e96 against a gap of 1e108 to the exact value
    _code, out, _ = cli(*NV, "mc", "--set", "demand=lognormal(mu=200, sigma=10)", "--json")
    data = json.loads(out)
    assert any("not trustworthy" in f["expression"] for f in data["flags"])
    _code, out, _ = cli(*NV, "mc", "--set", "demand=normal(mean=50, sd=8)", "--json")
    assert "flags" not in json.loads(out)


def test_discrete_optimum_at_a_cdf_step_is_reported_honestly(cli):
    # issue 14: q = 100 (mc) vs the exact 101 with se 0.11
    argv = (
        "solve",
        "contracts",
        "--scenario",
        "revenue-sharing",
        "--set",
        "p=29.7785",
        "--set",
        "cm=5.6907",
        "--set",
        "v=3.8401",
        "--set",
        "phi=0.9518",
        "--set",
        "w=6.2537",
        "--set",
        "demand=binomial(n=174, p=0.529)",
        "--json",
    )
    exact = json.loads(cli(*argv)[1])["decisions"]["q"]
    expected_exact_q = 101  # issue 14's exact order
    assert exact == expected_exact_q
    data = json.loads(cli(*argv, "--method", "mc")[1])
    note = next(f["expression"] for f in data["flags"] if "discrete optimum" in f["expression"])
    assert "q=100 in" in note and "q=101 in" in note and "does not apply" in note


def test_monte_carlo_threshold_carries_a_standard_error(cli):
    # issue 15: threshold buyback-effort --method mc printed k = 42.170163 with no uncertainty;
    # the exact crossing is the paper's k_bar (seed value 41.779)
    expected_k_bar = 41.779
    code, out, _ = cli(
        "threshold",
        "buyback-effort",
        "--compare",
        "N,B",
        "--player",
        "pi_M",
        "--in",
        "k=1:100",
        "--method",
        "mc",
        "--grid",
        "11",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and len(data["roots"]) == 1
    (root,), (se,) = data["roots"], data["std_errors"]
    assert 0 < se < 2
    assert abs(root - expected_k_bar) < 4 * se


def test_parameters_as_keywords_work_like_params():
    """Issue 15: plain keyword parameters work (or show the right call); they work."""
    from clsc.errors import ParameterError

    model = get_model("newsvendor")
    by_keyword = model.solve(demand="normal(mean=5, sd=1)", price=10, cost=4)
    by_mapping = model.solve(params={"demand": "normal(mean=5, sd=1)", "price": 10, "cost": 4})
    assert by_keyword.decisions == by_mapping.decisions and by_keyword.ok
    with pytest.raises(ParameterError, match="pricee"):  # a misspelt name is named
        model.solve(demand="normal(mean=5, sd=1)", pricee=10, cost=4)


def test_monte_carlo_statics_carry_standard_errors(cli):
    code, out, _ = cli(
        "statics", "buyback-effort", "--scenario", "B", "--wrt", "k", "--method", "mc", "--json"
    )
    data = json.loads(out)
    assert code == 0 and "se_note" in data
    effort = next(row for row in data["signs"] if row["name"] == "e")
    assert effort["se"] > 0 and effort["points"] == 1
