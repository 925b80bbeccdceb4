"""Compiled closed forms (vectorised over many points) against numeric solving per point.

For cascade-epr (decentralised) and process-innovation (PM): ``numeric`` solves each of K
random points with the model's ``numeric`` method (nested best responses; the baseline), the
closed form is evaluated per point through ``model.solve`` and, compiled, on arrays of many
points at once (the first K of them are the numeric points). Units are points, so the ratio is
per point. Accuracy: max relative difference of the decisions at the K points against
``model.solve`` with the closed form (itself checked against the sources' numbers in the tests).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, counted, register, worst_relative


def _cascade_points(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random valid cascade-epr parameters (b <= B_subsidy <= delta, Theorem 1 holds)."""
    b = rng.uniform(4, 12, n)
    delta = b + rng.uniform(4, 14, n)
    return {
        "a": rng.uniform(80, 120, n), "alpha": rng.uniform(1.5, 2.5, n),
        "cm": rng.uniform(20, 30, n), "b": b, "delta": delta,
        "B_subsidy": b + rng.uniform(0, 1, n) * (delta - b), "k": rng.uniform(150, 300, n),
    }  # fmt: skip


def _innovation_points(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"theta": rng.uniform(0.05, 0.95, n), "k": rng.uniform(5.0, 10.0, n)}


def _setup(model_name: str, scenario: str, sampler, quick: bool):
    from clsc.models import get_model

    model = get_model(model_name)
    k, n = (4, 100_000) if quick else (20, 1_000_000)
    varied = sampler(n, np.random.default_rng(1))
    defaults = model.solve(scenario).params
    cs = model.closed_form(scenario)
    arrays = {p: varied[p] if p in varied else np.full(n, float(defaults[p])) for p in cs.params}
    points = [{key: float(v[i]) for key, v in varied.items()} for i in range(k)]
    ref = [model.solve(scenario, params=p) for p in points]
    keys = tuple(ref[0].decisions)
    return SimpleNamespace(model=model, scenario=scenario, cs=cs, arrays=arrays, points=points,
                           ref=ref, keys=keys, k=k, n=n)  # fmt: skip


def _numeric(s):
    return [s.model.solve(s.scenario, params=p, method="numeric").decisions for p in s.points]


def _per_point(s):
    return [s.model.solve(s.scenario, params=p).decisions for p in s.points]


def _compiled(s):
    out = s.cs(**s.arrays)
    valid = s.cs.valid(out)
    return [{key: float(out[key][i]) for key in s.keys} for i in range(s.k)], valid


def _error(s, out) -> float:
    decisions = out[0] if isinstance(out, tuple) else out
    return worst_relative((got, ref.decisions) for got, ref in zip(decisions, s.ref, strict=True))


def _group(name: str, model_name: str, scenario: str, sampler) -> Group:
    return Group(
        name,
        setup=lambda quick: _setup(model_name, scenario, sampler, quick),
        cases=(
            Case("numeric per point", _numeric, _error, **counted("k", "points")),
            Case("closed form, solve() per point", _per_point, _error, **counted("k")),
            Case("compiled, vectorised", _compiled, _error, **counted("n", "points", ",")),
        ),
        baseline="numeric per point",
        accuracy="max rel. diff of the decisions vs the closed form",
        doc=f"{model_name} {scenario}: equilibrium at random points",
        goal="compiled >= 1000x numeric per point; equal to 1e-8",
        tolerance=1e-8,
    )


register(_group("closed-form-cascade-epr", "cascade-epr", "decentralised", _cascade_points))
register(_group("closed-form-innovation", "process-innovation", "PM", _innovation_points))
