"""A scenario's closed forms as data, evaluated by numpy without sympy and without ``eval``.

A :class:`ClosedForm` holds what ``solve`` needs of a derivation: the parameter names, the
result names, the conditions (name, displayed text, relation ``>0``/``>=0``/``<=0``, kind), the
``guarded`` outputs, and the closed forms themselves as common-subexpression assignments
``x0 = ...`` plus one output expression per result and condition (the code ``sympy.lambdify``
prints for them, as text). :meth:`ClosedForm.from_payload` rebuilds the evaluator from that
text through a whitelisted walk of its Python syntax tree: numbers, the parameter and earlier
temporary names, ``+ - * / **``, unary ``-``/``+`` and calls of :data:`FUNCTIONS` (numpy
functions) pass; any other node (an attribute, a subscript, a lambda, an unknown name or call,
a keyword...) raises :class:`ValueError`. The function is compiled from a syntax tree built
here from the validated nodes only, with empty builtins; nothing read is executed as such.

>>> form = ClosedForm.from_payload({
...     "params": ["a", "c"], "names": ["p"],
...     "conditions": [["p >= 0", "a - c >= 0", ">=0", "interior"]], "guarded": {},
...     "assignments": [["x0", "a + c"]], "outputs": ["(1/2)*x0", "a - c"]})
>>> {k: float(v) for k, v in form(a=10, c=4).items()}
{'p': 7.0, 'p >= 0': 6.0}
>>> ClosedForm.from_payload({**form.payload, "outputs": ["__import__('os')", "a"]})
Traceback (most recent call last):
...
ValueError: not a whitelisted closed form (call of __import__)
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.game.relations import condition_holds

#: functions a closed form may call (name in the printed code -> numpy function)
FUNCTIONS = {
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "abs": np.absolute,
    "absolute": np.absolute,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
}
#: the same names for plain Python floats (what ``lambdify(..., "math")`` would call)
MATH_FUNCTIONS = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "abs": abs,
    "absolute": abs,
    "maximum": max,
    "minimum": min,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
}
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_UNARY = (ast.USub, ast.UAdd)
RELATIONS = (">0", ">=0", "<=0")
KINDS = ("SOC", "interior", "FLAG", "")
#: largest text of one expression, most digits of an integer literal, largest exponent of a
#: power of constants
MAX_TEXT = 2_000_000
MAX_DIGITS = 400
MAX_EXPONENT = 64


@dataclass(frozen=True)
class FormCondition:
    """A condition as ``solve`` reports it: ``value relation 0`` of a kind, with its text."""

    name: str
    text: str
    relation: str
    kind: str


@dataclass(frozen=True, eq=False)
class ClosedForm:
    """Vectorised closed forms: ``form(**params) -> {name: ndarray}`` (results, then conditions)."""

    params: tuple[str, ...]
    names: tuple[str, ...]
    conditions: tuple[FormCondition, ...]
    guarded: dict[str, tuple[str, ...]]
    payload: dict[str, Any] = field(repr=False)
    _func: Any = field(repr=False)

    @property
    def condition_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.conditions)

    def __call__(self, **values: Any) -> dict[str, np.ndarray]:
        return call_outputs(self._func, self.params, (*self.names, *self.condition_names), values)

    def valid(self, values: Mapping[str, np.ndarray] | None = None, **params: Any) -> np.ndarray:
        """Mask of points where every SOC and interior condition holds."""
        out = values if values is not None else self(**params)
        return hard_conditions_hold(self.conditions, out)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ClosedForm:
        """Validate ``payload`` (JSON data) and build its evaluator; ValueError if not valid."""
        try:
            params = _names(payload["params"], "parameter")
            names = tuple(_text(n) for n in payload["names"])
            conditions = tuple(_condition(c) for c in payload["conditions"])
            guarded = {
                _text(k): tuple(_text(n) for n in v) for k, v in dict(payload["guarded"]).items()
            }
            assignments = [(_text(t), _text(e)) for t, e in payload["assignments"]]
            outputs = [_text(e) for e in payload["outputs"]]
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a closed-form payload ({type(exc).__name__})") from None
        if len(outputs) != len(names) + len(conditions):
            raise ValueError("not a closed-form payload (number of outputs)")
        if len(set(names) | set(c.name for c in conditions)) != len(outputs):
            raise ValueError("not a closed-form payload (duplicate names)")
        func = _function(params, assignments, outputs)
        data = {
            "params": list(params),
            "names": list(names),
            "conditions": [[c.name, c.text, c.relation, c.kind] for c in conditions],
            "guarded": {k: list(v) for k, v in guarded.items()},
            "assignments": [list(a) for a in assignments],
            "outputs": outputs,
        }
        return cls(params, names, conditions, guarded, data, func)


def hard_conditions_hold(conditions, out: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mask of the points of ``out`` (evaluated outputs and conditions) where every SOC and
    interior condition of ``conditions`` (``name``, ``relation``, ``kind``) holds."""
    mask = np.ones(np.shape(next(iter(out.values()))) if out else (), dtype=bool)
    for c in conditions:
        if c.kind in ("SOC", "interior"):
            mask &= condition_holds(out[c.name], c.relation)
    return mask


def call_outputs(func, params: tuple[str, ...], keys: tuple[str, ...], values: Mapping[str, Any]):
    """``{key: array}`` of ``func(*params)`` on (broadcast) arrays of ``values``; a missing
    parameter is a :class:`~clsc.errors.ParameterError`; division by zero gives inf/nan."""
    missing = [p for p in params if p not in values]
    if missing:
        raise ParameterError(missing[0], message=f"missing parameter(s): {', '.join(missing)}")
    args = [np.asarray(values[p], dtype=float) for p in params]
    shape = np.broadcast_shapes(*(a.shape for a in args)) if args else ()
    with np.errstate(all="ignore"):
        outs = func(*args)
    return {
        k: np.broadcast_to(np.asarray(v, dtype=float), shape)
        for k, v in zip(keys, outs, strict=True)
    }


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError("not a closed-form payload (text)")
    return value


