"""Vectorised loss functions L(x) = E[(D - x)+] for distributions known only through scipy.

Continuous D: L(x) = int_x^hi (1 - F(t)) dt. Breakpoints b_0 < ... < b_K are the quantiles at
513 logit-spaced levels in [1e-12, 1 - 1e-12] (``ppf`` below 1/2, ``isf`` above), continued
into infinite tails at tail probabilities 10^-12.5 ... 10^-299.5, plus finite support ends;
each panel is integrated once by 16-point Gauss-Legendre (one vectorised sf call), and
cumulative sums give C_i = int_{b_i}^hi (1 - F). Then for
b_i <= x < b_{i+1}: L(x) = C_{i+1} + GL int_x^{b_{i+1}} (1 - F); below b_0:
L(x) = C_0 + (b_0 - x) - GL int_x^{b_0} F. Points beyond b_K (quad) are practically never hit.

Integer-valued D: E[(D - n)+] = sum_{j >= n} P(D > j) for integer n, tabulated by a reverse
cumulative sum over the central range; for non-integer x, L(x) = L(n) - (x - n) P(D > n)
with n = floor(x). Points outside the tabulated range use ``rv.expect``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import integrate, special

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
    value, err, *_info = integrate.quad(
        f, a, b, epsabs=0.0, epsrel=epsrel, limit=200, full_output=1
    )
    if not math.isfinite(value) or err > 1e-4 * abs(value) + 1e-300:
        raise SolverError(f"quadrature of the loss function failed on [{a}, {b}] (error {err:g})")
    return float(value)


class ContinuousLoss:
    """Tabulated L(x) for a frozen continuous scipy distribution ``rv``."""

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
        panels = _gauss(rv.sf, b[:-1], b[1:])
        # beyond the last breakpoint (hi, or the 1 - 1e-300 quantile) nothing measurable is left
        self.c = np.append(np.cumsum(panels[::-1])[::-1], 0.0)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = x.ravel()
        out = np.full(flat.shape, np.nan)
        b, c, last = self.b, self.c, len(self.b) - 1
        i = np.searchsorted(b, flat, side="right") - 1
        mid = (i >= 0) & (i < last)
        if mid.any():
            right = b[i[mid] + 1]
            out[mid] = c[i[mid] + 1] + _gauss(self.rv.sf, flat[mid], right)
        low = i < 0
        if low.any():
            xl = flat[low]
            below = xl <= self.lo
            inner = (
                c[0]
                + (b[0] - xl)
                - _gauss(self.rv.cdf, np.minimum(xl, b[0]), np.full(xl.shape, b[0]))
            )
            out[low] = np.where(below, c[0] + (b[0] - xl), inner)
        high = i >= last
        for j in np.flatnonzero(high):
            out[j] = 0.0 if flat[j] >= self.hi else quad(self.rv.sf, flat[j], self.hi)
        out[np.isnan(flat)] = np.nan
        return np.maximum(out, 0.0).reshape(x.shape)


class LatticeLoss:
    """Tabulated L(x) for a frozen integer-valued scipy distribution ``rv`` with mean ``mean``."""

    def __init__(self, rv: Any, mean: float):
        self.rv, self.mean = rv, mean
        lo, hi = (float(v) for v in rv.support())
        self.lo, self.hi = lo, hi
        k0 = lo if math.isfinite(lo) else float(rv.ppf(1e-14)) - 1.0
        k1 = hi if math.isfinite(hi) else float(rv.ppf(1.0 - 1e-14)) + 1.0
        self.k0, self.k1 = k0, k1
        self.table: np.ndarray | None = None
        if k1 - k0 > MAX_LATTICE:
            return
        ks = np.arange(k0, k1 + 1.0)
        sf = rv.sf(ks)
        inner = np.cumsum(sf[::-1])[::-1]  # sum_{j >= k}^{k1} P(D > j)
        if math.isfinite(hi):
            rest = 0.0
        elif math.isfinite(lo):
            rest = mean - lo - float(inner[0])  # sum over all j >= lo is E[D] - lo
        else:
            rest = self._expect_tail(k1 + 1.0)
        self.ks, self.sf, self.table = ks, sf, inner + rest

    def _expect_tail(self, x: float) -> float:
        n = math.floor(x)
        return max(float(self.rv.expect(lambda d: d - x, lb=n + 1, ub=self.hi)), 0.0)

    def _expect_head(self, x: float) -> float:
        n = math.floor(x)
        left = float(self.rv.expect(lambda d: x - d, lb=self.lo, ub=n))
        return max(self.mean - x + left, 0.0)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = x.ravel()
        out = np.full(flat.shape, np.nan)
        below = flat < self.lo
        out[below] = self.mean - flat[below]
        out[flat >= self.hi] = 0.0
        todo = ~np.isnan(flat) & ~below & (flat < self.hi)
        if self.table is not None:
            n = np.floor(flat)
            inside = todo & (n >= self.k0) & (n <= self.k1)
            j = (n[inside] - self.k0).astype(np.int64)
            out[inside] = self.table[j] - (flat[inside] - n[inside]) * self.sf[j]
            todo &= ~inside
        for j in np.flatnonzero(todo):
            t = float(flat[j])
            out[j] = self._expect_head(t) if t < self.k0 else self._expect_tail(t)
        return np.maximum(out, 0.0).reshape(x.shape)
