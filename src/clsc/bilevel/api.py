"""``solve(problem, reformulation)``: bounds, reformulation, verification -> :class:`BilevelResult`.

Reformulations (a registry, selected by name):

* ``auto`` (the CLI's default): ``kkt-bigm`` when the leader is linear and every big-M is
  proven, else ``strong-duality`` where it applies, else ``kkt-branch``; the message says why.
* ``kkt-bigm`` (the API's default): big-M KKT MILP with proven bounds. A quadratic leader
  (HiGHS has no MIQP) or a big-M that cannot be proven finite switches to ``kkt-branch``, and
  the result says so.
* ``strong-duality``: not a general reformulation: linear leader, LP or convex-QP follower
  (QP dual with cutting planes), and every
  leader variable multiplying follower terms (``x'Dy``, ``lambda'A x``) a bounded integer
  (exact binary expansion); refused otherwise, with the reason.
* ``kkt-branch``: branching on the complementarity with LP / convex-QP nodes (no big-M); a
  non-convex quadratic leader is solved piece by piece where it is convex on the piece's
  equality subspace (``not_proven`` if some feasible piece is not; refused if none is).

Parametric-QP followers (terms ``x*y^2``) are solved by :mod:`clsc.bilevel.parametric` under
``kkt-branch`` / ``auto``; ``kkt-bigm`` and ``strong-duality`` refuse them, naming the class.
Problems with integer follower variables are solved by enumeration (``integer-enumeration``)
or, when the leader's range is unbounded or large, by branch-and-bound (``integer-branch``).
Every point found is verified (:mod:`clsc.bilevel.verify`); the status is ``optimal`` only when
the method is exact for the problem as posed *and* the verification passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from clsc.bilevel.bounds import Bounds, compute_bounds
from clsc.bilevel.branch import NonconvexLeader, is_convex, solve_kkt_branch
from clsc.bilevel.duality import build_program as build_strong_duality
from clsc.bilevel.duality import solve_strong_duality
from clsc.bilevel.heuristic import bounds_timed_out
from clsc.bilevel.intbranch import solve_integer
from clsc.bilevel.integer import check_supported, verify_integer
from clsc.bilevel.kkt import solve_kkt_bigm
from clsc.bilevel.parametric import solve_parametric
from clsc.bilevel.problem import BilevelProblem, StandardForm, huge_message
from clsc.bilevel.result import BilevelResult, Outcome
from clsc.bilevel.substitute import substituted_objective
from clsc.bilevel.verify import verify
from clsc.errors import ParameterError
from clsc.results import INFEASIBLE, NOT_PROVEN, OPTIMAL, SOLVER_ERROR, TIME_LIMIT

Method = Callable[[StandardForm, Bounds, dict], tuple[Outcome, str, str]]


def _kkt_branch(sf: StandardForm, bounds: Bounds, opts: dict) -> tuple[Outcome, str, str]:
    out = solve_kkt_branch(sf, bounds, opts.get("node_limit", 50_000), opts.get("time_limit"))
    return out, "kkt-branch", ""


def _kkt_bigm(sf: StandardForm, bounds: Bounds, opts: dict) -> tuple[Outcome, str, str]:
    if sf.leader_quadratic:
        out, _, _ = _kkt_branch(sf, bounds, opts)
        why = "quadratic leader objective: branching over complementarity pieces"
        return out, "kkt-branch", why
    if not bounds.proven:
        rows = np.nonzero(bounds.needs_big_m() & ~np.isfinite(bounds.lam_max + bounds.s_max))[0]
        out, _, _ = _kkt_branch(sf, bounds, opts)
        why = (f"no finite big-M can be proven for follower row(s) {rows.tolist()}; "
               "solved by branching on the complementarity instead")  # fmt: skip
        return out, "kkt-branch", why
    return solve_kkt_bigm(sf, bounds, opts.get("time_limit")), "kkt-bigm", ""


def _strong_duality(sf: StandardForm, bounds: Bounds, opts: dict) -> tuple[Outcome, str, str]:
    return solve_strong_duality(sf, bounds, opts.get("time_limit")), "strong-duality", ""


def _auto(sf: StandardForm, bounds: Bounds, opts: dict) -> tuple[Outcome, str, str]:
    """Choose: kkt-bigm when every big-M is proven and the leader is linear; else strong
    duality where it applies (linear levels, coupling leader variables bounded integers);
    else kkt-branch. The message says which and why."""
    if sf.leader_quadratic:
        out, used, _ = _kkt_branch(sf, bounds, opts)
        return out, used, "auto: kkt-branch (quadratic leader objective; HiGHS has no MIQP)"
    if bounds.proven:
        out, used, why = _kkt_bigm(sf, bounds, opts)
        return out, used, "auto: kkt-bigm (every big-M proven finite)"
    try:
        build_strong_duality(sf, bounds)
    except ParameterError as exc:
        out, used, _ = _kkt_branch(sf, bounds, opts)
        why = f"auto: kkt-branch (no finite big-M proven; {exc})"
        return out, used, why
    out, used, _ = _strong_duality(sf, bounds, opts)
    return out, used, "auto: strong-duality (no finite big-M proven; strong duality applies)"


REFORMULATIONS: dict[str, Method] = {
    "auto": _auto,
    "kkt-bigm": _kkt_bigm,
    "strong-duality": _strong_duality,
    "kkt-branch": _kkt_branch,
}


def solve(
    problem: BilevelProblem,
    reformulation: str = "kkt-bigm",
    *,
    time_limit: float | None = None,
    node_limit: int = 50_000,
) -> BilevelResult:
    """Solve ``problem`` exactly (optimistic semantics) and verify the answer.

    ``time_limit`` (seconds) covers the whole solve, bound tightening included; when it is
    reached the status is ``time_limit``, with the best verified point found (if any) and,
    where a lower bound is known, the relative gap (``info["gap"]``)."""
    if reformulation not in REFORMULATIONS:
        raise ParameterError(
            "reformulation", f"must be one of {', '.join(REFORMULATIONS)}", reformulation
        )
    start = time.perf_counter()
    huge = problem.huge_coefficient()
    if huge is not None:  # (files refuse this when read; a sympy-built problem gets a status)
        return _result(None, SOLVER_ERROR, None, reformulation, huge_message(*huge), {}, 0.0)
    sf = problem.standard_form()
    convex = is_convex(sf.H) or (  # or convex once the bilinear term is substituted
        not problem.follower_integer and substituted_objective(sf) is not None
    )
    if not convex and (np.any(sf.integer) or reformulation == "strong-duality"):
        raise ParameterError(
            "leader.objective",
            message=f"the leader's quadratic objective is not convex ({problem.leader_sense} "
            f"{problem.leader_obj}); with integer variables or strong-duality clsc proves "
            "optima only for convex leader objectives",
        )
    if problem.follower_integer and sf.T is None:
        check_supported(sf)
    deadline = None if time_limit is None else start + time_limit  # covers the bounds too
    bounds = compute_bounds(sf, deadline=deadline)
    left = None if deadline is None else max(deadline - time.perf_counter(), 1e-6)
    info: dict = {}
    if bounds.hpr_status == TIME_LIMIT:
        out, used, why = bounds_timed_out(sf, bounds, time_limit), reformulation, ""
    elif bounds.hpr_status == INFEASIBLE:
        out, used, why = (
            Outcome(INFEASIBLE),
            reformulation,
            "the high-point relaxation is infeasible",
        )
    elif bounds.hpr_status != OPTIMAL:
        out, used, why = Outcome(SOLVER_ERROR), reformulation, "HiGHS failed on the relaxation"
    elif sf.T is not None:  # parametric-QP follower (x*y^2 terms): clsc.bilevel.pqp
        out, used, why = solve_parametric(sf, bounds, reformulation, time_limit, node_limit)
    elif problem.follower_integer:
        out, used, why = solve_integer(sf, bounds, left, node_limit)
    else:
        opts = {"time_limit": left, "node_limit": node_limit}
        try:
            out, used, why = REFORMULATIONS[reformulation](sf, bounds, opts)
        except NonconvexLeader as exc:
            raise ParameterError(
                "leader.objective",
                message=f"the leader's quadratic objective is not convex ({problem.leader_sense} "
                f"{problem.leader_obj}) and {exc}; clsc proves optima only where it is convex",
            ) from None
        info["multiplier_bounds"] = bounds.lam_max.tolist()
        info["slack_bounds"] = bounds.s_max.tolist()
    info.update(out.info)
    if out.status == TIME_LIMIT and left is not None and bounds.hpr_status == OPTIMAL:
        why = "; ".join(s for s in (why, f"time limit {time_limit:g} s, bound tightening took "
                                    f"{time_limit - left:.3g} s of it") if s)  # fmt: skip
    message = "; ".join(s for s in (why, out.message) if s)
    status, v = out.status, out.v
    if v is not None:
        v = np.where(sf.integer, np.round(v), v)
        check = verify_integer(sf, v) if problem.follower_integer else verify(sf, v)
        info["verified"] = check.ok
        if check.ok and check.response is not None:  # polish y: exact LP/QP response at x
            v = np.concatenate([v[: sf.n], check.response])
        if not check.ok and status == TIME_LIMIT:  # show only verified points
            v = None
            message = f"{message}; the best point found failed verification: {check.message}"
        elif not check.ok:
            status = NOT_PROVEN
            message = "; ".join(s for s in (message, f"verification failed: {check.message}") if s)
    return _result(sf, status, v, used, message, info, time.perf_counter() - start)


def _result(sf, status, v, used, message, info, seconds) -> BilevelResult:
    if v is None:
        return BilevelResult(status, {}, {}, None, None, used, seconds, message, info=info)
    names = sf.names
    x = {names[j]: float(v[j]) for j in range(sf.n)}
    y = {names[j]: float(v[j]) for j in range(sf.n, sf.n + sf.m)}
    F = sf.sign_F * sf.leader_value(v)
    f = sf.sign_f * sf.follower_value(v)
    return BilevelResult(status, x, y, F, f, used, seconds, message, info=info)
