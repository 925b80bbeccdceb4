"""Parameter values of design points and their validation against the model's declarations.

:func:`point_values` turns a slice of the design into the model's parameter values (fixed
values, varied columns and filled templates), coercing each distinct template text once.
:func:`check_points` applies the parameter bounds and the model's ``ERR`` rules of a scenario to
all points at once: numeric bounds and rules written with arithmetic run vectorised; a rule that
cannot take arrays is applied point by point. The result is a validity mask and, for each invalid
point, the model's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from clsc.errors import ClscError
from clsc.params import Param
from clsc.sweeps.spec import SweepSpec, fill_template
from clsc.validation import bound_errors, check_rules

NUMERIC = ("float", "int")


def fixed_values(model, spec: SweepSpec) -> dict[str, Any]:
    """Fixed parameters (defaults updated by ``[params]``, templates left out), coerced once."""
    out = {}
    for p in model.spec:
        if p.name in spec.templates or p.name in spec.design.names:
            continue
        if p.name in spec.params:
            out[p.name] = p.coerce(spec.params[p.name])
        elif not p.required:
            out[p.name] = None if p.default is None else p.coerce(p.default)
    return out


def _coerce_unique(param: Param, texts: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """Coerce each distinct text once; returns (objects, {index: error}) for failures."""
    uniques, inverse = np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)
    coerced, errors = [], {}
    for u in uniques:
        try:
            coerced.append(param.coerce(str(u)))
        except ClscError as exc:
            coerced.append(None)
            errors[len(coerced) - 1] = str(exc)
    objects = np.empty(len(uniques), dtype=object)
    objects[:] = coerced
    bad = {int(i): errors[int(k)] for i, k in enumerate(inverse) if int(k) in errors}
    return objects[inverse], bad


def point_values(model, spec: SweepSpec, fixed: Mapping[str, Any], cols: Mapping[str, Any]):
    """``(values, texts, errors)`` for a slice of ``n`` points.

    ``values`` maps every model parameter to a scalar (fixed) or an array over the points;
    ``texts`` holds the filled template text of templated parameters (shown in the output);
    ``errors`` maps a point's position to the message of a value that cannot be coerced.
    """
    n = len(next(iter(cols.values())))
    values: dict[str, Any] = dict(fixed)
    texts: dict[str, np.ndarray] = {}
    errors: dict[int, str] = {}
    for name in spec.design.names:
        if name in model.spec.names:
            values[name] = cols[name]
    for name, holes in spec.templates.items():
        filled = np.array(
            [fill_template(spec.params[name], {h: cols[h][i] for h in holes}) for i in range(n)],
            dtype=object,
        )
        texts[name] = filled
    for name, arr in {**{k: v for k, v in values.items() if k in cols}, **texts}.items():
        param = model.spec[name]
        if param.kind in NUMERIC and arr.dtype != object:
            bad = bound_errors(param, arr)
            values[name] = arr.astype(float) if param.kind == "float" else arr
        else:
            values[name], bad = _coerce_unique(param, arr)
        for i, msg in bad.items():
            errors.setdefault(i, msg)
    return values, texts, errors


def check_points(model, scenario, values, n: int, varied: set[str], ok: np.ndarray):
    """Apply the ERR rules of ``scenario``: returns (mask, {position: message}) updating ``ok``
    (:func:`clsc.validation.check_rules`, which ``GameModel.evaluate`` uses too)."""
    return check_rules(model.spec, scenario, values, n, varied, ok)
