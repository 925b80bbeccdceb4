"""Single-mover optimisers of the numeric game method.

* :func:`newton1` / :func:`newton`: projected Newton with backtracking on a mover's own
  variables (analytic gradient and Hessian) for the last stage;
* :func:`polish`: projected finite-difference Newton for an earlier-stage mover whose objective
  re-solves the later stages (exact for quadratic objectives, bounds as active sets);
* helpers: starting points, divergence checks (:class:`Unbounded`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from clsc.errors import SolverError

HUGE = 1e8  # |variable| beyond HUGE * scale (for an unbounded variable) means divergence


def scale_of(*values) -> float:
    """The problem's scale: 1 + the largest finite magnitude among ``values`` (numbers/arrays).

    Divergence is judged relative to it, so a problem whose parameters are large (``a = 3e8``)
    is not mistaken for a diverging one.
    """
    out = 1.0
    for v in values:
        a = np.abs(np.asarray(v, dtype=float))
        a = a[np.isfinite(a)]
        if a.size:
            out = max(out, 1.0 + float(a.max()))
    return out


class Unbounded(SolverError):
    """A mover's problem has no maximum (its profit grows without bound)."""


@dataclass(frozen=True)
class Mover:
    """One mover's compiled problem: own-variable positions, bounds, objective and derivatives."""

    name: str
    stage: int
    idx: np.ndarray  # positions of own variables in the variable vector
    lower: np.ndarray
    upper: np.ndarray
    f: object
    grad: object
    hess: object
    d1: object = None  # scalar first and second derivative (one-variable movers)
    d2: object = None
    quadratic: bool = False  # Hessian in own variables is constant
    start: np.ndarray | None = None  # declared (or default) starting point
    gfull: object = None  # gradient of the objective in every variable
    jac: object = None  # Jacobian of the own-variable gradient in every variable


def newton1(m: Mover, x: np.ndarray, p: list[float], z: float) -> bool:
    """Projected Newton for a one-variable concave problem (plain floats)."""
    i = int(m.idx[0])
    lo, hi = float(m.lower[0]), float(m.upper[0])
    y = [float(v) for v in x]

    def f(v: float) -> float:
        y[i] = v
        return m.f(*y, *p)

    for _ in range(100):
        y[i] = z
        g, h = m.d1(*y, *p), m.d2(*y, *p)
        if not h < 0 and m.quadratic and math.isinf(lo) and math.isinf(hi):
            raise Unbounded(
                f"{m.name}'s problem is unbounded: its profit is not concave in its own variable"
            )
        if (z <= lo and g < 0) or (z >= hi and g > 0) or g == 0:
            if not h < 0:
                return False
            break
        f0 = f(z)
        # Newton decrement below the rounding of f: the last step (a value test would be
        # decided by rounding)
        if h < 0 and g * g / -h <= 1e-15 * (1 + abs(f0)):
            z = min(max(z - g / h, lo), hi)
            break
        # Newton step where concave, else an ascent step of the size of z (halved below)
        step = -g / h if h < 0 else math.copysign(max(abs(z), 1.0), g)
        accepted = False
        for _ in range(40):
            zn = min(max(z + step, lo), hi)
            if f(zn) >= f0:
                accepted = True
                break
            step /= 2
        if not accepted:
            return False
        z = zn
        if abs(z) > HUGE and abs(z) > HUGE * scale_of(p, y[:i], y[i + 1 :]):
            raise Unbounded(f"{m.name}'s problem is unbounded (variables diverge)")
    else:
        return False
    x[i] = z
    return True


def newton(m: Mover, x: np.ndarray, p: list[float], z: np.ndarray, val) -> bool:
    """Projected Newton with backtracking for a concave problem (active bounds fixed)."""
    y = x.copy()
    for _ in range(60):
        y[m.idx] = z
        g = np.asarray(m.grad(*y, *p), dtype=float).ravel()
        H = np.atleast_2d(np.asarray(m.hess(*y, *p), dtype=float))
        free = ~(((z <= m.lower) & (g < 0)) | ((z >= m.upper) & (g > 0)))
        if not free.any() or np.max(np.abs(g[free])) == 0.0:
            break
        Hf = H[np.ix_(free, free)]
        try:
            np.linalg.cholesky(-Hf)
        except np.linalg.LinAlgError:
            open_box = ~np.isfinite(m.lower[free]) & ~np.isfinite(m.upper[free])
            if m.quadratic and open_box.all():
                raise Unbounded(
                    f"{m.name}'s problem is unbounded: its profit is not concave in "
                    f"its own variables (Hessian not negative definite)"
                ) from None
            return False
        step = np.zeros_like(z)
        step[free] = np.linalg.solve(Hf, -g[free])
        if g[free] @ step[free] <= 1e-22 * (1 + abs(val(z))):  # Newton decrement
            z = np.clip(z + step, m.lower, m.upper)
            break
        f0, t = val(z), 1.0
        while t > 1e-10:
            zn = np.clip(z + t * step, m.lower, m.upper)
            if val(zn) >= f0 - 1e-13 * (1 + abs(f0)):
                break
            t /= 2
        else:
            return False
        z = zn
        if np.max(np.abs(z)) > HUGE and np.max(np.abs(z)) > HUGE * scale_of(p, np.delete(x, m.idx)):
            raise Unbounded(f"{m.name}'s problem is unbounded (variables diverge)")
    x[m.idx] = z
    return True


