"""Bilevel problems: parse and validate a problem file (JSON/TOML) or sympy input.

A problem is (optimistic semantics: ties in the follower's optimal set go the leader's way)::

    min_x  F(x, y)            s.t.  G(x, y) <= 0          (leader; may involve y)
           y in argmin_y  f(x, y)  s.t.  A x + B y <= b   (follower; linear constraints)

``F`` is linear or quadratic; ``f`` is linear or quadratic and convex in ``y`` (positive
semidefinite Hessian in ``y``), so that the follower's KKT conditions characterise its optima.
A *parametric-QP* follower also has terms ``x_j y_k y_l`` (its Hessian in ``y`` is affine in
``x``: ``StandardForm.T``); its convexity is checked on the leader's box when solved
(:mod:`clsc.bilevel.pqp`).
Constraints are linear; ``==`` is allowed, strict ``<``/``>`` are not. Follower-block
constraints that involve only leader variables are constraints on ``x`` and are moved to the
leader. A ``max`` sense is turned into ``min`` of the negated objective.

File format (JSON; TOML with the same tables)::

    {"leader":   {"vars": ["x"], "sense": "min", "objective": "-x - 10*y", "constraints": []},
     "follower": {"vars": ["y"], "sense": "min", "objective": "y",
                  "constraints": ["-25*x + 20*y <= 30", "x + 2*y <= 10", "x >= 0", "y >= 0"]},
     "integer_vars": []}

:meth:`BilevelProblem.standard_form` gives the numeric :class:`StandardForm` used by solvers.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from clsc.errors import ParameterError, SpecError
from clsc.expr import parse_expr, parse_relation
from clsc.solvers.program import HUGE

SENSES = ("min", "max")
MAX_FILE_BYTES = 10_000_000
_LEVEL_KEYS = {"vars", "sense", "objective", "constraints"}


@dataclass(frozen=True)
class Constraint:
    """``expr <= 0`` (``kind='<='``) or ``expr == 0`` (``kind='=='``); ``text`` for messages."""

    expr: sp.Expr
    kind: str
    text: str


@dataclass(frozen=True)
class StandardForm:
    """Numeric data over ``v = (x, y)`` (``n`` leader, ``m`` follower variables), min form.

    Leader ``F = 0.5 v'Hv + h'v + h0`` (``sign_F`` = +1 for min, -1 for max: reported F is
    ``sign_F * F``); follower ``f = 0.5 v'Pv + p'v + p0`` likewise with ``sign_f``. Leader rows
    ``G v <= g``; follower rows ``A x + B y <= b`` (equalities split into two rows).
    """

    names: tuple[str, ...]
    n: int
    m: int
    H: np.ndarray
    h: np.ndarray
    h0: float
    sign_F: float
    P: np.ndarray
    p: np.ndarray
    p0: float
    sign_f: float
    G: np.ndarray
    g: np.ndarray
    A: np.ndarray
    B: np.ndarray
    b: np.ndarray
    integer: np.ndarray
    #: parametric-QP follower (terms ``x_j y_k y_l``): ``T[j]`` (m x m) adds ``x_j T[j]`` to the
    #: follower's Hessian in ``y``; None when the follower's objective is quadratic
    T: np.ndarray | None = None

    def Q_at(self, x: np.ndarray) -> np.ndarray:
        """The follower's Hessian in ``y`` at the leader's ``x``: ``Q + sum_j x_j T[j]``."""
        if self.T is None:
            return self.Q
        return self.Q + np.einsum("j,jkl->kl", np.asarray(x, dtype=float), self.T)

    @property
    def Q(self) -> np.ndarray:  # follower Hessian in y
        return self.P[self.n :, self.n :]

    @property
    def K(self) -> np.ndarray:  # gradient in y = K v + c
        return self.P[self.n :, :]

    @property
    def c(self) -> np.ndarray:
        return self.p[self.n :]

    @property
    def leader_quadratic(self) -> bool:
        return bool(np.any(self.H))

    @property
    def follower_quadratic(self) -> bool:
        return bool(np.any(self.Q)) or self.T is not None

    def leader_value(self, v: np.ndarray) -> float:
        return float(0.5 * v @ self.H @ v + self.h @ v + self.h0)

    def follower_value(self, v: np.ndarray) -> float:
        cubic = 0.0
        if self.T is not None:
            y = v[self.n :]
            cubic = 0.5 * y @ (self.Q_at(v[: self.n]) - self.Q) @ y
        return float(0.5 * v @ self.P @ v + self.p @ v + self.p0 + cubic)


@dataclass(frozen=True)
class BilevelProblem:
    """A validated bilevel problem in sympy form.

    Build it with ``from_dict``, ``from_file`` or ``from_sympy``.
    """

    leader_vars: tuple[sp.Symbol, ...]
    follower_vars: tuple[sp.Symbol, ...]
    leader_obj: sp.Expr
    follower_obj: sp.Expr
    leader_sense: str
    follower_sense: str
    leader_cons: tuple[Constraint, ...]
    follower_cons: tuple[Constraint, ...]
    integer_vars: frozenset[str]

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_sympy(
        cls,
        leader_vars: Sequence[sp.Symbol],
        follower_vars: Sequence[sp.Symbol],
        leader_obj: sp.Expr,
        follower_obj: sp.Expr,
        leader_cons: Iterable[sp.Rel] = (),
        follower_cons: Iterable[sp.Rel] = (),
        *,
        leader_sense: str = "min",
        follower_sense: str = "min",
        integer_vars: Iterable[str | sp.Symbol] = (),
    ) -> BilevelProblem:
        """Build from sympy symbols, expressions and relations (``x + y <= 3``, ``sp.Eq``)."""
        lv, fv = tuple(leader_vars), tuple(follower_vars)
        _check_vars(lv, fv)
        allowed = set(lv) | set(fv)
        objs = []
        for who, obj in (("leader", leader_obj), ("follower", follower_obj)):
            obj = sp.sympify(obj)  # sympy objects from the caller, not user text
            _check_free(obj, allowed, f"{who}.objective")
            objs.append(obj)
        lcons = tuple(_from_relation(r, allowed, "leader") for r in leader_cons)
        fcons = tuple(_from_relation(r, allowed, "follower") for r in follower_cons)
        ints = frozenset(str(v) for v in integer_vars)
        return cls._validated(lv, fv, objs, (leader_sense, follower_sense), lcons, fcons, ints)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BilevelProblem:
        """Build from the parsed JSON/TOML mapping (see the module docstring)."""
        if not isinstance(data, Mapping):
            raise SpecError("a bilevel problem must be a mapping with 'leader' and 'follower'")
        extra = set(data) - {"leader", "follower", "integer_vars", "name", "source"}
        if extra:
            raise SpecError(f"unknown key(s) {sorted(extra)} in bilevel problem", token="keys")
        levels = []
        for who in ("leader", "follower"):
            if who not in data:
                raise SpecError(f"bilevel problem is missing the '{who}' block", token=who)
            levels.append(_level(data[who], who))
        (lnames, lsense, lobj, lcons), (fnames, fsense, fobj, fcons) = levels
        symbols = {name: sp.Symbol(name, real=True) for name in (*lnames, *fnames)}
        lv = tuple(symbols[s] for s in lnames)
        fv = tuple(symbols[s] for s in fnames)
        _check_vars(lv, fv)
        objs = [
            _objective(text, symbols, who) for text, who in ((lobj, "leader"), (fobj, "follower"))
        ]
        lc = tuple(_from_text(t, symbols, "leader") for t in lcons)
        fc = tuple(_from_text(t, symbols, "follower") for t in fcons)
        ints = data.get("integer_vars", [])
        if not isinstance(ints, list) or not all(isinstance(s, str) for s in ints):
            raise SpecError("integer_vars must be a list of variable names", token="integer_vars")
        problem = cls._validated(lv, fv, objs, (lsense, fsense), lc, fc, frozenset(ints))
        huge = problem.huge_coefficient()
        if huge is not None:
            raise ParameterError(huge[0], message=huge_message(*huge))
        return problem

    @classmethod
    def from_file(cls, path: str | Path) -> BilevelProblem:
        """Read a ``.json`` or ``.toml`` problem file (a regular file of at most
        :data:`MAX_FILE_BYTES`, UTF-8 text)."""
        path = Path(path)
        text = read_text_file(path)
        try:
            data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SpecError(f"malformed problem file {path.name}: {exc}", token="file") from None
        except RecursionError:
            raise SpecError(
                f"problem file {path.name} is nested too deeply", token="file"
            ) from None
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            raise SpecError(f"malformed problem file {path.name}: {exc}", token="file") from None
        return cls.from_dict(data)

    @classmethod
    def _validated(cls, lv, fv, objs, senses, lcons, fcons, ints) -> BilevelProblem:
        for who, sense in zip(("leader", "follower"), senses, strict=True):
            if sense not in SENSES:
                raise ParameterError(f"{who}.sense", "must be 'min' or 'max'", sense)
        names = {str(s) for s in (*lv, *fv)}
        unknown = sorted(set(ints) - names)
        if unknown:
            raise SpecError(f"integer_vars names unknown variable(s) {unknown}", token=unknown[0])
        allv = (*lv, *fv)
        for who, obj in zip(("leader", "follower"), objs, strict=True):
            if _degree(obj, allv, f"{who}.objective") > 2 and not (
                who == "follower" and parametric_qp(obj, lv, fv)
            ):
                raise SpecError(
                    f"{who}.objective must be linear or quadratic: {obj}"
                    + (PARAMETRIC_HINT if who == "follower" else ""),
                    token=who,
                )
        for con in (*lcons, *fcons):
            if _degree(con.expr, allv, con.text) > 1:
                raise SpecError(f"constraint must be linear: {con.text!r}", token=con.text)
        # follower-block constraints that involve only leader variables belong to the leader
        fset = set(fv)
        moved = tuple(c for c in fcons if not (c.expr.free_symbols & fset))
        kept = tuple(c for c in fcons if c.expr.free_symbols & fset)
        problem = cls(lv, fv, objs[0], objs[1], senses[0], senses[1], (*lcons, *moved), kept, ints)
        sf = problem.standard_form()
        if sf.T is None:  # parametric-QP followers are checked on the leader's box when solved
            _check_convex_follower(sf, problem)
        return problem

    # ------------------------------------------------------------------ numeric form
    def standard_form(self) -> StandardForm:
        allv = (*self.leader_vars, *self.follower_vars)
        n, m = len(self.leader_vars), len(self.follower_vars)
        sF = 1.0 if self.leader_sense == "min" else -1.0
        sf = 1.0 if self.follower_sense == "min" else -1.0
        H, h, h0 = _quadratic(sF * self.leader_obj, allv)
        rest, T = split_cubic(sp.expand(sf * self.follower_obj), self.leader_vars,
                              self.follower_vars)  # fmt: skip
        P, p, p0 = _quadratic(rest, allv)
        G, g = _rows(self.leader_cons, allv)
        AB, b = _rows(self.follower_cons, allv)
        integer = np.array([str(s) in self.integer_vars for s in allv], dtype=bool)
        return StandardForm(
            tuple(str(s) for s in allv), n, m, H, h, h0, sF, P, p, p0, sf,
            G, g, AB[:, :n], AB[:, n:], b, integer, T,
        )  # fmt: skip

    @property
    def follower_integer(self) -> bool:
        return any(str(s) in self.integer_vars for s in self.follower_vars)

    def huge_coefficient(self) -> tuple[str, float] | None:
        """``(where, value)`` of the first coefficient or constant at or beyond
        :data:`~clsc.solvers.program.HUGE` (HiGHS reads it as infinite), else None."""
        allv = (*self.leader_vars, *self.follower_vars)
        parts = [("leader.objective", self.leader_obj), ("follower.objective", self.follower_obj)]
        parts += [(f"constraint {c.text!r}", c.expr) for c in (*self.leader_cons,
                                                               *self.follower_cons)]  # fmt: skip
        for where, expr in parts:
            for value in _coefficients(expr, allv, where):
                if abs(value) >= HUGE:
                    return where, value
        return None


# ---------------------------------------------------------------------- helpers
def _level(block: Any, who: str) -> tuple[list[str], str, str, list[str]]:
    if not isinstance(block, Mapping):
        raise SpecError(f"'{who}' must be a mapping with vars, objective, ...", token=who)
    extra = set(block) - _LEVEL_KEYS
    if extra:
        raise SpecError(f"unknown key(s) {sorted(extra)} in '{who}'", token=who)
    for key in ("vars", "objective"):
        if key not in block:
            raise SpecError(f"'{who}' is missing '{key}'", token=f"{who}.{key}")
    names = block["vars"]
    if not isinstance(names, list) or not all(isinstance(s, str) for s in names):
        raise SpecError(f"{who}.vars must be a list of names", token=f"{who}.vars")
    bad = [s for s in names if not s.isidentifier()]
    if bad:
        raise SpecError(f"{who}.vars: {bad[0]!r} is not a valid name", token=bad[0])
    sense = block.get("sense", "min")
    objective = block["objective"]
    if isinstance(objective, int | float) and not isinstance(objective, bool):
        objective = repr(objective)
    if not isinstance(objective, str):
        raise SpecError(f"{who}.objective must be text", token=f"{who}.objective")
    cons = block.get("constraints", [])
    if not isinstance(cons, list) or not all(isinstance(c, str) for c in cons):
        raise SpecError(f"{who}.constraints must be a list of text", token=f"{who}.constraints")
    return names, sense, objective, cons


def _objective(text: str, symbols: dict, who: str):
    """The parsed objective of ``who``; a parse error names the field (``leader.objective``)."""
    if text.strip() in ("", "0"):
        return sp.Integer(0)
    try:
        return parse_expr(text, symbols)
    except SpecError as exc:
        raise SpecError(f"{who}.objective: {exc}", token=f"{who}.objective") from None


def _check_vars(lv: tuple, fv: tuple) -> None:
    allv = (*lv, *fv)
    if not fv:
        raise SpecError("the follower needs at least one variable", token="follower.vars")
    if not all(isinstance(s, sp.Symbol) for s in allv):
        raise SpecError("variables must be sympy Symbols", token="vars")
    names = [str(s) for s in allv]
    dup = sorted({s for s in names if names.count(s) > 1})
    if dup:
        raise SpecError(f"variable {dup[0]!r} is declared twice", token=dup[0])


def _check_free(expr: sp.Expr, allowed: set, what: str) -> None:
    extra = sorted(str(s) for s in expr.free_symbols - allowed)
    if extra:
        raise SpecError(f"unknown symbol '{extra[0]}' in {what}", token=extra[0])


def _from_text(text: str, symbols: Mapping[str, sp.Symbol], who: str) -> Constraint:
    lhs, op, rhs = parse_relation(text, symbols)
    return _make(lhs, op, rhs, text, who)


def _from_relation(rel: Any, allowed: set, who: str) -> Constraint:
    ops = {sp.LessThan: "<=", sp.GreaterThan: ">=", sp.Equality: "==",
           sp.StrictLessThan: "<", sp.StrictGreaterThan: ">"}  # fmt: skip
    op = ops.get(type(rel))
    if op is None:
        raise SpecError(f"{who} constraint must be a sympy relation; got {rel!r}", token=str(rel))
    _check_free(rel.lhs - rel.rhs, allowed, f"{who} constraint {rel}")
    return _make(rel.lhs, op, rel.rhs, str(rel), who)


def _make(lhs: sp.Expr, op: str, rhs: sp.Expr, text: str, who: str) -> Constraint:
    if op in ("<", ">"):
        raise SpecError(f"strict inequality in {who} constraint {text!r}; use <= or >=", token=op)
    expr = sp.expand(lhs - rhs if op in ("<=", "==") else rhs - lhs)
    return Constraint(expr, "==" if op == "==" else "<=", text)


def _degree(expr: sp.Expr, allv: tuple, what: str) -> int:
    for power in expr.atoms(sp.Pow):  # refuse x^1000 / (x+y)^99 before expanding them
        exponent = power.exp
        if power.base.free_symbols and not (exponent.is_Integer and 0 <= exponent <= 2):
            raise SpecError(
                f"{what} must be linear or quadratic; got the power {power}", token=what
            )
    expr = _expanded(expr, what)
    if expr.is_number:
        _coefficients(expr, allv, what)
        return 0
    try:
        poly = sp.Poly(expr, *allv)
    except sp.PolynomialError:
        raise SpecError(
            f"{what} is not a polynomial in the variables: {_short(expr)}", token=what
        ) from None
    except _EVAL_ERRORS as exc:
        raise SpecError(f"{what} cannot be evaluated ({type(exc).__name__})", token=what) from None
    if not all(c.is_number for c in poly.coeffs()):
        raise SpecError(f"{what} has a non-numeric coefficient: {_short(expr)}", token=what)
    _coefficients(expr, allv, what)
    return int(poly.total_degree())


_EVAL_ERRORS = (OverflowError, ValueError, TypeError, RecursionError, MemoryError,
                ZeroDivisionError)  # fmt: skip


def _short(expr: object, limit: int = 80) -> str:
    try:
        text = str(expr)
    except ValueError:  # an integer of more than 4300 digits
        return "a number of more than 4300 digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _expanded(expr: sp.Expr, what: str) -> sp.Expr:
    try:
        return sp.expand(expr)
    except _EVAL_ERRORS as exc:
        raise SpecError(f"{what} cannot be evaluated ({type(exc).__name__})", token=what) from None


def _coefficients(expr: sp.Expr, allv: tuple, what: str) -> list[float]:
    """The coefficients and constant of a polynomial ``expr`` as floats; each must be real
    and finite as a float (``10**400`` is not; ``sqrt(-1)`` is not real)."""
    expr = _expanded(expr, what)
    coeffs = [expr] if expr.is_number else sp.Poly(expr, *allv).coeffs()
    out = []
    for c in coeffs:
        if c.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or c.is_infinite:
            raise ParameterError(
                what, "must have coefficients that are finite floating-point numbers", _short(c)
            )
        if c.has(sp.I) or c.is_real is False:
            raise ParameterError(what, "must have real coefficients", _short(c))
        try:
            value = float(c) if c.is_Rational else _float(c)
        except _EVAL_ERRORS:
            raise ParameterError(
                what, "must have coefficients that are finite floating-point numbers", _short(c)
            ) from None
        if not np.isfinite(value):
            raise ParameterError(
                what, "must have coefficients that are finite floating-point numbers", _short(c)
            )
        out.append(value)
    return out


_UNARY = {sp.exp: math.exp, sp.log: math.log, sp.Abs: abs}


def _float(c: sp.Expr) -> float:
    """A numeric sympy expression evaluated in floating point, node by node, so that an
    overflow (``exp(exp(exp(exp(100))))``) raises at once instead of sympy raising its
    working precision for ever; complex or undefined values raise ``ValueError``."""
    if c.is_Rational or c.is_Float:
        return float(c)
    if c in (sp.pi, sp.E):
        return float(c)
    args = [_float(a) for a in c.args]
    if c.is_Add:
        value = math.fsum(args)
    elif c.is_Mul:
        value = math.prod(args)
    elif c.is_Pow:
        value = math.pow(*args)  # ValueError for a negative base and a fractional power
    elif c.func in _UNARY and len(args) == 1:
        value = _UNARY[c.func](args[0])
    elif c.func in (sp.Max, sp.Min):
        value = (max if c.func is sp.Max else min)(args)
    else:
        raise ValueError(f"cannot evaluate {c.func}")
    if not math.isfinite(value):
        raise OverflowError("not finite")
    return value


def huge_message(where: str, value: float) -> str:
    return (
        f"{where} has the number {abs(value):g}, at or beyond {HUGE:g}, which HiGHS reads as "
        "infinite (a bound would silently vanish); rescale the problem"
    )


def _quadratic(expr: sp.Expr, allv: tuple) -> tuple[np.ndarray, np.ndarray, float]:
    k = len(allv)
    H, h, h0 = np.zeros((k, k)), np.zeros(k), 0.0
    expr = sp.expand(expr)
    if expr.is_number:
        return H, h, float(expr)
    for monom, coeff in sp.Poly(expr, *allv).terms():
        c, idx = float(coeff), [i for i, e in enumerate(monom) for _ in range(e)]
        if not idx:
            h0 += c
        elif len(idx) == 1:
            h[idx[0]] += c
        else:
            i, j = idx
            H[i, j] += c
            H[j, i] += c
    return H, h, h0


def _rows(cons: Sequence[Constraint], allv: tuple) -> tuple[np.ndarray, np.ndarray]:
    rows, rhs = [], []
    for con in cons:
        _, a, a0 = _quadratic(con.expr, allv)
        signs = (1.0, -1.0) if con.kind == "==" else (1.0,)
        for s in signs:
            rows.append(s * a)
            rhs.append(-s * a0)
    return np.array(rows).reshape(-1, len(allv)), np.array(rhs, dtype=float)


PARAMETRIC_HINT = (
    "; a follower objective may also be quadratic in the follower's variables with "
    "coefficients affine in the leader's (degree-3 terms x*y^2 or x*y1*y2 only)"
)


def parametric_qp(expr: sp.Expr, lv: tuple, fv: tuple) -> bool:
    """Is every term of degree 3 of ``expr`` of the form ``x_j y_k y_l`` (one leader variable,
    two follower variables) and every other term of degree at most 2?"""
    allv, n = (*lv, *fv), len(lv)
    for monom in sp.Poly(sp.expand(expr), *allv).monoms():
        degree = sum(monom)
        if degree > 3 or (degree == 3 and (sum(monom[:n]) != 1 or sum(monom[n:]) != 2)):
            return False
    return True


def split_cubic(expr: sp.Expr, lv: tuple, fv: tuple) -> tuple[sp.Expr, np.ndarray | None]:
    """``expr`` without its ``x_j y_k y_l`` terms, and the tensor ``T`` with
    ``sum x_j y_k y_l`` terms ``= 0.5 sum_j x_j y'T[j]y`` (None when there are none)."""
    allv, n, m = (*lv, *fv), len(lv), len(fv)
    if expr.is_number:
        return expr, None
    T, rest = np.zeros((n, m, m)), sp.Integer(0)
    found = False
    for monom, coeff in sp.Poly(expr, *allv).terms():
        term = sp.Mul(coeff, *(s**e for s, e in zip(allv, monom, strict=True)))
        if sum(monom) != 3:
            rest += term
            continue
        found = True
        j = next(i for i in range(n) if monom[i])
        k, ell = [i - n for i, e in enumerate(monom) if i >= n for _ in range(e)]
        T[j, k, ell] += float(coeff)
        T[j, ell, k] += float(coeff)
    return rest, (T if found else None)


