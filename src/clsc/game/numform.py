"""The numeric method's compiled functions of a game, stored on disk so a solve needs no sympy.

:func:`numeric_form` returns the :class:`NumericForm` of a game with some variables fixed, as
:mod:`clsc.game.forms` does for closed forms: the form **shipped** with the package for a
registered scenario (:data:`SHIPPED_DIR`, keyed by :func:`shipped_key`; a test builds each one
again and compares its functions), else the **disk cache** (:mod:`clsc.game.cache`, keyed by
:func:`disk_key`: the declaration, the fixed variables, the format, the source of the modules
that build it and sympy's version), else **built** by :func:`clsc.game.numbuild.build_payload`
(sympy differentiates once) and then stored. ``CLSC_CLOSED_FORMS=no-shipped`` skips the
shipped forms; ``derive`` builds and stores nothing.

A stored payload is data only: names, numbers, and each function as the assignments and output
expressions that :func:`clsc.game.fastform.compile_function` accepts (a whitelisted walk of
their syntax tree; nothing read is executed as such). :meth:`NumericForm.from_payload` checks
the payload against the game it claims to describe (its variables, movers, players); a record
that fails any check is ignored and the form is built again.

>>> from clsc.game.declare import Game, Player, Var
>>> g = Game(players=[Player("R", [Var("p")], "(p - c)*(a - p)")], stages=[["R"]], name="doc")
>>> form = numeric_form(g)
>>> (mover,) = form.movers[0]
>>> mover.name, float(mover.f(6.0, 10.0, 2.0)), mover.grad(6.0, 10.0, 2.0)  # p, a, c
('R', 16.0, [0.0])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from clsc.game import cache
from clsc.game.declare import Game
from clsc.game.fastform import MATH_FUNCTIONS, compile_function
from clsc.game.forms import SHIPPED_DIR as FORMS_DIR
from clsc.game.forms import lookup

__all__ = [
    "MoverForm",
    "NumericForm",
    "disk_key",
    "numeric_form",
    "ship",
    "shipped_key",
    "storable",
]

#: bump when the payload changes
NUMERIC_FORMAT = 3
#: modules whose source keys a stored numeric form (paths under ``clsc/``)
NUMERIC_MODULES = (
    *cache.ENGINE_MODULES,
    "game/names.py",
    "game/fastform.py",
    "game/forms.py",
    "game/numbuild.py",
    "game/numform.py",
)
OPS = ("<", "<=", ">", ">=")
#: where the package's pre-built numeric forms live (package data; ``python -m clsc.game.ship``)
SHIPPED_DIR = FORMS_DIR / "numeric"


@dataclass(frozen=True)
class MoverForm:
    """One mover's functions of ``(*vars, *params)``: objective ``f``, own gradient ``grad``,
    own Hessian ``hess`` (k x k array), gradient in every variable ``gfull``, Jacobian of the
    own gradient in every variable ``jac`` (k x n array); ``d1``/``d2`` (plain floats) for a
    one-variable mover, else None; ``quadratic``: the own Hessian is constant."""

    name: str
    own: tuple[str, ...]
    quadratic: bool
    f: Callable
    grad: Callable
    hess: Callable
    gfull: Callable
    jac: Callable
    d1: Callable | None
    d2: Callable | None


@dataclass(frozen=True, eq=False)
class NumericForm:
    """A game's numeric functions (see :mod:`clsc.game.numbuild` for what each one is)."""

    params: tuple[str, ...]
    vars: tuple[str, ...]
    report: tuple[str, ...]
    pi_names: tuple[str, ...]
    movers: tuple[tuple[MoverForm, ...], ...]
    subgame_quadratic: tuple[bool, ...]
    profit_names: tuple[str, ...]
    profits: Callable
    definitions: tuple[str, ...]
    defs: Callable
    output_names: tuple[str, ...]
    outputs: Callable
    roots: dict[str, tuple[Callable, str, tuple[float, float]]]
    flags: tuple[tuple[str, str, Callable], ...]

    @property
    def quadratic(self) -> bool:
        """Every mover's objective is a polynomial of degree <= 2 in all the variables."""
        return self.subgame_quadratic[0]

    @classmethod
    def from_payload(
        cls, game: Game, fixed: frozenset[str], payload: Mapping[str, Any], trusted: bool = False
    ) -> NumericForm:
        """Check ``payload`` against ``game`` and compile it; ValueError if it does not fit.

        ``trusted`` (a payload built in this process) lets a function be a Python callable.
        """
        try:
            return _build(game, fixed, payload, trusted)
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise ValueError(f"not a numeric-form payload ({type(exc).__name__})") from None


