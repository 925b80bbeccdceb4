"""A disk cache of closed-form derivations that never executes what it reads.

A derivation (:func:`clsc.game.symbolic.solve_game`) costs seconds of sympy; its result is
stored once as JSON under :func:`cache_dir` (``$CLSC_CACHE_DIR``, else platformdirs' user cache
directory) and read back by later processes.

* **Key**: SHA-256 of the game declaration (its ``repr``: players, profits, bounds, stages,
  definitions, references...), the assumptions, the fixed variables, the cache format, the
  clsc and sympy versions and the source of the modules that derive (so an edited engine never
  reads an older engine's answers).
* **Safe load**: expressions are stored as ``sympy.srepr`` text and rebuilt by
  :func:`from_srepr`, which walks the text's Python syntax tree and calls only whitelisted
  sympy constructors with literal arguments: no ``eval``, no pickle, no attribute access, no
  import. Anything else (and any file that is not the expected JSON, whose payload does not
  match its SHA-256 or whose key differs) is ignored and the game is derived again.
* **Concurrent writers**: a file is written to a unique temporary name in the same directory
  and moved into place with :func:`os.replace` (atomic), so a reader sees a whole file or none.
* **Unwritable directory**: every write error is swallowed; the cache is then simply absent.
* **Plain records**: :func:`load_raw`/:func:`store_raw` (and :func:`read_record`/
  :func:`write_record` for a file elsewhere, e.g. the shipped forms) keep any JSON body with
  the same key, format and SHA-256 checks; :mod:`clsc.game.forms` stores a scenario's closed
  forms as data this way, so a later ``solve`` imports no sympy at all.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> from_srepr(sp.srepr(sp.Rational(3, 2) * x**2 - x)) == sp.Rational(3, 2) * x**2 - x
True
>>> e = sp.factor(x / 2 - sp.Symbol("y", real=True) / 2)  # (x - y)/2: kept so when read
>>> str(from_srepr(sp.srepr(e))), from_srepr(sp.srepr(e)) == e
('(x - y)/2', True)
>>> from_srepr("__import__('os').system('true')")
Traceback (most recent call last):
...
ValueError: not a whitelisted sympy expression (Call)
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

#: bump when the stored layout changes
FORMAT = 1
#: environment variable naming the cache directory (empty or "off": no disk cache)
ENV = "CLSC_CACHE_DIR"
#: the modules whose source is part of every key
ENGINE_MODULES = ("expr.py", "game/declare.py", "game/prepare.py", "game/symbolic.py", __name__)
#: largest cache file read (bytes)
MAX_BYTES = 50_000_000

_CONSTRUCTORS = frozenset(
    ("Symbol", "Integer", "Rational", "Float", "Add", "Mul", "Pow", "exp", "log", "sqrt")
) | frozenset(("Abs", "Max", "Min", "sign", "sin", "cos", "tan"))
_CONSTANTS = {"oo": "Infinity", "zoo": "ComplexInfinity", "nan": "NaN", "pi": "Pi", "E": "Exp1"}
_SYMBOL_FLAGS = {"real", "positive", "nonnegative", "negative", "nonpositive", "integer"}


def cache_dir() -> Path | None:
    """Where derivations are stored: ``$CLSC_CACHE_DIR`` or the user cache dir (None: off)."""
    env = os.environ.get(ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    return Path(user_cache_dir("clsc", appauthor=False)) / "derivations"


@cache
def source_digest(names: tuple[str, ...]) -> str:
    """SHA-256 of the source of the modules ``names`` (paths under ``clsc/``); no import
    (read once per process)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for name in names:
        path = Path(__file__) if name == __name__ else root / name
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(name.encode())
    return h.hexdigest()


@cache
def sympy_release() -> str:
    """The installed sympy's version text (its ``release.py``) without importing sympy: part of
    every key, so a newer sympy derives again. "" when sympy is not found.

    >>> "__version__" in sympy_release()
    True
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("sympy")
        paths = list(spec.submodule_search_locations or []) if spec else []
        return (Path(paths[0]) / "release.py").read_text(encoding="utf-8") if paths else ""
    except (OSError, ValueError, ImportError):
        return ""


@cache
def _engine_digest() -> str:
    import sympy

    try:
        from importlib.metadata import version

        clsc_version = version("clsc")
    except Exception:  # not installed: the source digest still keys the engine
        clsc_version = "unknown"
    h = hashlib.sha256(f"{FORMAT}|{clsc_version}|{sympy.__version__}".encode())
    h.update(source_digest(ENGINE_MODULES).encode())
    return h.hexdigest()


def digest(*parts: Any) -> str:
    """Hex SHA-256 of the ``repr`` of ``parts`` (no engine digest: the caller adds its own)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(b"\x00" + repr(part).encode())
    return h.hexdigest()


def key_of(*parts: Any) -> str:
    """Hex SHA-256 of the engine digest and the ``repr`` of ``parts`` (declarations etc.)."""
    h = hashlib.sha256(_engine_digest().encode())
    for part in parts:
        h.update(b"\x00" + repr(part).encode())
    return h.hexdigest()


# ---- expressions ---------------------------------------------------------------------------


