"""Exception types of clsc.

User errors (bad parameters, malformed specs) are :class:`ParameterError`, a ``ValueError``;
the CLI turns every :class:`ClscError` into one line on stderr and exit code 2.
A failed second-order or existence condition is *not* an exception: it is a result status.
"""

from __future__ import annotations


class ClscError(Exception):
    """Base class of every error clsc raises on purpose."""


class ParameterError(ClscError, ValueError):
    """Invalid input: names the parameter, the rule and the value.

    >>> raise ParameterError("sd", "must be > 0", -1)
    Traceback (most recent call last):
    ...
    clsc.errors.ParameterError: sd must be > 0; got sd=-1
    """

    def __init__(
        self,
        name: str,
        rule: str | None = None,
        value: object = None,
        *,
        context: dict[str, object] | None = None,
        message: str | None = None,
    ):
        self.name = name
        self.rule = rule
        self.value = value
        if message is None:
            got = {name: value, **(context or {})}
            shown = ", ".join(f"{k}={format_value(v)}" for k, v in got.items())
            message = f"{name} {rule}; got {shown}"
        super().__init__(message)


def format_value(value: object) -> str:
    """Short human form of a parameter value for error messages (floats via ``%g``)."""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


class SpecError(ParameterError):
    """A malformed text specification (expression, distribution spec, problem file)."""

    def __init__(self, message: str, *, token: str | None = None):
        self.token = token
        super().__init__(token or "spec", message=message)


class ConditionError(ClscError):
    """Raised only when a caller asks for equilibrium numbers of a result whose conditions fail."""


class SolverError(ClscError):
    """A numerical backend failed in a way that is not a property of the model."""


class BackendNotInstalled(ClscError, ImportError):
    """An optional backend (e.g. dask) is not installed."""
