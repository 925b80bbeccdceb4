"""clsc.coop imports only lower layers (core, solvers) and itself, and no private names."""

from __future__ import annotations

import ast
from pathlib import Path

import clsc.coop

ALLOWED = ("clsc.errors", "clsc.results", "clsc.solvers", "clsc.coop")


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_coop_imports_downward_only():
    for path in Path(clsc.coop.__file__).parent.glob("*.py"):
        for module, names in imports(path):
            if module.startswith("clsc"):
                assert module.startswith(ALLOWED), (path.name, module)
                assert not any(n.startswith("_") for n in names), (path.name, module, names)