def to_srepr(value: Any) -> Any:
    """JSON-able form: sympy objects as ``{"srepr": text}``, containers recursively."""
    import sympy as sp

    if isinstance(value, sp.Basic):
        return {"srepr": sp.srepr(value)}
    if isinstance(value, dict):
        return {str(k): to_srepr(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_srepr(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot store {type(value).__name__}")


def from_stored(value: Any) -> Any:
    """Inverse of :func:`to_srepr` (expressions through :func:`from_srepr`)."""
    if isinstance(value, dict):
        if set(value) == {"srepr"}:
            return from_srepr(value["srepr"])
        return {k: from_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_stored(v) for v in value]
    return value


def from_srepr(text: str):
    """Rebuild a sympy expression from ``srepr`` text without evaluating any code.

    Only calls of whitelisted constructors (``Symbol``, ``Integer``, ``Rational``, ``Float``,
    ``Add``, ``Mul``, ``Pow`` and a few functions) with literal or nested-call arguments, the
    named constants (``oo``, ``pi``...) and a few assumption keywords of ``Symbol`` pass;
    anything else raises :class:`ValueError`.
    """
    if not isinstance(text, str) or len(text) > MAX_BYTES:
        raise ValueError("not a whitelisted sympy expression (text)")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(f"not a whitelisted sympy expression ({type(exc).__name__})") from None
    try:
        return _build(tree.body)
    except RecursionError:
        raise ValueError("not a whitelisted sympy expression (too deep)") from None


def _build(node: ast.AST):
    import sympy as sp

    if isinstance(node, ast.Constant) and type(node.value) in (int, str, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _build(node.operand)
        if type(value) in (int, float):
            return -value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return getattr(sp.S, _CONSTANTS[node.id])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in _CONSTRUCTORS:
            args = [_build(a) for a in node.args]
            kwargs = {}
            for kw in node.keywords:
                ok = kw.arg in _SYMBOL_FLAGS and name == "Symbol"
                ok = ok or (kw.arg == "precision" and name == "Float")
                if not ok or not isinstance(kw.value, ast.Constant):
                    raise ValueError(f"not a whitelisted sympy expression (keyword {kw.arg})")
                kwargs[kw.arg] = kw.value.value
            return _call(sp, name, args, kwargs)
    raise ValueError(f"not a whitelisted sympy expression ({type(node).__name__})")


def _call(sp, name: str, args: list, kwargs: dict):
    if name == "Symbol":
        if len(args) != 1 or not isinstance(args[0], str):
            raise ValueError("not a whitelisted sympy expression (Symbol)")
        return sp.Symbol(args[0], **{k: bool(v) for k, v in kwargs.items()})
    if name in ("Integer", "Rational"):
        if not all(type(a) is int for a in args) or len(str(args)) > 10_000:
            raise ValueError(f"not a whitelisted sympy expression ({name})")
        return getattr(sp, name)(*args)
    if name == "Float":
        if len(args) != 1 or not isinstance(args[0], str | float):
            raise ValueError("not a whitelisted sympy expression (Float)")
        return sp.Float(args[0], **kwargs)
    if not all(isinstance(a, sp.Basic) for a in args):
        raise ValueError(f"not a whitelisted sympy expression ({name} arguments)")
    if name == "Mul" and len(args) == 2 and args[0].is_Number and isinstance(args[1], sp.Add):
        return sp.Mul(*args, evaluate=False)  # as stored: (a - b)/2 is not distributed
    return getattr(sp, name)(*args)


# ---- files ---------------------------------------------------------------------------------


def load(key: str) -> dict[str, Any] | None:
    """The stored payload for ``key`` (expressions rebuilt), or None if absent or not valid."""
    body = load_raw(key)
    if body is None:
        return None
    try:
        return from_stored(body)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def store(key: str, payload: dict[str, Any]) -> bool:
    """Write ``payload`` for ``key`` atomically; False (and no file) if it cannot be written."""
    try:
        body = to_srepr(payload)
    except (TypeError, ValueError):
        return False
    return store_raw(key, body)


def load_raw(key: str) -> Any:
    """The stored JSON body for ``key`` as written (no expression rebuilt), or None."""
    directory = cache_dir()
    return None if directory is None else read_record(directory / f"{key}.json", key)


def store_raw(key: str, body: Any) -> bool:
    """Write the JSON body ``body`` for ``key`` atomically; False if it cannot be written."""
    directory = cache_dir()
    return directory is not None and write_record(directory / f"{key}.json", key, body)


def write_records(directory: Path, records) -> dict[str, Path]:
    """Write ``(label, key, body)`` records as ``directory/<key>.json`` (a key written once)
    and remove the other ``*.json`` files there; label -> path. OSError if one cannot be
    written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for label, key, body in records:
        path = directory / f"{key}.json"
        if path not in written.values() and not write_record(path, key, body):
            raise OSError(f"cannot write {path}")
        written[label] = path
    for old in directory.glob("*.json"):
        if old not in written.values():
            old.unlink()
    return written


def read_record(path: Path, key: str) -> Any:
    """The body of the record file ``path`` if its key, format and SHA-256 match, else None."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
        body = record["payload"]
        if record.get("key") != key or record.get("format") != FORMAT:
            return None
        if hashlib.sha256(_canonical(body).encode()).hexdigest() != record.get("sha256"):
            return None
        return body
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def write_record(path: Path, key: str, body: Any) -> bool:
    """Write ``body`` with its key and SHA-256 to ``path`` atomically; False on any error."""
    try:
        text = json.dumps(
            {
                "format": FORMAT,
                "key": key,
                "sha256": hashlib.sha256(_canonical(body).encode()).hexdigest(),
                "payload": body,
            }
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, TypeError, ValueError):
        return False
    return True


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
