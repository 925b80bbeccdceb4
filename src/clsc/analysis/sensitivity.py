"""Global sensitivity analysis (Sobol and Morris) of model outputs, run through the sweep engine.

The design comes from SALib's samplers (Saltelli/Sobol sequence for ``sobol``, trajectories
for ``morris``), is evaluated by :mod:`clsc.sweeps` as a zipped design (so parallel, resumable
and seeded), and the rows go to SALib's analysers under the contract SALib itself does not check:

* rows are put back in design order by point id, and every design row must be present;
* a point whose status is not ``optimal``/``evaluated``, or whose output is NaN/inf, is refused
  with an error naming how many and the first one, unless ``on_failure = "mean"`` (replace
  such outputs by the mean of the others; the count is reported with the indices).

Sobol indices: first order S1 = V[E(Y|X_i)]/V(Y), total ST = E[V(Y|X_~i)]/V(Y) and second
order S2_ij, each with a bootstrap confidence interval; Morris: mu, mu* (mean absolute
elementary effect, with confidence interval) and sigma. The ``[sensitivity]`` table of a sweep
file::

    [sensitivity]
    method = "sobol"             # or "morris"
    outputs = ["profit.total"]
    samples = 1024               # base samples N (sobol: N*(2D+2) rows; morris: trajectories)
    second_order = true          # sobol
    levels = 4                   # morris grid levels
    confidence = 0.95
    resamples = 100              # bootstrap resamples of the confidence intervals
    on_failure = "refuse"        # or "mean"

and ``[design]`` gives the ranges ``x = {from = a, to = b}`` of the analysed parameters.

>>> import numpy as np
>>> g = GSASpec("sobol", ("y",), {"x1": (0.0, 1.0), "x2": (0.0, 1.0)}, samples=256)
>>> X = sample(g, seed=1)
>>> Y = {"y": X[:, 0] + 0.0 * X[:, 1]}
>>> t = analyse(g, X, Y, seed=1)
>>> float(t.query("parameter == 'x1' and index == 'S1'")["value"].iloc[0]) > 0.95
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clsc.errors import ClscError, ParameterError
from clsc.results import VALID_STATUSES

METHODS = ("sobol", "morris")
POLICIES = ("refuse", "mean")
KEYS = (
    "method",
    "outputs",
    "samples",
    "second_order",
    "levels",
    "confidence",
    "resamples",
    "on_failure",
)


class SensitivityError(ClscError):
    """The sweep rows cannot be analysed (missing rows, failed points, NaN outputs)."""


@dataclass(frozen=True)
class GSASpec:
    """What to analyse: method, outputs, parameter ranges and the SALib settings."""

    method: str
    outputs: tuple[str, ...]
    bounds: Mapping[str, tuple[float, float]]
    samples: int = 1024
    second_order: bool = True
    levels: int = 4
    confidence: float = 0.95
    resamples: int = 100
    on_failure: str = "refuse"

    @property
    def problem(self) -> dict[str, Any]:
        """SALib problem dict."""
        return {
            "num_vars": len(self.bounds),
            "names": list(self.bounds),
            "bounds": [list(b) for b in self.bounds.values()],
        }


def gsa_from_table(table: Mapping[str, Any], design: Mapping[str, Any]) -> GSASpec:
    """Check the ``[sensitivity]`` and ``[design]`` tables of a sweep file."""
    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise ParameterError(
            f"sensitivity.{unknown[0]}",
            message=f"unknown key sensitivity.{unknown[0]}; valid keys: {', '.join(KEYS)}",
        )
    method = table.get("method", "sobol")
    if method not in METHODS:
        raise ParameterError("sensitivity.method", f"must be one of {', '.join(METHODS)}", method)
    outputs = table.get("outputs")
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) for o in outputs):
        raise ParameterError("sensitivity.outputs", "must be a non-empty list of columns", outputs)
    policy = table.get("on_failure", "refuse")
    if policy not in POLICIES:
        raise ParameterError(
            "sensitivity.on_failure", f"must be one of {', '.join(POLICIES)}", policy
        )
    bounds = {}
    for name, rng in design.items():
        if name == "type":
            continue
        if not isinstance(rng, Mapping) or set(rng) - {"from", "to"} or len(rng) != 2:
            raise ParameterError(
                f"design.{name}",
                message=f"design.{name}: sensitivity needs a range {{from = a, to = b}}",
            )
        lo, hi = float(rng["from"]), float(rng["to"])
        if not hi > lo:
            raise ParameterError(f"design.{name}", "must have to > from", hi, context={"from": lo})
        bounds[name] = (lo, hi)
    if len(bounds) < 2:
        raise ParameterError("design", message="sensitivity needs at least 2 varied parameters")
    return GSASpec(
        method,
        tuple(outputs),
        bounds,
        samples=_int("samples", table.get("samples", 1024), 2),
        second_order=bool(table.get("second_order", True)),
        levels=_int("levels", table.get("levels", 4), 2),
        confidence=float(table.get("confidence", 0.95)),
        resamples=_int("resamples", table.get("resamples", 100), 10),
        on_failure=policy,
    )


def _int(name: str, value: Any, lower: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lower:
        raise ParameterError(f"sensitivity.{name}", f"must be an integer >= {lower}", value)
    return value


def sample(gsa: GSASpec, seed: int) -> np.ndarray:
    """SALib design matrix (rows = points, in the order the analyser expects)."""
    seed = analyser_seed(seed)
    if gsa.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(gsa.problem, gsa.samples, calc_second_order=gsa.second_order, seed=seed)
    from SALib.sample import morris

    return morris.sample(gsa.problem, gsa.samples, num_levels=gsa.levels, seed=seed)


def collect(frame, n: int, gsa: GSASpec) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Outputs in design order from sweep rows of one scenario; enforces the contract above.

    Returns ``(Y by output, number of filled points by output)``.
    """
    frame = frame.sort_values("point", kind="stable")
    points = frame["point"].to_numpy()
    if len(points) != n or not np.array_equal(points, np.arange(n)):
        have = set(points.tolist())
        missing = [i for i in range(n) if i not in have]
        dup = len(points) - len(have)
        raise SensitivityError(
            f"sweep rows do not cover the design: {len(missing)} missing"
            + (f" (first: point {missing[0]})" if missing else "")
            + (f", {dup} duplicated" if dup else "")
        )
    ok = frame["status"].astype(str).isin([str(s) for s in VALID_STATUSES]).to_numpy()
    out, filled = {}, {}
    for name in gsa.outputs:
        if name not in frame.columns:
            raise ParameterError(
                "sensitivity.outputs",
                message=f"unknown output '{name}'; columns: " + ", ".join(map(str, frame.columns)),
            )
        y = frame[name].to_numpy(dtype=float, na_value=np.nan)
        bad = ~ok | ~np.isfinite(y)
        if bad.any():
            if gsa.on_failure == "refuse" or bad.all():
                i = int(np.flatnonzero(bad)[0])
                row = frame.iloc[i]
                raise SensitivityError(
                    f"{int(bad.sum())} of {n} points have no finite '{name}' (first: point "
                    f"{i}, status {row['status']}, value {y[i]}{_msg(row)}); SALib would return "
                    'meaningless indices. Fix the ranges, or set on_failure = "mean"'
                )
            y = y.copy()
            y[bad] = y[~bad].mean()
        out[name], filled[name] = y, int(bad.sum())
    return out, filled


