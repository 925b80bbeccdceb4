"""Comparative statics: the sign of d(expression)/d(parameter).

:func:`derivative_sign` differentiates a sympy expression and decides the sign

1. **exactly** when every parameter is fixed (``point``): the derivative is evaluated in exact
   rational arithmetic;
2. **symbolically** when sympy can prove it: the free parameters are given their assumptions
   (positive by default, as in the spec: "all parameters are positive unless stated otherwise";
   never for a parameter whose box reaches below zero), the derivative is factored and the sign of
   every factor of numerator and denominator is inspected;
3. **numerically** otherwise: the lambdified derivative is sampled over the parameter ``box``
   (scrambled Sobol points from :mod:`scipy.stats.qmc` plus the box corners and centre), keeping
   only points where ``where`` holds (e.g. the existence conditions of an equilibrium).

For a plain callable ``f(**params)`` (no closed form, e.g. a numeric solver) step 3 uses central
finite differences. The answer is a :class:`Sign`: ``'+'``, ``'-'``, ``'0'`` or ``'mixed'``, with
how it was decided and on how many points. :func:`sign_table` does this for every decision,
profit and quantity of a model scenario. The model-level crossings and maximisers live in
:mod:`clsc.game.roots` (``crossings`` is re-exported here).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy.stats import qmc

from clsc.errors import ParameterError
from clsc.game.roots import (  # noqa: F401  (re-exported: model-level crossings)
    crossings,
    err_rules_hold,
    expression_function,
    numeric_values,
    resolve_values,
    scenario_function,
    target_model,
)

Box = Mapping[str, tuple[float, float]]
Where = Callable[[Mapping[str, np.ndarray]], np.ndarray]

SIGNS = ("+", "-", "0", "mixed")


@dataclass(frozen=True)
class Sign:
    """Sign of a derivative and how it was decided.

    ``how`` is ``"exact"`` (rational arithmetic at a point), ``"symbolic"`` (proved for all
    parameter values allowed by the assumptions), ``"numeric"`` (sampled on ``n_points`` valid
    points of the box; ``low``/``high`` are the smallest and largest sampled derivative) or
    ``"none"`` (no valid point).
    """

    sign: str
    how: str
    n_points: int = 0
    low: float | None = None
    high: float | None = None
    se: float | None = None  # largest standard error of a sampled derivative (mc / saa)

    def __str__(self) -> str:
        return self.sign


def _name(wrt: str | sp.Symbol) -> str:
    return wrt.name if isinstance(wrt, sp.Symbol) else str(wrt)


def _check_box(box: Box | None) -> dict[str, tuple[float, float]]:
    out = {}
    for name, bounds in (box or {}).items():
        try:
            lo, hi = (float(v) for v in bounds)
        except (TypeError, ValueError):
            raise ParameterError(name, "box must be a pair (lo, hi)", bounds) from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
            raise ParameterError(
                name, message=f"box for {name} must satisfy lo <= hi; got {lo}:{hi}"
            )
        out[name] = (lo, hi)
    return out


def _sign_of(expr: sp.Expr) -> str | None:
    """'+', '-', '0' if sympy can prove the sign of ``expr`` under its symbols' assumptions."""
    if expr.is_zero:
        return "0"
    if expr.is_positive:
        return "+"
    if expr.is_negative:
        return "-"
    num, den = sp.fraction(sp.factor(sp.together(expr)))
    sign = 1
    for part in (num, den):
        for factor in sp.Mul.make_args(part):
            base, power = factor.as_base_exp()
            if factor.is_positive:
                continue
            if factor.is_negative:
                sign = -sign
            elif power.is_even and (part is den or base.is_nonzero):
                continue  # an even power in the denominator is positive wherever defined
            elif factor.is_zero:
                return "0" if part is num else None
            else:
                expanded = sp.expand(factor)
                if expanded.is_positive:
                    continue
                if expanded.is_negative:
                    sign = -sign
                    continue
                return None
    return "+" if sign > 0 else "-"


def symbolic_sign(
    expr: sp.Expr, assumptions: Mapping[str, Mapping[str, bool]] | None = None
) -> str | None:
    """Provable sign of ``expr`` or ``None``.

    Every free symbol is replaced by a symbol with the assumptions of ``assumptions[name]``
    (default ``{"positive": True}``; pass ``{}`` for an unrestricted real).
    """
    assumptions = assumptions or {}
    subs = {}
    for sym in expr.free_symbols:
        kw = dict(assumptions.get(sym.name, {"positive": True}))
        subs[sym] = sp.Symbol(sym.name, real=True, **kw)
    return _sign_of(expr.xreplace(subs))


