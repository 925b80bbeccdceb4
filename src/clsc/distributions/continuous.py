"""Continuous demand families with closed-form loss functions L(x) = E[(D - x)+].

Notation: phi, Phi are the standard normal pdf and cdf, Q(a, y) the regularized upper
incomplete gamma function; every formula below holds for x inside the support, and
L(x) = E[D] - x below it, 0 above it. E[(x - D)+] = x - E[D] + L(x) unless a direct form is
given (the direct form keeps its digits in the lower tail).

* normal(mean=mu, sd=s), z = (x - mu)/s:  L = s*(phi(z) - z*(1 - Phi(z))), E[(x - D)+] = L(2mu - x)
* truncnormal(mean=mu, sd=s, lower, upper) (mu, s of the UNDERLYING normal; scipy
  ``truncnorm(a=(lower-mu)/s, b=(upper-mu)/s, loc=mu, scale=s)``), alpha, beta the standardized
  bounds, Z = Phi(beta) - Phi(alpha):  L = s/Z*[phi(z) - phi(beta) - z*(Phi(beta) - Phi(z))],
  E[(x - D)+] = s/Z*[z*(Phi(z) - Phi(alpha)) + phi(z) - phi(alpha)]
* uniform(low, high):  L = (high - x)^2 / (2*(high - low))
* exponential(mean=m):  L = m*exp(-x/m)
* gamma(shape=k, scale=t):  L = k*t*Q(k + 1, x/t) - x*Q(k, x/t)
* lognormal(mu, sigma) (of log D):  L = exp(mu + sigma^2/2)*Phi((mu + sigma^2 - ln x)/sigma)
  - x*Phi((mu - ln x)/sigma)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special

from clsc.distributions._checks import MIN_POSITIVE, number, positive
from clsc.distributions._frozen import FrozenBacked, frozen
from clsc.distributions.base import shaped_like
from clsc.errors import ParameterError

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = np.sqrt(2 * np.pi)  # scipy.stats.norm's _norm_pdf_C


def _phi(z: np.ndarray) -> np.ndarray:
    return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _mass(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Phi(b) - Phi(a) for a <= b, computed on the side of 0 that avoids cancellation."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.where(a > 0, special.ndtr(-a) - special.ndtr(-b), special.ndtr(b) - special.ndtr(a))


def _truncated_moments(a: float, b: float, mass: float) -> tuple[float, float]:
    """Mean and variance of a standard normal truncated to [a, b] (mass = Phi(b) - Phi(a)).

    Closed form; the variance of a very narrow interval (where the closed form cancels) is
    computed by quadrature of (z - mean)^2 phi(z) / mass.
    """
    pa, pb = _phi(np.asarray(a)), _phi(np.asarray(b))
    mean = float((pa - pb) / mass)
    apa = float(a * pa) if math.isfinite(a) else 0.0
    bpb = float(b * pb) if math.isfinite(b) else 0.0
    var = 1.0 + (apa - bpb) / mass - mean * mean
    if b - a < 0.1 or not var > 0:
        from scipy import integrate

        dens = lambda z: (z - mean) ** 2 * _INV_SQRT_2PI * math.exp(-0.5 * z * z)  # noqa: E731
        lo, hi = max(a, mean - 40.0), min(b, mean + 40.0)
        var = integrate.quad(dens, lo, hi, epsabs=0.0, epsrel=1e-13, limit=200)[0] / mass
    return mean, var


class Normal(FrozenBacked):
    """Normal(mean, sd); support is the whole real line (demand may be negative).

    cdf, pdf and ppf go straight to :mod:`scipy.special` (``ndtr``, ``exp``, ``ndtri``) in the
    same floating-point operations as ``scipy.stats.norm`` (so the values are bit-identical);
    the frozen scipy distribution is built only if another of its methods is needed.

    >>> from scipy import stats
    >>> d = Normal(50.0, 8.0)
    >>> d.ppf(0.5), bool(d.ppf(0.7954545454545454) == stats.norm(50.0, 8.0).ppf(0.7954545454545454))
    (50.0, True)
    """

    family = "normal"
    fixed_support = (-math.inf, math.inf)

    def __init__(self, mean: float, sd: float):
        self.mu = number("mean", mean)
        self.sigma = positive("sd", sd)
        super().__init__(mean=self.mu, var=self.sigma**2)

    def _build_rv(self) -> Any:
        return frozen("norm", loc=self.mu, scale=self.sigma)

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("mean", self.mu), ("sd", self.sigma)]

    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return shaped_like(x, special.ndtr((x - self.mu) / self.sigma))

    def pdf(self, x: Any) -> Any:
        # scipy.stats.norm: exp(-z**2/2.0)/sqrt(2*pi), divided by the scale
        x = np.asarray(x, dtype=float)
        z = (x - self.mu) / self.sigma
        return shaped_like(x, np.exp(-(z**2) / 2.0) / _SQRT_2PI / self.sigma)

    def ppf(self, u: Any) -> Any:
        # scipy.stats.norm: ndtri(u)*scale + loc inside [0, 1], nan outside
        if type(u) is float:  # the everyday scalar path (same operations, fewer layers)
            return float(special.ndtri(u) * self.sigma + self.mu) if 0.0 <= u <= 1.0 else math.nan
        u = np.asarray(u, dtype=float)
        inside = (u >= 0.0) & (u <= 1.0)
        return shaped_like(u, np.where(inside, special.ndtri(u) * self.sigma + self.mu, np.nan))

    def expected_shortage(self, x: Any) -> Any:
        if type(x) is float:
            return self._shortage_scalar(x)
        return super().expected_shortage(x)

    def expected_leftover(self, x: Any) -> Any:
        if type(x) is float:
            return self._shortage_scalar(2.0 * self.mu - x)
        return super().expected_leftover(x)

    def _shortage_scalar(self, x: float) -> float:
        """:meth:`_shortage` of one float, in the same floating-point operations."""
        z = (x - self.mu) / self.sigma
        if z < -40.0:
            return self.mu - x
        zc = min(z, 40.0)
        return float(self.sigma * (_phi(zc) - zc * special.ndtr(-zc)))

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mu) / self.sigma
        zc = np.clip(z, -40.0, 40.0)  # beyond +-40, L is 0 or mean - x to double precision
        inside = self.sigma * (_phi(zc) - zc * special.ndtr(-zc))
        return np.where(z < -40.0, self.mu - x, inside)

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        # E[(x - D)+] = sd*G(-z) by symmetry
        return self._shortage(2.0 * self.mu - x)

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(self.mu, self.sigma, size=n)


class TruncNormal(FrozenBacked):
    """Normal(mean, sd) conditioned on lower <= D <= upper; ``mean``/``sd`` arguments are
    those of the underlying normal, the ``mean``/``sd`` properties those of D."""

    family = "truncnormal"

    def __init__(self, mean: float, sd: float, lower: float = -math.inf, upper: float = math.inf):
        self.mu = number("mean", mean)
        self.sigma = positive("sd", sd)
        self.lower = number("lower", lower, finite=False)
        self.upper = number("upper", upper, finite=False)
        if not self.lower < self.upper:
            raise ParameterError(
                "lower", "must be < upper", self.lower, context={"upper": self.upper}
            )
        if self.upper - self.lower < 1e-6 * self.sigma:
            raise ParameterError(
                "upper",
                "must exceed lower by at least 1e-6*sd (use uniform for a narrower range)",
                self.upper,
                context={"lower": self.lower, "sd": self.sigma},
            )
        self._a = (self.lower - self.mu) / self.sigma
        self._b = (self.upper - self.mu) / self.sigma
        self._z = float(_mass(self._a, self._b))
        if not self._z > 1e-300:
            raise ParameterError(
                "lower",
                "and upper must leave positive probability under normal(mean, sd)",
                self.lower,
                context={"upper": self.upper, "mean": self.mu, "sd": self.sigma},
            )
        zmean, zvar = _truncated_moments(self._a, self._b, self._z)
        super().__init__(mean=self.mu + self.sigma * zmean, var=self.sigma**2 * zvar)

    def _build_rv(self) -> Any:
        return frozen("truncnorm", a=self._a, b=self._b, loc=self.mu, scale=self.sigma)

    @property
    def support(self) -> tuple[float, float]:
        # as scipy's truncnorm: the standardized bounds scaled back
        return (self._a * self.sigma + self.mu, self._b * self.sigma + self.mu)

    def _spec_args(self) -> list[tuple[str, Any]]:
        args: list[tuple[str, Any]] = [("mean", self.mu), ("sd", self.sigma)]
        if self.lower > -math.inf:
            args.append(("lower", self.lower))
        if self.upper < math.inf:
            args.append(("upper", self.upper))
        return args

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        z = np.clip((x - self.mu) / self.sigma, self._a, self._b)
        bracket = _phi(z) - _phi(np.asarray(self._b)) - z * _mass(z, self._b)
        inside = self.sigma / self._z * bracket
        return np.maximum(inside, 0.0) + np.maximum(self.lower - x, 0.0)

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        # E[(x - D)+] = s/Z*[z*(Phi(z) - Phi(alpha)) + phi(z) - phi(alpha)] inside the support
        z = np.clip((x - self.mu) / self.sigma, self._a, self._b)
        bracket = z * _mass(self._a, z) + _phi(z) - _phi(np.asarray(self._a))
        inside = self.sigma / self._z * bracket
        return np.maximum(inside, 0.0) + np.maximum(x - self.upper, 0.0)

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._rv.ppf(rng.random(n))


class Uniform(FrozenBacked):
    """Uniform(low, high).

    cdf, pdf and ppf are computed here in the floating-point operations of
    ``scipy.stats.uniform(loc=low, scale=high - low)`` (bit-identical values), so the frozen
    scipy distribution is built only if another of its methods is needed.

    >>> from scipy import stats
    >>> d, rv = Uniform(0.1, 0.7), stats.uniform(loc=0.1, scale=0.7 - 0.1)
    >>> x = np.array([0.0, 0.1, 0.35, 0.7, 0.9, np.nan])
    >>> bool(np.array_equal(d.cdf(x), rv.cdf(x), equal_nan=True))
    True
    """

    family = "uniform"

    def __init__(self, low: float, high: float):
        self.low = number("low", low)
        self.high = number("high", high)
        if not self.low < self.high:
            raise ParameterError("low", "must be < high", self.low, context={"high": self.high})
        width = self.high - self.low
        if width < MIN_POSITIVE:
            raise ParameterError(
                "high",
                f"must exceed low by at least {MIN_POSITIVE:g}",
                self.high,
                context={"low": self.low},
            )
        super().__init__(mean=(self.low + self.high) / 2, var=width**2 / 12)

    def _build_rv(self) -> Any:
        return frozen("uniform", loc=self.low, scale=self.high - self.low)

    @property
    def support(self) -> tuple[float, float]:
        # as scipy's uniform: [0, 1] scaled by the width and shifted by low
        width = self.high - self.low
        return (0.0 * width + self.low, 1.0 * width + self.low)

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("low", self.low), ("high", self.high)]

    def _standard(self, x: Any) -> tuple[np.ndarray, np.ndarray, float]:
        """(x as an array, z = (x - low)/width as scipy standardizes it, width)."""
        x = np.asarray(x, dtype=float)
        width = self.high - self.low
        return x, (x - self.low) / width, width

    def cdf(self, x: Any) -> Any:
        # scipy: z inside the open (0, 1), 1 at or above 1, 0 below, nan for nan
        x, z, _ = self._standard(x)
        out = np.where((z > 0.0) & (z < 1.0), z, np.where(z >= 1.0, 1.0, 0.0))
        return shaped_like(x, np.where(np.isnan(z), np.nan, out))

    def pdf(self, x: Any) -> Any:
        # scipy: 1/width on the closed [0, 1], 0 outside, nan for nan
        x, z, width = self._standard(x)
        out = np.where((z >= 0.0) & (z <= 1.0), 1.0 / width, 0.0)
        return shaped_like(x, np.where(np.isnan(z), np.nan, out))

    def ppf(self, u: Any) -> Any:
        # scipy: u*width + low inside (0, 1), the support ends at 0 and 1, nan elsewhere
        u = np.asarray(u, dtype=float)
        width = self.high - self.low
        out = np.where((u > 0.0) & (u < 1.0), u * width + self.low, np.nan)
        out = np.where(u == 0.0, 0.0 * width + self.low, np.where(u == 1.0, width + self.low, out))
        return shaped_like(u, out)

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        inside = (self.high - x) ** 2 / (2.0 * width)
        return np.where(x <= self.low, self.mean - x, np.where(x >= self.high, 0.0, inside))

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=n)


class Exponential(FrozenBacked):
    """Exponential with the given mean (rate 1/mean) on [0, inf)."""

    family = "exponential"
    fixed_support = (0.0, math.inf)

    def __init__(self, mean: float):
        self.scale = positive("mean", mean)
        super().__init__(mean=self.scale, var=self.scale**2)

    def _build_rv(self) -> Any:
        return frozen("expon", scale=self.scale)

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("mean", self.scale)]

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        m = self.scale
        return np.where(x <= 0, m - x, m * np.exp(-np.maximum(x, 0.0) / m))

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.exponential(self.scale, size=n)


class Gamma(FrozenBacked):
    """Gamma(shape=k, scale=t), mean k*t."""

    family = "gamma"
    fixed_support = (0.0, math.inf)

    def __init__(self, shape: float, scale: float):
        self.shape = positive("shape", shape)
        self.scale = positive("scale", scale)
        k, t = self.shape, self.scale
        super().__init__(mean=k * t, var=k * t * t)

    def _build_rv(self) -> Any:
        return frozen("gamma", self.shape, scale=self.scale)

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("shape", self.shape), ("scale", self.scale)]

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        k, t = self.shape, self.scale
        y = np.maximum(x, 0.0) / t
        inside = k * t * special.gammaincc(k + 1.0, y) - np.maximum(x, 0.0) * special.gammaincc(
            k, y
        )
        return np.where(x <= 0, self.mean - x, np.maximum(inside, 0.0))

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.gamma(self.shape, self.scale, size=n)


class Lognormal(FrozenBacked):
    """D = exp(N(mu, sigma^2)); ``mu`` and ``sigma`` are those of log D."""

    family = "lognormal"
    fixed_support = (0.0, math.inf)

    def __init__(self, mu: float, sigma: float):
        self.mu = number("mu", mu)
        self.sigma = positive("sigma", sigma)
        if self.mu + self.sigma**2 > 350.0:
            raise ParameterError(
                "sigma",
                "must keep the variance representable (mu + sigma^2 <= 350)",
                self.sigma,
                context={"mu": self.mu},
            )
        mu, s2 = self.mu, self.sigma**2
        mean, var = math.exp(mu + s2 / 2), math.expm1(s2) * math.exp(2 * mu + s2)
        super().__init__(mean=mean, var=var)

    def _build_rv(self) -> Any:
        return frozen("lognorm", self.sigma, scale=math.exp(self.mu))

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("mu", self.mu), ("sigma", self.sigma)]

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        mu, s = self.mu, self.sigma
        pos = x > 0
        with np.errstate(divide="ignore"):
            logx = np.log(np.where(pos, x, 1.0))
        inside = self.mean * special.ndtr((mu + s * s - logx) / s) - x * special.ndtr(
            (mu - logx) / s
        )
        return np.where(pos, np.maximum(inside, 0.0), self.mean - x)

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size=n)


# ---- factories (the public constructors; also the registry of the text form) ---------------


def normal(mean: float, sd: float) -> Normal:
    """Normal demand with the given mean and standard deviation."""
    return Normal(mean, sd)


def truncnormal(
    mean: float, sd: float, lower: float = -math.inf, upper: float = math.inf
) -> TruncNormal:
    """Normal(mean, sd) truncated to [lower, upper] and renormalised (omitted bound: infinite)."""
    return TruncNormal(mean, sd, lower, upper)


def uniform(low: float, high: float) -> Uniform:
    """Uniform demand on [low, high]."""
    return Uniform(low, high)


def exponential(mean: float) -> Exponential:
    """Exponential demand with the given mean."""
    return Exponential(mean)


def gamma(shape: float, scale: float) -> Gamma:
    """Gamma demand with shape k and scale t (mean k*t)."""
    return Gamma(shape, scale)


def lognormal(mu: float, sigma: float) -> Lognormal:
    """Lognormal demand: log D ~ Normal(mu, sigma)."""
    return Lognormal(mu, sigma)


#: the factories of this module by family name (the text form's registry)
FACTORIES: dict[str, Callable[..., FrozenBacked]] = {
    f.__name__: f for f in (normal, truncnormal, uniform, exponential, gamma, lognormal)
}