def _msg(row) -> str:
    m = row.get("message")
    return f": {m}" if isinstance(m, str) and m else ""


def analyser_seed(seed: int) -> int:
    """A nonzero seed derived from ``seed``: SALib's Sobol analyser ignores a seed of 0 (it
    tests ``if seed:``) and would draw its bootstrap unseeded."""
    return int(np.random.SeedSequence(int(seed)).generate_state(1)[0]) | 1


def analyse(gsa: GSASpec, X: np.ndarray, Y: Mapping[str, np.ndarray], seed: int = 0):
    """Indices as a long table: output, parameter, index, value, conf (CI half-width)."""
    import pandas as pd

    seed = analyser_seed(seed)
    rows: list[dict[str, Any]] = []
    for name, y in Y.items():
        if gsa.method == "sobol":
            rows += _sobol_rows(gsa, name, y, seed)
        else:
            rows += _morris_rows(gsa, name, X, y, seed)
    return pd.DataFrame(rows, columns=["output", "parameter", "index", "value", "conf"])


def _bootstrap(gsa: GSASpec, seed: int) -> dict[str, Any]:
    """The confidence-interval settings every SALib analyser takes."""
    return {"num_resamples": gsa.resamples, "conf_level": gsa.confidence, "seed": seed}


def _sobol_rows(gsa: GSASpec, name: str, y: np.ndarray, seed: int) -> list[dict]:
    from SALib.analyze import sobol

    res = sobol.analyze(gsa.problem, y, calc_second_order=gsa.second_order, **_bootstrap(gsa, seed))
    names = list(gsa.bounds)
    rows = []
    for key in ("S1", "ST"):
        for j, p in enumerate(names):
            rows.append(_row(name, p, key, res[key][j], res[f"{key}_conf"][j]))
    if gsa.second_order:
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                pair = f"{names[a]},{names[b]}"
                rows.append(_row(name, pair, "S2", res["S2"][a, b], res["S2_conf"][a, b]))
    return rows