def _strings(values: Any) -> tuple[str, ...]:
    out = tuple(values)
    if not all(isinstance(v, str) for v in out):
        raise ValueError("not a numeric-form payload (names)")
    return out


def _function(
    spec: Any, args: tuple[str, ...], trusted: bool, shape=None, single=False, scalar=False
):
    """Compile one function spec: the list of its outputs, reshaped to an array by ``shape``;
    its one output if ``single``; ``scalar``: that output with math functions (plain floats)."""
    single = single or scalar
    if callable(spec):
        if not trusted:
            raise ValueError("not a numeric-form payload (code)")
        func = (lambda *a: spec(*a)[0]) if single else spec
    elif isinstance(spec, Mapping):
        functions = MATH_FUNCTIONS if scalar else None
        func = compile_function(args, spec["assignments"], spec["outputs"], functions, single)
    else:
        raise ValueError("not a numeric-form payload (function)")
    if shape is not None:
        return lambda *a: np.asarray(func(*a), dtype=float).reshape(shape)
    return func


def _movers(game: Game, payload, args, n: int, trusted: bool) -> tuple:
    stages = payload["movers"]
    if len(stages) != len(game.stages):
        raise ValueError("not a numeric-form payload (stages)")
    out = []
    for stage, row in zip(game.stages, stages, strict=True):
        forms = []
        for m in row:
            name, own = m["name"], _strings(m["own"])
            declared = {v.name for v in game.vars_of(name)} if name in stage else set()
            if not own or not set(own) <= declared:
                raise ValueError("not a numeric-form payload (mover)")
            k = len(own)
            one = k == 1
            forms.append(
                MoverForm(
                    name,
                    own,
                    bool(m["quadratic"]),
                    _function(m["f"], args, trusted, single=True),
                    _function(m["grad"], args, trusted),
                    _function(m["hess"], args, trusted, shape=(k, k)),
                    _function(m["gfull"], args, trusted),
                    _function(m["jac"], args, trusted, shape=(k, n)),
                    _function(m["d1"], args, trusted, scalar=True) if one else None,
                    _function(m["d2"], args, trusted, scalar=True) if one else None,
                )
            )
        out.append(tuple(forms))
    return tuple(out)


def _build(game: Game, fixed: frozenset[str], payload, trusted: bool) -> NumericForm:
    params, names = _strings(payload["params"]), _strings(payload["vars"])
    report, pi_names = _strings(payload["report"]), _strings(payload["pi_names"])
    if names != tuple(n for n in game.all_vars if n not in fixed) or not set(report) <= set(names):
        raise ValueError("not a numeric-form payload (variables)")
    expected_pi = tuple(pre + p.name for p in game.players for pre in ("pi_", "Pi_"))
    if pi_names != expected_pi or not set(fixed) <= set(params):
        raise ValueError("not a numeric-form payload (names)")
    args, out_args = (*names, *params), (*names, *params, *pi_names)
    roots = {}
    for key, r in dict(payload["roots"]).items():
        lo, hi = (float(b) for b in r["bracket"])
        if not isinstance(key, str) or r["param"] not in params or not lo < hi:
            raise ValueError("not a numeric-form payload (root)")
        roots[key] = (_function(r["expr"], out_args, trusted, single=True), r["param"], (lo, hi))
    flags = []
    for text, op, spec in payload["flags"]:
        if not isinstance(text, str) or op not in OPS:
            raise ValueError("not a numeric-form payload (flag)")
        flags.append((text, op, _function(spec, args, trusted, single=True)))
    return NumericForm(
        params=params,
        vars=names,
        report=report,
        pi_names=pi_names,
        movers=_movers(game, payload, args, len(names), trusted),
        subgame_quadratic=_flags_per_stage(game, payload["subgame_quadratic"]),
        profit_names=_strings(payload["profit_names"]),
        profits=_function(payload["profits"], args, trusted),
        definitions=_strings(payload["definitions"]),
        defs=_function(payload["defs"], args, trusted),
        output_names=_strings(payload["output_names"]),
        outputs=_function(payload["outputs"], out_args, trusted),
        roots=roots,
        flags=tuple(flags),
    )


