"""A warm re-solve that HiGHS ends as "unknown" is solved again from scratch."""

from __future__ import annotations

import numpy as np

from clsc.solvers.highs import ParametricProgram, solve
from clsc.solvers.program import LinearProgram


def test_free_column_in_no_row_resolved_after_unbounded_warm_start():
    """Column 1 is free and in no row; minimising +-v_1 is unbounded. HiGHS 1.16 ended these
    warm re-solves with model status kUnknown (a solver_error); each re-solve must give the
    answer of a fresh solve of the same program."""
    A = np.array([[2.0, 0, 0, 0], [1, 0, 0, 1], [0, 0, -1, 0], [0, 0, 0, -1], [0, 0, 1, 0],
                  [0, 0, 0, 1]])  # fmt: skip
    hi = np.array([1.0, 0, 0, 0, 1, 1])
    lp = LinearProgram(np.zeros(4), A, None, hi, -np.inf, np.inf)
    prog = ParametricProgram(lp)
    assert prog.solve()
    for j in range(4):
        for sign in (1.0, -1.0):
            cost = np.zeros(4)
            cost[j] = sign
            prog.set_costs(range(4), cost)
            fresh = solve(LinearProgram(cost, A, None, hi, -np.inf, np.inf))
            assert prog.solve().status == fresh.status
