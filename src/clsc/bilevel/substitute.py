"""The leader's objective over ``(v, lambda)`` with its bilinear term replaced through duality.

Toll setting (Labbé, Marcotte & Savard 1998, Management Science 44(12)) is the standard case:
the leader's revenue ``x'y`` is bilinear, but at the follower's optimum it equals the follower's
dual objective minus the toll-free part of the follower's cost, which is linear. In general,
let the follower be ``min_y 0.5 y'Qy + (c + D x)'y  s.t.  B y <= b`` with **no leader variable
in its rows** (``A = 0``). At every KKT point (stationarity ``D x + Q y + c + B' lambda = 0``,
complementarity ``lambda'(b - B y) = 0``)::

    y'D x = -y'(Q y + c + B' lambda) = -y'Q y - c'y - b'lambda.

If the leader's bilinear block is a multiple of the follower's, ``H_yx = mu D``, the leader's
``F = 0.5 v'Hv + h'v`` equals, on the KKT set,

    F~(v, lambda) = 0.5 x'H_xx x + 0.5 y'(H_yy - 2 mu Q) y + h'v - mu c'y - mu b'lambda,

with no bilinear ``x``-``y`` term. ``F~ = F`` wherever the complementarity holds, so the minimum
of ``F~`` over a relaxation of a branch-and-bound node (complementarity dropped on some rows) is
a valid lower bound for the bilevel-feasible points of the node, and at a complementary point
the two agree. The substitution is used only when it makes the objective convex.

>>> import numpy as np
>>> from clsc.bilevel.problem import BilevelProblem
>>> data = {"leader": {"vars": ["x"], "objective": "-x*y2", "constraints": ["x >= 0"]},
...         "follower": {"vars": ["y1", "y2"], "objective": "4*y1 + (x + 1)*y2",
...                      "constraints": ["y1 + y2 == 1", "y1 >= 0", "y2 >= 0"]}}
>>> sf = BilevelProblem.from_dict(data).standard_form()
>>> P, q = substituted_objective(sf)
>>> bool(np.any(P)), q.tolist()  # F~ = 4 y1 + y2 + lambda_1 - lambda_2 (mu = -1): linear
(False, [0.0, 4.0, 1.0, 1.0, -1.0, 0.0, 0.0])
"""

from __future__ import annotations

import numpy as np

from clsc.bilevel.problem import StandardForm

TOL = 1e-12


def duality_multiple(sf: StandardForm) -> float | None:
    """``mu`` with ``H_yx = mu D`` (leader's and follower's bilinear blocks), when the follower's
    rows hold no leader variable; ``None`` when there is no such nonzero ``mu``."""
    n = sf.n
    H_yx, D = sf.H[n:, :n], sf.P[n:, :n]
    if not (np.any(H_yx) and np.any(D)) or np.any(sf.A):
        return None
    mu = float(np.sum(H_yx * D) / np.sum(D * D))
    scale = max(1.0, float(np.abs(H_yx).max()))
    if np.abs(H_yx - mu * D).max() > TOL * scale or mu == 0.0:
        return None
    return mu


def substituted_objective(sf: StandardForm) -> tuple[np.ndarray, np.ndarray] | None:
    """``(P, q)`` of ``F~ = 0.5 z'Pz + q'z`` over ``z = (v, lambda)`` (see the module
    docstring), or ``None`` when the substitution does not apply or leaves ``P`` non-convex."""
    mu = duality_multiple(sf)
    if mu is None:
        return None
    n, N, p = sf.n, sf.n + sf.m, len(sf.b)
    P = np.zeros((N + p, N + p))
    P[:n, :n] = sf.H[:n, :n]
    P[n:N, n:N] = sf.H[n:, n:] - 2.0 * mu * sf.Q
    if np.linalg.eigvalsh(P[:N, :N]).min(initial=0.0) < -1e-9:
        return None
    q = np.concatenate([sf.h, -mu * sf.b])
    q[n:N] -= mu * sf.c
    return P, q + 0.0  # (no -0.0)
