"""Vectorised loss functions L(x) = E[(D - x)+] for distributions known only through scipy.

Continuous D: L(x) = int_x^hi (1 - F(t)) dt. Breakpoints b_0 < ... < b_K are the quantiles at
513 logit-spaced levels in [1e-12, 1 - 1e-12] (``ppf`` below 1/2, ``isf`` above), continued
into infinite tails at tail probabilities 10^-12.5 ... 10^-299.5, plus finite support ends;
each panel is integrated once by 16-point Gauss-Legendre (one vectorised sf / cdf call), and
cumulative sums give C_i = int_{b_i}^hi (1 - F) and H_i = int_lo^{b_i} F. Then for
b_i <= x < b_{i+1}: E[(D - x)+] = C_{i+1} + GL int_x^{b_{i+1}} (1 - F) and
E[(x - D)+] = H_i + GL int_{b_i}^x F: sums of positive terms, so both keep their relative
accuracy in the far tails (no x - E[D] + L(x) cancellation).

Integer-valued D: for integer n, E[(D - n)+] = sum_{j >= n} P(D > j) and
E[(n - D)+] = sum_{j < n} F(j), tabulated by cumulative sums over the range between the 1e-14
and 1 - 1e-14 quantiles; for non-integer x, interpolate linearly (slopes -P(D > n), F(n),
n = floor(x)). Points outside the tabulated range use ``rv.expect``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special

from clsc.errors import SolverError

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
_LEVELS = special.expit(np.linspace(special.logit(1e-12), -special.logit(1e-12), 513))
_FAR = 10.0 ** -np.arange(12.5, 300.0, 0.5)
#: Most integers tabulated for a discrete distribution (beyond: summation per point).
MAX_LATTICE = 2_000_000


def _gauss(f: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """int_a^b f, elementwise over the arrays a, b, by 16-point Gauss-Legendre."""
    half = (b - a) / 2.0
    t = (a + half)[:, None] + half[:, None] * _NODES[None, :]
    return half * (f(t) @ _WEIGHTS)


def quad(f: Callable[[float], float], a: float, b: float, epsrel: float = 1e-9) -> float:
    """Adaptive quadrature (relative tolerance only: tail integrals are tiny)."""
    from scipy import integrate

    value, err, *_info = integrate.quad(
        f, a, b, epsabs=0.0, epsrel=epsrel, limit=200, full_output=1
    )
    if not math.isfinite(value) or err > 1e-4 * abs(value) + 1e-300:
        raise SolverError(f"quadrature of the loss function failed on [{a}, {b}] (error {err:g})")
    return float(value)


class ContinuousLoss:
    """Tabulated E[(D - x)+] and E[(x - D)+] for a frozen continuous scipy distribution."""

    def __init__(self, rv: Any):
        self.rv = rv
        lo, hi = (float(v) for v in rv.support())
        parts = [rv.ppf(_LEVELS[_LEVELS <= 0.5]), rv.isf(_LEVELS[_LEVELS < 0.5])]
        # infinite ends: continue into the tails at tail probabilities 1e-12 ... 1e-300
        parts.append(rv.ppf(_FAR) if not math.isfinite(lo) else np.array([lo]))
        parts.append(rv.isf(_FAR) if not math.isfinite(hi) else np.array([hi]))
        with np.errstate(all="ignore"):
            b = np.concatenate([np.asarray(q, dtype=float) for q in parts])
        b = np.unique(b[np.isfinite(b)])
        self.lo, self.hi, self.b = lo, hi, b
        # beyond the end breakpoints (support ends, or the 1e-300 tail quantiles) nothing
        # measurable is left: c_i = int_{b_i}^hi (1 - F), h_i = int_lo^{b_i} F
        self.c = np.append(np.cumsum(_gauss(rv.sf, b[:-1], b[1:])[::-1])[::-1], 0.0)
        self.h = np.append(0.0, np.cumsum(_gauss(rv.cdf, b[:-1], b[1:])))

    def shortage(self, x: np.ndarray) -> np.ndarray:
        """E[(D - x)+]: c_{i+1} + int_x^{b_{i+1}} (1 - F) (a sum of positive terms)."""
        flat, out, i, mid, low, high = self._locate(x)
        b, c = self.b, self.c
        if mid.any():
            out[mid] = c[i[mid] + 1] + _gauss(self.rv.sf, flat[mid], b[i[mid] + 1])
        # below b_0 (which is lo, or the 1e-300 quantile): F is negligible
        out[low] = c[0] + (b[0] - flat[low])
        for j in np.flatnonzero(high):
            out[j] = 0.0 if flat[j] >= self.hi else quad(self.rv.sf, flat[j], self.hi)
        return np.maximum(out, 0.0).reshape(np.shape(x))

    def leftover(self, x: np.ndarray) -> np.ndarray:
        """E[(x - D)+]: h_i + int_{b_i}^x F."""
        flat, out, i, mid, low, high = self._locate(x)
        b, h = self.b, self.h
        if mid.any():
            out[mid] = h[i[mid]] + _gauss(self.rv.cdf, b[i[mid]], flat[mid])
        out[low] = 0.0
        out[high] = h[-1] + (flat[high] - b[-1])
        return np.maximum(out, 0.0).reshape(np.shape(x))

    def _locate(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        flat = np.asarray(x, dtype=float).ravel()
        i = np.searchsorted(self.b, flat, side="right") - 1
        last = len(self.b) - 1
        ok = ~np.isnan(flat)
        out = np.full(flat.shape, np.nan)
        return flat, out, i, ok & (i >= 0) & (i < last), ok & (i < 0), ok & (i >= last)


class LatticeLoss:
    """Tabulated E[(D - x)+] and E[(x - D)+] for a frozen integer-valued scipy distribution."""

    def __init__(self, rv: Any, mean: float):
        self.rv, self.mean = rv, mean
        lo, hi = (float(v) for v in rv.support())
        self.lo, self.hi = lo, hi
        k0 = lo if math.isfinite(lo) else float(rv.ppf(1e-14)) - 1.0
        k1 = hi if math.isfinite(hi) else float(rv.ppf(1.0 - 1e-14)) + 1.0
        self.k0, self.k1 = k0, k1
        self.upper: np.ndarray | None = None
        if k1 - k0 > MAX_LATTICE:
            return
        ks = np.arange(k0, k1 + 1.0)
        # F and P(D > k) from one pmf vector (some scipy families compute cdf/sf by summation,
        # which would be quadratic here), each cumulated from its own end of the range
        pmf = rv.pmf(ks)
        cdf = (float(rv.cdf(k0 - 1.0)) if not math.isfinite(lo) else 0.0) + np.cumsum(pmf)
        sf = (float(rv.sf(k1)) if not math.isfinite(hi) else 0.0) + np.append(
            np.cumsum(pmf[:0:-1])[::-1], 0.0
        )
        # E[(D - k)+] = sum_{j >= k} P(D > j);  E[(k - D)+] = sum_{j < k} F(j)
        rest_hi = self._expect_above(k1 + 1.0) if not math.isfinite(hi) else 0.0
        rest_lo = self._expect_below(k0) if not math.isfinite(lo) else 0.0
        self.ks, self.cdf, self.sf = ks, cdf, sf
        self.upper = np.cumsum(sf[::-1])[::-1] + rest_hi
        self.lower = np.append(0.0, np.cumsum(cdf[:-1])) + rest_lo

    def _expect_above(self, x: float) -> float:
        """E[(D - x)+] by scipy's summation."""
        n = math.floor(x)
        return max(float(self.rv.expect(lambda d: d - x, lb=n + 1, ub=self.hi)), 0.0)

    def _expect_below(self, x: float) -> float:
        """E[(x - D)+] by scipy's summation."""
        n = math.floor(x)
        return max(float(self.rv.expect(lambda d: x - d, lb=self.lo, ub=n)), 0.0)

    def shortage(self, x: np.ndarray) -> np.ndarray:
        """E[(D - x)+] = E[(D - n)+] - (x - n) P(D > n), n = floor(x)."""
        return self._evaluate(x, shortage=True)

    def leftover(self, x: np.ndarray) -> np.ndarray:
        """E[(x - D)+] = E[(n - D)+] + (x - n) F(n), n = floor(x)."""
        return self._evaluate(x, shortage=False)

    def _evaluate(self, x: np.ndarray, shortage: bool) -> np.ndarray:
        flat = np.asarray(x, dtype=float).ravel()
        out = np.full(flat.shape, np.nan)
        below, above = flat < self.lo, flat >= self.hi
        out[below] = self.mean - flat[below] if shortage else 0.0
        out[above] = 0.0 if shortage else flat[above] - self.mean
        todo = ~np.isnan(flat) & ~below & ~above
        if self.upper is not None:
            n = np.floor(flat)
            inside = todo & (n >= self.k0) & (n <= self.k1)
            j = (n[inside] - self.k0).astype(np.int64)
            frac = flat[inside] - n[inside]
            if shortage:
                out[inside] = self.upper[j] - frac * self.sf[j]
            else:
                out[inside] = self.lower[j] + frac * self.cdf[j]
            todo &= ~inside
        for j in np.flatnonzero(todo):
            t = float(flat[j])
            out[j] = self._expect_above(t) if shortage else self._expect_below(t)
        return np.maximum(out, 0.0).reshape(np.shape(x))
