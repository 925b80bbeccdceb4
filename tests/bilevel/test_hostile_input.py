"""Issue 14, bilevel files: every hostile input is one clear line and exit 2 (never a
traceback, a hang, or a wrong status); ``--time-limit``; ``--json`` prints one JSON document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files

import pytest

import clsc.cli
from clsc.bilevel import BilevelProblem, solve

from .independent import check_answer
from .literature import MOORE_BARD_FOLLOWER

EXAMPLES = files("clsc.bilevel") / "examples"


@pytest.fixture(autouse=True)
def _only_bilevel(monkeypatch):
    monkeypatch.setattr(clsc.cli, "COMMANDS", ("bilevel",))


def _mb(lobj="-x - 10*y", fcons=MOORE_BARD_FOLLOWER):
    return {"leader": {"vars": ["x"], "objective": lobj, "constraints": []},
            "follower": {"vars": ["y"], "objective": "y", "constraints": list(fcons)}}  # fmt: skip


BAD_EXPRESSIONS = {
    "x + 10**400": ("finite", "too large"),  # fits no float: was 'optimal' with F = inf
    "(10**1024)**1024": ("finite", "too large"),  # was 'infeasible' on the feasible problem
    "x + sqrt(-1)*y": "real",
    "x + (-8)**(1/3)": "real",  # sympy's principal cube root is complex
    # overflows while sympy expands it or while clsc evaluates it (depends on sympy's cache)
    "x + exp(exp(exp(exp(100))))": ("cannot be evaluated", "finite", "too large"),
    "x + inf": "finite",
}


@pytest.mark.parametrize("text", BAD_EXPRESSIONS)
def test_non_finite_or_complex_constants_are_named(cli, tmp_path, text):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_mb(lobj=text)))
    code, out, err = cli("bilevel", path)
    assert code == 2 and out == ""
    assert err.startswith("clsc: error: leader.objective") and err.count("\n") == 1
    expected = BAD_EXPRESSIONS[text]
    assert any(e in err for e in ((expected,) if isinstance(expected, str) else expected))


def test_bounds_of_1e20_and_more_are_refused_naming_the_number(cli, tmp_path):
    """x + y <= 1e25 has the optimum F = -1e25; HiGHS would read 1e25 as no bound and call
    the problem unbounded, so the number is refused by name."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_mb(lobj="-x - y", fcons=["x + y <= 1e25", "x >= 0", "y >= 0"])))
    code, out, err = cli("bilevel", path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "'x + y <= 1e25'" in err and "1e+25" in err


def test_huge_coefficient_from_sympy_is_a_status():
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    p = BilevelProblem.from_sympy([x], [y], -x - 1e30 * y, y, [x <= 3], [y >= 0, y <= x])
    result = solve(p)
    assert result.status == "solver_error" and "1e+30" in result.message


def _write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("latin1.json", b'\xff\xfe{"leader": 1}', "not UTF-8"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("deep.toml", b"a = " + b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("digits.json", b'{"leader": ' + b"9" * 5000 + b"}", "4300 digits"),
    ],
    ids=["not-utf8", "deep-json", "deep-toml", "5000-digits"],
)
def test_malformed_files_are_one_line(cli, tmp_path, name, data, expected):
    code, out, err = cli("bilevel", _write(tmp_path, name, data))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert expected in err


def test_only_regular_files_are_read(cli, tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # opening it would block for ever
    for path in (fifo, "/dev/zero", tmp_path):
        code, out, err = cli("bilevel", path)
        assert code == 2 and out == "" and "not a regular file" in err


def test_size_limit(tmp_path):
    from clsc.bilevel.problem import read_text_file
    from clsc.errors import ParameterError

    path = tmp_path / "big.json"
    path.write_text(" " * 101)
    with pytest.raises(ParameterError, match="more than the limit 100"):
        read_text_file(path, limit=100)


@pytest.mark.parametrize("reformulation", ["kkt-branch", "kkt-bigm"])
def test_time_limit_status(cli, reformulation):
    code, out, _ = cli("bilevel", EXAMPLES / "moore_bard.json", "--json",
                       "--reformulation", reformulation, "--time-limit", "1e-9")  # fmt: skip
    d = json.loads(out)
    assert code == 1 and d["status"] == "time_limit", d
    assert "gave up after" in d["message"]


def test_time_limit_keeps_the_best_verified_point_and_gap(monkeypatch):
    """A fake clock that advances one second per branch-and-bound node stops kkt-branch after
    a few nodes, deterministically; the incumbent found by then is verified and shown with its
    gap."""
    import clsc.bilevel.branch as branch

    from .literature import LINEAR

    clock = [0.0]
    process = branch._process

    def one_second_per_node(search, node):
        clock[0] += 1.0
        return process(search, node)

    monkeypatch.setattr(branch, "_process", one_second_per_node)
    monkeypatch.setattr(branch.time, "perf_counter", lambda: clock[0])
    case = next(c for c in LINEAR if c.name == "bf_1982_01")
    problem = BilevelProblem.from_dict(case.problem)
    result = solve(problem, "kkt-branch", time_limit=3.5)  # 4 nodes: an incumbent known
    assert result.status == "time_limit"
    assert "gave up after 3.5 s" in result.message and "relative gap" in result.message
    assert result.F is not None  # the point shown is a verified bilevel-feasible point
    check_answer(problem, result)
    assert result.info["gap"] > 0
    assert case.expected_F - 1e-9 <= result.F  # no better than the optimum, F* = -26


def test_bad_time_limit_is_a_user_error(cli):
    code, _, err = cli("bilevel", EXAMPLES / "moore_bard.json", "--time-limit", "-1")
    assert code == 2 and "--time-limit" in err


def test_json_stdout_is_one_document_without_the_solver_banner():
    """HiGHS prints a banner on file descriptor 1 at its first instance: run the real CLI in
    a fresh interpreter and parse all of stdout as one JSON document."""
    code = "import sys; from clsc.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-c", code, "bilevel", str(EXAMPLES / "moore_bard.json"), "--json"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "optimal"
    assert "HiGHS" not in proc.stdout
