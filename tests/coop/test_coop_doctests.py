"""The docstring examples of clsc.coop run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import clsc.coop

SUBMODULES = pkgutil.iter_modules(clsc.coop.__path__, "clsc.coop.")
MODULES = ["clsc.coop", *sorted(m.name for m in SUBMODULES)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
