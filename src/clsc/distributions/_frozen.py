"""Shared machinery for families backed by a frozen :mod:`scipy.stats` distribution.

A subclass validates its arguments in ``__init__``, passes its closed-form mean and variance to
``FrozenBacked.__init__`` and supplies ``_build_rv`` (the frozen scipy distribution), ``_spec_args``
(canonical arguments), ``_shortage`` (E[(D - x)+] on a float array) and ``_draw`` (n draws from
a Generator). cdf, pdf/pmf, ppf and support come from the frozen distribution unless overridden.

The frozen distribution ``self._rv`` is built on first use, so constructing a family (and
everything a family computes without it) does not import :mod:`scipy.stats`.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from functools import cached_property
from typing import Any

import numpy as np

from clsc.distributions._checks import PPF_TOL, sample_size, spec_text
from clsc.distributions.base import Parametric, shaped_like


def frozen(name: str, *args: Any, **kwargs: Any) -> Any:
    """``scipy.stats.<name>(*args, **kwargs)``, importing scipy.stats on first use."""
    from scipy import stats

    return getattr(stats, name)(*args, **kwargs)


class FrozenBacked(Parametric):
    """Base of the parametric families; ``self._rv`` is a frozen scipy distribution.

    ``rv`` given: that frozen distribution (its mean and variance unless given too); ``rv``
    None: ``mean`` and ``var`` are required and ``_build_rv`` makes ``_rv`` when first used.
    """

    family: str = ""
    prefix: str | None = None
    #: the support when it does not depend on the arguments (otherwise scipy's, from ``_rv``)
    fixed_support: tuple[float, float] | None = None

    def __init__(self, rv: Any = None, mean: float | None = None, var: float | None = None):
        if rv is not None:
            self._rv = rv
            if mean is None or var is None:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mean, var = float(rv.mean()), float(rv.var())
        elif mean is None or var is None:
            raise TypeError("FrozenBacked needs rv, or mean and var")
        self._mean, self._var = float(mean), float(var)

    @cached_property
    def _rv(self) -> Any:
        return self._build_rv()

    def _build_rv(self) -> Any:
        """The frozen scipy.stats distribution (families built without ``rv`` override this)."""
        raise NotImplementedError(f"{type(self).__name__} has no frozen scipy distribution")

    @property
    def spec(self) -> str:
        return spec_text(self.family, self._spec_args(), self.prefix)

    @property
    def support(self) -> tuple[float, float]:
        if self.fixed_support is not None:
            return self.fixed_support
        lo, hi = self._rv.support()
        return (float(lo), float(hi))

    # -- distribution functions ------------------------------------------------------------
    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return shaped_like(x, self._rv.cdf(x))

    def pdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return shaped_like(x, self._rv.pmf(x) if self.discrete else self._rv.pdf(x))

    def ppf(self, u: Any) -> Any:
        u = np.asarray(u, dtype=float)
        return shaped_like(u, self._rv.ppf(u))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws (float64) using only ``rng``."""
        n = sample_size(n, rng)
        return np.asarray(self._draw(n, rng), dtype=float)

    def expected_shortage(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return shaped_like(x, self._shortage(x))

    def expected_leftover(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return shaped_like(x, self._leftover(x))

    @abstractmethod
    def _shortage(self, x: np.ndarray) -> np.ndarray: ...

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        """E[(x - D)+]; families with a direct form override this (no cancellation in the
        lower tail, where x - E[D] + E[(D - x)+] loses digits)."""
        return np.maximum(x - self.mean + self._shortage(x), 0.0)

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._rv.rvs(size=n, random_state=rng)


class LatticeBacked(FrozenBacked):
    """Integer-valued families: pmf, and a ppf with the tolerance :data:`PPF_TOL`.

    ``ppf(u)`` is the smallest support point k with F(k) >= u*(1 - PPF_TOL) (scipy's convention
    up to the tolerance); ``ppf(0)`` is the lower end of the support, ``ppf(1)`` the upper end.
    """

    discrete = True

    def ppf(self, u: Any) -> Any:
        u = np.asarray(u, dtype=float)
        lo, hi = self.support
        level = np.clip(u * (1.0 - PPF_TOL), 0.0, 1.0)
        with np.errstate(invalid="ignore"):
            q = np.maximum(self._rv.ppf(level), lo)
        q = np.where(u >= 1.0, hi, q)
        q = np.where((u < 0.0) | (u > 1.0) | np.isnan(u), np.nan, q)
        return shaped_like(u, q)
