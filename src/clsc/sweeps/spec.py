"""Sweep specifications: the TOML file (or the same mapping from Python), checked before work.

A sweep file::

    model = "process-innovation"
    scenarios = ["P", "M", "PM"]          # or scenario = "PM"; "all" = every scenario
    method = "closed-form"
    seed = 2024                           # sweep seed (per-point seeds derive from it;
                                          # none given: fresh entropy, recorded to repeat)
    on_invalid = "skip"                   # or "refuse" (default): points breaking a rule
    outputs = ["q", "profit.total"]       # optional: keep only these model columns

    [params]                              # fixed parameters
    a = 100
    demand = "normal(mean={mu}, sd=8)"    # a template: {mu} is a varied design variable

    [options]                             # model options (e.g. sampling = "sobol")

    [design]
    type = "grid"
    theta = {from = 0, to = 1, steps = 101}
    mu = [40, 50, 60]

Other keys: ``samples`` (mc/saa sample size), ``fix`` (a table of fixed decisions),
``chunk_size`` (points per Parquet chunk) and ``[sensitivity]`` (read by
:mod:`clsc.analysis.sensitivity`). Template text is filled by plain substitution of
``{name}`` with the number's ``repr`` (never formatted or evaluated as code) and then parsed by the
safe parser of the parameter's kind.

>>> s = spec_from_mapping({"model": "process-innovation", "design": {"theta": [0, 1]}})
>>> s.scenarios, s.method, s.design.n
(('PM',), 'closed-form', 2)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clsc.errors import ParameterError, SpecError
from clsc.seeding import resolve_seed
from clsc.sweeps.designs import Design, make_design

TOP_KEYS = (
    "model",
    "scenario",
    "scenarios",
    "method",
    "seed",
    "samples",
    "on_invalid",
    "outputs",
    "chunk_size",
    "params",
    "options",
    "fix",
    "design",
    "sensitivity",
)
ON_INVALID = ("refuse", "skip")
TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def template_names(text: str) -> tuple[str, ...]:
    """Names of the ``{name}`` holes of a template string."""
    return tuple(dict.fromkeys(TEMPLATE.findall(text)))


def fill_template(text: str, values: Mapping[str, Any]) -> str:
    """Substitute numbers (``repr`` of float) or text into ``{name}`` holes; nothing evaluated.

    >>> fill_template("normal(mean={mu}, sd=8)", {"mu": 50})
    'normal(mean=50.0, sd=8)'
    """

    def one(match: re.Match) -> str:
        value = values[match.group(1)]
        if isinstance(value, str):
            return value
        return repr(float(value))

    return TEMPLATE.sub(one, text)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: model, scenarios, method, fixed values, design and policies."""

    model: str
    scenarios: tuple[str, ...]
    method: str
    design: Design
    params: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    fix: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    samples: int | None = None
    on_invalid: str = "refuse"
    outputs: tuple[str, ...] | None = None
    chunk_size: int | None = None
    templates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sensitivity: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    #: True when the mapping gave no seed and ``seed`` was drawn from fresh entropy
    seed_drawn: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON mapping that rebuilds this spec (what workers receive)."""
        return json.loads(json.dumps(self.source, sort_keys=True, default=str))

    @property
    def digest(self) -> str:
        """sha256 of the canonical JSON of the spec."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _int(name: str, value: Any, lower: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lower:
        raise ParameterError(name, f"must be an integer >= {lower}", value)
    return value


