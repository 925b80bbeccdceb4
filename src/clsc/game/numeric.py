"""Numeric subgame-perfect equilibrium by nested best responses (no symbolic solving).

The profits are compiled to plain numeric functions (:mod:`clsc.game.numform`: sympy only
differentiates, once per declaration, and the printed code is stored on disk as whitelisted data,
so a later process imports neither sympy nor scipy.optimize; nothing is solved symbolically).
Stages are solved from the last backwards *by nesting*:

* a mover of the **last stage** maximises its profit over its own variables with a projected
  Newton method (analytic gradient and Hessian, backtracking, bounds as active sets), falling
  back to L-BFGS-B from several starts when its Hessian is not negative definite;
* a mover of an **earlier stage** maximises its reduced profit V(z) = f(z, Y(z)) by projected
  Newton ascent (:func:`~clsc.game.optimise.reduced_newton`): the later stages' responses
  Y(z) are re-solved at each trial point and their slopes come from the implicit-function
  theorem, recursively (:class:`~clsc.game.nested.Nested`): dy/dz = -(dF/dy)^-1 dF/dz with F
  the next stage's first-order conditions (exact Jacobians for the last stage, central
  differences of the exact reduced gradients for a stage in between), so
  dV/dz = df/dz + (dY/dz)^T df/dY; the Hessian of V is the forward-difference Jacobian of
  dV/dz (once, for a quadratic game; else updated by BFGS). A quadratic game (for a stage in
  between: a subgame quadratic in its own variables) with no follower at a bound needs one
  start (a local maximum is the maximum); otherwise the best of several starts is kept.
  While a mover searches, the stages in between respond from their current point (their
  first converged ascent); each candidate is then re-solved with every start, and the search
  is repeated that way if any response changes;
* an earlier-stage mover whose Newton ascent does not converge to a maximum uses multi-start
  bounded Nelder-Mead and a finite-difference Newton polish (corner solutions stay on their
  bounds; ``numeric_game(..., gradient=False)`` always does);
* **simultaneous movers** iterate best responses (Gauss-Seidel) to a Nash point.

A problem that diverges raises :class:`Unbounded` (status ``unbounded``) naming the mover whose
profit grows without bound; divergence is judged relative to the problem's scale (the largest
parameter or other variable). Flag-only bounds are not enforced, exactly as in the closed form.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache, partial

import numpy as np

from clsc.errors import SolverError
from clsc.game.declare import Game
from clsc.game.names import profit_key
from clsc.game.nested import Nested
from clsc.game.numform import numeric_form
from clsc.game.optimise import (
    Mover,
    Unbounded,
    check_bounded,
    initial,
    newton,
    newton1,
    polish,
    reduced_newton,
    scale_of,
    starts,
)

__all__ = ["NumericGame", "Unbounded", "numeric_game", "solve_numeric"]

MAX_NASH_ITER = 500


def _optimize():
    """scipy.optimize, imported by the fall-backs that use it (not on the Newton path)."""
    from scipy import optimize

    return optimize


def _mover(stage: int, m, own: list, pos: dict[str, int]) -> Mover:
    """The solver's :class:`~clsc.game.optimise.Mover` of a mover's compiled functions."""
    lo = [-np.inf if v.enforced("lower") is None else v.enforced("lower") for v in own]
    hi = [np.inf if v.enforced("upper") is None else v.enforced("upper") for v in own]
    return Mover(
        m.name,
        stage,
        np.array([pos[v.name] for v in own]),
        np.array(lo, dtype=float),
        np.array(hi, dtype=float),
        m.f,
        m.grad,
        m.hess,
        m.d1,
        m.d2,
        m.quadratic,
        np.array([initial(v) for v in own], dtype=float),
        m.gfull,
        m.jac,
    )


class NumericGame:
    """A game's numeric solver, built once per declaration and fixed variables from its
    :class:`~clsc.game.numform.NumericForm` (read from the disk cache when stored: no sympy)."""

    def __init__(self, game: Game, fixed_vars: frozenset[str] = frozenset(), gradient: bool = True):
        form = numeric_form(game, frozenset(fixed_vars))
        self.game, self.form, self.gradient = game, form, gradient
        self.refs = dict(game.references)  # (their names end form.params)
        self.param_names = form.params
        declared = game.all_vars
        self.vars = tuple(declared[n] for n in form.vars)  # irrelevant ones stay 0, unreported
        self.var_names = form.report
        pos = {n: i for i, n in enumerate(form.vars)}
        self._report_idx = [pos[n] for n in self.var_names]
        self.movers: list[list[Mover]] = []
        for si, row in enumerate(form.movers):
            self.movers.append([_mover(si, m, [declared[n] for n in m.own], pos) for m in row])
        self.profit_names = form.profit_names
        self.output_names = form.output_names
        self.roots = form.roots
        self.flags = tuple((text, op) for text, op, _ in form.flags)
        self._root_cache: dict[tuple, float] = {}
        self._nested = Nested(self.movers)

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

            res = _optimize().minimize(
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

    def _reduced(self, m: Mover, x: np.ndarray, p: list[float], z: np.ndarray, local: bool):
        """Mover's value and total gradient at ``z`` with the later stages re-solved.

        ``dV/dz = df/dz + (dY/dz)^T df/dY`` with the later stages' slopes ``dY/dz`` from the
        implicit-function theorem, recursively (:class:`~clsc.game.nested.Nested`); followers
        at an active bound do not move.
        """
        x[m.idx] = z
        self._respond(m.stage + 1, x, p, local)
        return float(m.f(*x, *p)), self._nested.gradient(m, x, p)

    def _outer_gradient(self, m: Mover, x: np.ndarray, p: list[float], local: bool) -> bool:
        """Gradient-based best response of an earlier-stage mover; False if Newton failed.

        Newton ascent on the reduced objective from the current point and, unless the game (for
        a later stage: the subgame from its stage, ``NumericForm.subgame_quadratic``)
        is quadratic with no follower at a bound (then a local maximum is the maximum), from
        the other starting points; the best converged point wins.

        During the search, the movers of the stages in between respond locally: by their
        first converged ascent from their current point. Each candidate is then re-solved with
        the later stages in full (their own starts as above); if any response differs (a later
        mover was on a branch that is not its best response), the search is repeated in full.
        ``local`` (this mover is inside another mover's search) takes the first converged
        ascent.
        """
        quadratic = self.form.subgame_quadratic[m.stage]
        deep = sum(1 for r in self.movers[m.stage + 1 :] if r) > 1
        found = self._ascents(m, x, p, quadratic, local, local or deep)
        if deep and not local and found:
            values = [self._verified(m, x, p, searched) for _, _, searched in found]
            if any(v is None for v in values):
                found = self._ascents(m, x, p, quadratic, False, False)
            else:
                found = [(z, v, s) for (z, _, s), v in zip(found, values, strict=True)]
        if not found:
            return False
        x[m.idx] = max(found, key=lambda c: c[1])[0]
        self._respond(m.stage + 1, x, p, local)
        return True

    def _ascents(self, m: Mover, x, p, quadratic: bool, first: bool, nested_local: bool):
        """Converged Newton ascents of ``m``'s reduced profit from its starts: ``(z, V, x)``
        with ``x`` the variables at ``z`` (the later stages responding as in the search)."""
        out = []
        for k, start in enumerate(starts(m.lower, m.upper, x[m.idx])):
            try:
                z, ok, value = reduced_newton(
                    lambda zz: self._reduced(m, x, p, zz, nested_local),
                    start,
                    m,
                    quadratic,
                    [c[:2] for c in out],
                )
            except np.linalg.LinAlgError:
                ok = False
            if not ok:
                continue
            check_bounded(m, z, value, scale_of(p))
            x[m.idx] = z
            self._respond(m.stage + 1, x, p, nested_local)
            out.append((z, value, x.copy()))
            if first or (k == 0 and quadratic and not self._follower_at_bound(m, x)):
                break
        return out

    def _verified(self, m: Mover, x: np.ndarray, p: list[float], searched: np.ndarray):
        """``m``'s profit at the point ``searched`` of its search with the later stages
        re-solved in full from there, or None if their responses change (a later mover's
        branch of the search was not its best response)."""
        x[:] = searched
        self._respond(m.stage + 1, x, p, False)
        if np.max(np.abs(x - searched)) > 1e-8 * (1 + np.max(np.abs(searched))):
            return None
        return float(m.f(*x, *p))

    def _follower_at_bound(self, m: Mover, x: np.ndarray) -> bool:
        return any(
            np.any((x[f.idx] <= f.lower) | (x[f.idx] >= f.upper))
            for row in self.movers[m.stage + 1 :]
            for f in row
        )

    def _outer(self, m: Mover, x: np.ndarray, p: list[float], local: bool = False) -> None:
        """Best response of an earlier-stage mover, re-solving the later stages."""
        if self.gradient and self._outer_gradient(m, x, p, local):
            return

        def neg(z):
            z = np.clip(z, m.lower, m.upper)
            x[m.idx] = z
            self._respond(m.stage + 1, x, p, local)
            return -float(m.f(*x, *p))

        if m.stage > 0 and np.all(np.isfinite(x[m.idx])):
            # nested inside an outer search: Newton from the warm start is usually enough
            z, converged = polish(neg, np.clip(x[m.idx], m.lower, m.upper), m)
            if converged:
                check_bounded(m, z, -neg(z), scale_of(p))
                x[m.idx] = z
                self._respond(m.stage + 1, x, p, local)
                return
        bounds = list(zip(m.lower, m.upper, strict=True))
        best = None
        for start in starts(m.lower, m.upper, x[m.idx]):
            res = _optimize().minimize(
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
        self._respond(m.stage + 1, x, p, local)

    # -- stages --------------------------------------------------------------------------------
    def _respond(self, stage: int, x: np.ndarray, p: list[float], local: bool = False) -> None:
        """Equilibrium of stages ``stage`` onwards at the earlier variables (in place in
        ``x``); ``local``: earlier-stage movers take their first converged ascent."""
        if stage >= len(self.movers):
            return
        row = self.movers[stage]
        if not row:
            self._respond(stage + 1, x, p, local)
            return
        last = all(not r for r in self.movers[stage + 1 :])
        solve = self._inner if last else partial(self._outer, local=local)
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
                key = (name, *sorted((k, float(v)) for k, v in params.items() if k != param))
                if key not in self._root_cache:  # the root does not depend on its parameter
                    self._root_cache[key] = self._root(name, param, bracket, params)
                out[name] = self._root_cache[key]
        return out

    def _profit_values(self, x, p) -> tuple[dict[str, float], list[float]]:
        out = {}
        for name, value in zip(self.profit_names, self.form.profits(*x, *p), strict=True):
            out[profit_key(self.game, name)] = float(value)
        pis = []
        for pl in self.game.players:
            v = out.get(profit_key(self.game, pl.name), np.nan)
            pis += [v, v]
        return out, pis

    def _report(self, x: np.ndarray, p: list[float]) -> dict[str, float]:
        out = dict(zip(self.var_names, map(float, x[self._report_idx]), strict=True))
        defs = self.form.defs(*x, *p)
        out.update(zip(self.form.definitions, map(float, defs), strict=True))
        profits, pis = self._profit_values(x, p)
        out.update(profits)
        outputs = self.form.outputs(*x, *p, *pis)
        out.update(zip(self.output_names, map(float, outputs), strict=True))
        for text, op, f in self.form.flags:
            out[text] = float(f(*x, *p)) * (-1 if op in ("<", "<=") else 1)
        return out

    def _root(self, name: str, param: str, bracket, params: Mapping[str, float]) -> float:
        """Zero of a Root output's expression in ``param``: grid scan, then brentq."""
        expr = self.roots[name][0]

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
                return float(_optimize().brentq(g, grid[i], grid[i + 1], xtol=1e-14, rtol=1e-15))
        return float("nan")


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
