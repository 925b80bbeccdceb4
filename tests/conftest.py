"""Fixtures shared by every test directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# closed-form derivations are cached on disk (clsc.game.cache); the suite keeps its own cache,
# shared by xdist workers and later runs, unless CLSC_CACHE_DIR says otherwise
os.environ.setdefault(
    "CLSC_CACHE_DIR",
    str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "clsc-derivations"),
)

from clsc.cli import main


@pytest.fixture
def cli(capsys):
    """Run ``clsc`` in process: ``cli("solve", "newsvendor", ...) -> (code, stdout, stderr)``."""

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
