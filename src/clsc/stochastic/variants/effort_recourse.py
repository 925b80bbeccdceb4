"""buyback-effort scenario B with a general resale value p'(e) and effort chosen ex ante or ex post.

M buys R's leftovers L = (q - D)+ back at ``b`` and resells them at p'(e) (default
p'(e) = v*(1 + e)^gamma; any expression in v, e, gamma via option ``resale``), at effort cost
k*e^2. R's order is unaffected by e (b is fixed): F(q_B) = (p - w)/(p - b). M's profit::

    ex-ante (e before D):   pi_M = (w - c)*q - b*S(q) + max_e [p'(e)*S(q) - k*e^2]
    ex-post (e(L) after L): pi_M = (w - c)*q - b*S(q) + E[ max_e (p'(e)*L - k*e^2) ]

with S(q) = E[L]. For gamma = 1 both have closed forms: e = v*S/(2k) and
pi_M = ... + v*S + v^2*S^2/(4k) ex ante (spec 9.6), e(L) = v*L/(2k) and
E[max] = v*S + v^2*E[L^2]/(4k) ex post (spec 9.5). In general the inner problem
max_e g(e; W) = p'(e)*W - k*e^2 is solved numerically for each weight W (S ex ante; each leftover
L ex post): the maximiser is bracketed by doubling (for concave g, g(2x) < g(x) implies
e* < 2x), found by vectorised golden-section search over [0, 8x] (concave case) or located on a
grid over [0, 8x] and refined by golden section (otherwise). Concavity (p''(e)*W_max - 2k <= 0,
checked by second differences on that grid, so kinks count; nothing beyond 8x is checked) is
reported as condition ``M_concave_e``; if it fails the result is NOT_PROVEN (global grid search,
no proof), and if g keeps increasing the status is UNBOUNDED. Ex-post expectations:
Gauss-Legendre quadrature over u in (0, F(q)) with D = F^-1(u) (method ``closed-form``) or a
seeded Monte Carlo sample of D with a standard error (method ``mc``; q stays R's exact fractile).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from clsc.errors import ParameterError, SpecError
from clsc.expr import parse_expr

DEFAULT_RESALE = "v*(1+e)^gamma"
TIMINGS = ("ex-ante", "ex-post")
OPTIONS: Mapping[str, str] = {
    "resale": f"scenario B: resale price p'(e) of a remanufactured unit, an expression in v, e, "
    f"gamma (default {DEFAULT_RESALE})",
    "gamma": "scenario B: exponent gamma of the resale value (default 1: the closed form)",
    "effort_timing": "scenario B: ex-ante (default; e before demand) or ex-post (e(L) chosen "
    "after seeing the leftover L)",
}
GRID = 1025
GOLDEN_STEPS = 90
DOUBLINGS = 60
REACH = 8.0
CHUNK = 2048
NODES = 256
MC_SAMPLES = 100_000


@lru_cache(maxsize=1)
def _symbols() -> dict[str, Any]:
    """The symbols v, e, gamma of a resale expression (sympy loads on the first parse)."""
    import sympy as sp

    return {name: sp.Symbol(name, real=True) for name in ("v", "e", "gamma")}


@dataclass(frozen=True)
class Resale:
    """p'(e) as a numpy function of e (v and gamma substituted)."""

    text: str
    value: Callable[[np.ndarray], np.ndarray]

    @classmethod
    def parse(cls, text: str, v: float, gamma: float) -> Resale:
        import sympy as sp

        symbols = _symbols()
        try:
            expr = parse_expr(str(text), symbols)
            expr = expr.subs({symbols["v"]: v, symbols["gamma"]: gamma})
        except (SpecError, ArithmeticError, TypeError, ValueError) as exc:
            # sympy itself may refuse e.g. max(v/0, 1) with a ValueError
            raise ParameterError("resale", message=f"resale: {exc}") from None
        if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise ParameterError("resale", "must be a finite expression", text)
        try:
            out = cls(str(text), _vectorised(sp.lambdify(symbols["e"], expr, "numpy")))
            probe = out.value(np.linspace(0.0, 10.0, 11))
        except (ArithmeticError, KeyError, NameError, TypeError, ValueError) as exc:
            raise ParameterError(
                "resale", message=f"resale cannot be evaluated numerically: {text!r} ({exc})"
            ) from None
        if not math.isfinite(float(probe[0])):
            raise ParameterError("resale", "must be finite at e = 0", text)
        return out


