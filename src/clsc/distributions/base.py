"""The demand-distribution interface.

Every demand object D with cdf F gives, vectorised over ``x`` (numpy arrays in, arrays out;
scalars in, floats out):

* ``cdf(x)`` = F(x), ``pdf(x)`` (the pmf for discrete families), ``ppf(u)`` = F^-1(u)
  (for discrete families the smallest support point with F >= u), ``mean``, ``sd``;
* ``sample(n, rng)`` from a passed :class:`numpy.random.Generator` (never global state);
* exact loss functions ``expected_shortage(x)`` = E[(D - x)+] and ``expected_leftover(x)`` =
  E[(x - D)+] (closed forms where they exist, quadrature/summation otherwise), and derived
  ``expected_sales(x)`` = E[min(D, x)] and ``partial_expectation(x)`` = E[D 1{D <= x}];
* ``spec``: the canonical text form, e.g. ``normal(mean=50, sd=8)``, which parses back to an
  equal distribution.

Identity used throughout: E[(x - D)+] - E[(D - x)+] = x - E[D].
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np


class Distribution(ABC):
    """Abstract demand distribution; see the module docstring for the contract."""

    #: True for integer-valued families (Poisson, binomial, explicit discrete, ...).
    discrete: bool = False

    @property
    @abstractmethod
    def spec(self) -> str:
        """Canonical text form (parses back with :func:`clsc.distributions.parse`)."""

    @property
    @abstractmethod
    def mean(self) -> float: ...

    @property
    @abstractmethod
    def sd(self) -> float: ...

    @property
    def var(self) -> float:
        """Variance of D (sd squared unless a family computes it directly)."""
        return self.sd**2

    @property
    def support(self) -> tuple[float, float]:
        """(lower, upper) of the support, possibly infinite."""
        return (float(self.ppf(0.0)), float(self.ppf(1.0)))

    @abstractmethod
    def cdf(self, x: Any) -> Any: ...

    @abstractmethod
    def pdf(self, x: Any) -> Any:
        """Density (pmf for discrete families)."""

    @abstractmethod
    def ppf(self, u: Any) -> Any: ...

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...

    @abstractmethod
    def expected_shortage(self, x: Any) -> Any:
        """E[(D - x)+], the loss function (expected lost sales at stock x)."""

    def expected_leftover(self, x: Any) -> Any:
        """E[(x - D)+] = x - E[D] + E[(D - x)+]."""
        x = np.asarray(x, dtype=float)
        return shaped_like(x, x - self.mean + np.asarray(self.expected_shortage(x)))

    def expected_sales(self, x: Any) -> Any:
        """E[min(D, x)] = x - E[(x - D)+] = E[D] - E[(D - x)+]."""
        x = np.asarray(x, dtype=float)
        return shaped_like(x, self.mean - np.asarray(self.expected_shortage(x)))

    def partial_expectation(self, x: Any) -> Any:
        """E[D 1{D <= x}] = E[D] - E[(D - x)+] - x*(1 - F(x))."""
        x = np.asarray(x, dtype=float)
        tail = np.asarray(self.expected_shortage(x)) + x * (1.0 - np.asarray(self.cdf(x)))
        return shaped_like(x, self.mean - tail)

    def __repr__(self) -> str:
        return f"<Distribution {self.spec}>"

    def __str__(self) -> str:
        return self.spec

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Distribution) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)


class Parametric(Distribution):
    """A family given by canonical spec arguments, its moments fixed at construction.

    A subclass sets ``self._mean`` and ``self._var`` in ``__init__`` and supplies
    ``_spec_args`` (the canonical ``(name, value)`` pairs of its spec, in order).
    """

    _mean: float
    _var: float

    @abstractmethod
    def _spec_args(self) -> list[tuple[str, Any]]:
        """Canonical ``(name, value)`` pairs of the spec, in order."""

    @property
    def params(self) -> dict[str, Any]:
        """The canonical arguments of the spec as a dict."""
        return dict(self._spec_args())

    @property
    def mean(self) -> float:
        return self._mean

    @property
    def var(self) -> float:
        """Variance of D."""
        return self._var

    @property
    def sd(self) -> float:
        return math.sqrt(self._var)


def shaped_like(x: np.ndarray, value: Any) -> Any:
    """``value`` as a float when ``x`` is 0-d (a scalar went in), as a float array otherwise.

    >>> shaped_like(np.asarray(2.0), 3)
    3.0
    >>> shaped_like(np.asarray([2.0]), [3])
    array([3.])
    """
    value = np.asarray(value, dtype=float)
    return float(value) if x.ndim == 0 else value
