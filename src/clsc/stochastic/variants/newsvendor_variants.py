"""Which newsvendor variant an option selects (a registry, no string if/elif chains).

* ``demand_model`` -> :mod:`price_demand` (price and quantity chosen together);
* ``alpha`` -> :mod:`cvar` (risk-averse retailer);
* ``q_max`` / ``integer`` alone -> :mod:`capacity` on top of the plain solver of the method.

``q_max``/``integer`` also combine with the two others. ``demand_model`` and ``alpha`` do not
combine with each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clsc.errors import ParameterError
from clsc.results import Result
from clsc.stochastic.variants import capacity, cvar, price_demand

#: selecting option -> (method -> solver)
VARIANTS: Mapping[str, Mapping[str, Callable[[Any, Any], Result]]] = {
    "demand_model": price_demand.SOLVERS,
    "alpha": cvar.SOLVERS,
}
#: every option a variant adds to the newsvendor (name -> doc)
OPTIONS: Mapping[str, str] = {**price_demand.OPTIONS, **cvar.OPTIONS, **capacity.OPTIONS}


def solve(model: Any, req: Any, base: Callable[[Any, Any], Result]) -> Result:
    """Dispatch ``req`` to the variant its options select, else to ``base``."""
    chosen = [name for name in VARIANTS if name in req.options]
    if len(chosen) > 1:
        raise ParameterError(
            chosen[1], message=f"options {' and '.join(chosen)} cannot be combined"
        )
    if chosen:
        solvers = VARIANTS[chosen[0]]
        if req.method not in solvers:
            raise ParameterError(
                "method",
                message=f"option {chosen[0]} supports methods {', '.join(solvers)}; "
                f"got {req.method}",
            )
        return solvers[req.method](model, req)
    if any(name in req.options for name in capacity.OPTIONS):
        return capacity.solve_newsvendor(model, req, base)
    return base(model, req)


def with_variants(base: Callable[[Any, Any], Result]) -> Callable[[Any, Any], Result]:
    """Wrap a plain newsvendor solver so that variant options reach their solver."""

    def solver(model: Any, req: Any) -> Result:
        return solve(model, req, base)

    solver.__name__ = getattr(base, "__name__", "solver")
    solver.__doc__ = base.__doc__
    return solver