def polish(neg, z: np.ndarray, m: Mover) -> tuple[np.ndarray, bool]:
    """Projected finite-difference Newton steps (exact for quadratic objectives).

    Derivatives are taken at ``z`` moved just inside the bounds; coordinates whose Newton
    point falls outside their bounds are fixed there and the others re-solved. Returns the
    point and whether the steps converged (last step negligible, Hessian positive definite).
    """
    lo, hi = m.lower, m.upper
    f0 = neg(z)
    for _ in range(10):
        h = 1e-5 * (1 + np.abs(z))
        roomy = hi - lo > 4 * h
        c = np.where(roomy, np.clip(z, lo + h, hi - h), z)
        g, H = fd_derivatives(neg, c, h)
        try:
            np.linalg.cholesky(H)
            zn = c - np.linalg.solve(H, g)
            for _ in range(len(z)):
                out = (zn < lo) | (zn > hi)
                if not out.any():
                    break
                fixed = np.clip(zn, lo, hi)
                free = ~out
                zn = fixed.copy()
                if free.any():
                    rhs = g[free] + H[np.ix_(free, ~free)] @ (fixed[~free] - c[~free])
                    zn[free] = c[free] - np.linalg.solve(H[np.ix_(free, free)], rhs)
        except np.linalg.LinAlgError:
            return z, False
        zn = np.clip(zn, lo, hi)
        small = np.max(np.abs(zn - z)) < 1e-8 * (1 + np.max(np.abs(z)))
        fn = neg(zn)
        if not fn <= f0 + 1e-12 * (1 + abs(f0)):
            return z, small
        done = np.max(np.abs(zn - z)) < 1e-12 * (1 + np.max(np.abs(z)))
        z, f0 = zn, fn
        if done or small:
            return z, True
    return z, False


