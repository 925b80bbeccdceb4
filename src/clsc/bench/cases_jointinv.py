"""Joint inventory (seed 000, spec 4.5/4.9 defaults): the two-stage SAA built from arrays vs
pyomo, all coalition costs from one re-used program vs rebuilt, and the numba recourse
evaluator vs the recourse LP per scenario.

* ``jointinv-saa`` (N = 10,000 scenarios; quick 500): build + solve of the grand coalition's
  extensive form, pyomo-built (solved through ``appsi_highs``; baseline) vs array-built
  (:class:`clsc.stochastic.two_stage.TransshipmentSAA`).
* ``jointinv-lshaped`` (N = 40,000; quick 500): the extensive form (array-built) against the
  multi-cut L-shaped decomposition (:func:`clsc.stochastic.two_stage_lshaped.lshaped`, 32
  groups, cuts from the numba recourse evaluator).
* ``jointinv-coalitions`` (N = 4,000; quick 300): all 2^n - 1 coalition costs C_N(S), a new
  program per coalition (baseline) vs one program with bounds changed per coalition.
* ``jointinv-recourse``: the recourse cost of fixed stocks Q, one small LP per scenario
  (re-used program, M = 300 scenarios; quick 40; baseline) vs the numba min-cost-flow
  evaluator on 10^6 scenarios (quick 10^5) whose first M are the LP's; units are scenarios.

Accuracy: an LP's optimal objective is checked against the numba evaluator's exact
in-sample cost c'Q + mean phi(Q, D) at the LP's own Q (and coalition); the recourse paths
against one LP holding all M scenarios at the fixed Q (relative differences, 1 + |value|).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, counted, register


def _problem():
    from clsc.models.joint_inventory.problem import SPEC, build_problem

    values, _ = SPEC.resolve({})
    return build_problem(values)


def _saa_setup(quick: bool):
    problem = _problem()
    n = 500 if quick else 10_000
    return SimpleNamespace(costs=problem.costs, sample=problem.sample(n, np.random.default_rng(1)))


def _pyomo(s):
    from clsc.stochastic.two_stage_pyomo import saa_model, solve_pyomo

    full = np.ones(s.costs.n, dtype=bool)
    obj, q = solve_pyomo(saa_model(s.costs, s.sample, full))
    return obj, np.array([q[j] for j in sorted(q)]), None


def _arrays(s):
    from clsc.stochastic.two_stage import TransshipmentSAA

    sol = TransshipmentSAA(s.costs, s.sample).solve()
    return sol.objective, sol.Q, None


def _check(costs, sample, objective, q, members) -> float:
    from clsc.stochastic.two_stage_eval import evaluate

    exact = evaluate(costs, q, sample, members).mean
    return abs(objective - exact) / (1.0 + abs(exact))


def _saa_error(s, out) -> float:
    objective, q, members = out
    return _check(s.costs, s.sample, objective, q, members)


def _coalition_setup(quick: bool):
    from clsc.models.joint_inventory.problem import all_coalitions

    problem = _problem()
    n = 300 if quick else 4_000
    sample = problem.sample(n, np.random.default_rng(2))
    return SimpleNamespace(costs=problem.costs, sample=sample,
                           coalitions=all_coalitions(problem.costs.n))  # fmt: skip


def _reuse(s):
    from clsc.stochastic.two_stage import TransshipmentSAA

    saa = TransshipmentSAA(s.costs, s.sample)
    return [(c, saa.solve(c)) for c in s.coalitions]


def _rebuild(s):
    from clsc.stochastic.two_stage import TransshipmentSAA

    return [(c, TransshipmentSAA(s.costs, s.sample).solve(c)) for c in s.coalitions]


def _coalition_error(s, out) -> float:
    return max(_check(s.costs, s.sample, sol.objective, sol.Q, c) for c, sol in out)


def _recourse_setup(quick: bool):
    from clsc.stochastic.two_stage import TransshipmentSAA

    problem = _problem()
    m, big = (40, 100_000) if quick else (300, 1_000_000)
    costs = problem.costs
    q = TransshipmentSAA(costs, problem.sample(500, np.random.default_rng(3))).solve().Q
    many = problem.sample(big, np.random.default_rng(4))
    ref = TransshipmentSAA(costs, many[:m]).fixed_cost(q)
    return SimpleNamespace(costs=costs, q=q, many=many, m=m, big=big, ref=ref,
                           one=TransshipmentSAA(costs, many[:1]))  # fmt: skip


def _lp_per_scenario(s):
    values = []
    for w in range(s.m):
        s.one.set_demand(s.many[w : w + 1])
        values.append(s.one.fixed_cost(s.q))
    return float(np.mean(values))


def _numba(s):
    from clsc.stochastic.two_stage import member_mask
    from clsc.stochastic.two_stage_eval import recourse

    share, _ = recourse(s.costs, s.q, s.many, member_mask(s.costs.n, None))
    total = share.sum(axis=1)
    return float(s.costs.c @ s.q + total[: s.m].mean())


def _recourse_error(s, out) -> float:
    return abs(out - s.ref) / (1.0 + abs(s.ref))


def _lshaped_setup(quick: bool):
    s = _saa_setup(quick)
    if not quick:
        s.sample = _problem().sample(40_000, np.random.default_rng(5))
    return s


def _extensive(s):
    out = _arrays(s)
    s.ref = out[0]
    return out


def _lshaped(s):
    from clsc.stochastic.two_stage_lshaped import lshaped

    res = lshaped(s.costs, s.sample, groups=32)
    return res.objective, res.Q, None


def _vs_extensive(s, out) -> float:
    return abs(out[0] - s.ref) / (1.0 + abs(s.ref))


def _n(s) -> str:
    return f"N={s.sample.shape[0]:,} scenarios, {s.costs.n} nodes"


register(
    Group(
        "jointinv-saa",
        setup=_saa_setup,
        cases=(
            Case("pyomo-built LP", _pyomo, _saa_error, note=_n, warmup=False),
            Case("array-built LP", _arrays, _saa_error),
        ),
        baseline="pyomo-built LP",
        accuracy="rel. diff of the objective vs numba evaluation of its own Q",
        doc="two-stage SAA of the grand coalition, build + solve",
        tolerance=1e-7,
    )
)
register(
    Group(
        "jointinv-lshaped",
        setup=_lshaped_setup,
        cases=(
            Case("extensive form (array-built LP)", _extensive, _saa_error, note=_n),
            Case(
                "L-shaped (numba recourse cuts)",
                _lshaped,
                _vs_extensive,
                accuracy="rel. diff of the objective vs the extensive form's optimum",
            ),
        ),
        baseline="extensive form (array-built LP)",
        accuracy="rel. diff of the objective vs numba evaluation of its own Q",
        doc="decomposition vs extensive form, grand coalition",
        tolerance=1e-7,
    )
)
register(
    Group(
        "jointinv-coalitions",
        setup=_coalition_setup,
        cases=(
            Case(
                "rebuild per coalition",
                _rebuild,
                _coalition_error,
                note=_n,
                **counted("coalitions"),
                warmup=False,
            ),
            Case("one program re-used", _reuse, _coalition_error, **counted("coalitions")),
        ),
        baseline="rebuild per coalition",
        accuracy="max rel. diff of C_N(S) vs numba evaluation of its own Q",
        doc="all 2^n - 1 coalition costs",
        tolerance=1e-7,
    )
)
register(
    Group(
        "jointinv-recourse",
        setup=_recourse_setup,
        cases=(
            Case("LP per scenario", _lp_per_scenario, _recourse_error, **counted("m", "scenarios")),
            Case("numba evaluator", _numba, _recourse_error, **counted("big", "scenarios", ",")),
        ),
        baseline="LP per scenario",
        accuracy="rel. diff of c'Q + mean recourse (first M scenarios) vs one LP at fixed Q",
        doc="recourse cost of fixed stocks",
        goal="numba agrees with the LP to 1e-9",
        tolerance=1e-9,
    )
)