def _table(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ParameterError(key, message=f"'{key}' must be a table; got {value!r}")
    return dict(value)


def _scenarios(model, raw: Mapping[str, Any]) -> tuple[str, ...]:
    if "scenario" in raw and "scenarios" in raw:
        raise ParameterError("scenarios", message="give either 'scenario' or 'scenarios'")
    value = raw.get("scenarios", raw.get("scenario"))
    if value == "all":
        return tuple(model.scenarios) or (model.resolve_scenario(None),)
    if value is None or isinstance(value, str):
        return (model.resolve_scenario(value),)
    if not isinstance(value, list) or not value:
        raise ParameterError("scenarios", "must be a scenario name or a list of them", value)
    return tuple(dict.fromkeys(model.resolve_scenario(s) for s in value))


def _templates(model, params: Mapping[str, Any], varied: tuple[str, ...]) -> dict:
    out = {}
    for name, value in params.items():
        if isinstance(value, str) and (holes := template_names(value)):
            missing = [h for h in holes if h not in varied]
            if missing:
                raise ParameterError(
                    name,
                    message=f"params.{name}: template variable '{{{missing[0]}}}' is not varied "
                    f"in the design (varied: {', '.join(varied) or 'none'})",
                )
            out[name] = holes
    return out


def _check_names(model, params, varied, templates) -> None:
    valid = model.spec.names
    used = {h for holes in templates.values() for h in holes}
    for name in params:
        if name not in valid:
            raise model.spec.unknown(name)
    for name in varied:
        if name in params:
            raise ParameterError(
                name, message=f"'{name}' is both fixed in [params] and varied in [design]"
            )
        if name not in valid and name not in used:
            raise ParameterError(
                name,
                message=f"design varies unknown parameter '{name}'; valid parameters: "
                f"{', '.join(valid)} (or a {{name}} used in a [params] template)",
            )


def spec_from_mapping(raw: Mapping[str, Any]) -> SweepSpec:
    """Check a sweep mapping (a parsed TOML file) and build the :class:`SweepSpec`."""
    from clsc.models import get_model

    if not isinstance(raw, Mapping):
        raise SpecError("a sweep must be a table of keys")
    unknown = [k for k in raw if k not in TOP_KEYS]
    if unknown:
        raise ParameterError(
            unknown[0], message=f"unknown key '{unknown[0]}'; valid keys: {', '.join(TOP_KEYS)}"
        )
    if "model" not in raw:
        raise ParameterError("model", message="the sweep names no 'model'")
    model = get_model(raw["model"])
    scenarios = _scenarios(model, raw)
    method = model.resolve_method(raw.get("method"))
    seed_drawn = raw.get("seed") is None
    seed = resolve_seed(None) if seed_drawn else _int("seed", raw["seed"], 0)
    params, options, fix = _table(raw, "params"), _table(raw, "options"), _table(raw, "fix")
    design_raw = raw.get("design")
    if not isinstance(design_raw, Mapping):
        raise ParameterError("design", message="the sweep needs a [design] table")
    design = make_design(design_raw, seed)
    templates = _templates(model, params, design.names)
    _check_names(model, params, design.names, templates)
    model.resolve_fix(fix)
    for key in options:
        if key not in model.options:
            valid = ", ".join(model.options) or "none"
            raise ParameterError(key, message=f"unknown option '{key}'; valid options: {valid}")
    on_invalid = raw.get("on_invalid", "refuse")
    if on_invalid not in ON_INVALID:
        raise ParameterError("on_invalid", f"must be one of {', '.join(ON_INVALID)}", on_invalid)
    outputs = raw.get("outputs")
    if outputs is not None and (
        not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs)
    ):
        raise ParameterError("outputs", "must be a list of column names", outputs)
    samples = raw.get("samples")
    chunk = raw.get("chunk_size")
    return SweepSpec(
        model=model.name,
        scenarios=scenarios,
        method=method,
        design=design,
        params=params,
        options=options,
        fix=fix,
        seed=seed,
        samples=None if samples is None else _int("samples", samples, 1),
        on_invalid=on_invalid,
        outputs=None if outputs is None else tuple(outputs),
        chunk_size=None if chunk is None else _int("chunk_size", chunk, 1),
        templates=templates,
        sensitivity=_table(raw, "sensitivity"),
        source={**raw, "seed": seed},  # workers and resumes rebuild it with the same seed
        seed_drawn=seed_drawn,
    )


def load_file(path: str | Path) -> tuple[SweepSpec, str]:
    """Read and check a TOML sweep file; returns ``(spec, sha256 of the file bytes)``."""
    import tomllib

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParameterError("file", message=f"cannot read sweep file {path}: {exc}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not a valid TOML file: {exc}", token=str(path)) from None
    return spec_from_mapping(raw), hashlib.sha256(data).hexdigest()
