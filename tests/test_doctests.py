"""Every docstring example under src/clsc runs as a test (one test per module)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import clsc

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    """Every module of the package whose source contains an example (others need no import)."""
    root = Path(clsc.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(root.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in finder.find(module, name):
        runner.run(test, out=lambda text: None)
    result = runner.summarize(verbose=False)
    if result.failed:  # re-run to report the failing example
        report: list[str] = []
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        for test in finder.find(module, name):
            runner.run(test, out=report.append)
        pytest.fail("".join(report))


def test_modules_found():
    assert {"clsc", "clsc.models", "clsc.results", "clsc.seeding"} <= set(MODULES)
