"""Big-M KKT reformulation (single level, pyomo, HiGHS MILP for linear leaders).

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
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.pyomo_model import affine, base_model, solve
from clsc.bilevel.result import Outcome

TOL = 1e-9


def build_model(sf: StandardForm, bounds: Bounds):
    """The pyomo MILP; ``bounds.lam_max`` / ``bounds.s_max`` are the big-M constants used."""
    import pyomo.environ as pyo

    m = base_model(sf, bounds)
    p = len(sf.b)
    m.I = pyo.RangeSet(0, p - 1) if p else pyo.Set(initialize=[])

    def _lam_bounds(_, i):
        hi = bounds.lam_max[i]
        return (0.0, float(hi) if np.isfinite(hi) else None)

    m.lam = pyo.Var(m.I, bounds=_lam_bounds)
    big = [i for i in range(p) if bounds.s_max[i] > TOL and bounds.lam_max[i] > TOL]
    m.z = pyo.Var(big, domain=pyo.Binary)
    m.stationarity = pyo.ConstraintList()
    for k in range(sf.m):
        lhs = affine(m.v, sf.K[k]) + sum(
            float(sf.B[i, k]) * m.lam[i] for i in range(p) if sf.B[i, k]
        )
        m.stationarity.add(lhs == -float(sf.c[k]))
    m.comp = pyo.ConstraintList()
    AB = np.hstack([sf.A, sf.B])
    for i in big:
        slack = float(sf.b[i]) - affine(m.v, AB[i])
        m.comp.add(m.lam[i] <= float(bounds.lam_max[i]) * m.z[i])
        m.comp.add(slack <= float(bounds.s_max[i]) * (1 - m.z[i]))
    return m


def solve_kkt_bigm(sf: StandardForm, bounds: Bounds, time_limit: float | None = None) -> Outcome:
    """Solve the big-M KKT MILP; the caller checks ``bounds.proven`` first."""
    if sf.leader_quadratic:
        raise ValueError("kkt-bigm needs a linear leader objective (HiGHS has no MIQP)")
    model = build_model(sf, bounds)
    return solve(model, sf.n + sf.m, time_limit)
