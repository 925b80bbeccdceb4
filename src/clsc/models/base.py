"""The model interface every registered model implements, and the solve request it receives.

A model is a class with declarations (``name``, ``scenarios``, ``spec`` of parameters and rules,
``decisions``) and a registry ``methods`` mapping a method name (``closed-form``, ``mc``, ``saa``,
``numeric``, ``bilevel`` ...) to a solver function ``f(model, request) -> Result``. Dispatch is a
dictionary look-up, never an if/elif chain on method strings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from clsc.errors import ParameterError
from clsc.params import ParamSpec
from clsc.results import Result


@dataclass(frozen=True)
class SolveRequest:
    """Everything a solver needs: validated parameter values, scenario, fixed decisions, options."""

    scenario: str | None
    params: Mapping[str, Any]
    method: str
    fix: Mapping[str, float] = field(default_factory=dict)
    samples: int | None = None
    seed: int | None = None
    flags: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)


Solver = Callable[["Model", SolveRequest], Result]
#: a variant's solver around a method's own solver: ``f(model, request, base) -> Result``
Wrapper = Callable[["Model", SolveRequest, Solver], Result]


@dataclass(frozen=True)
class Variant:
    """A declared variant of a model: what selects it, where it applies, how it is solved.

    ``selects``: option names whose presence selects it, or ``"param=value"`` for a parameter
    value; ``options``: further options it reads (an error without a selecting one);
    ``scenarios``: where it applies (None: every scenario); ``solvers``: method -> solver, the
    methods that support it. With ``wraps`` a solver is ``f(model, request, base)`` around the
    method's own solver; otherwise it replaces it (``f(model, request)``). ``handles``: names of
    wrapping variants whose options a replacing solver handles itself; ``excludes``: variants it
    cannot be combined with. Listed by :meth:`Model.describe` (``clsc models``).
    """

    name: str
    doc: str
    selects: tuple[str, ...]
    solvers: Mapping[str, Callable[..., Result]]
    options: tuple[str, ...] = ()
    scenarios: tuple[str, ...] | None = None
    wraps: bool = False
    handles: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def chosen(self, req: SolveRequest) -> str | None:
        """The first selecting option (or ``param=value``) present in ``req``, else None."""
        for key in self.selects:
            name, eq, value = key.partition("=")
            if (eq and str(req.params.get(name)) == value) or (not eq and key in req.options):
                return key
        return None

    def row(self) -> dict[str, Any]:
        """The variant as a plain record (for ``clsc models``)."""
        return {
            "name": self.name,
            "selected_by": list(self.selects),
            "options": list(self.options),
            "methods": list(self.solvers),
            "scenarios": None if self.scenarios is None else list(self.scenarios),
            "doc": self.doc,
        }


ID_COLUMNS = ("model", "scenario", "method", "status", "seed")
CONDITION_COLUMNS = ("conditions_hold", "failed_conditions", "flags")
_SCHEMAS: dict[tuple[type, str | None], tuple[str, ...]] = {}


class Model:
    """Base class of registered models. Subclasses fill in the class attributes."""

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    scenarios: ClassVar[tuple[str, ...]] = ()
    default_scenario: ClassVar[str | None] = None
    spec: ClassVar[ParamSpec]
    decisions: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[Mapping[str, Solver]] = {}
    default_method: ClassVar[str] = "closed-form"
    options: ClassVar[Mapping[str, str]] = {}
    #: methods that draw random numbers: their results report the seed used
    random_methods: ClassVar[frozenset[str]] = frozenset({"mc", "saa"})
    #: outputs a sampling method reports WITHOUT a standard error because they are not sampled
    #: (closed forms, counts, parameter echoes, or deterministic given sampled inputs, as the
    #: model's message says): ``fnmatch`` patterns ``key`` (every scenario) or
    #: ``scenario/key``, table columns as ``table.column``; every other decision, profit and
    #: metric of a sampling method has an se, every other numeric table column an ``se`` or
    #: ``<column>_se`` column (checked for every model in tests/test_sampled_se.py)
    exact_keys: ClassVar[frozenset[str]] = frozenset()
    #: methods whose outputs are sampled (None: ``random_methods``; a model seeded by its own
    #: parameters declares them here)
    sampled_methods: ClassVar[frozenset[str] | None] = None
    #: declared variants (see :class:`Variant`), dispatched by :meth:`solver`
    variants: ClassVar[tuple[Variant, ...]] = ()
    #: every decision (default ``decisions``), profit and metric key any method or option
    #: reports (see :meth:`schema`)
    decision_keys: ClassVar[tuple[str, ...] | None] = None
    profit_keys: ClassVar[tuple[str, ...]] = ()
    metric_keys: ClassVar[tuple[str, ...]] = ()
    #: the ``closed-form`` method on many points at once, ``f(scenario, params, n) -> block``
    #: (a static function; see :mod:`clsc.sweeps.vectorised`), or None: the sweep engine solves
    #: point by point
    vectorised: ClassVar[Callable[..., dict[str, Any]] | None] = None

    def resolve_scenario(self, scenario: str | None) -> str | None:
        if scenario is None:
            return self.default_scenario
        if scenario not in self.scenarios:
            valid = ", ".join(self.scenarios) or "(none)"
            raise ParameterError(
                "scenario", message=f"unknown scenario '{scenario}' for {self.name}; valid: {valid}"
            )
        return scenario

    def resolve_method(self, method: str | None) -> str:
        method = method or self.default_method
        if method not in self.methods:
            valid = ", ".join(self.methods)
            raise ParameterError(
                "method", message=f"unknown method '{method}' for {self.name}; valid: {valid}"
            )
        return method

    def resolve_fix(self, fix: Mapping[str, Any] | None) -> dict[str, float]:
        from clsc.params import Param

        out = {}
        for name, value in (fix or {}).items():
            if name not in self.decisions:
                raise ParameterError(
                    name,
                    message=f"unknown decision '{name}' for {self.name}; "
                    f"decisions: {', '.join(self.decisions)}",
                )
            out[name] = Param(name).coerce(value)
        return out

    def split_keywords(
        self, kwargs: Mapping[str, Any], options: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split plain keyword arguments into (parameters, options) by the model's declarations.

        A name that is neither a parameter (``spec``) nor an option (``options``) raises
        :class:`ParameterError` listing both.

        >>> from clsc.models.registry import get_model
        >>> get_model("newsvendor").split_keywords({"holding": 0.2, "sampling": "sobol"})
        ({'holding': 0.2}, {'sampling': 'sobol'})
        """
        params: dict[str, Any] = {}
        opts: dict[str, Any] = dict(options or {})
        for key, value in kwargs.items():
            if key in self.spec.names:
                params[key] = value
            elif key in self.options:
                opts[key] = value
            else:
                raise ParameterError(
                    key,
                    message=f"unknown parameter or option '{key}' for {self.name}; "
                    f"parameters: {', '.join(self.spec.names) or 'none'}; "
                    f"options: {', '.join(self.options) or 'none'}; "
                    "reserved: method, params, fix, samples, seed, options",
                )
        return params, opts

    def request(
        self,
        scenario: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        method: str | None = None,
        fix: Mapping[str, Any] | None = None,
        samples: int | None = None,
        seed: int | None = None,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> SolveRequest:
        """Validate everything and build the :class:`SolveRequest` (raises ParameterError).

        ``kwargs`` are parameters or options by name (they override ``params``/``options``).
        ``seed=None`` draws fresh entropy (:func:`clsc.seeding.resolve_seed`) for the methods of
        :attr:`random_methods`, so their request always carries the seed that repeats it; other
        methods get the seed as given (None when none was given).
        """
        from clsc.seeding import resolve_seed

        scenario = self.resolve_scenario(scenario)
        method = self.resolve_method(method)
        plain, options = self.split_keywords(kwargs, options)
        values, flags = self.spec.resolve({**(params or {}), **plain}, scenario)
        for key in options:
            if key not in self.options:
                valid = ", ".join(self.options) or "none"
                raise ParameterError(key, message=f"unknown option '{key}'; valid options: {valid}")
        if samples is not None and (int(samples) != samples or samples < 1):
            raise ParameterError("samples", "must be a positive integer", samples)
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63
        ):
            raise ParameterError("seed", "must be an integer in 0 .. 2**63-1", seed)
        return SolveRequest(
            scenario=scenario,
            params=values,
            method=method,
            fix=self.resolve_fix(fix),
            samples=None if samples is None else int(samples),
            seed=resolve_seed(seed) if method in self.random_methods else seed,
            flags=flags,
            options=options,
        )

    def solve(self, scenario: str | None = None, **kwargs: Any) -> Result:
        """Solve (or evaluate at ``fix``) one scenario; see :meth:`request` for the arguments.

        Parameters and options may be plain keywords:

        >>> from clsc.models.registry import get_model
        >>> r = get_model("newsvendor").solve(demand="poisson(mean=6)", price=10, cost=4)
        >>> r.decisions["q"], r.status
        (6.0, <Status.OPTIMAL: 'optimal'>)
        """
        req = self.request(scenario, **kwargs)
        solver = self.solver(req)
        start = time.perf_counter()
        result = solver(self, req)
        elapsed = time.perf_counter() - start
        flags = tuple(dict.fromkeys((*req.flags, *result.flags)))
        seed = req.seed if req.method in self.random_methods else None
        columns = _SCHEMAS.get((type(self), req.scenario))
        if columns is None:
            columns = _SCHEMAS[type(self), req.scenario] = tuple(self.schema(req.scenario))
        return replace(result, seconds=elapsed, flags=flags, seed=seed, columns=columns)

    def solver(self, req: SolveRequest) -> Solver:
        """The solver of ``req``: the method's own, replaced or wrapped by the variants the
        request selects (checked: method, scenario, combinations, stray variant options)."""
        chosen = {v.name: (v, key) for v in self.variants if (key := v.chosen(req)) is not None}
        for v in self.variants:
            stray = [o for o in v.options if o in req.options]
            if v.name not in chosen and stray:
                raise ParameterError(
                    stray[0], message=f"option {stray[0]} needs {' or '.join(v.selects)}"
                )
        for v, key in chosen.values():
            _check_variant(v, key, req)
        replacing = [v for v, _ in chosen.values() if not v.wraps]
        clashes = [(a, b) for a in chosen for b in chosen if b in chosen[a][0].excludes]
        if len(replacing) > 1:
            clashes.append((replacing[0].name, replacing[1].name))
        if clashes:
            (_, first), (_, second) = chosen[clashes[0][0]], chosen[clashes[0][1]]
            raise ParameterError(second, message=f"options {first} and {second} cannot be combined")
        solver = replacing[0].solvers[req.method] if replacing else self.methods[req.method]
        handled = replacing[0].handles if replacing else ()
        for v, _ in chosen.values():
            if v.wraps and v.name not in handled:
                solver = _wrapped(v.solvers[req.method], solver)
        return solver

    @classmethod
    def result_keys(cls, scenario: str | None = None) -> dict[str, tuple[str, ...]]:
        """The decision, profit and metric keys a result of ``scenario`` may carry (declared:
        ``decisions``, ``profit_keys``, ``metric_keys``; the union over methods and options)."""
        decisions = cls.decisions if cls.decision_keys is None else cls.decision_keys
        return {"decisions": decisions, "profits": cls.profit_keys, "metrics": cls.metric_keys}

    @classmethod
    def schema(cls, scenario: str | None = None) -> list[str]:
        """The columns of ``Result.to_frame()`` for ``scenario``, known before any solve: the
        same for every method and option (a value a method does not report is NaN). Column
        meanings: :mod:`clsc.glossary`.

        >>> from clsc.models.registry import get_model
        >>> get_model("newsvendor").schema()[:7]
        ['model', 'scenario', 'method', 'status', 'seed', 'param.price', 'param.cost']
        """
        scenario = cls().resolve_scenario(scenario)
        keys = cls.result_keys(scenario)
        values = [*keys["decisions"], *keys["profits"], *keys["metrics"]]
        return [
            *ID_COLUMNS,
            *(f"param.{name}" for name in cls.spec.names),
            *keys["decisions"],
            *(f"profit.{k}" for k in keys["profits"]),
            *(f"metric.{k}" for k in keys["metrics"]),
            *(f"se.{k}" for k in dict.fromkeys(values)),
            *CONDITION_COLUMNS,
        ]

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Machine-readable summary used by ``clsc models``."""
        return {
            "name": cls.name,
            "summary": cls.summary,
            "scenarios": list(cls.scenarios),
            "methods": list(cls.methods),
            "decisions": list(cls.decisions),
            "variants": [v.row() for v in cls.variants],
            "params": [
                {
                    "name": p.name,
                    "default": None if p.required else p.default,
                    "required": p.required,
                    "kind": p.kind,
                    "doc": p.doc,
                }
                for p in cls.spec
            ],
        }


def _check_variant(variant: Variant, key: str, req: SolveRequest) -> None:
    if variant.scenarios is not None and req.scenario not in variant.scenarios:
        where = ", ".join(variant.scenarios)
        s = "s" if len(variant.scenarios) > 1 else ""
        raise ParameterError(
            key.partition("=")[0],
            message=f"option {key} applies to scenario{s} {where} only; got {req.scenario}",
        )
    if req.method not in variant.solvers:
        raise ParameterError(
            "method",
            message=f"option {key} supports methods {', '.join(variant.solvers)}; got {req.method}",
        )


def _wrapped(wrapper: Wrapper, base: Solver) -> Solver:
    def solver(model: Model, req: SolveRequest) -> Result:
        return wrapper(model, req, base)

    return solver
