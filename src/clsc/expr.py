"""Safe parsing of user text: expressions, relations and call-style specs.

Nothing here calls ``eval``, ``exec`` or ``sympy.sympify`` on user text. Text is parsed by
Python's :mod:`ast` into a tree, and only whitelisted node types are translated:

* numbers, names (declared symbols, whitelisted constants), ``+ - * / ** ^`` (``^`` is a power,
  as in papers), unary ``-``/``+``, and calls of whitelisted functions
  (``sqrt exp log abs min max Max Min pos``) for :func:`parse_expr`;
* one comparison ``<=``, ``>=``, ``==``, ``<``, ``>`` for :func:`parse_relation`;
* ``name(key=literal, ...)`` with an optional ``prefix:`` for :func:`parse_call`, where a literal
  is a number, ``inf``, a string, or a list of those.

Anything else raises :class:`~clsc.errors.SpecError` naming the offending token.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from clsc.errors import SpecError

FUNCTIONS: Mapping[str, Callable[..., sp.Expr]] = {
    "sqrt": sp.sqrt,
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "abs": sp.Abs,
    "min": sp.Min,
    "max": sp.Max,
    "Min": sp.Min,
    "Max": sp.Max,
    "pos": lambda x: sp.Max(x, 0),
}
# No "E"/"e" constant: E is a quantity in this field (collectable units); use exp(1).
CONSTANTS: Mapping[str, sp.Expr] = {"pi": sp.pi, "inf": sp.oo}

_BINOPS: Mapping[type, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
RELATIONS = {ast.LtE: "<=", ast.GtE: ">=", ast.Eq: "==", ast.Lt: "<", ast.Gt: ">"}

MAX_LENGTH = 10_000


def _parse_tree(
    text: str, what: str, *, caret_is_power: bool = False, max_length: int = MAX_LENGTH
) -> ast.expr:
    if not isinstance(text, str):
        raise SpecError(f"{what} must be text; got {type(text).__name__}", token=str(text))
    if caret_is_power:
        # '^' is a power in papers; Python's '^' binds looser than '+', so rewrite the text.
        text = text.replace("^", "**")
    if len(text) > max_length:
        raise SpecError(f"{what} is longer than {max_length} characters", token=text[:40])
    if not text.strip():
        raise SpecError(f"{what} is empty", token=repr(text))
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise SpecError(f"cannot parse {what} {text!r}: {exc.msg}", token=text) from None


MAX_NUMERIC_EXPONENT = 1024


def _check_power(base: sp.Expr, exponent: sp.Expr, text: str) -> None:
    """Refuse number**number with a huge exponent: sympy would compute it eagerly and hang."""
    if abs(exponent) > MAX_NUMERIC_EXPONENT and abs(base) not in (0, 1):
        raise SpecError(
            f"numeric power with exponent {exponent} is too large "
            f"(|exponent| <= {MAX_NUMERIC_EXPONENT}) in {text!r}",
            token=str(exponent),
        )


def _number(node: ast.Constant, text: str) -> sp.Expr:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"unexpected constant {value!r} in {text!r}", token=repr(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(f"non-finite number in {text!r}", token=repr(value))
        return sp.Float(repr(value)) if not value.is_integer() else sp.Integer(int(value))
    return sp.Integer(value)


class _ExprBuilder:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol], allow_unknown: bool):
        self.text = text
        self.symbols = dict(symbols)
        self.allow_unknown = allow_unknown
        self.unknown: list[str] = []

    def build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return _number(node, self.text)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self.build(node.left), self.build(node.right)
            if isinstance(node.op, ast.Pow) and left.is_number and right.is_number:
                _check_power(left, right, self.text)
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self._call(node)
        token = ast.get_source_segment(self.text, node) or type(node).__name__
        raise SpecError(
            f"'{token}' is not allowed in an expression (allowed: numbers, declared names, "
            f"+ - * / ** ^, and {', '.join(sorted(FUNCTIONS))}); in {self.text!r}",
            token=token,
        )

    def _name(self, name: str) -> sp.Expr:
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if self.allow_unknown:
            sym = sp.Symbol(name, real=True)
            self.symbols[name] = sym
            self.unknown.append(name)
            return sym
        known = ", ".join(sorted(self.symbols)) or "none"
        raise SpecError(f"unknown symbol '{name}' in {self.text!r} (known: {known})", token=name)

    def _call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            token = ast.get_source_segment(self.text, node.func) or "call"
            raise SpecError(
                f"function '{token}' is not allowed (allowed: {', '.join(sorted(FUNCTIONS))})",
                token=token,
            )
        if node.keywords:
            raise SpecError(f"keyword arguments are not allowed in {self.text!r}", token="=")
        return FUNCTIONS[node.func.id](*(self.build(a) for a in node.args))


def parse_expr(
    text: str,
    symbols: Mapping[str, sp.Symbol] | None = None,
    *,
    allow_unknown: bool = False,
) -> sp.Expr:
    """Parse ``text`` into a sympy expression over ``symbols`` (name -> Symbol).

    With ``allow_unknown`` undeclared names become real symbols instead of an error.
    """
    tree = _parse_tree(text, "expression", caret_is_power=True)
    text = text.replace("^", "**")
    if isinstance(tree, ast.Compare):
        raise SpecError(f"expected an expression, got a comparison: {text!r}", token=text)
    return _build(_ExprBuilder(text, symbols or {}, allow_unknown), tree, text)


def _build(builder: _ExprBuilder, tree: ast.AST, text: str) -> sp.Expr:
    """Build with sympy, turning sympy's own construction errors into SpecError."""
    try:
        return builder.build(tree)
    except SpecError:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise SpecError(f"invalid expression {text!r}: {exc}", token=text) from None


