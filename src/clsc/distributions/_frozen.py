"""Shared machinery for families backed by a frozen :mod:`scipy.stats` distribution.

A subclass sets ``family``, builds the frozen distribution ``self._rv`` in ``__init__`` (after
validating its arguments), and supplies ``_spec_args`` (canonical arguments), ``_shortage``
(E[(D - x)+] on a float array) and ``_draw`` (n draws from a Generator). cdf, pdf/pmf, ppf,
mean, sd, var and support come from the frozen distribution unless overridden.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from typing import Any

import numpy as np

from clsc.distributions._checks import PPF_TOL, sample_size, spec_text
from clsc.distributions.base import Distribution, _like


class FrozenBacked(Distribution):
    """Base of the parametric families; ``self._rv`` is a frozen scipy distribution."""

    family: str = ""
    prefix: str | None = None

    def __init__(self, rv: Any, mean: float | None = None, var: float | None = None):
        self._rv = rv
        if mean is None or var is None:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mean, var = float(rv.mean()), float(rv.var())
        self._mean, self._var = float(mean), float(var)

    # -- text form -------------------------------------------------------------------------
    @abstractmethod
    def _spec_args(self) -> list[tuple[str, Any]]:
        """Canonical ``(name, value)`` pairs of the spec, in order."""

    @property
    def params(self) -> dict[str, Any]:
        """The canonical arguments of the spec as a dict."""
        return dict(self._spec_args())

    @property
    def spec(self) -> str:
        return spec_text(self.family, self._spec_args(), self.prefix)

    # -- moments and support ---------------------------------------------------------------
    @property
    def mean(self) -> float:
        return self._mean

    @property
    def var(self) -> float:
        """Variance of D."""
        return self._var

    @property
    def sd(self) -> float:
        return float(np.sqrt(self._var))

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self._rv.support()
        return (float(lo), float(hi))

    # -- distribution functions ------------------------------------------------------------
    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return _like(x, self._rv.cdf(x))

    def pdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return _like(x, self._rv.pmf(x) if self.discrete else self._rv.pdf(x))

    def ppf(self, u: Any) -> Any:
        u = np.asarray(u, dtype=float)
        return _like(u, self._rv.ppf(u))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws (float64) using only ``rng``."""
        n = sample_size(n, rng)
        return np.asarray(self._draw(n, rng), dtype=float)

    def expected_shortage(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return _like(x, self._shortage(x))

    def expected_leftover(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return _like(x, self._leftover(x))

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
        return _like(u, q)
