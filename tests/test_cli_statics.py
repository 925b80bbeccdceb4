"""CLI ``clsc statics`` and ``clsc threshold``: sign tables and crossing points, user errors."""

import json

import pytest


def test_statics_sign_table_process_innovation(cli):
    # spec 6.9 Propositions 8-10, row h: w +, p +, q -, x -, pi_PB -, pi_NEV -
    code, out, _ = cli("statics", "process-innovation", "--scenario", "PM", "--wrt", "h", "--json")
    assert code == 0
    signs = {row["name"]: row["sign"] for row in json.loads(out)["signs"]}
    expected = {"w": "+", "p": "+", "q": "-", "x": "-", "pi_PB": "-", "pi_NEV": "-"}
    assert {k: signs[k] for k in expected} == expected


def test_statics_over_a_box_prints_a_table(cli):
    code, out, _ = cli(
        "statics",
        "process-innovation",
        "--wrt",
        "r",
        "--box",
        "h=3:10",
        "--box",
        "k=2:10",
        "--samples",
        "32",
    )
    assert code == 0
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert lines["q"][0] == "+" and lines["w"][0] == "-"
    assert "d(.)/d(r)" in out.splitlines()[0]


def test_threshold_crossings_process_innovation(cli):
    # spec 6.9: PM beats P for PB on (1/3, 1)
    code, out, _ = cli(
        "threshold",
        "process-innovation",
        "--compare",
        "PM,P",
        "--player",
        "pi_PB",
        "--in",
        "theta=0:0.9",
        "--json",
    )
    assert code == 0
    roots = json.loads(out)["roots"]
    assert roots == pytest.approx([1 / 3], abs=1e-9)


def test_threshold_sorting_collection_text(cli):
    # spec 7.10: P8 threshold delta_T* = 356.152
    code, out, _ = cli(
        "threshold",
        "sorting-collection",
        "--compare",
        "MC,MR",
        "--player",
        "total",
        "--in",
        "delta=0:500",
    )
    assert code == 0
    (line,) = [ln for ln in out.splitlines() if "delta =" in ln]
    assert abs(float(line.split("=")[1]) - 356.152) <= 5e-4


def test_threshold_expression(cli):
    # spec 7.10: P7 threshold delta_M* = 353.127 (M's gain MC vs MR over N)
    code, out, _ = cli(
        "threshold",
        "sorting-collection",
        "--expr",
        "Pi_coal[MC] - pi_C[N] - Pi_coal[MR] + pi_R[N]",
        "--in",
        "delta=0:500",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["roots"] == pytest.approx([353.127], abs=5e-4)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("statics", "process-innovation", "--wrt", "bogus"), "unknown parameter 'bogus'"),
        (("statics", "process-innovation", "--wrt", "h", "--box", "k=5"), "k=LO:HI"),
        (("statics", "process-innovation", "--wrt", "h", "--box", "k=9:2"), "LO < HI"),
        (("statics", "process-innovation", "--wrt", "h", "--scenario", "X"), "unknown scenario"),
        (("statics", "process-innovation", "--wrt", "h", "--samples", "0"), "samples"),
        (
            (
                "threshold",
                "process-innovation",
                "--compare",
                "PM",
                "--player",
                "pi_PB",
                "--in",
                "theta=0:1",
            ),
            "S1,S2",
        ),
        (
            (
                "threshold",
                "process-innovation",
                "--compare",
                "PM,P",
                "--player",
                "nope",
                "--in",
                "theta=0:1",
            ),
            "unknown output 'nope'",
        ),
        (
            (
                "threshold",
                "process-innovation",
                "--compare",
                "PM,P",
                "--player",
                "pi_PB",
                "--in",
                "theta=1:0",
            ),
            "LO < HI",
        ),
        (
            ("threshold", "process-innovation", "--player", "pi_PB", "--in", "theta=0:1"),
            "--compare S1,S2 and --player KEY are required",
        ),
        (
            ("threshold", "process-innovation", "--expr", "pi_PB", "--in", "theta=0:1"),
            "KEY[SCENARIO]",
        ),
        (
            (
                "threshold",
                "process-innovation",
                "--expr",
                "os.system[PM] + 1",
                "--in",
                "theta=0:1",
            ),
            "not allowed",
        ),
    ],
)
def test_user_errors_exit_2_with_one_line(cli, argv, needle):
    code, out, err = cli(*argv)
    assert code == 2, (out, err)
    assert needle in err and len(err.strip().splitlines()) == 1, err


def test_statics_box_sample_names_its_seed(cli):
    # a sampled sign is repeatable only with its seed: the text and the JSON show it
    argv = ["statics", "cascade-epr", "--wrt", "a", "--box", "a=5:7", "--seed", "3"]
    code, out, _ = cli(*argv)
    assert code == 0 and "(Sobol sample, --seed 3)" in out
    code, out, _ = cli(*argv, "--json")
    assert code == 0 and json.loads(out)["seed"] == 3


def test_default_method_is_the_models_own_and_unset_optionals_are_not_passed_back(cli):
    """joint-inventory has no closed form: statics uses its default method (saa), and its unset
    optional parameters (rho, tau_move...) are not fed back into the solves as None."""
    code, out, err = cli(
        "statics", "joint-inventory", "--scenario", "formation", "--wrt", "C_run",
        "--set", "C_run=50", "--set", "n_scenarios=300", "--set", "n_eval=1000", "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["method"] == "saa"
    signs = {row["name"]: row["sign"] for row in doc["signs"]}
    # spec 4.7: saddle x* = (1 - beta_up) C/a_D, y* = beta_up C/a_U, polyline basin of (1, 1)
    # 1 - (x* + y*)/2: a dearer joint operation moves the saddle up and shrinks the basin
    assert (signs["x_star"], signs["y_star"], signs["polyline_basin"]) == ("+", "+", "-")


def test_threshold_on_a_model_without_closed_forms_uses_its_default_method(cli):
    """x* = (1 - beta_up) C/a_D (spec 4.7) crosses 1/2 at C = a_D / (2 (1 - beta_up)) = a_D for
    beta_up = 1/2; a_D does not depend on C (read from one solve)."""
    from clsc.models import get_model

    sets = ("--set", "n_scenarios=300", "--set", "n_eval=1000")
    code, out, err = cli(
        "threshold", "joint-inventory", "--in", "C_run=10:100", *sets,
        "--expr", "x_star[formation] - 0.5", "--grid", "3", "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    params = {"n_scenarios": 300, "n_eval": 1000, "C_run": 100.0}
    expected_root = get_model("joint-inventory").solve("formation", params=params).metrics["a_D"]
    assert doc["method"] == "saa"
    assert doc["roots"] == pytest.approx([expected_root], rel=1e-8)
