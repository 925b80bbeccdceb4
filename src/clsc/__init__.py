"""clsc: closed-loop supply-chain models (Stackelberg games, stochastic inventory, bilevels).

The public face: ``models()`` (descriptions of every model), ``model(name)``, ``solve(...)``,
``parse_demand(text)``, ``sweep(...)``, ``read_sweep(dir)``, ``sensitivity(...)``; the
subpackages ``clsc.coop`` and ``clsc.evolution``. Every function imports what it needs inside
its body, so ``import clsc`` loads no numerical library (no numpy, sympy, pyomo, pandas,
scipy); the first call pays for what it uses.

>>> import clsc
>>> r = clsc.solve("newsvendor", demand="normal(mean=50, sd=8)", holding=0.18, shortage=0.7)
>>> round(r.decisions["q"], 3)
56.604
>>> r.status
<Status.OPTIMAL: 'optimal'>
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from collections.abc import Mapping

    from clsc.distributions.base import Distribution
    from clsc.models.base import Model
    from clsc.results import Result

# ``clsc.models`` is the models package; calling it lists the models (see its docstring). It is
# imported here, light (errors, params, results, the registry: no numerical library), so that
# ``clsc.models()`` works whatever was imported before.
from clsc import models
from clsc.version import __version__

__all__ = [
    "__version__",
    "model",
    "models",
    "parse_demand",
    "read_sweep",
    "sensitivity",
    "solve",
    "sweep",
]


def model(name: str) -> Model:
    """The registered model ``name`` (a :class:`clsc.models.base.Model` instance); an unknown
    name raises :class:`clsc.errors.ParameterError` listing the valid names.

    >>> import clsc
    >>> m = clsc.model("buyback-effort")
    >>> m.scenarios
    ('N', 'B')
    >>> r = m.solve("B", p=20, w=5)
    >>> round(r.decisions["q"], 4)
    93.75
    """
    from clsc.models.registry import get_model

    return get_model(name)


def solve(
    model: str | Model,
    scenario: str | None = None,
    *,
    method: str | None = None,
    params: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Result:
    """Solve one scenario of a model and return its :class:`clsc.results.Result`.

    Parameters are plain keyword arguments or the dict ``params`` (keywords win). The reserved
    keywords are ``fix`` (decisions held fixed: evaluate instead of optimise), ``samples``,
    ``seed`` (None: fresh entropy, reported in ``result.params['seed']``) and ``options`` (a
    dict of the model's options); a model's options may also be given as keywords. A name that
    is neither a parameter nor an option raises :class:`clsc.errors.ParameterError` listing the
    valid ones.

    >>> import clsc
    >>> r = clsc.solve("newsvendor", demand="normal(mean=50, sd=8)", holding=0.18, shortage=0.7)
    >>> round(r.decisions["q"], 3), round(r.metrics["cost"], 4)
    (56.604, 1.9976)
    >>> r = clsc.solve("newsvendor", params={"demand": "poisson(mean=6)", "price": 10, "cost": 4})
    >>> r.decisions["q"]
    6.0
    >>> clsc.solve("newsvendor", demand="normal(mean=50, sd=8)", holdng=0.2)
    Traceback (most recent call last):
    ...
    clsc.errors.ParameterError: unknown parameter or option 'holdng' for newsvendor; ...
    """
    from clsc.models.base import Model as _Model

    target = model if isinstance(model, _Model) else globals()["model"](model)
    return target.solve(scenario, method=method, params=params, **kwargs)


def parse_demand(text: str) -> Distribution:
    """A demand distribution from its text form, e.g. ``normal(mean=50, sd=8)`` (parsed by the
    whitelisted parser, never eval-ed; see :mod:`clsc.distributions.parse` for the families).

    >>> import clsc
    >>> d = clsc.parse_demand("normal(mean=50, sd=8)")
    >>> float(d.mean), round(float(d.ppf(0.5)), 6)
    (50.0, 50.0)
    """
    from clsc.distributions.parse import parse

    return parse(text)


# ---- batch runs, sensitivity; cooperative and evolutionary games --------------------------------
# ``clsc.coop`` (TU games: Shapley value, nucleolus, core, Nash and alliance bargaining) and
# ``clsc.evolution`` (replicator dynamics, rest points, basins, the formation game) are
# subpackages: ``from clsc import coop, evolution`` (they load numpy and scipy, so ``import clsc``
# does not import them).


def sweep(model: str, design: Mapping[str, Any], **kwargs: Any):
    """Solve ``model`` over a design of parameter points; a ``pandas.DataFrame`` with one row
    per point and scenario (point id, varied parameters, status, message, the model's
    :meth:`~clsc.models.base.Model.schema` columns), Parquet chunks in ``out`` when given.
    Keyword arguments: see :func:`clsc.sweeps.api.sweep` (``scenario``, ``method``,
    ``workers``, ``out``, ``params``, ``seed``, ``resume``, ...).

    >>> import clsc
    >>> df = clsc.sweep("process-innovation", {"theta": [0.25, 0.5]}, scenario="PM")
    >>> df["status"].tolist()
    ['optimal', 'optimal']
    """
    from clsc.sweeps.api import sweep as run

    return run(model, design, **kwargs)


def read_sweep(directory: str, columns: Any = None):
    """The rows a sweep wrote to ``directory`` (every finished chunk, in point order) as a
    ``pandas.DataFrame``; see :func:`clsc.sweeps.api.read_sweep`."""
    from clsc.sweeps.api import read_sweep as read

    return read(directory, columns)


def sensitivity(model: str, bounds: Mapping[str, Any], outputs: Any, **kwargs: Any):
    """Global sensitivity indices (Sobol first/total/second order with confidence intervals, or
    Morris) of ``outputs`` over the parameter ``bounds``, run through the sweep engine; see
    :func:`clsc.analysis.sensitivity.sensitivity`."""
    from clsc.analysis.sensitivity import sensitivity as run

    return run(model, bounds, outputs, **kwargs)
