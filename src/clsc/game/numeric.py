"""Numeric subgame-perfect equilibrium by nested best responses (no symbolic solving).

The profits are compiled to plain numeric functions (sympy only differentiates and lambdifies;
nothing is solved symbolically). Stages are solved from the last backwards *by nesting*:

* a mover of the **last stage** maximises its profit over its own variables with a projected
  Newton method (analytic gradient and Hessian, backtracking, bounds as active sets), falling
  back to L-BFGS-B from several starts when its Hessian is not negative definite;
* a mover of the **stage before the last** maximises its reduced profit V(z) = f(z, y(z)) by
  projected Newton ascent (:func:`~clsc.game.optimise.reduced_newton`): the followers'
  responses y(z) are re-solved at each trial point and their slopes come from the
  implicit-function theorem, dy/dz = -(dF/dy)^-1 dF/dz with F the followers' first-order
  conditions, so dV/dz = df/dz + (dy/dz)^T df/dy is exact; the Hessian of V is the
  forward-difference Jacobian of dV/dz (once, for a quadratic game). A quadratic game with no
  follower at a bound needs one start (a local maximum is the maximum); otherwise the best of
  several starts is kept;
* any other earlier-stage mover, and the stage before the last when Newton does not converge
  to a maximum, uses multi-start bounded Nelder-Mead and a finite-difference Newton polish
  (corner solutions stay on their bounds; ``numeric_game(..., gradient=False)`` always does);
* **simultaneous movers** iterate best responses (Gauss-Seidel) to a Nash point.

A problem that diverges raises :class:`Unbounded` (status ``unbounded``) naming the mover whose
profit grows without bound; divergence is judged relative to the problem's scale (the largest
parameter or other variable). Flag-only bounds are not enforced, exactly as in the closed form.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy import optimize

from clsc.errors import SolverError
from clsc.game.declare import Game
from clsc.game.optimise import (
    Mover,
    Unbounded,
    check_bounded,
    initial,
    newton,
    newton1,
    polish,
    reduced_newton,
    response_slopes,
    scale_of,
    starts,
)
from clsc.game.prepare import prepare, profit_key
from clsc.game.symbols import symbol

__all__ = ["NumericGame", "Unbounded", "numeric_game", "solve_numeric"]

MAX_NASH_ITER = 500


class NumericGame:
    """Compiled numeric form of a game (built once per declaration and fixed variables)."""

    def __init__(self, game: Game, fixed_vars: frozenset[str] = frozenset(), gradient: bool = True):
        prep = prepare(game, fixed_vars)
        self.game, self.prep = game, prep
        self.gradient = gradient
        self.refs = dict(prep.references)
        self.param_names = tuple(s.name for s in prep.params) + tuple(self.refs)
        psyms = [symbol(n) for n in self.param_names]
        objs = prep.objectives
        relevant = []
        for vs in prep.movers.values():
            for v in vs:
                s = symbol(v.name)
                if any(sp.cancel(sp.diff(objs[m], s)) != 0 for m in objs):
                    relevant.append(v)
        self.vars = tuple(prep.vars.values())  # irrelevant ones stay 0 and are not reported
        self.var_names = tuple(v.name for v in relevant)
        vsyms = [symbol(v.name) for v in self.vars]
        args = [*vsyms, *psyms]
        pos = {v.name: i for i, v in enumerate(self.vars)}
        self._report_idx = [pos[n] for n in self.var_names]
        self.movers: list[list[Mover]] = []
        for si, stage in enumerate(prep.stages):
            row = []
            for n in stage:
                own = [v for v in prep.movers[n] if v.name in self.var_names]
                if not own:
                    continue
                osyms = [symbol(v.name) for v in own]
                obj = objs[n]
                lo = [-np.inf if v.enforced("lower") is None else v.enforced("lower") for v in own]
                hi = [np.inf if v.enforced("upper") is None else v.enforced("upper") for v in own]
                row.append(
                    Mover(
                        n,
                        si,
                        np.array([pos[v.name] for v in own]),
                        np.array(lo, dtype=float),
                        np.array(hi, dtype=float),
                        sp.lambdify(args, obj, "numpy"),
                        sp.lambdify(args, [sp.diff(obj, s) for s in osyms], "numpy"),
                        sp.lambdify(args, sp.hessian(obj, osyms), "numpy"),
                        *(
                            (
                                sp.lambdify(args, sp.diff(obj, osyms[0]), "math"),
                                sp.lambdify(args, sp.diff(obj, osyms[0], 2), "math"),
                            )
                            if len(osyms) == 1
                            else (None, None)
                        ),
                        not (sp.hessian(obj, osyms).free_symbols & set(osyms)),
                        np.array([initial(v) for v in own], dtype=float),
                        sp.lambdify(args, [sp.diff(obj, s) for s in vsyms], "numpy"),
                        sp.lambdify(
                            args,
                            sp.Matrix([sp.diff(obj, s) for s in osyms]).jacobian(vsyms),
                            "numpy",
                        ),
                    )
                )
            self.movers.append(row)
        self.quadratic = all(_degree(objs[n], vsyms) <= 2 for n in objs)
        pi_syms = []
        for p in game.players:
            pi_syms += [symbol("pi_" + p.name), symbol("Pi_" + p.name)]
        unused = [symbol(v.name) for v in self.vars if v.name not in self.var_names]
        self.profit_names = tuple(
            n for n, e in prep.profits.items() if all(sp.cancel(sp.diff(e, u)) == 0 for u in unused)
        )
        self._profits = sp.lambdify(args, [prep.profits[n] for n in self.profit_names], "numpy")
        self._defs = sp.lambdify(args, list(prep.definitions.values()), "numpy")
        plain = {k: v for k, v in prep.outputs.items() if not isinstance(v, tuple)}
        self.roots = {k: v for k, v in prep.outputs.items() if isinstance(v, tuple)}
        self.output_names = tuple(plain)
        self._outputs = sp.lambdify([*args, *pi_syms], list(plain.values()), "numpy")
        self._root_exprs = {
            k: sp.lambdify([*args, *pi_syms], v[0], "numpy") for k, v in self.roots.items()
        }
        self._flags = [(t, sp.lambdify(args, e, "numpy"), op) for t, e, op in prep.flags]
        self.pi_names = [str(s) for s in pi_syms]
        self._root_cache: dict[tuple, float] = {}

    # -- single mover problems ---------------------------------------------------------------
    def _inner(self, m: Mover, x: np.ndarray, p: list[float]) -> None:
        """Best response of a last-stage mover (in place in ``x``)."""

        def val(z):
            y = x.copy()
            y[m.idx] = z
            return float(m.f(*y, *p))

        z = np.clip(x[m.idx], m.lower, m.upper)
        z = np.where(np.isfinite(z), z, 1.0)
        if m.d1 is not None and newton1(m, x, p, float(z[0])):
            return
        if newton(m, x, p, z, val):
            return
        best = None
        points = [*starts(m.lower, m.upper, z), m.start]
        for start in points:
            y = x.copy()

            def nf(zz, y=y):
                y[m.idx] = zz
                return -float(m.f(*y, *p))

            def ng(zz, y=y):
                y[m.idx] = zz
                return -np.asarray(m.grad(*y, *p), dtype=float)

            res = optimize.minimize(
                nf,
                start,
                jac=ng,
                method="L-BFGS-B",
                bounds=list(zip(m.lower, m.upper, strict=True)),
                options={"maxiter": 300, "maxfun": 600, "ftol": 1e-15, "gtol": 1e-12},
            )
            check_bounded(m, res.x, -res.fun, scale_of(p, np.delete(x, m.idx)))
            if best is None or res.fun < best.fun:
                best = res
        x[m.idx] = best.x
        # polish the best point with Newton where the problem is locally concave
        if m.d1 is not None:
            newton1(m, x, p, float(best.x[0]))
        else:
            newton(m, x, p, best.x.copy(), val)

    def _reduced(self, m: Mover, x: np.ndarray, p: list[float], z: np.ndarray):
        """Leader's value and total gradient at ``z`` with the next (last) stage re-solved.

        ``dV/dz = df/dz + (dy/dz)^T df/dy`` with the followers' slopes ``dy/dz`` from the
        implicit-function theorem (:func:`~clsc.game.optimise.response_slopes`); followers at an
        active bound do not move.
        """
        x[m.idx] = z
        self._respond(m.stage + 1, x, p)
        value = float(m.f(*x, *p))
        g = np.asarray(m.gfull(*x, *p), dtype=float).ravel()
        rows, cols = [], []
        for f in self.movers[m.stage + 1]:
            y = x[f.idx]
            free = (y > f.lower) & (y < f.upper)
            if free.any():
                rows.append(np.atleast_2d(np.asarray(f.jac(*x, *p), dtype=float))[free])
                cols.extend(f.idx[free])
        total = g[m.idx]
        if cols:
            cols = np.asarray(cols)
            total = total + response_slopes(np.vstack(rows), cols, m.idx).T @ g[cols]
        return value, total

    def _outer_gradient(self, m: Mover, x: np.ndarray, p: list[float]) -> bool:
        """Gradient-based best response of the mover just before the last stage.

        Newton ascent on the reduced objective from the current point and, unless the game is
        quadratic with no follower at a bound (then a local maximum is the maximum), from the
        other starting points; the best converged point wins. False if none converged.
        """
        scale = scale_of(p)
        best = None
        for k, start in enumerate(starts(m.lower, m.upper, x[m.idx])):
            try:
                z, ok, value = reduced_newton(
                    lambda zz: self._reduced(m, x, p, zz), start, m, self.quadratic
                )
            except np.linalg.LinAlgError:
                ok = False
            if not ok:
                continue
            check_bounded(m, z, value, scale)
            if best is None or value > best[1]:
                best = (z, value)
            if k == 0 and self.quadratic and not self._follower_at_bound(m, x):
                break
        if best is None:
            return False
        self._reduced(m, x, p, best[0])
        return True

    def _follower_at_bound(self, m: Mover, x: np.ndarray) -> bool:
        return any(
            np.any((x[f.idx] <= f.lower) | (x[f.idx] >= f.upper)) for f in self.movers[m.stage + 1]
        )

    def _outer(self, m: Mover, x: np.ndarray, p: list[float]) -> None:
        """Best response of an earlier-stage mover, re-solving the later stages."""
        next_is_last = all(not r for r in self.movers[m.stage + 2 :])
        if self.gradient and next_is_last and self._outer_gradient(m, x, p):
            return

        def neg(z):
            z = np.clip(z, m.lower, m.upper)
            x[m.idx] = z
            self._respond(m.stage + 1, x, p)
            return -float(m.f(*x, *p))

        if m.stage > 0 and np.all(np.isfinite(x[m.idx])):
            # nested inside an outer search: Newton from the warm start is usually enough
            z, converged = polish(neg, np.clip(x[m.idx], m.lower, m.upper), m)
            if converged:
                check_bounded(m, z, -neg(z), scale_of(p))
                x[m.idx] = z
                self._respond(m.stage + 1, x, p)
                return
        bounds = list(zip(m.lower, m.upper, strict=True))
        best = None
        for start in starts(m.lower, m.upper, x[m.idx]):
            res = optimize.minimize(
                neg,
                start,
                method="Nelder-Mead",
                bounds=bounds,
                options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 600},
            )
            if best is None or res.fun < best.fun:
                best = res
        z, _ = polish(neg, np.clip(best.x, m.lower, m.upper), m)
        check_bounded(m, z, -neg(z), scale_of(p))
        x[m.idx] = z
        self._respond(m.stage + 1, x, p)

    # -- stages --------------------------------------------------------------------------------
    def _respond(self, stage: int, x: np.ndarray, p: list[float]) -> None:
        if stage >= len(self.movers):
            return
        row = self.movers[stage]
        if not row:
            self._respond(stage + 1, x, p)
            return
        last = all(not r for r in self.movers[stage + 1 :])
        solve = self._inner if last else self._outer
        if len(row) == 1:
            solve(row[0], x, p)
            return
        for _ in range(MAX_NASH_ITER):
            old = x.copy()
            for m in row:
                solve(m, x, p)
            if np.max(np.abs(x - old)) <= 1e-12 * (1 + np.max(np.abs(x))):
                return
        raise SolverError(f"best responses of {', '.join(m.name for m in row)} do not converge")

    def _point(self, params: Mapping[str, float]) -> tuple[np.ndarray, list[float]]:
        values = dict(params)
        for name, ref in self.refs.items():
            other = numeric_game(ref.game)
            key = tuple(float(params[n]) for n in other.input_names)
            values[name] = other.cached_solve(key)[ref.quantity]
        p = [float(values[n]) for n in self.param_names]
        x = np.array([initial(v) if v.name in self.var_names else 0.0 for v in self.vars])
        self._respond(0, x, p)
        return x, p

    @property
    def input_names(self) -> tuple[str, ...]:
        """Parameters this game (and the games it references) read."""
        names = dict.fromkeys(n for n in self.param_names if n not in self.refs)
        for ref in self.refs.values():
            names.update(dict.fromkeys(numeric_game(ref.game).input_names))
        return tuple(names)

    @lru_cache(maxsize=4096)  # noqa: B019 - games are cached for the life of the process
    def cached_solve(self, key: tuple[float, ...]) -> dict[str, float]:
        return self.solve(dict(zip(self.input_names, key, strict=True)))

    def solve(self, params: Mapping[str, float]) -> dict[str, float]:
        """Equilibrium at ``params``: variables, definitions, profits (``pi_X``), outputs."""
        with np.errstate(all="ignore"):
            x, p = self._point(params)
            out = self._report(x, p)
            for name, (_, param, bracket) in self.roots.items():
                key = (name, *sorted((k, float(v)) for k, v in params.items() if k != param.name))
                if key not in self._root_cache:  # the root does not depend on its parameter
                    self._root_cache[key] = self._root(name, param.name, bracket, params)
                out[name] = self._root_cache[key]
        return out

    def _profit_values(self, x, p) -> tuple[dict[str, float], list[float]]:
        out = {}
        for name, value in zip(self.profit_names, self._profits(*x, *p), strict=True):
            out[profit_key(self.game, name)] = float(value)
        pis = []
        for pl in self.game.players:
            v = out.get(profit_key(self.game, pl.name), np.nan)
            pis += [v, v]
        return out, pis

    def _report(self, x: np.ndarray, p: list[float]) -> dict[str, float]:
        out = dict(zip(self.var_names, map(float, x[self._report_idx]), strict=True))
        out.update(zip(self.prep.definitions, map(float, self._defs(*x, *p)), strict=True))
        profits, pis = self._profit_values(x, p)
        out.update(profits)
        out.update(zip(self.output_names, map(float, self._outputs(*x, *p, *pis)), strict=True))
        for text, f, op in self._flags:
            out[text] = float(f(*x, *p)) * (-1 if op in ("<", "<=") else 1)
        return out

    def _root(self, name: str, param: str, bracket, params: Mapping[str, float]) -> float:
        """Zero of a Root output's expression in ``param``: grid scan, then brentq."""
        expr = self._root_exprs[name]

        def g(v: float) -> float:
            try:
                x, p = self._point({**params, param: v})
            except Unbounded:
                return float("nan")
            _, pis = self._profit_values(x, p)
            return float(expr(*x, *p, *pis))

        grid = np.linspace(bracket[0], bracket[1], 11)
        vals = [g(v) for v in grid]
        for i in range(len(grid) - 1):
            a, b = vals[i], vals[i + 1]
            if np.isfinite(a) and np.isfinite(b) and a * b <= 0:
                if a == 0:
                    return float(grid[i])
                return float(optimize.brentq(g, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-15))
        return float("nan")


def _degree(expr: sp.Expr, syms: list[sp.Symbol]) -> float:
    """Total degree of ``expr`` as a polynomial in ``syms`` (inf if it is not one)."""
    if not syms:
        return 0
    try:
        return sp.Poly(sp.expand(expr), *syms).total_degree()
    except sp.PolynomialError:
        return float("inf")


@lru_cache(maxsize=128)
def numeric_game(
    game: Game, fixed_vars: frozenset[str] = frozenset(), gradient: bool = True
) -> NumericGame:
    """The compiled :class:`NumericGame` of a declaration (cached).

    ``gradient=False`` gives the derivative-free outer search (multi-start Nelder-Mead and a
    finite-difference polish) that the gradient method falls back on; kept as the baseline of
    ``benchmarks/bench_numeric.py``.
    """
    return NumericGame(game, fixed_vars, gradient)


def solve_numeric(
    game: Game, params: Mapping[str, float], fixed: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Numeric equilibrium of ``game`` at ``params`` with variables ``fixed`` held constant."""
    fixed = dict(fixed or {})
    return numeric_game(game, frozenset(fixed)).solve({**params, **fixed})
