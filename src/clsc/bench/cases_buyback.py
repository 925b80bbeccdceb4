"""buyback-effort profit grid: numpy broadcasting against sort + prefix sums + a numba cube.

Expected manufacturer profit (buyback scenario) on a q x b x e grid from n demand samples:

    pi_M(q, b, e) = (w - cm) q - (b - (1 + e) v) S(q) - k e^2,   S(q) = mean (q - D)+,

* ``numpy`` (baseline): per-q numpy loss sums (:func:`clsc.stochastic.mc.sums_numpy`) and
  numpy broadcasting for the cube;
* ``grid``: :func:`clsc.stochastic.buyback_grid.evaluate_grid` (np.sort + O(n + m) prefix
  sums + parallel numba cube), sort included;
* ``grid (presorted)``: the same on a re-used :class:`~clsc.stochastic.mc.SortedSamples`.

Sizes: 10^6 samples on 1,000 x 100 x 100 points (quick: 10^5 on 200 x 20 x 20). Units are
grid points. Accuracy: max relative difference of the cube against the numpy formula above
(relative to max(|value|, 1)). Goal: ``grid`` under 0.5 s at full size on 2 cores.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, register

PARAMS = {"p": 20.0, "w": 5.0, "cm": 1.0, "v": 2.0, "k": 10.0}


def _setup(quick: bool):
    n, nq, nb, ne = (100_000, 200, 20, 20) if quick else (1_000_000, 1_000, 100, 100)
    s = SimpleNamespace(
        d=np.random.default_rng(0).uniform(0.0, 100.0, n),
        q=np.linspace(1.0, 100.0, nq),
        b=np.linspace(2.01, 4.99, nb),
        e=np.linspace(0.0, 10.0, ne),
    )
    s.points = nq * nb * ne
    return s


def _numpy(s):
    from clsc.stochastic.mc import sums_numpy

    P = PARAMS
    S = sums_numpy(s.d, s.q)[0] / s.d.size
    a = s.b[None, :, None] - (1.0 + s.e[None, None, :]) * P["v"]
    return (P["w"] - P["cm"]) * s.q[:, None, None] - a * S[:, None, None] - P["k"] * s.e**2


def _grid(s):
    from clsc.stochastic.buyback_grid import evaluate_grid

    return evaluate_grid(s.d, s.q, s.b, s.e, **PARAMS).pi_M_B


def _presorted(s):
    from clsc.stochastic.buyback_grid import evaluate_grid
    from clsc.stochastic.mc import SortedSamples

    if getattr(s, "sorted", None) is None:
        s.sorted = SortedSamples(s.d)
    return evaluate_grid(s.sorted, s.q, s.b, s.e, **PARAMS).pi_M_B


def _error(s, cube) -> float:
    if getattr(s, "ref", None) is None:
        s.ref = _numpy(s)
    return float(np.max(np.abs(cube - s.ref) / np.maximum(np.abs(s.ref), 1.0)))


def _points(s) -> float:
    return float(s.points)


register(
    Group(
        "buyback-grid",
        setup=_setup,
        cases=(
            Case(
                "numpy",
                _numpy,
                _error,
                units=_points,
                warmup=False,
                note=lambda s: f"n={s.d.size:,}, grid {s.q.size}x{s.b.size}x{s.e.size}",
            ),
            Case("grid", _grid, _error, units=_points),
            Case("grid (presorted)", _presorted, _error, units=_points),
        ),
        baseline="numpy",
        accuracy="max rel. diff of the profit cube vs the numpy formula",
        doc="buyback-effort expected-profit grid",
        goal="grid under 0.5 s for 10^6 samples and 10^7 points on 2 cores",
        tolerance=1e-9,
    )
)
