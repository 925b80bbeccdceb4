"""A primal heuristic: the bilevel-feasible point that a leader decision ``x`` leads to.

Given any ``x`` (from a relaxation, a branch-and-bound node, or the high-point relaxation when
the time runs out), integer leader variables are rounded, the follower's LP/QP is re-solved at
``x`` (:func:`clsc.bilevel.verify.follower_response`) and the leader's preferred point among
the follower's optima is taken (:func:`clsc.bilevel.verify.optimistic_response`, which also
imposes the leader's rows). When the leader's rows hold at that point, ``(x, y)`` is bilevel
feasible and ``F(x, y)`` is an upper bound on the optimum: a valid incumbent for a
branch-and-bound, and the best point to show when a time limit stops the search. Continuous
followers only (an integer follower's response is its own MILP, :mod:`clsc.bilevel.integer`).

>>> import numpy as np
>>> from clsc.bilevel.problem import BilevelProblem
>>> data = {"leader": {"vars": ["x"], "objective": "-x - 10*y", "constraints": []},
...         "follower": {"vars": ["y"], "objective": "y", "constraints": [
...             "-25*x + 20*y <= 30", "x + 2*y <= 10", "2*x - y <= 15", "2*x + 10*y >= 15",
...             "x >= 0", "y >= 0"]}}
>>> sf = BilevelProblem.from_dict(data).standard_form()
>>> F, v = response_point(sf, np.array([8.0]))  # Moore & Bard (1990): the optimum
>>> round(F, 9), v.round(9).tolist()
(-18.0, [8.0, 1.0])
"""

from __future__ import annotations

import numpy as np

from clsc.bilevel.bounds import Bounds
from clsc.bilevel.highs import OPTIMAL
from clsc.bilevel.problem import StandardForm
from clsc.bilevel.result import Outcome
from clsc.bilevel.verify import check_rows, follower_response, optimistic_response
from clsc.results import TIME_LIMIT


def response_point(sf: StandardForm, x: np.ndarray) -> tuple[float, np.ndarray] | None:
    """``(F, v)`` of the bilevel-feasible point at leader ``x`` (min form), or ``None`` when
    the follower has no optimum there or the leader's rows fail at every optimal response."""
    x = np.where(sf.integer[: sf.n], np.round(x), np.asarray(x, dtype=float)) + 0.0  # no -0.0
    if not np.all(np.isfinite(x)):
        return None
    follower = follower_response(sf, x)
    if follower.status != OPTIMAL or follower.v is None:
        return None
    best = optimistic_response(sf, x, follower.v)
    if best.status != OPTIMAL or best.v is None:
        return None
    v = np.concatenate([x, best.v])
    if check_rows(sf, v):
        return None
    return sf.leader_value(v), v


def bounds_timed_out(sf: StandardForm, bounds: Bounds, time_limit: float | None) -> Outcome:
    """Status ``time_limit`` when the time ran out while the bounds were computed: the point
    the heuristic finds at the high-point relaxation's ``x`` (if any; the gap is unknown)."""
    found = None
    if bounds.hpr_point is not None and not np.any(sf.integer[sf.n :]):
        found = response_point(sf, bounds.hpr_point[: sf.n])
    shown = "a heuristic point shown, gap unknown" if found else "no point found"
    limit = "" if time_limit is None else f" after {time_limit:g} s"
    return Outcome(TIME_LIMIT, None if found is None else found[1],
                   message=f"gave up{limit} while computing bounds ({shown})")  # fmt: skip