def _vectorised(f: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """f on arrays (constants broadcast); nan or complex (undefined) becomes -inf, +-inf is
    kept."""

    def g(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            raw = np.asarray(f(x))
            if np.iscomplexobj(raw):
                real = np.abs(raw.imag) <= 1e-12 * (1.0 + np.abs(raw.real))
                raw = np.where(real, raw.real, np.nan)
            y = np.broadcast_to(raw.astype(float), np.shape(x))
        return np.where(np.isnan(y), -np.inf, y)

    return g


def _golden(g: Callable, w: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """Vectorised golden-section search for the maximum of g(.; w) on [a, b]."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    gc, gd = g(c, w), g(d, w)
    for _ in range(GOLDEN_STEPS):
        left = gc >= gd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        gc, gd = g(c, w), g(d, w)
    e = 0.5 * (a + b)
    return e, g(e, w)


@dataclass(frozen=True)
class Effort:
    """Best efforts e*(W) and values max_e p'(e)*W - k*e^2 for an array of weights W."""

    e: np.ndarray
    value: np.ndarray
    concave: bool
    curvature: float
    bounded: bool


def best_effort(resale: Resale, k: float, weights: np.ndarray) -> Effort:
    """Maximise g(e; W) = p'(e)*W - k*e^2 over e >= 0 for every W (vectorised)."""
    w = np.asarray(weights, dtype=float)
    w_max = float(w.max()) if w.size else 0.0

    def g(e: np.ndarray, ww: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = resale.value(e) * ww - k * e * e
        return np.where(np.isnan(out), -np.inf, out)

    x, doublings = 1.0, 0
    one = np.array([w_max])
    while doublings < DOUBLINGS and g(np.array([2 * x]), one)[0] >= g(np.array([x]), one)[0]:
        x, doublings = 2 * x, doublings + 1
    bounded = doublings < DOUBLINGS
    hi = REACH * x  # search and check concavity beyond the bracket [0, 2x]
    grid = np.linspace(0.0, hi, GRID)
    # discrete concavity of g(.; W_max) on the grid (p'' W_max - 2k <= 0 for smooth p')
    top = g(grid, np.full(GRID, w_max))
    with np.errstate(all="ignore"):
        d2 = (top[2:] - 2.0 * top[1:-1] + top[:-2]) / (grid[1] - grid[0]) ** 2
    finite = np.isfinite(top)
    valid = finite[2:] & finite[1:-1] & finite[:-2]  # concavity on the domain where p' is defined
    curvature = float(np.max(d2[valid])) if np.any(valid) else -2.0 * k
    concave = curvature <= 1e-6 * max(1.0, 2.0 * k)
    if concave:  # unimodal: golden section over the whole bracket
        a, b = np.zeros_like(w), np.full_like(w, hi)
        best_e, best_val = a.copy(), g(a, w)
    else:  # global grid search (in chunks), then golden section in the best cell
        idx = np.concatenate(
            [
                np.argmax(g(grid[None, :], w[i : i + CHUNK, None]), axis=1)
                for i in range(0, w.size, CHUNK)
            ]
        ).astype(int)
        a, b = grid[np.maximum(idx - 1, 0)], grid[np.minimum(idx + 1, GRID - 1)]
        best_e = grid[idx]
        best_val = g(best_e, w)
    e, value = _golden(g, w, a, b)
    use_grid = best_val > value
    e, value = np.where(use_grid, best_e, e), np.where(use_grid, best_val, value)
    g0 = g(np.zeros_like(e), w)
    at0 = g0 >= value  # the corner e = 0 (golden section stops a hair inside it)
    e, value = np.where(at0, 0.0, e), np.where(at0, g0, value)
    bounded = bounded and bool(np.all(np.isfinite(value)))
    return Effort(e, value, concave, curvature, bounded)


# ---- expectations over the leftover ------------------------------------------------------------


@lru_cache(maxsize=8)
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def leftover_nodes(dist: Any, q: float, n: int = NODES) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes L_j = q - F^-1(u_j) on u in (0, F(q)) and weights (sum F(q))."""
    top = float(dist.cdf(q))
    x, wts = _legendre(n)
    u = 0.5 * top * (x + 1.0)
    return np.maximum(q - np.asarray(dist.ppf(u), dtype=float), 0.0), 0.5 * top * wts


@dataclass(frozen=True)
class Recourse:
    """M's effort term (the max part of pi_M) and its by-products."""

    value: float
    e: float  # ex ante: the effort; ex post: E[e(L)]
    e_at_q: float  # ex post: e at the largest leftover L = q
    effort: Effort
    se: float = math.nan  # se of value (sampled recourse)
    e_se: float = math.nan  # se of e (sampled recourse)


def ex_ante(resale: Resale, k: float, S: float, e_fixed: float | None = None) -> Recourse:
    eff = best_effort(resale, k, np.array([S]))
    if e_fixed is not None:
        val = float(resale.value(np.array([e_fixed]))[0] * S - k * e_fixed**2)
        return Recourse(val, e_fixed, e_fixed, eff)
    return Recourse(float(eff.value[0]), float(eff.e[0]), float(eff.e[0]), eff)


def ex_post_quadrature(resale: Resale, k: float, dist: Any, q: float) -> Recourse:
    L, wts = leftover_nodes(dist, q)
    eff = best_effort(resale, k, np.append(L, q))
    return Recourse(float(wts @ eff.value[:-1]), float(wts @ eff.e[:-1]), float(eff.e[-1]), eff)


def ex_post_mc(resale: Resale, k: float, d: np.ndarray, q: float) -> Recourse:
    L = np.maximum(q - d, 0.0)
    eff = best_effort(resale, k, np.append(L, q))
    vals, es = eff.value[:-1], eff.e[:-1]
    se = float(vals.std(ddof=1) / math.sqrt(vals.size))
    e_se = float(es.std(ddof=1) / math.sqrt(es.size))
    return Recourse(float(vals.mean()), float(es.mean()), float(eff.e[-1]), eff, se, e_se)


def ex_ante_mc(resale: Resale, k: float, L: np.ndarray, e_fixed: float | None = None) -> Recourse:
    """:func:`ex_ante` at the sample mean leftover S = mean(L), with delta-method standard
    errors from se(S) = sd(L)/sqrt(n): se(value) = |d value/dS| se(S) (= p'(e*) se(S) by the
    envelope theorem; p'(e) se(S) at a fixed e) and se(e) = |de*/dS| se(S) (0 at a fixed e),
    derivatives by central differences."""
    S = float(L.mean())
    se_S = float(L.std(ddof=1) / math.sqrt(L.size)) if L.size > 1 else math.nan
    out = ex_ante(resale, k, S, e_fixed)
    h = 1e-4 * max(1.0, S)
    up, down = ex_ante(resale, k, S + h, e_fixed), ex_ante(resale, k, max(S - h, 0.0), e_fixed)
    width = S + h - max(S - h, 0.0)
    se = abs(up.value - down.value) / width * se_S
    e_se = abs(up.e - down.e) / width * se_S
    return Recourse(out.value, out.e, out.e_at_q, out.effort, se, e_se)


#: method -> how M's effort term is evaluated
