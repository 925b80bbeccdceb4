"""The one place game-engine symbols are made: ``symbol("tau")`` is ``Symbol("tau", real=True)``.

Every variable and parameter of a game is a real sympy symbol; using :func:`symbol` everywhere
means the parser, the solver and user code share the same objects.
"""

from __future__ import annotations

from functools import cache

import sympy as sp


@cache
def symbol(name: str) -> sp.Symbol:
    """The real sympy symbol called ``name`` (cached, so ``symbol(n) is symbol(n)``)."""
    return sp.Symbol(name, real=True)


def symbols(names) -> tuple[sp.Symbol, ...]:
    """:func:`symbol` for each name."""
    return tuple(symbol(n) for n in names)
