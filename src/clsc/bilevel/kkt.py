"""Big-M KKT reformulation (single level, a HiGHS MILP for linear leaders).

The follower's problem ``min_y 0.5 y'Qy + (c + Dx)'y  s.t.  A x + B y <= b`` (``Q`` PSD) is
replaced by its KKT conditions, which are necessary (linear constraints) and sufficient
(convexity)::

    K v + B' lambda = -c                  (stationarity, K = [D Q], v = (x, y))
    s = b - A x - B y >= 0, lambda >= 0   (primal and dual feasibility)
    lambda_i <= M^lambda_i z_i,  s_i <= M^s_i (1 - z_i),  z_i in {0, 1}   (complementarity)

Every ``M`` comes from :mod:`clsc.bilevel.bounds` (HPR slack bounds; LP / vertex multiplier
bounds). Rows whose slack is always 0 need no binary; rows whose multiplier bound is 0 fix
``lambda_i = 0``. The leader minimises ``h'v`` over this set, subject to its own rows.
"""

from __future__ import annotations

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.milp import Builder, affine, solve_milp
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome

TOL = 1e-9


def base_program(sf: StandardForm, bounds: Bounds) -> tuple[Builder, np.ndarray]:
    """Columns ``v`` (HPR bounds, integrality, cost ``h``), the leader's and the follower's
    rows; returns the builder and the column indices of ``v``."""
    b = Builder()
    v = b.add_cols(sf.n + sf.m, bounds.v_lo, bounds.v_hi, sf.integer, sf.h)
    for row, rhs in zip(sf.G, sf.g, strict=True):
        b.add_row(affine(v, row), upper=rhs)
    for row, rhs in zip(np.hstack([sf.A, sf.B]), sf.b, strict=True):
        b.add_row(affine(v, row), upper=rhs)
    return b, v


def multipliers(b: Builder, sf: StandardForm, bounds: Bounds, v: np.ndarray) -> np.ndarray:
    """Columns ``lambda >= 0`` (bounded by ``bounds.lam_max``) and the stationarity rows
    ``K v + B' lambda = -c``."""
    lam = b.add_cols(len(sf.b), 0.0, bounds.lam_max)
    for k in range(sf.m):
        coef = affine(v, sf.K[k])
        coef.update(affine(lam, sf.B[:, k]))
        b.add_row(coef, -sf.c[k], -sf.c[k])
    return lam


def build_program(sf: StandardForm, bounds: Bounds) -> Builder:
    """The MILP; ``bounds.lam_max`` / ``bounds.s_max`` are the big-M constants used."""
    b, v = base_program(sf, bounds)
    lam = multipliers(b, sf, bounds, v)
    AB = np.hstack([sf.A, sf.B])
    for i in range(len(sf.b)):
        M_lam, M_s = bounds.lam_max[i], bounds.s_max[i]
        if not (M_s > TOL and M_lam > TOL):
            continue
        z = int(b.add_cols(1, 0.0, 1.0, True)[0])
        b.add_row({int(lam[i]): 1.0, z: -M_lam}, upper=0.0)  # lambda_i <= M z
        coef = affine(v, -AB[i])  # s_i = b_i - AB_i v <= M_s (1 - z)
        coef[z] = M_s
        b.add_row(coef, upper=M_s - sf.b[i])
    return b


def solve_kkt_bigm(sf: StandardForm, bounds: Bounds, time_limit: float | None = None) -> Outcome:
    """Solve the big-M KKT MILP; the caller checks ``bounds.proven`` first."""
    if sf.leader_quadratic:
        raise ValueError("kkt-bigm needs a linear leader objective (HiGHS has no MIQP)")
    return solve_milp(build_program(sf, bounds), sf.n + sf.m, time_limit)