def sample_box(box: Box, n: int = 256, seed: int = 0) -> dict[str, np.ndarray]:
    """Scrambled Sobol points over ``box`` plus its corners (up to 10 dimensions) and centre."""
    box = _check_box(box)
    names = list(box)
    if not names:
        return {}
    lo = np.array([box[k][0] for k in names])
    hi = np.array([box[k][1] for k in names])
    m = max(1, math.ceil(math.log2(max(int(n), 2))))
    u = qmc.Sobol(d=len(names), scramble=True, seed=seed).random_base2(m)
    extra = [np.full(len(names), 0.5)]
    if len(names) <= 10:
        extra += [
            np.array(c, dtype=float) for c in itertools.product((0.0, 1.0), repeat=len(names))
        ]
    u = np.vstack([u, *extra])
    pts = lo + (hi - lo) * u
    return {k: pts[:, j] for j, k in enumerate(names)}


def classify(values: np.ndarray, zero_tol: float) -> str:
    """'+', '-', '0' or 'mixed' for sampled derivative values (|v| <= zero_tol counts as 0)."""
    pos = bool(np.any(values > zero_tol))
    neg = bool(np.any(values < -zero_tol))
    if pos and neg:
        return "mixed"
    return "+" if pos else "-" if neg else "0"


def derivative_sign(
    expr: sp.Expr | Callable[..., Any],
    wrt: str | sp.Symbol,
    *,
    point: Mapping[str, float] | None = None,
    box: Box | None = None,
    assumptions: Mapping[str, Mapping[str, bool]] | None = None,
    where: Where | None = None,
    n: int = 256,
    seed: int = 0,
    zero_tol: float | None = None,
    symbolic: bool = True,
) -> Sign:
    """Sign of d(expr)/d(wrt) at ``point``, or over ``box`` with the other values at ``point``.

    ``expr`` is a sympy expression or a callable ``f(**params) -> value`` (vectorised or not).
    ``where(values) -> bool array`` restricts the sampled points (e.g. SOCs hold).
    """
    box = _check_box(box)
    point = dict(point or {})
    name = _name(wrt)
    if not isinstance(expr, sp.Expr):
        return _callable_sign(expr, name, point, box, where, n, seed, zero_tol)
    sym = sp.Symbol(name, real=True)
    syms = {s.name: s for s in expr.free_symbols}
    deriv = sp.diff(expr, syms.get(name, sym))
    fixed = {
        syms[k]: sp.nsimplify(v, rational=True)
        for k, v in point.items()
        if k in syms and k not in box
    }
    deriv = deriv.xreplace(fixed)
    if not deriv.free_symbols:
        value = sp.simplify(deriv)
        sign = "0" if value == 0 else "+" if value > 0 else "-"
        return Sign(sign, "exact", 1, float(value), float(value))
    if symbolic:
        assume = dict(assumptions or {})
        for k, (lo, _hi) in box.items():
            if lo < 0 and k not in assume:
                assume[k] = {}
        sign = symbolic_sign(deriv, assume)
        if sign is not None:
            return Sign(sign, "symbolic")
    free = sorted(s.name for s in deriv.free_symbols)
    missing = [k for k in free if k not in box]
    if missing:
        raise ParameterError(
            missing[0],
            message="sign not decided symbolically; give a value or a box for "
            f"{', '.join(missing)}",
        )
    func = sp.lambdify([sp.Symbol(k, real=True) for k in free], deriv, "numpy")
    pts = sample_box({k: box[k] for k in free}, n, seed)
    size = len(next(iter(pts.values())))
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(func(*(pts[k] for k in free)), dtype=float), (size,))
    full = {**{k: np.full(size, float(v)) for k, v in point.items()}, **pts}
    return _numeric_sign(values, full, where, 1e-10 if zero_tol is None else zero_tol)


def _numeric_sign(
    values: np.ndarray, pts: Mapping[str, np.ndarray], where: Where | None, zero_tol: float
) -> Sign:
    keep = np.isfinite(values)
    if where is not None:
        with np.errstate(all="ignore"):
            keep &= np.asarray(where(pts), dtype=bool)
    values = values[keep]
    if values.size == 0:
        return Sign("mixed", "none", 0)
    return Sign(
        classify(values, zero_tol),
        "numeric",
        int(values.size),
        float(values.min()),
        float(values.max()),
    )


def _callable_sign(
    f: Callable[..., Any],
    name: str,
    point: dict[str, float],
    box: dict[str, tuple[float, float]],
    where: Where | None,
    n: int,
    seed: int,
    zero_tol: float | None,
) -> Sign:
    """Central finite differences of a callable over the box (or at the point)."""
    if name not in box and name not in point:
        raise ParameterError(name, message=f"no value or box for parameter {name}")
    pts = sample_box(box, n, seed) if box else {}
    size = len(next(iter(pts.values()))) if pts else 1
    full = {**{k: np.full(size, float(v)) for k, v in point.items()}, **pts}
    x = full[name]
    h = 1e-5 * np.maximum(1.0, np.abs(x))

    def call(values: Mapping[str, np.ndarray]) -> np.ndarray:
        try:
            out = np.asarray(f(**values), dtype=float)
            if out.shape == (size,):
                return out
        except (TypeError, ValueError):
            pass
        return np.array(
            [float(f(**{k: float(v[i]) for k, v in values.items()})) for i in range(size)]
        )

    up = call({**full, name: x + h})
    down = call({**full, name: x - h})
    deriv = (up - down) / (2 * h)
    scale = np.maximum(1.0, np.maximum(np.abs(up), np.abs(down)))
    tol = 1e-6 * scale / h if zero_tol is None else zero_tol
    keep = np.isfinite(deriv)
    if where is not None:
        keep &= np.asarray(where(full), dtype=bool)
    values = np.where(np.abs(deriv) <= tol, 0.0, deriv)[keep]
    if values.size == 0:
        return Sign("mixed", "none", 0)
    return Sign(
        classify(values, 0.0), "numeric", int(values.size), float(values.min()), float(values.max())
    )


