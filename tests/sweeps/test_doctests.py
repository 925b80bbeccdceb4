"""The docstring examples of the sweep and sensitivity modules run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "clsc.sweeps.designs",
    "clsc.sweeps.spec",
    "clsc.sweeps.seeding",
    "clsc.sweeps.schema",
    "clsc.sweeps.progress",
    "clsc.sweeps.api",
    "clsc.analysis.sensitivity",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