def _names(values: Any, what: str) -> tuple[str, ...]:
    out = tuple(_text(v) for v in values)
    for n in out:
        if not n.isidentifier() or keyword.iskeyword(n) or n.startswith("_") or n in FUNCTIONS:
            raise ValueError(f"not a closed-form payload ({what} name {n[:40]!r})")
    if len(set(out)) != len(out):
        raise ValueError(f"not a closed-form payload (duplicate {what})")
    return out


def _condition(row: Any) -> FormCondition:
    name, text, relation, kind = row
    cond = FormCondition(_text(name), _text(text), _text(relation), _text(kind))
    if cond.relation not in RELATIONS or cond.kind not in KINDS:
        raise ValueError("not a closed-form payload (condition)")
    return cond


def compile_function(
    params: tuple[str, ...] | list[str],
    assignments: list[tuple[str, str]] | list[list[str]],
    outputs: list[str],
    functions: Mapping[str, Any] | None = None,
    single: bool = False,
):
    """The function ``f(*params)`` of whitelisted ``assignments`` and ``outputs`` (text),
    returning the list of outputs (the one output if ``single``); ValueError if any name or
    expression is not whitelisted. ``functions`` maps the callable names of :data:`FUNCTIONS`
    to other implementations (e.g. :data:`MATH_FUNCTIONS` for scalar arguments).

    >>> f = compile_function(["x", "y"], [["x0", "x*y"]], ["sqrt(x0)"], MATH_FUNCTIONS, True)
    >>> f(2.0, 8.0)
    4.0
    """
    params = _names(params, "parameter")
    assignments = [(_text(t), _text(e)) for t, e in assignments]
    return _function(params, assignments, [_text(e) for e in outputs], functions, single)


def _function(params, assignments, outputs, functions=None, single=False):
    """The function of the validated assignments and outputs (numpy functions by default)."""
    known = dict.fromkeys(params, False)  # name -> computed from constants only
    body: list[ast.stmt] = []
    for target, text in assignments:
        (name,) = _names([target], "temporary")
        if name in known:
            raise ValueError(f"not a closed-form payload (temporary {name} assigned twice)")
        value, exact = _expression(text, known)
        body.append(ast.Assign(targets=[ast.Name(name, ast.Store())], value=value))
        known[name] = exact
    elements = [_expression(text, known)[0] for text in outputs]
    if single and len(elements) != 1:
        raise ValueError("not a closed-form payload (one output expected)")
    body.append(ast.Return(elements[0] if single else ast.List(elements, ast.Load())))
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(p) for p in params],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[],
    )
    func = ast.FunctionDef(name="closed_form", args=args, body=body, decorator_list=[])
    module = ast.fix_missing_locations(ast.Module(body=[func], type_ignores=[]))
    namespace: dict[str, Any] = {"__builtins__": {}, **FUNCTIONS, **(functions or {})}
    try:
        exec(compile(module, "<clsc closed form>", "exec"), namespace)  # validated nodes only
    except (RecursionError, MemoryError, SyntaxError, ValueError) as exc:
        raise ValueError(f"not a whitelisted closed form ({type(exc).__name__})") from None
    return namespace["closed_form"]


def _expression(text: str, known: dict[str, bool]) -> tuple[ast.expr, bool]:
    try:
        tree = ast.parse(text, mode="eval")
        return _node(tree.body, known)
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(f"not a whitelisted closed form ({type(exc).__name__})") from None


def _literal(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
        node = node.operand
    ok = isinstance(node, ast.Constant) and type(node.value) in (int, float)
    return abs(node.value) if ok else None


def _node(node: ast.AST, known: dict[str, bool]) -> tuple[ast.expr, bool]:
    """A fresh copy of ``node`` if every part of it is whitelisted (else ValueError), and
    whether its value comes from constants only (Python numbers, not arrays).

    A power of constants only is a literal to a literal exponent of at most
    :data:`MAX_EXPONENT` (so no file can make Python compute a huge integer).
    """
    if isinstance(node, ast.Constant):
        value = node.value
        if type(value) is int and len(str(abs(value))) <= MAX_DIGITS:
            return ast.Constant(value), True
        if type(value) is float:
            return ast.Constant(value), True
        raise ValueError("not a whitelisted closed form (constant)")
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        if node.id not in known:
            raise ValueError(f"not a whitelisted closed form (name {node.id[:40]})")
        return ast.Name(node.id, ast.Load()), known[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        (left, lexact), (right, rexact) = _node(node.left, known), _node(node.right, known)
        if isinstance(node.op, ast.Pow) and lexact and rexact:
            exponent = _literal(node.right)
            if _literal(node.left) is None or exponent is None or exponent > MAX_EXPONENT:
                raise ValueError("not a whitelisted closed form (power of constants)")
        return ast.BinOp(left, type(node.op)(), right), lexact and rexact
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
        operand, exact = _node(node.operand, known)
        return ast.UnaryOp(type(node.op)(), operand), exact
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else type(func).__name__
        if name not in FUNCTIONS or node.keywords:
            raise ValueError(f"not a whitelisted closed form (call of {name[:40]})")
        args = [_node(a, known)[0] for a in node.args]  # a Starred argument fails here
        return ast.Call(ast.Name(name, ast.Load()), args, []), False
    raise ValueError(f"not a whitelisted closed form ({type(node).__name__})")
