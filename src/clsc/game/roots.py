"""Robust one-dimensional root finding and maximisation on vectorised (or scalar) functions.

* :func:`thresholds` finds every root of ``f`` on ``[lo, hi]``: a dense grid scan, then
  :func:`scipy.optimize.brentq` on every sign-change bracket; roots where ``f`` touches zero
  without changing sign are found by minimising ``|f|`` (bounded
  :func:`scipy.optimize.minimize_scalar`) around local grid minima of ``|f|``.
* :func:`maximisers` finds the global maximiser of ``f`` on ``[lo, hi]``: grid scan, then a
  bounded ``minimize_scalar`` refinement between the neighbours of the best grid point.

``f`` may be vectorised (``f(ndarray) -> ndarray``) or scalar-only; non-finite values (e.g.
where an existence condition fails) are skipped, never bracketed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from clsc.errors import ParameterError

Func = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Extremum:
    """A maximiser ``x`` of a function and its value there."""

    x: float
    value: float


def _check_interval(lo: float, hi: float, n_grid: int) -> tuple[float, float]:
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise ParameterError("interval", message=f"interval must satisfy lo < hi; got [{lo}, {hi}]")
    if int(n_grid) != n_grid or n_grid < 3:
        raise ParameterError("n_grid", "must be an integer >= 3", n_grid)
    return lo, hi


def vectorised(f: Callable) -> Func:
    """Wrap ``f`` so it maps a 1-d array to a float array of the same shape.

    A function that already broadcasts is called once; otherwise it is called point by point.
    """

    def call(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        try:
            out = np.asarray(f(x), dtype=float)
            if out.shape == x.shape:
                return out
            if out.ndim == 0:
                return np.full(x.shape, float(out))
        except (TypeError, ValueError):
            pass
        return np.array([float(f(float(v))) for v in x.ravel()]).reshape(x.shape)

    return call


def _scalar(f: Func) -> Callable[[float], float]:
    return lambda x: float(f(np.array([x]))[0])


def thresholds(
    f: Callable,
    lo: float,
    hi: float,
    *,
    n_grid: int = 2001,
    xtol: float = 1e-12,
    touch_tol: float | None = None,
) -> list[float]:
    """All roots of ``f`` on ``[lo, hi]``, sorted.

    Sign changes between grid points are bracketed and refined with ``brentq``; a local grid
    minimum of ``|f|`` without a sign change is refined by a bounded minimisation of ``|f|`` and
    kept as a touching root when ``|f|`` there is at most ``touch_tol`` (default
    ``1e-9 * max(1, max|f| on the grid)``).
    """
    lo, hi = _check_interval(lo, hi, n_grid)
    fv = vectorised(f)
    fs = _scalar(fv)
    x = np.linspace(lo, hi, int(n_grid))
    y = fv(x)
    finite = np.isfinite(y)
    scale = max(1.0, float(np.max(np.abs(y[finite])))) if finite.any() else 1.0
    tol = 1e-9 * scale if touch_tol is None else float(touch_tol)
    roots: list[float] = [float(xi) for xi, yi in zip(x, y, strict=True) if yi == 0.0]
    for i in range(len(x) - 1):
        if not (finite[i] and finite[i + 1]):
            continue
        if y[i] == 0.0 or y[i + 1] == 0.0:  # look for another root inside the interval
            roots += _inner_roots(fv, fs, x[i], x[i + 1], xtol)
            continue
        if np.sign(y[i]) != np.sign(y[i + 1]):
            roots.append(float(optimize.brentq(fs, x[i], x[i + 1], xtol=xtol)))
    ay = np.where(finite, np.abs(y), np.inf)
    for i in range(1, len(x) - 1):
        if not np.isfinite(ay[i]) or y[i] == 0.0 or not (ay[i] <= ay[i - 1] and ay[i] <= ay[i + 1]):
            continue
        sgn = np.sign(y[i])
        if np.sign(y[i - 1]) != sgn or np.sign(y[i + 1]) != sgn:
            continue  # sign changes: already bracketed
        roots += _dip_roots(fs, x[i - 1], x[i + 1], sgn, tol, xtol)
    return _dedupe(sorted(roots), tol=max(10 * xtol, 1e-9 * (hi - lo)))


def _inner_roots(
    fv: Func, fs: Callable[[float], float], a: float, b: float, xtol: float
) -> list[float]:
    """Sign changes strictly inside ``[a, b]`` (used next to an exact grid root)."""
    t = np.linspace(a, b, 11)
    v = fv(t)
    out = []
    for j in range(len(t) - 1):
        if np.isfinite(v[j]) and np.isfinite(v[j + 1]) and v[j] * v[j + 1] < 0:
            out.append(float(optimize.brentq(fs, t[j], t[j + 1], xtol=xtol)))
    return out


def _dip_roots(
    fs: Callable[[float], float], a: float, b: float, sgn: float, tol: float, xtol: float
) -> list[float]:
    """Roots hidden between grid points where ``sgn*f`` dips towards (or below) zero."""
    res = optimize.minimize_scalar(
        lambda t: sgn * fs(t), bounds=(a, b), method="bounded", options={"xatol": max(xtol, 1e-12)}
    )
    low = sgn * fs(float(res.x))
    if not np.isfinite(low):
        return []
    if low < 0.0:  # two crossings hidden between grid points
        return [
            float(optimize.brentq(fs, a, res.x, xtol=xtol)),
            float(optimize.brentq(fs, res.x, b, xtol=xtol)),
        ]
    return [float(res.x)] if low <= tol else []


def _dedupe(roots: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for r in roots:
        if not out or r - out[-1] > tol:
            out.append(r)
    return out


def maximisers(
    f: Callable, lo: float, hi: float, *, n_grid: int = 2001, xtol: float = 1e-10
) -> Extremum:
    """Global maximiser of ``f`` on ``[lo, hi]`` (grid scan + bounded refinement)."""
    lo, hi = _check_interval(lo, hi, n_grid)
    fv = vectorised(f)
    fs = _scalar(fv)
    x = np.linspace(lo, hi, int(n_grid))
    y = fv(x)
    if not np.isfinite(y).any():
        raise ParameterError("f", message=f"function is not finite anywhere on [{lo}, {hi}]")
    i = int(np.nanargmax(np.where(np.isfinite(y), y, -np.inf)))
    a, b = x[max(i - 1, 0)], x[min(i + 1, len(x) - 1)]
    res = optimize.minimize_scalar(
        lambda t: -fs(t), bounds=(a, b), method="bounded", options={"xatol": xtol}
    )
    best = Extremum(float(x[i]), float(y[i]))
    if np.isfinite(res.fun) and -res.fun >= best.value:
        best = Extremum(float(res.x), float(-res.fun))
    return best


def minimisers(f: Callable, lo: float, hi: float, *, n_grid: int = 2001) -> Extremum:
    """Global minimiser of ``f`` on ``[lo, hi]`` (``value`` is the minimum of ``f``)."""
    fv = vectorised(f)
    ext = maximisers(lambda x: -fv(x), lo, hi, n_grid=n_grid)
    return Extremum(ext.x, -ext.value)
