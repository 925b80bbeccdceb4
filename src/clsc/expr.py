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
from functools import cache
from typing import TYPE_CHECKING, Any

from clsc.errors import SpecError

if TYPE_CHECKING:  # sympy is imported only when an expression is built, not for literals
    import sympy as sp

FUNCTION_NAMES = ("sqrt", "exp", "log", "ln", "abs", "min", "max", "Min", "Max", "pos")
CONSTANT_NAMES = ("pi", "inf")


@cache
def functions() -> Mapping[str, Callable[..., sp.Expr]]:
    """The whitelisted functions (name -> sympy constructor)."""
    import sympy as sp

    return {
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
@cache
def constants() -> Mapping[str, sp.Expr]:
    """The whitelisted constants (name -> sympy value)."""
    import sympy as sp

    return {"pi": sp.pi, "inf": sp.oo}


RELATIONS = {ast.LtE: "<=", ast.GtE: ">=", ast.Eq: "==", ast.Lt: "<", ast.Gt: ">"}

MAX_LENGTH = 10_000
#: Deepest nesting of operators and calls (a flat chain ``a + b + c ...`` counts once).
MAX_DEPTH = 100
#: Largest magnitude of any number in an expression, written or intermediate: beyond it a value
#: no longer fits a float with room for arithmetic, and sympy would compute towers eagerly.
MAX_CONSTANT = 1e300
_LOG10_MAX = math.log10(MAX_CONSTANT)
#: Largest integer literal (digits) accepted before it is even converted.
MAX_DIGITS = 310


def _parse_tree(
    text: str, what: str, *, caret_is_power: bool = False, max_length: int = MAX_LENGTH
) -> ast.expr:
    if not isinstance(text, str):
        raise SpecError(f"{what} must be text; got {type(text).__name__}", token=str(text)[:40])
    if caret_is_power:
        # '^' is a power in papers; Python's '^' binds looser than '+', so rewrite the text.
        text = text.replace("^", "**").strip()
    if len(text) > max_length:
        raise SpecError(f"{what} is longer than {max_length} characters", token=text[:40])
    if not text.strip():
        raise SpecError(f"{what} is empty", token=repr(text))
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise SpecError(f"cannot parse {what} {text[:80]!r}: {exc.msg}", token=text[:80]) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # 4,300+ digits, parser stack
        raise SpecError(f"cannot parse {what}: {exc}", token=text[:40]) from None
    if "#" in text and _has_comment(text):
        raise SpecError(f"comments ('#') are not allowed in {what} {text[:80]!r}", token="#")
    _check_depth(tree, what)
    return tree


def _has_comment(text: str) -> bool:
    """Whether ``text`` (valid Python syntax) contains a ``#`` comment outside strings."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text.strip()).readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(t.type == tokenize.COMMENT for t in tokens)


def _segment(text: str, node: ast.AST) -> str | None:
    """The source text of ``node`` (None when the offsets do not map back onto ``text``)."""
    try:
        return ast.get_source_segment(text.strip(), node)
    except (UnicodeError, IndexError, ValueError):
        return None


def _chain(node: ast.AST) -> list[ast.AST]:
    """Children of ``node``; a left-nested chain of + - * is one level (its operands)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
        out = [node.right]
        left = node.left
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add | ast.Sub | ast.Mult):
            out.append(left.right)
            left = left.left
        out.append(left)
        return out
    return list(ast.iter_child_nodes(node))