def parse_relation(
    text: str,
    symbols: Mapping[str, sp.Symbol] | None = None,
    *,
    allow_unknown: bool = False,
) -> tuple[sp.Expr, str, sp.Expr]:
    """Parse ``lhs OP rhs`` with a single comparison; returns ``(lhs, op, rhs)``."""
    tree = _parse_tree(text, "constraint", caret_is_power=True)
    text = text.replace("^", "**")
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
        raise SpecError(
            f"a constraint needs exactly one of <=, >=, ==, <, >; got {text!r}", token=text
        )
    op = RELATIONS.get(type(tree.ops[0]))
    if op is None:
        raise SpecError(f"comparison not allowed in {text!r}", token=text)
    builder = _ExprBuilder(text, symbols or {}, allow_unknown)
    return _build(builder, tree.left, text), op, _build(builder, tree.comparators[0], text)


# ---------------------------------------------------------------------------------------------
# call-style specs: ``normal(mean=50, sd=8)``, ``scipy:burr12(c=2, d=3)``


def _literal(node: ast.AST, text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
        if isinstance(node.value, bool):
            raise SpecError(f"booleans are not allowed in {text!r}", token=repr(node.value))
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _literal(node.operand, text)
        if isinstance(value, str):
            raise SpecError(f"cannot negate a string in {text!r}", token=value)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Name) and node.id in ("inf", "infinity"):
        return math.inf
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e, text) for e in node.elts]
    try:  # offsets can be off for text with form feeds or odd unicode: never crash on them
        token = ast.get_source_segment(text, node) or type(node).__name__
    except (UnicodeDecodeError, IndexError):
        token = type(node).__name__
    raise SpecError(
        f"'{token}' is not a literal (numbers, inf, strings or lists only) in {text!r}",
        token=token,
    )


def parse_literal(text: str) -> Any:
    """Parse a literal value: number, ``inf``, quoted string, or list of those."""
    return _literal(_parse_tree(text, "value"), text)


def parse_call(
    text: str, *, max_length: int = MAX_LENGTH
) -> tuple[str | None, str, dict[str, Any]]:
    """Parse ``[prefix:]name(key=literal, ...)`` into ``(prefix, name, kwargs)``.

    Positional arguments are refused so that every value is named in the spec. ``max_length``
    bounds the text (raise it for specs that carry data, e.g. an empirical sample).
    """
    if not isinstance(text, str):
        raise SpecError(f"spec must be text; got {type(text).__name__}", token=str(text))
    prefix = None
    body = text.strip()
    head, sep, rest = body.partition(":")
    if sep and "(" not in head:
        prefix, body = head.strip(), rest.strip()
        if not prefix.isidentifier():
            raise SpecError(f"bad prefix '{prefix}' in {text!r}", token=prefix)
    tree = _parse_tree(body, "spec", max_length=max_length)
    if isinstance(tree, ast.Name):
        return prefix, tree.id, {}
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        raise SpecError(f"expected name(key=value, ...); got {text!r}", token=text)
    if tree.args:
        token = ast.get_source_segment(body, tree.args[0]) or "?"
        raise SpecError(
            f"positional argument '{token}' in {text!r}: write every argument as key=value",
            token=token,
        )
    kwargs: dict[str, Any] = {}
    for kw in tree.keywords:
        if kw.arg is None:
            raise SpecError(f"'**' is not allowed in {text!r}", token="**")
        if kw.arg in kwargs:
            raise SpecError(f"argument '{kw.arg}' given twice in {text!r}", token=kw.arg)
        kwargs[kw.arg] = _literal(kw.value, body)
    return prefix, tree.func.id, kwargs
