"""Generic CLI behaviour: in-process main(), exit codes, one-line errors, JSON shape."""

import json
import os
import subprocess
import sys

import pytest

import clsc.cli


def test_models_lists_every_registered_model(cli):
    from clsc.models import model_names

    code, out, _ = cli("models", "--json")
    assert code == 0
    listed = {m["name"] for m in json.loads(out)}
    assert listed == set(model_names())
    assert "newsvendor" in listed


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("solve", "no-such-model"), "unknown model 'no-such-model'; valid:"),
        (
            ("solve", "newsvendor", "--set", "bogus=1"),
            "unknown parameter 'bogus'; valid parameters:",
        ),
        (("solve", "newsvendor", "--set", "price"), "--set expects NAME=VALUE"),
        (("solve", "newsvendor", "--set", "demand=normal(mean=5, sd=-1)"), "sd must be > 0"),
        (
            ("solve", "newsvendor", "--method", "nope", "--set", "demand=normal(mean=5, sd=1)"),
            "unknown method 'nope'",
        ),
        (("frobnicate",), "invalid choice"),
        (("solve",), "required"),
    ],
)
def test_user_errors_exit_2_with_one_line(cli, argv, needle):
    code, out, err = cli(*argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0]
    assert "Traceback" not in err


def test_solve_json_has_the_documented_keys(cli):
    code, out, _ = cli(
        "solve",
        "newsvendor",
        "--set",
        "demand=normal(mean=50, sd=8)",
        "--set",
        "holding=0.18",
        "--set",
        "shortage=0.70",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    for key in (
        "model",
        "scenario",
        "method",
        "status",
        "params",
        "decisions",
        "profits",
        "metrics",
        "conditions",
    ):
        assert key in data
    assert data["status"] == "optimal"
    for cond in data["conditions"]:
        assert set(cond) >= {"name", "expression", "value", "holds"}


_PROBE = """
import os, sys
import clsc.cli
loaded = "numpy" in sys.modules
sys.argv = ["clsc", "models"]
with open(os.devnull, "w") as sys.stdout:
    code = clsc.cli.main()
sys.stdout = sys.__stdout__
print(loaded, code, os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "False 0 1"), ({"OMP_NUM_THREADS": "3"}, "False 0 None"),
     ({"OPENBLAS_NUM_THREADS": "2"}, "False 0 2")],
)  # fmt: skip
def test_program_starts_openblas_single_threaded_unless_the_user_chose(env, expected):
    """Run as a program, main() sets OPENBLAS_NUM_THREADS=1 before numpy loads (clsc.cli imports
    no numpy), and keeps a thread count the user set through any variable OpenBLAS reads."""
    base = {k: v for k, v in os.environ.items() if k not in clsc.cli.BLAS_THREAD_VARS}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env={**base, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == expected