# ---------------------------------------------------------------------------------------------
# model level: equilibrium values as functions of one parameter, sign tables, crossings


def sign_table(
    model: Any,
    scenario: str,
    wrt: str,
    params: Mapping[str, Any] | None = None,
    box: Box | None = None,
    *,
    method: str = "closed-form",
    n: int | None = None,
    seed: int = 0,
):
    """Signs of d(value)/d(wrt) for every decision, profit and quantity of a scenario.

    ``closed-form``: each closed form is differentiated (symbolic sign if provable, else
    sampled over ``box`` where the existence conditions and ``ERR`` rules hold). Any other
    method: central differences of solves at ``n`` points of the box (or at ``params``).
    Returns a ``pandas.DataFrame`` indexed by name with columns ``sign``, ``how``, ``points``,
    ``low``, ``high``.
    """
    import pandas as pd

    scenario, values = resolve_values(model, scenario, params)
    if wrt not in model.spec.names:
        raise model.spec.unknown(wrt)
    box = _check_box(box)
    for name in box:
        if name not in model.spec.names:
            raise model.spec.unknown(name)
    model.resolve_method(method)
    point = numeric_values(values)
    if method == "closed-form" and hasattr(target_model(model, values), "symbolic"):
        target = target_model(model, values)
        sol, cs = target.symbolic(scenario), target.compiled(scenario)
        where = _where(model, scenario, values, cs) if box else None
        rows = {
            name: derivative_sign(
                expr, wrt, point=point, box=box, where=where, n=n or 256, seed=seed
            )
            for name, expr in sol.expressions().items()
        }
    else:
        rows = _numeric_signs(model, scenario, wrt, values, box, method, n or 8, seed)
    frame = pd.DataFrame(
        [(k, r.sign, r.how, r.n_points, r.low, r.high, r.se) for k, r in rows.items()],
        columns=["name", "sign", "how", "points", "low", "high", "se"],
    )
    return frame.set_index("name")


def _where(model: Any, scenario: str, values: Mapping[str, Any], cs: Any) -> Where:
    def where(pts: Mapping[str, np.ndarray]) -> np.ndarray:
        full = {**numeric_values(values), **pts}
        mask = cs.valid(cs(**full))
        size = mask.shape[0]
        ok = [
            err_rules_hold(model, {**values, **{k: float(v[i]) for k, v in pts.items()}}, scenario)
            for i in range(size)
        ]
        return mask & np.array(ok, dtype=bool)

    return where


def _numeric_signs(model, scenario, wrt, values, box, method, n, seed) -> dict[str, Sign]:
    pts = sample_box(box, n, seed) if box else {}
    size = len(next(iter(pts.values()))) if pts else 1
    diffs: dict[str, list[float]] = {}
    errors: dict[str, list[float]] = {}
    for i in range(size):
        base = {**values, **{k: float(v[i]) for k, v in pts.items()}}
        x = float(base[wrt])
        h = 1e-3 * max(1.0, abs(x))
        try:
            up, down = (  # one seed: a sampled method uses the same random numbers in both
                model.solve(scenario, params={**base, wrt: x + s * h}, method=method, seed=seed)
                for s in (1, -1)
            )
        except ParameterError:
            continue
        if not (up.ok and down.ok):
            continue
        a = {**up.decisions, **up.profits, **up.metrics}
        b = {**down.decisions, **down.profits, **down.metrics}
        for key in a:
            d = (a[key] - b[key]) / (2 * h)
            tol = 1e-6 * max(1.0, abs(a[key]), abs(b[key])) / h
            diffs.setdefault(key, []).append(0.0 if abs(d) <= tol else d)
            if key in up.std_errors and key in down.std_errors:  # sampled: conservative se
                se = math.hypot(up.std_errors[key], down.std_errors[key]) / (2 * h)
                errors.setdefault(key, []).append(se)
    out = {}
    for key, vals in diffs.items():
        arr = np.array(vals)
        se = max(errors[key]) if key in errors else None
        out[key] = Sign(
            classify(arr, 0.0), "numeric", arr.size, float(arr.min()), float(arr.max()), se
        )
    return out
