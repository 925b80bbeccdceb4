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

    def request(
        self,
        scenario: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        method: str | None = None,
        fix: Mapping[str, Any] | None = None,
        samples: int | None = None,
        seed: int | None = None,
        **options: Any,
    ) -> SolveRequest:
        """Validate everything and build the :class:`SolveRequest` (raises ParameterError)."""
        misplaced = [k for k in options if k in self.spec.names and k not in self.options]
        if misplaced:
            shown = ", ".join(f"'{k}': ..." for k in misplaced)
            raise ParameterError(
                misplaced[0],
                message=f"{', '.join(misplaced)}: parameters of {self.name} go in params: "
                f"solve(params={{{shown}}}) (on the command line: --set NAME=VALUE)",
            )
        scenario = self.resolve_scenario(scenario)
        method = self.resolve_method(method)
        values, flags = self.spec.resolve(params, scenario)
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
            seed=seed,
            flags=flags,
            options=options,
        )

    def solve(self, scenario: str | None = None, **kwargs: Any) -> Result:
        """Solve (or evaluate at ``fix``) one scenario; see :meth:`request` for the arguments."""
        req = self.request(scenario, **kwargs)
        start = time.perf_counter()
        result = self.methods[req.method](self, req)
        elapsed = time.perf_counter() - start
        flags = tuple(dict.fromkeys((*req.flags, *result.flags)))
        return replace(result, seconds=elapsed, flags=flags)

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
