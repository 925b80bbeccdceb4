"""Monte Carlo newsvendor evaluators against the machine's own ceiling and against each other.

* ``mc-ceiling``: pairs/second of the numba brute-force loss sums and of sort + prefix sums,
  against the ceiling kernel of :mod:`clsc.bench.ceiling` (one L1-resident tile per thread);
  the ratio of ``numba brute force`` is its share of the ceiling (goal >= 0.8).
* ``newsvendor-mc``: the same evaluators against the numpy per-q loop; sort + prefix sums
  against brute force is the ratio of their rows (goal >= 5x).

Units are (sample, q) pairs. Accuracy: max relative difference of the four loss sums against
the numpy per-q loop (the textbook formula), the ceiling's total against numpy's.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, register


def _samples(quick: bool):
    from clsc.stochastic.mc import sums_numpy

    n, m = (200_000, 200) if quick else (1_000_000, 1_000)
    rng = np.random.default_rng(0)
    samples = rng.normal(50.0, 8.0, n)
    qs = np.linspace(20.0, 80.0, m)
    return SimpleNamespace(samples=samples, qs=qs, ref=sums_numpy(samples, qs), pairs=n * m)


def _ceiling_setup(quick: bool):
    import numba

    from clsc.bench.ceiling import reference_total
    from clsc.kernels.loss import TILE

    s = _samples(quick)
    threads = numba.get_num_threads()
    s.tile = np.ascontiguousarray(s.samples[:TILE])
    m_ceiling = max(1, s.pairs // (TILE * threads))
    s.q_ceiling = np.resize(s.qs, m_ceiling)
    s.ceiling_pairs = TILE * threads * m_ceiling
    s.ceiling_ref = reference_total(s.tile, s.qs, m_ceiling)
    s.out = np.empty(threads)
    s.threads = threads
    return s


def _rel(state, out) -> float:
    ref = state.ref
    return float(np.max(np.abs(out - ref) / np.maximum(np.abs(ref), 1e-300)))


def _numpy(s):
    from clsc.stochastic.mc import sums_numpy

    return sums_numpy(s.samples, s.qs)


def _brute(s):
    from clsc.stochastic.mc import sums_brute

    return sums_brute(s.samples, s.qs)


def _sorted(s):
    from clsc.stochastic.mc import sums_sorted

    return sums_sorted(s.samples, s.qs)


def _ceiling(s):
    from clsc.bench.ceiling import ceiling_kernel

    ceiling_kernel(s.tile, s.q_ceiling, s.out)
    return s.out.copy()


def _ceiling_error(s, out) -> float:
    return float(np.max(np.abs(out - s.ceiling_ref)) / abs(s.ceiling_ref))


def _pairs(s) -> float:
    return float(s.pairs)


def _size(s) -> str:
    return f"N={s.samples.size:,}, M={s.qs.size:,}"


register(
    Group(
        "mc-ceiling",
        setup=_ceiling_setup,
        cases=(
            Case(
                "machine ceiling (L1 tile)",
                _ceiling,
                _ceiling_error,
                units=lambda s: float(s.ceiling_pairs),
                note=lambda s: f"{s.threads} threads, one {s.tile.size}-sample tile each",
                accuracy="rel. diff of the tile total vs numpy",
            ),
            Case("numba brute force", _brute, _rel, units=_pairs, note=_size),
            Case("sort + prefix sums", _sorted, _rel, units=_pairs, note=_size),
        ),
        baseline="machine ceiling (L1 tile)",
        accuracy="max rel. diff of the loss sums vs numpy per-q loop",
        doc="pairs/s of the Monte Carlo evaluators against the machine's own ceiling",
        goal="numba brute force >= 0.8x the ceiling (pairs/s)",
        tolerance=1e-9,
    )
)

register(
    Group(
        "newsvendor-mc",
        setup=_samples,
        cases=(
            Case("numpy per-q loop", _numpy, _rel, units=_pairs, note=_size),
            Case("numba brute force", _brute, _rel, units=_pairs),
            Case("sort + prefix sums", _sorted, _rel, units=_pairs),
        ),
        baseline="numpy per-q loop",
        accuracy="max rel. diff of the loss sums vs numpy per-q loop",
        doc="overage/underage sums of N normal samples at M order quantities",
        goal="sort + prefix sums >= 5x numba brute force; all agree to 1e-9",
        tolerance=1e-9,
    )
)
