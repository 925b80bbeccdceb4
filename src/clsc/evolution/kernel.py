"""Numba RK4 kernels for matrix games: every start integrated in its own loop, in parallel.

Arrays in, a preallocated ``out`` written; validation lives in :mod:`.basin`. The field is the
replicator field of :mod:`.replicator` (normalised mean fitness, so share sums are invariant):
one population ``f = A x``; two populations ``f^1 = A y``, ``f^2 = B^T x``. The step schedule is
``n_steps`` steps of ``step``, the last one of ``last`` (so the end time is exact).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _pop_field(x, f, out, lo, hi):
    """``out_i = x_i (f_i - sum_j x_j f_j / sum_j x_j)`` for ``lo <= i < hi``."""
    s = 0.0
    w = 0.0
    for i in range(lo, hi):
        s += x[i] * f[i]
        w += x[i]
    phi = s / w
    for i in range(lo, hi):
        out[i] = x[i] * (f[i] - phi)


@njit(cache=True)
def _field(A, B, m1, z, f, out):
    """Field of the flat state ``z``; ``m1 = dim`` means one population (B unused)."""
    dim = z.shape[0]
    if m1 == dim:
        for i in range(dim):
            acc = 0.0
            for j in range(dim):
                acc += A[i, j] * z[j]
            f[i] = acc
        _pop_field(z, f, out, 0, dim)
        return
    m2 = dim - m1
    for i in range(m1):
        acc = 0.0
        for j in range(m2):
            acc += A[i, j] * z[m1 + j]
        f[i] = acc
    for j in range(m2):
        acc = 0.0
        for i in range(m1):
            acc += B[i, j] * z[i]
        f[m1 + j] = acc
    _pop_field(z, f, out, 0, m1)
    _pop_field(z, f, out, m1, dim)


@njit(cache=True, parallel=True)
def rk4_matrix(A, B, m1, starts, step, n_steps, last, out):
    """Integrate every row of ``starts`` (``(m, dim)``) and write the final states to ``out``."""
    m, dim = starts.shape
    for s in prange(m):
        z = starts[s].copy()
        f = np.empty(dim)
        k1 = np.empty(dim)
        k2 = np.empty(dim)
        k3 = np.empty(dim)
        k4 = np.empty(dim)
        tmp = np.empty(dim)
        for n in range(n_steps):
            h = step if n < n_steps - 1 else last
            _field(A, B, m1, z, f, k1)
            for i in range(dim):
                tmp[i] = z[i] + 0.5 * h * k1[i]
            _field(A, B, m1, tmp, f, k2)
            for i in range(dim):
                tmp[i] = z[i] + 0.5 * h * k2[i]
            _field(A, B, m1, tmp, f, k3)
            for i in range(dim):
                tmp[i] = z[i] + h * k3[i]
            _field(A, B, m1, tmp, f, k4)
            for i in range(dim):
                z[i] += (h / 6.0) * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
        for i in range(dim):
            out[s, i] = z[i]


@njit(cache=True, parallel=True)
def rk4_2x2(a0, a1, b0, b1, starts, step, n_steps, last, out):
    """2x2 bimatrix games in the shares ``(x, y)`` of strategy 0 (rows of ``starts``):
    ``dx/dt = x(1-x)(a0 + a1 y)``, ``dy/dt = y(1-y)(b0 + b1 x)`` (spec 4.7's form)."""
    for s in prange(starts.shape[0]):
        x = starts[s, 0]
        y = starts[s, 1]
        for n in range(n_steps):
            h = step if n < n_steps - 1 else last
            kx1 = x * (1.0 - x) * (a0 + a1 * y)
            ky1 = y * (1.0 - y) * (b0 + b1 * x)
            x2 = x + 0.5 * h * kx1
            y2 = y + 0.5 * h * ky1
            kx2 = x2 * (1.0 - x2) * (a0 + a1 * y2)
            ky2 = y2 * (1.0 - y2) * (b0 + b1 * x2)
            x3 = x + 0.5 * h * kx2
            y3 = y + 0.5 * h * ky2
            kx3 = x3 * (1.0 - x3) * (a0 + a1 * y3)
            ky3 = y3 * (1.0 - y3) * (b0 + b1 * x3)
            x4 = x + h * kx3
            y4 = y + h * ky3
            kx4 = x4 * (1.0 - x4) * (a0 + a1 * y4)
            ky4 = y4 * (1.0 - y4) * (b0 + b1 * x4)
            x += (h / 6.0) * (kx1 + 2.0 * kx2 + 2.0 * kx3 + kx4)
            y += (h / 6.0) * (ky1 + 2.0 * ky2 + 2.0 * ky3 + ky4)
        out[s, 0] = x
        out[s, 1] = y
