"""Numba kernels for newsvendor loss sums over many order quantities at once.

For demand samples ``d_1..d_n`` and order quantities ``q_1..q_m`` the kernels fill a
preallocated ``out`` of shape ``(4, m)`` with the *sums*

* ``out[LEFTOVER, j]``    = sum_i (q_j - d_i)+      (overstock, E[(q - D)+] * n)
* ``out[LEFTOVER_SQ, j]`` = sum_i ((q_j - d_i)+)^2
* ``out[SHORTAGE, j]``    = sum_i (d_i - q_j)+      (lost sales, E[(D - q)+] * n)
* ``out[SHORTAGE_SQ, j]`` = sum_i ((d_i - q_j)+)^2

Every piecewise-linear newsvendor quantity is an affine function of the leftover I and the
shortage L (sales min(D, q) = q - I, demand D = q - I + L) and I*L = 0 sample by sample, so
these four sums give every mean *and* the exact sample variance of any such profit.

Two evaluators, which agree to rounding (about 1e-13 relative):

* :func:`loss_sums_brute`: O(n*m). Parallel over work items (sample chunk x block of q), each
  chunk walked in L1-sized tiles that are reused for every q of the block; per-chunk partial
  sums are reduced in a fixed order, so the result is bit-identical for any thread count.
* :func:`loss_sums_sorted`: O(n + m) after sorting the samples and the q's. One pass
  accumulates per-segment sums of non-negative distances to the segment's end points, then a
  forward (leftover) and backward (shortage) recurrence adds only non-negative terms, so there
  is no cancellation.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

LEFTOVER, LEFTOVER_SQ, SHORTAGE, SHORTAGE_SQ = 0, 1, 2, 3

#: samples per tile: 2048 float64 = 16 KiB, resident in a 32 KiB L1 data cache.
TILE = 2048
#: samples per work item (partial sums are kept per chunk, then reduced in chunk order).
CHUNK = 32 * TILE
#: order quantities per work item (each tile is reused for all of them while in L1).
QBLOCK = 64

_FAST = {"reassoc", "nsz", "contract"}


@njit(cache=True, fastmath=_FAST)
def tile_sums(tile, q):
    """Sums of (q-d)+, ((q-d)+)^2, (d-q)+, ((d-q)+)^2 over ``tile`` (the hot loop).

    Pass a slice (``samples[lo:hi]``), not index bounds: a loop from 0 to ``len(tile)`` is
    what LLVM vectorises cleanly (about 3x faster than a ``range(lo, hi)`` loop here).
    """
    s_i = 0.0
    s_i2 = 0.0
    s_l = 0.0
    s_l2 = 0.0
    for i in range(tile.shape[0]):
        x = q - tile[i]
        pos = max(x, 0.0)
        neg = max(-x, 0.0)
        s_i += pos
        s_i2 += pos * pos
        s_l += neg
        s_l2 += neg * neg
    return s_i, s_i2, s_l, s_l2


@njit(cache=True, parallel=True, fastmath=_FAST)
def loss_sums_brute(samples, qs, out, tile=TILE, chunk=CHUNK, qblock=QBLOCK):
    """Brute-force loss sums (see module docstring); fills ``out`` (shape (4, len(qs))).

    ``tile``, ``chunk`` and ``qblock`` (samples per L1 tile, samples per work item, q's per
    work item) fix the summation order: for given values the result does not depend on the
    number of threads.
    """
    n = samples.shape[0]
    m = qs.shape[0]
    n_chunks = max(1, (n + chunk - 1) // chunk)
    n_qblocks = (m + qblock - 1) // qblock
    partial = np.zeros((n_chunks, 4, m))
    for item in prange(n_chunks * n_qblocks):
        c = item // n_qblocks
        b = item - c * n_qblocks
        c_lo = c * chunk
        c_hi = min(n, c_lo + chunk)
        q_lo = b * qblock
        q_hi = min(m, q_lo + qblock)
        for t_lo in range(c_lo, c_hi, tile):
            part = samples[t_lo : min(c_hi, t_lo + tile)]
            for j in range(q_lo, q_hi):
                s_i, s_i2, s_l, s_l2 = tile_sums(part, qs[j])
                partial[c, 0, j] += s_i
                partial[c, 1, j] += s_i2
                partial[c, 2, j] += s_l
                partial[c, 3, j] += s_l2
    for j in prange(m):
        for k in range(4):
            acc = 0.0
            for c in range(n_chunks):
                acc += partial[c, k, j]
            out[k, j] = acc


@njit(cache=True)
def loss_sums_sorted(sorted_samples, sorted_qs, out):
    """Loss sums from ascending samples and ascending q's in O(n + m); fills ``out`` (4, m).

    Segment j holds the samples in (q_{j-1}, q_j]. For it the pass accumulates the count and
    the sums of (q_j - d) and (q_j - d)^2 (distances to the right end, for leftovers) and of
    (d - q_{j-1}) and its square (distances to the left end, for shortages). Then, with
    k_j = #{d <= q_j} and delta = q_j - q_{j-1} >= 0,

        I_j  = I_{j-1} + k_{j-1}*delta + seg_I_j
        I2_j = I2_{j-1} + 2*delta*I_{j-1} + k_{j-1}*delta^2 + seg_I2_j

    and the mirror-image recurrence from the right gives L_j and L2_j; every term is >= 0.
    """
    n = sorted_samples.shape[0]
    m = sorted_qs.shape[0]
    cnt = np.zeros(m + 1, dtype=np.int64)
    seg_i = np.zeros(m)
    seg_i2 = np.zeros(m)
    seg_l = np.zeros(m + 1)  # seg_l[j]: samples in (q_{j-1}, q_j] measured from q_{j-1}
    seg_l2 = np.zeros(m + 1)
    pos = 0
    for j in range(m + 1):
        right = sorted_qs[j] if j < m else np.inf
        left = sorted_qs[j - 1] if j > 0 else 0.0
        a = 0.0
        a2 = 0.0
        b = 0.0
        b2 = 0.0
        start = pos
        while pos < n and sorted_samples[pos] <= right:
            d = sorted_samples[pos]
            if j < m:
                x = right - d
                a += x
                a2 += x * x
            if j > 0:
                y = d - left
                b += y
                b2 += y * y
            pos += 1
        cnt[j] = pos - start
        if j < m:
            seg_i[j] = a
            seg_i2[j] = a2
        seg_l[j] = b
        seg_l2[j] = b2
    # forward: leftovers
    s_i = 0.0
    s_i2 = 0.0
    k = 0
    for j in range(m):
        if j > 0:
            delta = sorted_qs[j] - sorted_qs[j - 1]
            s_i2 = s_i2 + 2.0 * delta * s_i + k * delta * delta
            s_i = s_i + k * delta
        s_i += seg_i[j]
        s_i2 += seg_i2[j]
        k += cnt[j]
        out[0, j] = s_i
        out[1, j] = s_i2
    # backward: shortages (samples above q_j)
    s_l = 0.0
    s_l2 = 0.0
    above = 0
    for j in range(m - 1, -1, -1):
        if j < m - 1:
            delta = sorted_qs[j + 1] - sorted_qs[j]
            s_l2 = s_l2 + 2.0 * delta * s_l + above * delta * delta
            s_l = s_l + above * delta
        s_l += seg_l[j + 1]
        s_l2 += seg_l2[j + 1]
        above += cnt[j + 1]
        out[2, j] = s_l
        out[3, j] = s_l2
