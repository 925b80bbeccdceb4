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
        ``seed=None`` draws fresh entropy (:func:`clsc.seeding.resolve_seed`), so the request
        always carries the seed that repeats it.
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
        return SolveRequest(
            scenario=scenario,
            params=values,
            method=method,
            fix=self.resolve_fix(fix),
            samples=None if samples is None else int(samples),
            seed=resolve_seed(seed),
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
        start = time.perf_counter()
        result = self.methods[req.method](self, req)
        elapsed = time.perf_counter() - start
        flags = tuple(dict.fromkeys((*req.flags, *result.flags)))
        seed = req.seed if req.method in self.random_methods else None
        return replace(result, seconds=elapsed, flags=flags, seed=seed)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Machine-readable summary used by ``clsc models``."""
        return {
            "name": cls.name,
            "summary": cls.summary,
            "scenarios": list(cls.scenarios),
            "methods": list(cls.methods),
            "decisions": list(cls.decisions),
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