def fd_derivatives(f, z: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central finite-difference gradient and Hessian of ``f`` at ``z`` with steps ``h``."""
    n = len(z)
    f0 = f(z)
    g, H = np.zeros(n), np.zeros((n, n))
    eye = np.diag(h)
    for i in range(n):
        fp, fm = f(z + eye[i]), f(z - eye[i])
        g[i] = (fp - fm) / (2 * h[i])
        H[i, i] = (fp - 2 * f0 + fm) / h[i] ** 2
        for j in range(i):
            H[i, j] = H[j, i] = (
                f(z + eye[i] + eye[j])
                - f(z + eye[i] - eye[j])
                - f(z - eye[i] + eye[j])
                + f(z - eye[i] - eye[j])
            ) / (4 * h[i] * h[j])
    return g, H


def initial(v) -> float:
    if v.start is not None:
        return float(v.start)
    lo, hi = v.enforced("lower"), v.enforced("upper")
    if lo is not None and hi is not None:
        return 0.5 * (lo + hi)
    if lo is not None:
        return lo + 1.0
    if hi is not None:
        return hi - 1.0
    return 1.0


def starts(lower: np.ndarray, upper: np.ndarray, current: np.ndarray) -> list[np.ndarray]:
    """Multi-start points: the current point and a few scales inside the bounds."""
    out = [np.clip(np.where(np.isfinite(current), current, 1.0), lower, upper)]
    box = np.isfinite(lower) & np.isfinite(upper)
    for frac, scale in ((0.25, 10.0), (0.75, 100.0)):
        z = np.full(lower.shape, scale)
        z[box] = lower[box] + frac * (upper[box] - lower[box])
        only_lo = np.isfinite(lower) & ~box
        only_hi = np.isfinite(upper) & ~box
        z[only_lo] = lower[only_lo] + scale
        z[only_hi] = upper[only_hi] - scale
        out.append(z)
    return out


def check_bounded(m: Mover, z: np.ndarray, value: float, scale: float = 1.0) -> None:
    """Raise :class:`Unbounded` if ``z`` or ``value`` is not finite or ``z`` runs beyond
    ``HUGE * scale`` in an unbounded coordinate."""
    unb = ~np.isfinite(m.lower) | ~np.isfinite(m.upper)
    far = np.any(np.abs(z[unb]) > HUGE * scale)
    if not np.all(np.isfinite(z)) or far or not np.isfinite(value):
        raise Unbounded(f"{m.name}'s problem is unbounded (no maximum; profit grows without bound)")


def solve_small(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a^-1 b`` (a plain division for a 1 x 1 ``a``: no LAPACK call overhead)."""
    if a.shape == (1, 1):
        if a[0, 0] == 0:
            raise np.linalg.LinAlgError("Singular matrix")
        return b / a[0, 0]
    return np.linalg.solve(a, b)


def response_slopes(jac_rows: np.ndarray, free_cols: np.ndarray, leader: np.ndarray) -> np.ndarray:
    """Derivatives of the followers' free variables in the leader's (implicit functions).

    The followers' first-order conditions ``F(z, y) = 0`` (rows: each follower's gradient in its
    own free variables) give ``dy/dz = -(dF/dy)^-1 dF/dz`` where ``dF/dy`` is invertible.
    """
    return -solve_small(jac_rows[:, free_cols], jac_rows[:, leader])


def _negative_definite(h: np.ndarray) -> bool:
    if h.shape == (1, 1):
        return bool(h[0, 0] < 0)
    try:
        np.linalg.cholesky(-h)
    except np.linalg.LinAlgError:
        return False
    return True


def reduced_newton(
    vg, z: np.ndarray, m: Mover, constant_hessian: bool, known=()
) -> tuple[np.ndarray, bool, float]:
    """Projected Newton ascent of a leader's reduced objective ``V(z) = f(z, y(z))``.

    ``vg(z) -> (V, dV/dz)`` re-solves the followers and returns the total gradient (from the
    implicit-function theorem). The Hessian of ``V`` is the forward-difference Jacobian of that
    gradient, computed once when ``constant_hessian`` (a quadratic game) and otherwise updated
    by BFGS along the steps (recomputed where the curvature condition fails, and at the end
    for the second-order check). Bounds are active sets as in :func:`polish`. Returns the
    point, whether it converged to a strict local maximum (Hessian negative definite on the
    free coordinates) and ``V`` there. An iterate within 1e-7 (relative) of one of the
    ``known`` maxima ``(z, V)`` (of earlier starts) ends there.
    """
    lo, hi = m.lower, m.upper
    v, g = vg(z)
    H, fresh = fd_jacobian(vg, z, g, lo, hi), True
    for _ in range(60):
        free = ~(((z <= lo) & (g < 0)) | ((z >= hi) & (g > 0)))
        if not free.any():
            return z, True, v
        if not _negative_definite(H[np.ix_(free, free)]):
            if fresh or constant_hessian:
                return z, False, v
            H, fresh = fd_jacobian(vg, z, g, lo, hi), True
            continue
        step = np.zeros_like(z)
        step[free] = solve_small(H[np.ix_(free, free)], -g[free])
        # a short step whose predicted gain is below the rounding of V is taken without the
        # value test (which rounding would decide)
        tiny = 0.5 * float(g[free] @ step[free]) <= 1e-12 * (1 + abs(v)) and np.max(
            np.abs(step)
        ) <= 1e-6 * (1 + np.max(np.abs(z)))
        t = 1.0
        while True:
            zn = np.clip(z + t * step, lo, hi)
            vn, gn = vg(zn)
            if tiny or vn >= v - 1e-13 * (1 + abs(v)) or t < 1e-6:
                break
            t /= 2
        if not (tiny or vn >= v - 1e-13 * (1 + abs(v))):
            if fresh or constant_hessian:
                return z, False, v
            H, fresh = fd_jacobian(vg, z, g, lo, hi), True
            continue
        s_, y_ = zn - z, gn - g
        z, v, g = zn, vn, gn
        fresh = False
        for zk, vk in known:
            if np.max(np.abs(z - zk)) <= 1e-7 * (1 + np.max(np.abs(zk))):
                return zk, True, vk
        if np.max(np.abs(s_)) <= 1e-10 * (1 + np.max(np.abs(z))):
            if not constant_hessian:  # the second-order condition at the point itself
                H = fd_jacobian(vg, z, g, lo, hi)
                free = ~(((z <= lo) & (g < 0)) | ((z >= hi) & (g > 0)))
                if free.any() and not _negative_definite(H[np.ix_(free, free)]):
                    return z, False, v
            return z, True, v
        if not constant_hessian:
            H = _bfgs(H, s_, y_)
            if H is None:
                H, fresh = fd_jacobian(vg, z, g, lo, hi), True
    return z, False, v


def _bfgs(H: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """BFGS update of a negative definite Hessian estimate after a step ``s`` that changed
    the gradient by ``y``; None where the curvature condition ``y.s < 0`` fails."""
    ys = float(y @ s)
    hs = H @ s
    shs = float(s @ hs)
    if not (ys < 0 and shs < 0):
        return None
    return H - np.outer(hs, hs) / shs + np.outer(y, y) / ys


def fd_jacobian(vg, z: np.ndarray, g: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Forward-difference Jacobian of the gradient returned by ``vg`` (symmetrised)."""
    n = len(z)
    H = np.empty((n, n))
    for i in range(n):
        h = 1e-6 * (1 + abs(z[i]))
        if z[i] + h > hi[i]:
            h = -h
        zi = z.copy()
        zi[i] += h
        H[:, i] = (vg(zi)[1] - g) / h
    return 0.5 * (H + H.T)