def _check_depth(tree: ast.AST, what: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` (checked without recursion)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecError(
                f"{what} is nested deeper than {MAX_DEPTH} levels", token=type(node).__name__
            )
        stack.extend((child, depth + 1) for child in _chain(node))


def _too_large(what: str, text: str) -> SpecError:
    return SpecError(
        f"numeric value {what} is too large (every number, also intermediate, must have "
        f"magnitude <= {MAX_CONSTANT:g}) in {text[:80]!r}",
        token=what[:40],
    )


def _log10_abs(value: sp.Expr) -> float:
    """log10 |value| of a checked (hence finite, bounded) number; -inf for 0."""
    magnitude = abs(complex(value.evalf(15)))
    return math.log10(magnitude) if magnitude > 0 else -math.inf


def _check_number(value: sp.Expr, text: str) -> sp.Expr:
    """A numeric (symbol-free) result must be real and bounded; ``inf`` alone is allowed."""
    import sympy as sp

    if value in (sp.oo, -sp.oo):
        return value
    if value.has(sp.zoo, sp.nan) or value.has(sp.oo):
        raise SpecError(
            f"invalid expression {text[:80]!r}: undefined or infinite value", token=text[:40]
        )
    approx = complex(value.evalf(15))
    if approx.imag != 0 and abs(approx.imag) > 1e-12 * max(1.0, abs(approx.real)):
        raise SpecError(
            f"complex value {sp.sstr(value)[:40]} in {text[:80]!r}: expressions must be real",
            token=sp.sstr(value)[:40],
        )
    if not math.isfinite(approx.real) or abs(approx.real) > MAX_CONSTANT:
        raise _too_large(sp.sstr(value)[:40], text)
    return value


def _number(node: ast.Constant, text: str) -> sp.Expr:
    import sympy as sp

    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"unexpected constant {value!r} in {text[:80]!r}", token=repr(value)[:40])
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(f"non-finite number in {text[:80]!r}", token=repr(value))
        if abs(value) > MAX_CONSTANT:
            raise _too_large(repr(value), text)
        return sp.Float(repr(value)) if not value.is_integer() else sp.Integer(int(value))
    if value.bit_length() > 1000 or abs(value) > MAX_CONSTANT:
        raise _too_large(f"integer of {len(str(value))} digits", text)
    return sp.Integer(value)


class _ExprBuilder:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol], allow_unknown: bool):
        self.text = text
        self.symbols = dict(symbols)
        self.allow_unknown = allow_unknown
        self.unknown: list[str] = []

    def build(self, node: ast.AST) -> sp.Expr:
        value = self._build(node)
        if value.is_number:
            _check_number(value, self.text)
        return value

    def _build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return _number(node, self.text)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            return self._chain(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Pow):
            left, right = self.build(node.left), self.build(node.right)
            if isinstance(node.op, ast.Div):
                return left / right
            if left.is_number and right.is_number:
                self._check_power(left, right)
            return left**right
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self._call(node)
        token = _segment(self.text, node) or type(node).__name__
        raise SpecError(
            f"'{token[:40]}' is not allowed in an expression (allowed: numbers, declared names, "
            f"+ - * / ** ^, and {', '.join(sorted(FUNCTION_NAMES))}); in {self.text[:80]!r}",
            token=token,
        )

    def _chain(self, node: ast.BinOp) -> sp.Expr:
        """A left-nested chain of + - * built without recursion, checked after every step."""
        ops = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            ops.append((node.op, node.right))
            node = node.left
        value = self.build(node)
        for op, right in reversed(ops):
            other = self.build(right)
            if isinstance(op, ast.Mult):
                if (
                    value.is_number
                    and other.is_number
                    and _log10_abs(value) + _log10_abs(other) > _LOG10_MAX
                ):
                    raise _too_large("product", self.text)
                value = value * other
            else:
                value = value + other if isinstance(op, ast.Add) else value - other
            if value.is_number:
                _check_number(value, self.text)
        return value

    def _check_power(self, base: sp.Expr, exponent: sp.Expr) -> None:
        """Refuse number**number whose size would exceed MAX_CONSTANT before sympy computes it."""
        import sympy as sp

        if abs(complex(base.evalf(15))) in (0.0, 1.0) or exponent in (sp.oo, -sp.oo):
            return
        size = float(exponent.evalf(15)) * _log10_abs(base)
        if abs(size) > _LOG10_MAX:
            raise _too_large(f"{sp.sstr(base)[:20]}**{sp.sstr(exponent)[:20]}", self.text)

    def _name(self, name: str) -> sp.Expr:
        import sympy as sp

        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANT_NAMES:
            return constants()[name]
        if self.allow_unknown:
            sym = sp.Symbol(name, real=True)
            self.symbols[name] = sym
            self.unknown.append(name)
            return sym
        known = ", ".join(sorted(self.symbols)) or "none"
        raise SpecError(
            f"unknown symbol '{name[:40]}' in {self.text[:80]!r} (known: {known[:200]})",
            token=name[:40],
        )

    def _call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTION_NAMES:
            token = _segment(self.text, node.func) or "call"
            raise SpecError(
                f"function '{token[:40]}' is not allowed "
                f"(allowed: {', '.join(sorted(FUNCTION_NAMES))})",
                token=token[:40],
            )
        if node.keywords:
            raise SpecError(f"keyword arguments are not allowed in {self.text[:80]!r}", token="=")
        args = [self.build(a) for a in node.args]
        big = _LOG10_MAX * math.log(10)
        if node.func.id == "exp" and len(args) == 1 and args[0].is_number:  # noqa: SIM102
            if float(args[0].evalf(15).as_real_imag()[0]) > big:
                raise _too_large(f"exp({args[0]})"[:40], self.text)
        return functions()[node.func.id](*args)


def parse_expr(
    text: str,
    symbols: Mapping[str, sp.Symbol] | None = None,
    *,
    allow_unknown: bool = False,
) -> sp.Expr:
    """Parse ``text`` into a sympy expression over ``symbols`` (name -> Symbol).

    With ``allow_unknown`` undeclared names become real symbols instead of an error. Every
    number, written or intermediate, must be real with magnitude <= :data:`MAX_CONSTANT`:

    >>> parse_expr("2^3 + x", allow_unknown=True)
    x + 8
    >>> parse_expr("(10**100)**4")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clsc.errors.SpecError: numeric value 1000...**4 is too large ...
    """
    tree = _parse_tree(text, "expression", caret_is_power=True)
    text = text.replace("^", "**").strip()
    if isinstance(tree, ast.Compare):
        raise SpecError(f"expected an expression, got a comparison: {text[:80]!r}", token=text[:40])
    return _build(_ExprBuilder(text, symbols or {}, allow_unknown), tree, text)


def _build(builder: _ExprBuilder, tree: ast.AST, text: str) -> sp.Expr:
    """Build with sympy, turning sympy's own construction errors into SpecError."""
    try:
        return builder.build(tree)
    except SpecError:
        raise
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        raise SpecError(f"invalid expression {text[:80]!r}: {exc}", token=text[:40]) from None


def parse_relation(
    text: str,
    symbols: Mapping[str, sp.Symbol] | None = None,
    *,
    allow_unknown: bool = False,
) -> tuple[sp.Expr, str, sp.Expr]:
    """Parse ``lhs OP rhs`` with a single comparison; returns ``(lhs, op, rhs)``."""
    tree = _parse_tree(text, "constraint", caret_is_power=True)
    text = text.replace("^", "**").strip()
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
        raise SpecError(
            f"a constraint needs exactly one of <=, >=, ==, <, >; got {text[:80]!r}",
            token=text[:40],
        )
    op = RELATIONS.get(type(tree.ops[0]))
    if op is None:
        raise SpecError(f"comparison not allowed in {text[:80]!r}", token=text[:40])
    builder = _ExprBuilder(text, symbols or {}, allow_unknown)
    return _build(builder, tree.left, text), op, _build(builder, tree.comparators[0], text)


# ---------------------------------------------------------------------------------------------
# call-style specs: ``normal(mean=50, sd=8)``, ``scipy:burr12(c=2, d=3)``


def _literal(node: ast.AST, text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
        if isinstance(node.value, bool):
            raise SpecError(f"booleans are not allowed in {text[:80]!r}", token=repr(node.value))
        if isinstance(node.value, int) and node.value.bit_length() > 1000:
            return math.inf  # beyond float range: callers refuse it as non-finite
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _literal(node.operand, text)
        if isinstance(value, str):
            raise SpecError(f"cannot negate a string in {text[:80]!r}", token=value[:40])
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Name) and node.id in ("inf", "infinity"):
        return math.inf
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e, text) for e in node.elts]
    token = (_segment(text, node) or type(node).__name__)[:40]
    raise SpecError(
        f"'{token}' is not a literal (numbers, inf, strings or lists only) in {text[:80]!r}",
        token=token,
    )


def parse_literal(text: str) -> Any:
    """Parse a literal value: number, ``inf``, quoted string, or list of those."""
    return _literal(_parse_tree(text, "value"), text.strip())


def parse_call(
    text: str, *, max_length: int = MAX_LENGTH
) -> tuple[str | None, str, dict[str, Any]]:
    """Parse ``[prefix:]name(key=literal, ...)`` into ``(prefix, name, kwargs)``.

    Positional arguments are refused so that every value is named in the spec. ``max_length``
    bounds the text (raise it for specs that carry data, e.g. an empirical sample).
    """
    if not isinstance(text, str):
        raise SpecError(f"spec must be text; got {type(text).__name__}", token=str(text)[:40])
    prefix = None
    body = text.strip()
    head, sep, rest = body.partition(":")
    if sep and "(" not in head:
        prefix, body = head.strip(), rest.strip()
        if not prefix.isidentifier():
            raise SpecError(f"bad prefix '{prefix}' in {text[:80]!r}", token=prefix[:40])
    tree = _parse_tree(body, "spec", max_length=max_length)
    if isinstance(tree, ast.Name):
        return prefix, tree.id, {}
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        raise SpecError(f"expected name(key=value, ...); got {text[:80]!r}", token=text[:40])
    if tree.args:
        token = (_segment(body, tree.args[0]) or "?")[:40]
        raise SpecError(
            f"positional argument '{token}' in {text[:80]!r}: write every argument as key=value",
            token=token,
        )
    kwargs: dict[str, Any] = {}
    for kw in tree.keywords:
        if kw.arg is None:
            raise SpecError(f"'**' is not allowed in {text[:80]!r}", token="**")
        if kw.arg in kwargs:
            raise SpecError(f"argument '{kw.arg}' given twice in {text[:80]!r}", token=kw.arg)
        kwargs[kw.arg] = _literal(kw.value, body)
    return prefix, tree.func.id, kwargs
