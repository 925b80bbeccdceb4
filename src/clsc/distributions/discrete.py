"""Discrete demand families with exact loss functions L(x) = E[(D - x)+].

With n = floor(x) (any real x; D > x iff D >= n + 1):

* poisson(mean=lam):  L(x) = lam*P(D >= n) - x*P(D > n)   (as E[D 1{D > n}] = lam*P(D >= n)),
  E[(x - D)+] = x*F(n) - lam*F(n - 1)
* binomial(n=N, p):   L(x) = N*p*P(B(N-1, p) >= n) - x*P(B(N, p) > n),
  E[(x - D)+] = x*F(n) - N*p*P(B(N-1, p) <= n - 1)
* discrete(values, probs) (any finite support v_1 < ... < v_m):
  L(x) = sum_{v_i > x} p_i*v_i - x*sum_{v_i > x} p_i, from suffix sums and ``searchsorted``.

L is piecewise linear between support points and convex. ``ppf(u)`` is the smallest support
point with F >= u*(1 - PPF_TOL) (:data:`clsc.distributions._checks.PPF_TOL` = 1e-12), so the
newsvendor's "smallest q with F(q) >= ratio" is ``ppf(ratio)`` even when F(q) is computed as a
sum that falls a rounding error short of ``ratio``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np

from clsc.distributions._checks import (
    PPF_TOL,
    integer,
    number_list,
    positive,
    probability,
    sample_size,
    spec_text,
)
from clsc.distributions._frozen import LatticeBacked, frozen
from clsc.distributions.base import Parametric, shaped_like
from clsc.errors import ParameterError

#: |sum(probs) - 1| allowed for explicit discrete distributions (probs are then renormalised).
SUM_TOL = 1e-9


class Poisson(LatticeBacked):
    """Poisson with the given mean."""

    family = "poisson"
    fixed_support = (0.0, math.inf)

    def __init__(self, mean: float):
        self.lam = positive("mean", mean)
        super().__init__(mean=self.lam, var=self.lam)

    def _build_rv(self) -> Any:
        return frozen("poisson", self.lam)

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("mean", self.lam)]

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        n = np.floor(x)
        return np.maximum(self.lam * self._rv.sf(n - 1.0) - x * self._rv.sf(n), 0.0)

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        # E[(x - D)+] = x*F(n) - lam*F(n - 1), as E[D 1{D <= n}] = lam*F(n - 1)
        n = np.floor(x)
        return np.maximum(x * self._rv.cdf(n) - self.lam * self._rv.cdf(n - 1.0), 0.0)

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.poisson(self.lam, size=n)


class Binomial(LatticeBacked):
    """Binomial(n trials, success probability p)."""

    family = "binomial"

    def __init__(self, n: int, p: float):
        self.n = integer("n", n, minimum=0)
        self.p = probability("p", p)
        npq = self.n * self.p * (1.0 - self.p)
        super().__init__(mean=self.n * self.p, var=npq)

    def _build_rv(self) -> Any:
        return frozen("binom", self.n, self.p)

    @cached_property
    def _rest(self) -> Any:
        """B(n - 1, p), whose tail gives E[D 1{D > k}] = n*p*P(B(n-1, p) >= k)."""
        return frozen("binom", max(self.n - 1, 0), self.p)

    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("n", self.n), ("p", self.p)]

    @property
    def support(self) -> tuple[float, float]:
        if self.p == 0.0:
            return (0.0, 0.0)
        if self.p == 1.0:
            return (float(self.n), float(self.n))
        return (0.0, float(self.n))

    def _shortage(self, x: np.ndarray) -> np.ndarray:
        k = np.floor(x)
        head = self.n * self.p * self._rest.sf(k - 1.0) if self.n > 0 else np.zeros_like(x)
        return np.maximum(head - x * self._rv.sf(k), 0.0)

    def _leftover(self, x: np.ndarray) -> np.ndarray:
        # E[(x - D)+] = x*F(k) - N*p*P(B(N-1, p) <= k - 1), k = floor(x)
        k = np.floor(x)
        head = self.n * self.p * self._rest.cdf(k - 1.0) if self.n > 0 else np.zeros_like(x)
        return np.maximum(x * self._rv.cdf(k) - head, 0.0)

    def _draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.binomial(self.n, self.p, size=n)


class FiniteDiscrete(Parametric):
    """Finitely many atoms ``values`` with probabilities ``probs`` (exact sums throughout)."""

    discrete = True
    family = "discrete"

    def __init__(self, values: Any, probs: Any):
        v = number_list("values", values)
        p = number_list("probs", probs)
        if len(v) != len(p):
            raise ParameterError(
                "probs", "must have one entry per value", len(p), context={"values": len(v)}
            )
        if np.any(p < 0):
            i = int(np.argmax(p < 0))
            raise ParameterError("probs", "must be >= 0", float(p[i]), context={"index": i})
        total = math.fsum(p)
        if not abs(total - 1.0) <= SUM_TOL:
            raise ParameterError("probs", message=f"probs must sum to 1; got sum={total:.10g}")
        if len(np.unique(v)) != len(v):
            dup = _first_duplicate(v)
            raise ParameterError("values", "must be distinct", dup)
        order = np.argsort(v, kind="stable")
        self._spec_values, self._spec_probs = v[order], p[order]
        self._set_atoms(v[order], p[order] / total)

    def _set_atoms(self, values: np.ndarray, probs: np.ndarray) -> None:
        keep = probs > 0
        self.values = values[keep]
        self.probs = probs[keep]
        cum = np.cumsum(self.probs)
        cum[-1] = 1.0
        self._cum = cum
        tail_p = np.append(np.cumsum(self.probs[::-1])[::-1], 0.0)
        tail_pv = np.append(np.cumsum((self.probs * self.values)[::-1])[::-1], 0.0)
        self._tail_p, self._tail_pv = tail_p, tail_pv
        # prefix sums for E[(x - D)+] = x*F(x) - E[D 1{D <= x}], exact from the lower end
        self._head_p = np.append(0.0, np.cumsum(self.probs))
        self._head_pv = np.append(0.0, np.cumsum(self.probs * self.values))
        self._mean = float(tail_pv[0])
        self._var = float(np.dot(self.probs, (self.values - self._mean) ** 2))

    # -- text form -------------------------------------------------------------------------
    def _spec_args(self) -> list[tuple[str, Any]]:
        return [("values", list(self._spec_values)), ("probs", list(self._spec_probs))]

    @property
    def spec(self) -> str:
        # cached: an empirical sample's spec lists every value
        text = self.__dict__.get("_spec_text")
        if text is None:
            text = self.__dict__["_spec_text"] = spec_text(self.family, self._spec_args())
        return text

    @property
    def support(self) -> tuple[float, float]:
        return (float(self.values[0]), float(self.values[-1]))

    # -- distribution functions ------------------------------------------------------------
    def cdf(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x, side="right")
        out = np.where(idx > 0, self._cum[np.maximum(idx - 1, 0)], 0.0)
        return shaped_like(x, np.where(np.isnan(x), np.nan, out))

    def pdf(self, x: Any) -> Any:
        """The pmf: P(D = x)."""
        x = np.asarray(x, dtype=float)
        idx = np.clip(np.searchsorted(self.values, x, side="left"), 0, len(self.values) - 1)
        hit = self.values[idx] == x
        return shaped_like(x, np.where(hit, self.probs[idx], 0.0))

    def ppf(self, u: Any) -> Any:
        """Smallest atom v with F(v) >= u*(1 - PPF_TOL); NaN outside [0, 1]."""
        u = np.asarray(u, dtype=float)
        idx = np.searchsorted(self._cum, u * (1.0 - PPF_TOL), side="left")
        out = self.values[np.clip(idx, 0, len(self.values) - 1)]
        return shaped_like(u, np.where((u < 0) | (u > 1) | np.isnan(u), np.nan, out))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws by inversion of one ``rng.random(n)`` vector."""
        n = sample_size(n, rng)
        idx = np.searchsorted(self._cum, rng.random(n), side="right")
        return self.values[np.minimum(idx, len(self.values) - 1)].astype(float)

    def expected_shortage(self, x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x, side="right")
        out = np.maximum(self._tail_pv[idx] - x * self._tail_p[idx], 0.0)
        return shaped_like(x, np.where(np.isnan(x), np.nan, out))

    def expected_leftover(self, x: Any) -> Any:
        """E[(x - D)+] = sum_{v_i <= x} (x - v_i) p_i from prefix sums."""
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x, side="right")
        out = np.maximum(x * self._head_p[idx] - self._head_pv[idx], 0.0)
        return shaped_like(x, np.where(np.isnan(x), np.nan, out))

    def partial_expectation(self, x: Any) -> Any:
        """E[D 1{D <= x}] as an exact prefix sum."""
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(self.values, x, side="right")
        return shaped_like(x, self._head_pv[idx])


def _first_duplicate(v: np.ndarray) -> float:
    s = np.sort(v)
    return float(s[np.argmax(s[1:] == s[:-1]) + 1])


def poisson(mean: float) -> Poisson:
    """Poisson demand with the given mean."""
    return Poisson(mean)


def binomial(n: int, p: float) -> Binomial:
    """Binomial demand: n trials with success probability p."""
    return Binomial(n, p)


def discrete(values: list[float], probs: list[float]) -> FiniteDiscrete:
    """Demand taking ``values[i]`` with probability ``probs[i]`` (probs sum to 1 within 1e-9)."""
    return FiniteDiscrete(values, probs)


#: the factories of this module by family name (the text form's registry)
FACTORIES: dict[str, Callable[..., Parametric]] = {
    f.__name__: f for f in (poisson, binomial, discrete)
}
