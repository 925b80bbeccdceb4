"""The docstring examples of clsc.bench run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("clsc.bench", "clsc.bench.harness", "clsc.bench.ceiling", "clsc.bench.cases_saa",
           "clsc.bench.cases_coop")  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
