"""Robust one-dimensional root finding and maximisation on vectorised (or scalar) functions.

* :func:`thresholds` finds every root of ``f`` on ``[lo, hi]``: a dense grid scan, then
  :func:`scipy.optimize.brentq` on every sign-change bracket; roots where ``f`` touches zero
  without changing sign are found by minimising ``|f|`` (bounded
  :func:`scipy.optimize.minimize_scalar`) around local grid minima of ``|f|``.
* :func:`maximisers` finds the global maximiser of ``f`` on ``[lo, hi]``: grid scan, then a
  bounded ``minimize_scalar`` refinement between the neighbours of the best grid point.

``f`` may be vectorised (``f(ndarray) -> ndarray``) or scalar-only; non-finite values (e.g.
where an existence condition fails) are skipped, never bracketed.

Model level: :func:`scenario_function` turns an equilibrium value of a scenario into a function
of one parameter (compiled closed forms, vectorised; or one solve per point for any other
method), :func:`expression_function` combines ``key[scenario]`` terms (e.g. M's gain
``Pi_coal[MC] - pi_C[N] - Pi_coal[MR] + pi_R[N]``), and :func:`crossings` finds where one
key's values in two scenarios cross.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import optimize

from clsc.errors import ParameterError
from clsc.expr import parse_expr

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
    if finite.sum() > 2 and np.all(np.abs(y[finite]) <= tol):
        raise ParameterError(
            "f",
            message=f"the function is zero on the whole grid of [{lo:g}, {hi:g}]: the values "
            "coincide, there is no isolated crossing",
        )
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


# ---------------------------------------------------------------------------------------------
# model level: equilibrium values as functions of one parameter, and their crossings

_TERM = re.compile(r"([A-Za-z_]\w*)\[([^\[\]]+)\]")


def target_model(model: Any, values: Mapping[str, Any]) -> Any:
    """The model class whose games apply at ``values`` (a model may pick games by a choice)."""
    variant = getattr(model, "variant", None)
    return variant(dict(values)) if variant is not None else type(model)


def resolve_values(model: Any, scenario: str, params: Mapping[str, Any] | None):
    """The resolved ``scenario`` and the parameter values: defaults updated by ``params``;
    a parameter left unset (an optional one with no default) is left out, so the values can
    be passed back to ``model.solve``."""
    scenario = model.resolve_scenario(scenario)
    values, _ = model.spec.resolve(params, scenario)
    return scenario, {k: v for k, v in values.items() if v is not None}


def err_rules_hold(model: Any, values: Mapping[str, Any], scenario: str) -> bool:
    """True if every ``ERR`` rule of the model holds at ``values`` (FLAG rules are skipped)."""
    for rule in model.spec.rules:
        if rule.cls != "ERR" or not rule.applies(scenario):
            continue
        try:
            if not rule.check(values):
                return False
        except (ArithmeticError, ValueError, TypeError):
            return False
    for p in model.spec:
        if isinstance(values.get(p.name), float):
            try:
                p.coerce(values[p.name])
            except ParameterError:
                return False
    return True


def numeric_values(values: Mapping[str, Any]) -> dict[str, float]:
    """The numeric entries of ``values`` as floats (a distribution or a choice is left out)."""
    return {k: float(v) for k, v in values.items() if isinstance(v, int | float)}


def scenario_function(
    model: Any,
    scenario: str,
    key: str,
    param: str,
    params: Mapping[str, Any] | None = None,
    *,
    method: str = "closed-form",
) -> Callable[[np.ndarray], np.ndarray]:
    """Equilibrium value ``key`` of ``scenario`` as a vectorised function of ``param``.

    The other parameters are the model's defaults updated by ``params``. Points where an
    ``ERR`` rule or an existence/interior condition fails give NaN. ``closed-form`` evaluates
    the compiled closed forms on the whole array at once; any other method solves point by point.
    """
    scenario, values = resolve_values(model, scenario, params)
    if param not in model.spec.names:
        raise model.spec.unknown(param)
    model.resolve_method(method)
    rules = [r for r in model.spec.rules if r.cls == "ERR" and r.applies(scenario)]

    def admissible(x: np.ndarray) -> np.ndarray:
        if not rules or not any(param in r.involved for r in rules):
            return np.ones(x.shape, dtype=bool)
        return np.array([err_rules_hold(model, {**values, param: float(v)}, scenario) for v in x])

    if method == "closed-form" and hasattr(target_model(model, values), "closed_form"):
        cs = target_model(model, values).closed_form(scenario)
        if key not in cs.names:
            raise ParameterError(
                key, message=f"unknown output '{key}' of {scenario}; valid: {', '.join(cs.names)}"
            )
        base = numeric_values(values)

        def closed(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x, dtype=float)
            out = cs(**{**base, param: x})
            ok = cs.valid(out) & admissible(np.atleast_1d(x)).reshape(x.shape)
            return np.where(ok, out[key], np.nan)

        return closed

    def solved(x: np.ndarray) -> np.ndarray:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        out = np.full(x.shape, np.nan)
        for i, v in enumerate(x.ravel()):
            try:
                res = model.solve(scenario, params={**values, param: float(v)}, method=method)
            except ParameterError:
                continue
            table = {**res.decisions, **res.profits, **res.metrics}
            if res.ok and key not in table:
                raise ParameterError(
                    key, message=f"unknown output '{key}' of {scenario}; valid: {', '.join(table)}"
                )
            if res.ok:
                out.flat[i] = table[key]
        return out

    return solved


def expression_function(
    model: Any,
    text: str,
    param: str,
    params: Mapping[str, Any] | None = None,
    *,
    method: str = "closed-form",
) -> Callable[[np.ndarray], np.ndarray]:
    """A safe expression over ``key[scenario]`` terms as a function of ``param``.

    Example: ``"Pi_coal[MC] - pi_C[N] - Pi_coal[MR] + pi_R[N]"`` (M's gain from MC over MR).
    """
    terms: dict[tuple[str, str], sp.Symbol] = {}

    def placeholder(match: re.Match) -> str:
        term = (match.group(1), match.group(2).strip())
        terms.setdefault(term, sp.Symbol(f"_t{len(terms)}", real=True))
        return terms[term].name

    body = _TERM.sub(placeholder, text)
    if not terms:
        raise ParameterError("expr", message=f"no KEY[SCENARIO] term in {text!r}")
    expr = parse_expr(body, {s.name: s for s in terms.values()})
    funcs = [scenario_function(model, s, k, param, params, method=method) for k, s in terms]
    combine = sp.lambdify(list(terms.values()), expr, "numpy")

    def f(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.asarray(combine(*(g(x) for g in funcs)))
        if np.iscomplexobj(out):  # a complex value is no crossing: NaN, never a root
            out = np.where(out.imag == 0, out.real, np.nan)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(x))

    return f


def crossings(
    model: Any,
    s1: str,
    s2: str,
    player: str,
    param: str,
    lo: float,
    hi: float,
    params: Mapping[str, Any] | None = None,
    *,
    method: str = "closed-form",
    n_grid: int | None = None,
) -> list[float]:
    """Values of ``param`` in ``[lo, hi]`` where ``player``'s value in ``s1`` and ``s2`` cross.

    ``player`` is any reported key (``pi_R``, ``Pi_coal``, ``total``, ``q`` ...) or a
    ``key[scenario]`` expression evaluated for both (see :func:`expression_function`).
    """
    text = f"{player}[{s1}] - {player}[{s2}]"
    f = expression_function(model, text, param, params, method=method)
    grid = n_grid or (2001 if method == "closed-form" else 41)
    return thresholds(f, lo, hi, n_grid=grid)