def _check_convex_follower(sf: StandardForm, problem: BilevelProblem) -> None:
    if sf.m and np.linalg.eigvalsh(sf.Q).min(initial=0.0) < -1e-9:
        raise SpecError(
            "the follower's objective is not convex in its variables "
            f"({problem.follower_sense} {problem.follower_obj}); KKT conditions would not be "
            "sufficient, so clsc refuses it (the standard alternative is a global method on the "
            "follower's value function, e.g. branch-and-sandwich, or a global NLP/MINLP "
            "solver on the value-function reformulation)",
            token="follower.objective",
        )


def read_text_file(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """UTF-8 text of a regular file of at most ``limit`` bytes (never a FIFO, a device such
    as ``/dev/zero`` or a directory: those are refused before they are opened)."""
    import os
    import stat

    try:
        info = os.stat(path)
    except OSError as exc:
        raise ParameterError("file", message=f"cannot read problem file {path}: "
                             f"{exc.strerror or exc}") from None  # fmt: skip
    if not stat.S_ISREG(info.st_mode):
        raise ParameterError("file", message=f"problem file {path} is not a regular file")
    if info.st_size > limit:
        raise ParameterError("file", message=f"problem file {path} has {info.st_size} bytes, "
                             f"more than the limit {limit}")  # fmt: skip
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise ParameterError("file", message=f"cannot read problem file {path}: "
                             f"{exc.strerror or exc}") from None  # fmt: skip
    if len(raw) > limit:
        raise ParameterError("file", message=f"problem file {path} is larger than {limit} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"problem file {path.name} is not UTF-8 text (byte {exc.start})",
                        token="file") from None  # fmt: skip
