"""Any :mod:`scipy.stats` distribution by name: ``scipy:burr12(c=2, d=3, scale=10)``.

Names are checked against the distributions scipy.stats exports (instances of
``rv_continuous``/``rv_discrete``); arguments are the distribution's shape names plus ``loc``
(and ``scale`` for continuous ones), all keyword-only. The mean must be finite.

Loss function without a closed form: L(x) = int_x^inf (1 - F(t)) dt by tabulated
Gauss-Legendre quadrature for continuous D, and L(n) = sum_{j >= n} P(D > j) for integer-valued
D (see :mod:`clsc.distributions._tables`). :mod:`scipy.stats` is imported when one of these
functions is first called, not when the module is imported.
"""

from __future__ import annotations

import difflib
import warnings
from functools import cache
from typing import Any

import numpy as np

from clsc.distributions._checks import number
from clsc.distributions._frozen import FrozenBacked, LatticeBacked
from clsc.distributions._tables import ContinuousLoss, LatticeLoss
from clsc.errors import ParameterError, SpecError


@cache
def scipy_names() -> dict[str, Any]:
    """Name -> distribution object of every rv_continuous / rv_discrete scipy.stats exports."""
    from scipy import stats

    out = {}
    for name in dir(stats):
        obj = getattr(stats, name)
        if isinstance(obj, stats.rv_continuous | stats.rv_discrete) and obj.name == name:
            out[name] = obj
    return out


def _lookup(name: str) -> Any:
    table = scipy_names()
    if not isinstance(name, str) or name not in table:
        close = difflib.get_close_matches(str(name), table, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise SpecError(
            f"unknown scipy.stats distribution {name!r}{hint}; valid names: "
            f"{', '.join(sorted(table))}",
            token=str(name),
        )
    return table[name]


def _is_discrete(dist: Any) -> bool:
    from scipy import stats

    return isinstance(dist, stats.rv_discrete)


def _arg_names(dist: Any) -> list[str]:
    shapes = [s.strip() for s in (dist.shapes or "").split(",") if s.strip()]
    extra = ["loc"] if _is_discrete(dist) else ["loc", "scale"]
    return shapes + extra


def _argument_error(problem: str, name: str, dist: Any, names: list[str]) -> SpecError:
    """``unknown argument 'x' for scipy:NAME; arguments: ...`` (or missing)."""
    return SpecError(
        f"{problem} argument {name!r} for scipy:{dist.name}; arguments: {', '.join(names)}",
        token=name,
    )


class _ScipyMixin:
    """Spec, validation and quadrature loss shared by the continuous and discrete wrappers."""

    prefix = "scipy"

    def _setup(self, dist: Any, kwargs: dict[str, Any]) -> Any:
        names = _arg_names(dist)
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            raise _argument_error("unknown", unknown[0], dist, names)
        shapes = names[: len(names) - (1 if _is_discrete(dist) else 2)]
        missing = [s for s in shapes if s not in kwargs]
        if missing:
            raise _argument_error("missing", missing[0], dist, names)
        # shapes may be infinite where scipy allows it (truncnorm's b=inf); loc, scale finite
        values = {
            k: number(k, kwargs[k], finite=k in ("loc", "scale")) for k in names if k in kwargs
        }
        self.family = dist.name
        self.dist = dist
        self._args = [(k, values[k]) for k in names if k in values and not _default(k, values[k])]
        rv = dist(**values)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lo, hi = rv.support()
            mean = rv.mean()
        if np.isnan(lo) or np.isnan(hi):
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            raise ParameterError(
                self.family,
                message=f"invalid arguments for scipy:{dist.name}: {shown} "
                f"(scipy.stats rejects them)",
            )
        if not np.isfinite(mean):
            raise ParameterError(
                self.family,
                message=f"scipy:{dist.name} with these arguments has no finite mean",
            )
        return rv

    def _spec_args(self) -> list[tuple[str, Any]]:
        return list(self._args)


def _default(name: str, value: float) -> bool:
    return (name == "loc" and value == 0.0) or (name == "scale" and value == 1.0)


class ScipyContinuous(_ScipyMixin, FrozenBacked):
    """A continuous scipy.stats distribution; loss from a quadrature table (see ``_tables``)."""

    def __init__(self, dist: Any, kwargs: dict[str, Any]):
        FrozenBacked.__init__(self, self._setup(dist, kwargs))
        self._table: ContinuousLoss | None = None

    def _loss_table(self) -> ContinuousLoss:
        if self._table is None:  # built on first use: it needs ~1000 quantiles
            self._table = ContinuousLoss(self._rv)
        return self._table

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        return self._loss_table().shortage(x)

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        return self._loss_table().leftover(x)


class ScipyDiscrete(_ScipyMixin, LatticeBacked):
    """An integer-valued scipy.stats distribution; loss from a table of tail sums."""

    def __init__(self, dist: Any, kwargs: dict[str, Any]):
        if "loc" in kwargs and not float(number("loc", kwargs["loc"])).is_integer():
            raise ParameterError(
                "loc", "must be an integer for a discrete distribution", kwargs["loc"]
            )
        LatticeBacked.__init__(self, self._setup(dist, kwargs))
        self._table: LatticeLoss | None = None

    def _loss_table(self) -> LatticeLoss:
        if self._table is None:
            self._table = LatticeLoss(self._rv, self.mean)
        return self._table

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        return self._loss_table().shortage(x)

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        return self._loss_table().leftover(x)


def from_scipy(name: str, **kwargs: Any) -> ScipyContinuous | ScipyDiscrete:
    """Wrap ``scipy.stats.<name>(**kwargs)``; ``name`` must be a scipy.stats distribution."""
    dist = _lookup(name)
    if _is_discrete(dist):
        return ScipyDiscrete(dist, kwargs)
    return ScipyContinuous(dist, kwargs)


def from_frozen(rv: Any) -> ScipyContinuous | ScipyDiscrete:
    """Wrap a frozen scipy.stats distribution (e.g. ``scipy.stats.norm(50, 8)``)."""
    from scipy import stats

    dist = getattr(rv, "dist", None)
    if not isinstance(dist, stats.rv_continuous | stats.rv_discrete):
        raise ParameterError("distribution", "must be a frozen scipy.stats distribution", rv)
    names = _arg_names(dist)
    if len(rv.args) > len(names):
        raise ParameterError("distribution", "has too many arguments", rv.args)
    kwargs = dict(zip(names, rv.args, strict=False))
    for key, value in rv.kwds.items():
        if key in kwargs:
            raise ParameterError(key, "given twice", value)
        kwargs[key] = value
    return from_scipy(dist.name, **kwargs)
