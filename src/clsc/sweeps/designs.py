"""Designs over the varied parameters: full grids, zipped lists and seeded samples.

A design is built from a mapping (the ``[design]`` table of a sweep file)::

    type = "grid"                       # grid (default) | zip | random | sobol | lhs
    theta = {from = 0, to = 1, steps = 101}
    k = [2, 4, 6]                       # a list of values
    h = {from = 1, to = 100, steps = 5, log = true}   # log-spaced

For ``random``/``sobol``/``lhs``: ``points = N`` and ``x = {from = a, to = b}`` (uniform on
[a, b], or log-uniform with ``log = true``), drawn by :mod:`scipy.stats.qmc` (``random``: numpy)
with ``seed`` (the sweep seed unless given). A grid enumerates points in C order (the last
parameter fastest); grids, random and Sobol designs compute any slice from the point indices
alone, so 10^9 points cost no memory until evaluated (a Latin hypercube and zipped lists are held
in memory: n x d numbers).

>>> d = make_design({"theta": {"from": 0, "to": 1, "steps": 3}, "k": [1, 2]})
>>> d.n, d.names
(6, ('theta', 'k'))
>>> d.columns(0, 3)["theta"].tolist(), d.columns(0, 3)["k"].tolist()
([0.0, 0.0, 0.5], [1.0, 2.0, 1.0])
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError

DESIGN_TYPES = ("grid", "zip", "random", "sobol", "lhs")
SAMPLED = ("random", "sobol", "lhs")
RANGE_KEYS = ("from", "to", "steps", "log")
MAX_POINTS = 10**12


def _number(name: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"design.{name}", f"'{key}' must be a number", value)
    value = float(value)
    if not math.isfinite(value):
        raise ParameterError(f"design.{name}", f"'{key}' must be finite", value)
    return value


def _range(name: str, spec: Mapping[str, Any], sampled: bool) -> dict[str, Any]:
    """Check a ``{from, to, steps, log}`` table; returns it normalised."""
    unknown = [k for k in spec if k not in RANGE_KEYS]
    if unknown:
        raise ParameterError(
            f"design.{name}",
            message=f"design.{name}: unknown key '{unknown[0]}'; valid keys: from, to, steps, log",
        )
    for key in ("from", "to"):
        if key not in spec:
            raise ParameterError(f"design.{name}", message=f"design.{name}: '{key}' is missing")
    lo, hi = _number(name, "from", spec["from"]), _number(name, "to", spec["to"])
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise ParameterError(f"design.{name}", "'log' must be true or false", log)
    if log and (lo <= 0 or hi <= 0):
        raise ParameterError(
            f"design.{name}",
            "must have from > 0 and to > 0 when log = true",
            lo,
            context={"to": hi},
        )
    out = {"from": lo, "to": hi, "log": log}
    if sampled:
        if "steps" in spec:
            raise ParameterError(
                f"design.{name}", message=f"design.{name}: 'steps' is for grid/zip designs only"
            )
        if not hi > lo:
            raise ParameterError(f"design.{name}", "must have to > from", hi, context={"from": lo})
        return out
    if "steps" not in spec:
        raise ParameterError(
            f"design.{name}",
            message=f"design.{name}: 'steps' is missing (a grid or zip range needs from, to, "
            "steps; random/sobol/lhs designs take ranges without steps)",
        )
    steps = spec["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ParameterError(f"design.{name}", "'steps' must be an integer >= 1", steps)
    if steps == 1 and lo != hi:
        raise ParameterError(f"design.{name}", "'steps' must be >= 2 when from != to", steps)
    out["steps"] = steps
    return out


def _values(name: str, spec: Any) -> np.ndarray:
    """The values of one grid/zip axis: a list, or a range table."""
    if isinstance(spec, Mapping):
        r = _range(name, spec, sampled=False)
        if r["log"]:
            return np.geomspace(r["from"], r["to"], r["steps"])
        return np.linspace(r["from"], r["to"], r["steps"])
    if isinstance(spec, list):
        if not spec:
            raise ParameterError(f"design.{name}", message=f"design.{name}: empty list")
        kinds = {isinstance(v, str) for v in spec}
        if len(kinds) > 1:
            raise ParameterError(f"design.{name}", message=f"design.{name}: mixes numbers and text")
        if kinds == {True}:
            return np.array(spec, dtype=object)
        return np.array([_number(name, f"[{i}]", v) for i, v in enumerate(spec)], dtype=float)
    raise ParameterError(
        f"design.{name}",
        message=f"design.{name}: expected a list or a table {{from, to, steps}}; got {spec!r}",
    )


@dataclass(frozen=True)
class Design:
    """Base class: ``n`` points over ``names``; ``columns(start, stop)`` gives a slice."""

    kind: str
    names: tuple[str, ...]
    spec: Mapping[str, Any]

    @property
    def n(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """Plain-JSON description (stored in the manifest)."""
        return {"type": self.kind, "points": self.n, **dict(self.spec)}


@dataclass(frozen=True)
class Grid(Design):
    axes: tuple[np.ndarray, ...] = ()

    @property
    def n(self) -> int:
        return math.prod(len(a) for a in self.axes)

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:
        index = np.arange(start, min(stop, self.n), dtype=np.int64)
        shape = tuple(len(a) for a in self.axes)
        coords = np.unravel_index(index, shape) if shape else ()
        return {name: a[c] for name, a, c in zip(self.names, self.axes, coords, strict=True)}


@dataclass(frozen=True)
class Table(Design):
    """Zipped lists or samples: every column held in memory (n x d numbers)."""

    data: Mapping[str, np.ndarray] = None  # type: ignore[assignment]

    @property
    def n(self) -> int:
        return len(next(iter(self.data.values())))

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:
        return {k: v[start:stop] for k, v in self.data.items()}


BLOCK = 65536  # random designs: points per independently seeded block


@dataclass(frozen=True)
class Sampled(Design):
    """Random or Sobol points computed slice by slice (no n x d array is ever held).

    ``random``: block b of :data:`BLOCK` points draws from ``SeedSequence(seed,
    spawn_key=(b,))``; ``sobol``: the scrambled sequence fast-forwarded to ``start``. Either way
    a point's values depend on its index only, never on the slicing.
    """

    points: int = 0
    ranges: Mapping[str, Mapping[str, Any]] = None  # type: ignore[assignment]
    seed: int = 0

    @property
    def n(self) -> int:
        return self.points

    def columns(self, start: int, stop: int) -> dict[str, np.ndarray]:
        stop = min(stop, self.n)
        u = self._unit(start, max(start, stop))
        return _scale(self.ranges, u)

    def _unit(self, start: int, stop: int) -> np.ndarray:
        d = len(self.ranges)
        if self.kind == "sobol":
            from scipy.stats import qmc

            with warnings.catch_warnings():  # non-power-of-2 n: balance note, not an error
                warnings.simplefilter("ignore", UserWarning)
                engine = qmc.Sobol(d, scramble=True, seed=np.random.default_rng(self.seed))
                if start:
                    engine.fast_forward(start)
                return engine.random(stop - start)
        blocks = []
        for b in range(start // BLOCK, (stop - 1) // BLOCK + 1 if stop > start else start // BLOCK):
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(b,)))
            blocks.append(rng.random((BLOCK, d)))
        if not blocks:
            return np.empty((0, d))
        u = np.concatenate(blocks)
        offset = (start // BLOCK) * BLOCK
        return u[start - offset : stop - offset]


def _scale(ranges: Mapping[str, Mapping[str, Any]], u: np.ndarray) -> dict[str, np.ndarray]:
    data = {}
    for j, (name, r) in enumerate(ranges.items()):
        if r["log"]:
            lo, hi = math.log(r["from"]), math.log(r["to"])
            data[name] = np.exp(lo + (hi - lo) * u[:, j])
        else:
            data[name] = r["from"] + (r["to"] - r["from"]) * u[:, j]
    return data


def _sampled(kind: str, spec: Mapping[str, Any], axes: dict[str, Any], seed: int) -> Table:
    n = spec.get("points")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10**9:
        raise ParameterError("design.points", "must be an integer in [1, 1e9]", n)
    ranges = {}
    for name, ax in axes.items():
        if not isinstance(ax, Mapping):
            raise ParameterError(
                f"design.{name}",
                message=f"design.{name}: a {kind} design needs a table {{from, to}}; got {ax!r}",
            )
        ranges[name] = _range(name, ax, sampled=True)
    described = {"points": n, "seed": seed, **ranges}
    if kind in ("random", "sobol"):
        return Sampled(kind, tuple(ranges), described, n, ranges, seed)
    from scipy.stats import qmc

    u = qmc.LatinHypercube(len(ranges), seed=np.random.default_rng(seed)).random(n)
    return Table(kind, tuple(ranges), described, _scale(ranges, u))


def make_design(spec: Mapping[str, Any], seed: int = 0) -> Design:
    """Build a design from its table (see the module docstring); ParameterError when malformed."""
    spec = dict(spec)
    kind = spec.pop("type", "grid")
    if kind not in DESIGN_TYPES:
        raise ParameterError("design.type", f"must be one of {', '.join(DESIGN_TYPES)}", kind)
    if kind in SAMPLED:
        dseed = spec.pop("seed", seed)
        if isinstance(dseed, bool) or not isinstance(dseed, int) or dseed < 0:
            raise ParameterError("design.seed", "must be an integer >= 0", dseed)
        points = spec.pop("points", None)
        if not spec:
            raise ParameterError("design", message="design: no parameter is varied")
        return _sampled(kind, {"points": points}, spec, dseed)
    for key in ("points", "seed"):
        if key in spec:
            raise ParameterError(
                f"design.{key}", message=f"design.{key}: only for random/sobol/lhs designs"
            )
    if not spec:
        raise ParameterError("design", message="design: no parameter is varied")
    axes = {name: _values(name, ax) for name, ax in spec.items()}
    described = {k: v.tolist() for k, v in axes.items()}
    if kind == "zip":
        lengths = {k: len(v) for k, v in axes.items()}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise ParameterError("design", message=f"zip design: lists differ in length ({shown})")
        return Table("zip", tuple(axes), described, axes)
    grid = Grid("grid", tuple(axes), described, tuple(axes.values()))
    if grid.n > MAX_POINTS:
        raise ParameterError("design", f"must have at most {MAX_POINTS:g} points", grid.n)
    return grid
