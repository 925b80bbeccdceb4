"""Brute-force baseline: a grid over the leader's variables, the follower re-solved at each point.

For every ``x`` on a rectangular grid (``points`` per leader variable over the HPR box, or every
integer for integer leader variables) the follower's LP/QP is solved by HiGHS, the optimistic
response is chosen among its optima, and the best leader value is kept. Exact only when the
grid contains an optimal ``x``; used as a cross-check and as the benchmark baseline.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from clsc.bilevel.bounds import compute_bounds
from clsc.bilevel.highs import OPTIMAL
from clsc.bilevel.problem import BilevelProblem
from clsc.bilevel.verify import check_rows, follower_response, optimistic_response
from clsc.errors import ParameterError


def grid_search(problem: BilevelProblem, points: int = 101) -> tuple[float, np.ndarray | None]:
    """``(best F in the problem's sense, v)``; ``(nan, None)`` when no grid point is feasible."""
    sf = problem.standard_form()
    if problem.follower_integer:
        raise ParameterError("integer_vars", message="grid_search handles continuous followers")
    bounds = compute_bounds(sf)
    axes = []
    for j in range(sf.n):
        lo, hi = bounds.v_lo[j], bounds.v_hi[j]
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ParameterError(sf.names[j], message=f"grid_search needs {sf.names[j]} bounded")
        if sf.integer[j]:
            axes.append(np.arange(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1.0))
        else:
            axes.append(np.linspace(lo, hi, points))
    best, best_v = math.inf, None
    for x in itertools.product(*axes):
        x = np.array(x, dtype=float)
        follower = follower_response(sf, x)
        if follower.status != OPTIMAL:
            continue
        response = optimistic_response(sf, x, follower.v)
        if response.status != OPTIMAL:
            continue
        v = np.concatenate([x, response.v])
        if check_rows(sf, v, 1e-7):
            continue
        F = sf.leader_value(v)
        if best > F:
            best, best_v = F, v
    if best_v is None:
        return math.nan, None
    return sf.sign_F * best, best_v
