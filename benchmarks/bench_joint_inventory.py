"""joint-inventory stage 1: SAA build/solve paths, coalition re-use, recourse evaluator, L-shaped.

Run: ``python benchmarks/bench_joint_inventory.py [--sizes 1000,10000,100000]
[--pyomo-max 10000] [--lp-max 10000] [--big 1000000] [--lp-scenarios 300]``.

The extensive form's HiGHS time grows about as N^2 (dual simplex with dense stock columns:
measured 0.9 s CPU at N = 4000, 6.7 s at 10^4; interior point is slower here), so by default
sizes above ``--lp-max`` / ``--pyomo-max`` run only the L-shaped decomposition.

Spec 4.9 defaults (3 nodes, independent normal requirements). Sections, each with its
baseline measured in the same run:

1. Recourse cost of fixed stocks: numba min-cost-flow evaluator on 10^6 scenarios vs the
   recourse LP solved per scenario (HiGHS, a program re-used; ``--lp-scenarios`` of them,
   time per scenario extrapolated) and vs one LP with all 4000 scenarios at fixed stocks.
2. L-shaped decomposition at ``--big`` scenarios (the extensive form would have 12 columns
   per scenario: 1.2e7 at 10^6).
3. All 2^n - 1 coalition costs (4000 scenarios): one loaded program re-used (bounds changed)
   vs a new program built and loaded per coalition.
4. SAA of the grand coalition for each size N: array-built extensive form (build + HiGHS)
   vs pyomo-built (build + HiGHS through appsi) vs L-shaped decomposition; ``oos error`` is
   the out-of-sample cost of the SAA stocks minus that of the section-2 stocks (N = --big),
   paired on one ``--big``-scenario evaluation sample (common random numbers), +- its se.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from clsc.models.joint_inventory.problem import SPEC, all_coalitions, build_problem
from clsc.stochastic.two_stage import TransshipmentSAA
from clsc.stochastic.two_stage_eval import evaluate, recourse
from clsc.stochastic.two_stage_lshaped import lshaped
from clsc.stochastic.two_stage_pyomo import solve_pyomo


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def row(*cells, widths=(34, 12, 12, 14, 22, 14)) -> str:
    return "  ".join(f"{c!s:<{w}}" for c, w in zip(cells, widths, strict=False))


def paired_difference(costs, q, q_ref, evaluation) -> tuple[float, float]:
    """Mean and se of cost(q) - cost(q_ref) on the same scenarios (common random numbers)."""
    mask = np.ones(costs.n, dtype=bool)
    diff = recourse(costs, q, evaluation, mask)[0].sum(1)
    diff -= recourse(costs, q_ref, evaluation, mask)[0].sum(1)
    first = float(costs.c @ (np.asarray(q) - np.asarray(q_ref)))
    return first + float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))


def saa_section(problem, sizes, pyomo_max, lp_max, ref_q, evaluation):
    costs = problem.costs
    print("\n4. SAA of the grand coalition (seconds; oos error vs best stocks, +- se)")
    print(row("method / N", "build s", "solve s", "in-sample", "oos error +- se", "time ratio"))
    for n in sizes:
        sample = problem.sample(n, np.random.default_rng(2024))
        results = []
        if n <= lp_max:
            saa, t_build = timed(lambda sample=sample: TransshipmentSAA(costs, sample))
            _, t_load = timed(lambda saa=saa: saa.program)
            sol, t_solve = timed(saa.solve)
            results.append(("array-built LP", t_build + t_load, t_solve, sol.objective, sol.Q))
        if n <= pyomo_max:
            from clsc.stochastic.two_stage_pyomo import saa_model

            full = np.ones(costs.n, dtype=bool)
            model, t_build = timed(lambda sample=sample, full=full: saa_model(costs, sample, full))
            (obj, q), t_solve = timed(lambda model=model: solve_pyomo(model))
            results.append(("pyomo-built LP", t_build, t_solve, obj, np.array(list(q.values()))))
        res, t_ls = timed(lambda sample=sample: lshaped(costs, sample, groups=32))
        results.append(("L-shaped (numba)", 0.0, t_ls, res.objective, res.Q))
        base = results[0][1] + results[0][2]
        for name, limit in (("array-built LP", lp_max), ("pyomo-built LP", pyomo_max)):
            if n > limit:
                print(row(f"{name} N={n}", "skipped", "", "", f"(N > {limit}; raise the limit)"))
        for name, tb, ts, obj, q in results:
            diff, se = paired_difference(costs, q, ref_q, evaluation)
            print(row(f"{name} N={n}", f"{tb:.2f}", f"{ts:.2f}", f"{obj:.3f}",
                      f"{diff:+.4f} +- {se:.4f}", f"{(tb + ts) / base:.2f}x time"),
                  )  # fmt: skip


def coalition_section(problem):
    costs, sample = problem.costs, problem.saa_sample()
    coalitions = [c for c in all_coalitions(costs.n)]

    def reuse():
        saa = TransshipmentSAA(costs, sample)
        return [saa.solve(c).objective for c in coalitions]

    def rebuild():
        return [TransshipmentSAA(costs, sample).solve(c).objective for c in coalitions]

    a, t_reuse = timed(reuse)
    b, t_rebuild = timed(rebuild)
    worst = max(abs(x - y) / (1 + abs(y)) for x, y in zip(a, b, strict=True))
    print(f"\n3. All {len(coalitions)} coalition costs, N = {sample.shape[0]}")
    print(row("path", "seconds", "ratio", "max rel diff"))
    print(row("rebuild per coalition (baseline)", f"{t_rebuild:.2f}", "1.00", ""))
    print(row("one program re-used", f"{t_reuse:.2f}", f"{t_rebuild / t_reuse:.2f}x",
              f"{worst:.1e}"))  # fmt: skip


def recourse_section(problem, q, big, lp_scenarios):
    costs = problem.costs
    many = problem.sample(big, np.random.default_rng(7))
    evaluate(costs, q, many[:10])  # compile / load the kernel
    ev, t_numba = timed(lambda: evaluate(costs, q, many))
    one = TransshipmentSAA(costs, many[:1])
    lp_vals = []

    def per_scenario():
        for w in range(lp_scenarios):
            one.set_demand(many[w : w + 1])
            lp_vals.append(one.fixed_cost(q))

    _, t_lp = timed(per_scenario)
    check = evaluate(costs, q, many[:lp_scenarios], None)
    lp_mean = float(np.mean(lp_vals))
    sample = problem.saa_sample()
    saa = TransshipmentSAA(costs, sample)
    all_lp, t_all = timed(lambda: saa.fixed_cost(q))
    ev_all = evaluate(costs, q, sample)
    per_numba = t_numba / big
    print(f"\n1. Recourse cost of fixed stocks Q = {np.round(q, 3).tolist()}")
    print(row("path", "s/scenario", "ratio", "value", "check"))
    print(row(f"LP per scenario ({lp_scenarios})", f"{t_lp / lp_scenarios:.2e}", "1.00",
              f"{lp_mean:.4f}", f"numba {check.mean:.4f}"))  # fmt: skip
    print(row(f"one LP, {sample.shape[0]} scenarios", f"{t_all / sample.shape[0]:.2e}",
              f"{t_lp / lp_scenarios / (t_all / sample.shape[0]):.0f}x", f"{all_lp:.4f}",
              f"numba {ev_all.mean:.4f}"))  # fmt: skip
    print(row(f"numba, {big} scenarios", f"{per_numba:.2e}",
              f"{t_lp / lp_scenarios / per_numba:.0f}x", f"{ev.mean:.4f}",
              f"se {ev.se:.4f}, {t_numba:.2f} s"))  # fmt: skip
    return many


def decomposition_section(problem, many):
    res, t = timed(lambda: lshaped(problem.costs, many, groups=64))
    n = many.shape[0]
    print(f"\n2. L-shaped decomposition, N = {n} (extensive form: {12 * n:.1e} columns)")
    print(row("status", "seconds", "iterations", "objective", "Q"))
    print(row(str(res.status), f"{t:.1f}", res.iterations, f"{res.objective:.4f}",
              np.round(res.Q, 3).tolist()))  # fmt: skip
    print(f"   relative gap {res.gap:.1e}, lower bound {res.lower:.4f}")
    return res.Q


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--pyomo-max", type=int, default=10_000)
    ap.add_argument("--lp-max", type=int, default=10_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--lp-scenarios", type=int, default=300)
    args = ap.parse_args()
    values, _ = SPEC.resolve({})
    problem = build_problem(values)
    sizes = [int(s) for s in args.sizes.split(",")]
    start = time.perf_counter()
    q_ref = TransshipmentSAA(problem.costs, problem.saa_sample()).solve().Q
    many = recourse_section(problem, q_ref, args.big, args.lp_scenarios)
    q_big = decomposition_section(problem, many)
    evaluation = problem.sample(args.big, np.random.default_rng(4242))
    coalition_section(problem)
    saa_section(problem, sizes, args.pyomo_max, args.lp_max, q_big, evaluation)
    se = evaluate(problem.costs, q_big, evaluation).se
    print(f"\ntotal {time.perf_counter() - start:.0f} s; oos evaluation on {args.big} scenarios;"
          f" se of one oos estimate ~ {se:.3f}")  # fmt: skip
    if math.isnan(q_big.sum()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