def _flags_per_stage(game: Game, values: Any) -> tuple[bool, ...]:
    out = tuple(values)
    if len(out) != len(game.stages) or not all(isinstance(v, bool) for v in out):
        raise ValueError("not a numeric-form payload (subgame_quadratic)")
    return out


def storable(payload: Any) -> bool:
    """True if ``payload`` is plain JSON data (no function stood in for printed code)."""
    if isinstance(payload, Mapping):
        return all(isinstance(k, str) and storable(v) for k, v in payload.items())
    if isinstance(payload, list | tuple):
        return all(storable(v) for v in payload)
    return payload is None or isinstance(payload, str | int | float | bool)


def disk_key(game: Game, fixed: frozenset[str] = frozenset()) -> str:
    """Key of a stored numeric form: declaration, fixed variables, format, source, sympy."""
    parts = ("clsc numeric form", NUMERIC_FORMAT, game, sorted(fixed))
    return cache.digest(cache.source_digest(NUMERIC_MODULES), cache.sympy_release(), *parts)


def shipped_key(game: Game, fixed: frozenset[str] = frozenset()) -> str:
    """Key of a shipped numeric form: declaration, fixed variables and format."""
    return cache.digest("clsc numeric form", NUMERIC_FORMAT, game, sorted(fixed))


def _read(game: Game, fixed: frozenset[str], body: Any) -> NumericForm | None:
    if not isinstance(body, Mapping):
        return None
    try:
        return NumericForm.from_payload(game, fixed, body)
    except ValueError:
        return None


@lru_cache(maxsize=128)
def numeric_form(game: Game, fixed: frozenset[str] = frozenset()) -> NumericForm:
    """The :class:`NumericForm` of ``game`` with ``fixed`` variables: shipped with the package
    (:data:`SHIPPED_DIR`), stored in the disk cache, or built (and then stored); the order of
    :func:`clsc.game.forms.lookup`."""
    fixed = frozenset(fixed)

    def build() -> tuple[NumericForm, Any]:
        from clsc.game.numbuild import build_payload

        payload = build_payload(game, fixed)
        form = NumericForm.from_payload(game, fixed, payload, trusted=True)
        return form, payload if storable(payload) else None

    return lookup(
        SHIPPED_DIR,
        shipped_key(game, fixed),
        lambda: disk_key(game, fixed),
        partial(_read, game, fixed),
        build,
    )


def ship(entries: Iterable[tuple[str, Game]], directory: Path = SHIPPED_DIR) -> dict[str, Path]:
    """Build and write the numeric form of each ``(label, game)`` to ``directory`` (no fixed
    variables); records no entry wrote are removed. Returns label -> file."""
    from clsc.game.numbuild import build_payload

    def records():
        for label, game in entries:
            payload = build_payload(game)
            if not storable(payload):
                raise ValueError(f"{label}: its numeric functions are not whitelisted code")
            yield label, shipped_key(game), payload

    return cache.write_records(directory, records())