def _morris_rows(gsa: GSASpec, name: str, X: np.ndarray, y: np.ndarray, seed: int) -> list:
    from SALib.analyze import morris

    res = morris.analyze(gsa.problem, X, y, num_levels=gsa.levels, **_bootstrap(gsa, seed))
    rows = []
    for j, p in enumerate(gsa.bounds):
        rows.append(_row(name, p, "mu", res["mu"][j], np.nan))
        rows.append(_row(name, p, "mu_star", res["mu_star"][j], res["mu_star_conf"][j]))
        rows.append(_row(name, p, "sigma", res["sigma"][j], np.nan))
    return rows


def _row(output: str, parameter: str, index: str, value, conf) -> dict[str, Any]:
    return {
        "output": output,
        "parameter": parameter,
        "index": index,
        "value": float(value),
        "conf": float(conf),
    }


@dataclass(frozen=True)
class SensitivityResult:
    """Indices per scenario; ``to_frame()`` is the long table with a ``scenario`` column."""

    gsa: GSASpec
    tables: Mapping[str, Any]
    filled: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    points: int = 0
    seed: int | None = None  # the seed of the sample and the bootstrap (repeats the run)
    seed_drawn: bool = False  # drawn from fresh entropy (no seed given)

    def to_frame(self):
        import pandas as pd

        frames = [t.assign(scenario=s) for s, t in self.tables.items()]
        df = pd.concat(frames, ignore_index=True)
        return df[["scenario", "output", "parameter", "index", "value", "conf"]]


def sensitivity_from_spec(raw: Mapping[str, Any], out=None, digest: str | None = None, **run):
    """Run the GSA of a sweep mapping (with a ``[sensitivity]`` table) through the sweep engine."""
    from clsc.seeding import resolve_seed
    from clsc.sweeps.api import run_sweep
    from clsc.sweeps.schema import to_pandas
    from clsc.sweeps.spec import spec_from_mapping
    from clsc.sweeps.store import read_manifest, read_sweep

    raw = dict(raw)
    gsa = gsa_from_table(raw.pop("sensitivity", {}), raw.get("design", {}))
    seed, drawn = raw.get("seed"), raw.get("seed") is None
    if drawn and run.get("resume") and out is not None:  # the seed the run started with
        seed = (read_manifest(out) or {}).get("seed")
    raw["seed"] = seed = resolve_seed(seed)  # None: fresh entropy, reported in the result
    X = sample(gsa, seed)
    raw["design"] = {"type": "zip", **{p: X[:, j].tolist() for j, p in enumerate(gsa.bounds)}}
    raw.setdefault("on_invalid", "skip")
    spec = spec_from_mapping(raw)
    _summary, frames = run_sweep(spec, out, digest=digest, **run)
    if out is not None:
        frame = read_sweep(out)
    else:
        import pyarrow as pa

        frame = to_pandas(pa.concat_tables(frames))
    tables, filled = {}, {}
    for s in spec.scenarios:
        rows = frame[frame["scenario"].isna() if s is None else frame["scenario"] == s]
        Y, filled[s] = collect(rows, len(X), gsa)
        tables[s] = analyse(gsa, X, Y, seed=spec.seed)
    return SensitivityResult(gsa, tables, filled, len(X), seed, drawn)


def sensitivity(
    model: str,
    bounds: Mapping[str, Sequence[float]],
    outputs: Sequence[str],
    *,
    method: str = "sobol",
    scenario: str | Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    samples: int = 1024,
    seed: int | None = None,
    out=None,
    workers: int = 1,
    **settings: Any,
) -> SensitivityResult:
    """Python form of ``clsc sensitivity``: ``bounds`` maps a parameter to ``(low, high)``;
    ``settings`` are the other ``[sensitivity]`` keys (``second_order``, ``levels``, ...).
    ``seed=None`` draws fresh entropy; the result's ``seed`` repeats the run."""
    raw: dict[str, Any] = {"model": model, "seed": seed}
    if scenario is not None:
        raw["scenario" if isinstance(scenario, str) else "scenarios"] = (
            scenario if isinstance(scenario, str) else list(scenario)
        )
    if params:
        raw["params"] = dict(params)
    raw["design"] = {k: {"from": float(v[0]), "to": float(v[1])} for k, v in bounds.items()}
    raw["sensitivity"] = {"method": method, "outputs": list(outputs), "samples": samples}
    raw["sensitivity"].update(settings)
    return sensitivity_from_spec(raw, out, workers=workers)
