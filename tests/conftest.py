"""Fixtures shared by every test directory."""

from __future__ import annotations

import pytest

from clsc.cli import main


@pytest.fixture
def cli(capsys):
    """Run ``clsc`` in process: ``cli("solve", "newsvendor", ...) -> (code, stdout, stderr)``."""

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
