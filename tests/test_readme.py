"""Every example in the README runs: the Python block as a doctest, every command-line example
in process (exit 0 or 1 with a result, never a traceback or a usage error)."""

from __future__ import annotations

import doctest
import shlex
from pathlib import Path

import pytest

from clsc.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    """Contents of the fenced blocks whose info string is ``lang`` ("" for plain fences)."""
    out, current = [], None
    for line in README.splitlines():
        if line.startswith("```"):
            if current is None:
                current = [] if line[3:].strip() == lang else False
            else:
                if current is not False:
                    out.append("\n".join(current) + "\n")
                current = None
        elif current:
            current.append(line)
        elif current == []:
            current = [line]
    return out


def test_python_examples_run():
    (text,) = blocks("python")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 10


def cli_lines() -> list[str]:
    lines = []
    for block in blocks(""):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("clsc "):
                lines.append(line)
    return lines


def test_readme_lists_cli_examples():
    assert len(cli_lines()) >= 15


@pytest.mark.parametrize("line", cli_lines())
def test_cli_example_runs(line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    argv = shlex.split(line)[1:]
    if argv[0] == "plot":  # draws from the sweep example's output
        assert main(["sweep", "examples/theta_sweep.toml", "--out", "theta_run", "--quiet"]) == 0
    code = main(argv)
    _, err = capsys.readouterr()
    assert code in (0, 1), (line, err)
    assert "Traceback" not in err and err.count("\n") <= 3
