"""The machine's own ceiling for the brute-force loss-sum arithmetic (a bench-only kernel).

Every numba thread runs the brute-force kernel's per-pair arithmetic
(:func:`clsc.kernels.loss.tile_sums`: (q-d)+, its square, (d-q)+, its square) over one
L1-resident tile of :data:`~clsc.kernels.loss.TILE` samples, for many order quantities q:
no memory traffic, no scheduling, so pairs/second here is what this machine can do at best
with that arithmetic. ``out[t]`` is the sum over q of the four sums (same for every thread).

>>> import numpy as np
>>> tile = np.linspace(0.0, 1.0, 8)
>>> out = np.empty(2)
>>> ceiling_kernel(tile, np.array([0.5]), out)
>>> bool(np.allclose(out, reference_total(tile, np.array([0.5]), 1)))
True
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from clsc.kernels.loss import tile_sums


@njit(cache=True, parallel=True)
def ceiling_kernel(tile, qs, out):
    """``out[t] = sum_j sum(tile_sums(tile, qs[j]))`` computed on every thread ``t``."""
    n_threads = out.shape[0]
    m = qs.shape[0]
    for t in prange(n_threads):
        acc = 0.0
        for j in range(m):
            s_i, s_i2, s_l, s_l2 = tile_sums(tile, qs[j])
            acc += s_i + s_i2 + s_l + s_l2
        out[t] = acc


def reference_total(tile: np.ndarray, qs: np.ndarray, length: int) -> float:
    """numpy value of ``out[t]`` when the kernel gets ``np.resize(qs, length)``."""
    d = tile[:, None] - qs[None, :]
    per_q = np.maximum(-d, 0) + np.maximum(-d, 0) ** 2 + np.maximum(d, 0) + np.maximum(d, 0) ** 2
    per_q = per_q.sum(axis=0)
    counts = np.full(qs.size, length // qs.size)
    counts[: length % qs.size] += 1
    return float(per_q @ counts)
