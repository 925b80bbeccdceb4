"""Closed forms compiled to one vectorised numpy function of the parameters.

:func:`compile_solution` lambdifies every decision, profit (``pi_X``/``Pi_X``), quantity and
condition of a :class:`~clsc.game.symbolic.SymbolicSolution` into a single function with
common subexpressions eliminated, so one call evaluates the whole equilibrium on arrays of
millions of parameter points (numpy broadcasting). Division by zero where a condition fails
yields inf/nan silently; use :meth:`CompiledSolution.valid` to mask such points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from clsc.game.fastform import call_outputs, hard_conditions_hold
from clsc.game.symbolic import SymbolicSolution


@dataclass(frozen=True)
class CompiledSolution:
    """Vectorised evaluator: ``cs(**params) -> {name: ndarray}`` for every closed form."""

    solution: SymbolicSolution
    params: tuple[str, ...]
    names: tuple[str, ...]  # decisions, profits, quantities
    condition_names: tuple[str, ...]
    _func: Any

    def __call__(self, **values: Any) -> dict[str, np.ndarray]:
        return call_outputs(self._func, self.params, (*self.names, *self.condition_names), values)

    def valid(self, values: Mapping[str, np.ndarray] | None = None, **params: Any) -> np.ndarray:
        """Mask of points where every SOC and interior condition holds."""
        out = values if values is not None else self(**params)
        return hard_conditions_hold(self.solution.conditions, out)


@lru_cache(maxsize=128)
def compile_solution(sol: SymbolicSolution) -> CompiledSolution:
    """Compile ``sol`` (cached per solution object)."""
    exprs = sol.expressions()
    names = tuple(exprs)
    cond_names = tuple(c.name for c in sol.conditions)
    params = tuple(s.name for s in sol.params)
    body = [
        *(exprs[n] for n in names),
        *(c.expr if c.value is None else c.value for c in sol.conditions),
    ]
    func = sp.lambdify(list(sol.params), body, modules="numpy", cse=True)
    return CompiledSolution(sol, params, names, cond_names, func)
