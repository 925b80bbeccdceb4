"""SAA newsvendor LP: re-solving one pyomo model in place vs rebuilding it vs direct highspy.

    python benchmarks/bench_saa_resolve.py [--sizes 100 1000 10000] [--params 4]

For each number of scenarios N, the same sequence of parameter sets (demand mean/sd through
common random numbers, overage and underage costs) is solved three ways, with the same HiGHS
options:

* ``resolve``: :class:`clsc.stochastic.saa.NewsvendorSAA` built once; mutable Params updated
  in place and the persistent APPSI HiGHS solver re-run (the path the model uses);
* ``rebuild``: a new pyomo model (and solver instance) for every parameter set;
* ``highspy``: the same LP passed once to ``highspy.Highs`` as arrays and updated in place
  with vectorised ``changeRowsBounds`` / ``changeColsCost`` calls (baseline).

Goals: resolve within 1.5x of highspy and at least 5x faster than rebuild. All three must
return the same q and objective.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import sparse, stats

from clsc.stochastic.saa import NewsvendorSAA, highs_options


class DirectHighs:
    """The SAA LP in highspy: columns (q, o_1..o_N, u_1..u_N), rows o_i - u_i - q = -d_i."""

    def __init__(self, n: int):
        import highspy

        self.n = n
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        for key, value in highs_options(n).items():
            self.h.setOptionValue(key, value)
        cols = 2 * n + 1
        self.h.addVars(cols, np.zeros(cols), np.full(cols, highspy.kHighsInf))
        rows = np.repeat(np.arange(n), 3)
        idx = np.column_stack([1 + np.arange(n), 1 + n + np.arange(n), np.zeros(n, int)])
        a = sparse.csr_matrix((np.tile([1.0, -1.0, -1.0], n), (rows, idx.ravel())), (n, cols))
        zeros = np.zeros(n)
        self.h.addRows(
            n,
            zeros,
            zeros,
            a.nnz,
            a.indptr[:-1].astype(np.int32),
            a.indices.astype(np.int32),
            a.data,
        )
        self.rows = np.arange(n, dtype=np.int32)
        self.cols = np.arange(1, cols, dtype=np.int32)

    def solve(self, d: np.ndarray, co: float, cu: float) -> tuple[float, float]:
        n = self.n
        self.h.changeRowsBounds(n, self.rows, -d, -d)
        cost = np.concatenate([np.full(n, co / n), np.full(n, cu / n)])
        self.h.changeColsCost(2 * n, self.cols, cost)
        self.h.run()
        return self.h.getSolution().col_value[0], self.h.getInfo().objective_function_value


def parameter_sets(k: int) -> list[tuple[float, float, float, float]]:
    """(mean, sd, overage, underage) sequences; ratios between 0.55 and 0.9."""
    rng = np.random.default_rng(1)
    return [
        (rng.uniform(40, 60), rng.uniform(5, 12), rng.uniform(0.1, 1.0), rng.uniform(1.0, 3.0))
        for _ in range(k)
    ]


def timed_each(solve, pairs) -> tuple[list[tuple[float, float]], float]:
    """Answers (q, objective) and the median seconds per solve over the parameter sets."""
    answers, seconds = [], []
    for d, (_, _, co, cu) in pairs:
        start = time.perf_counter()
        out = solve(d, co, cu)
        seconds.append(time.perf_counter() - start)
        answers.append(out if isinstance(out, tuple) else (out.q, out.objective))
    return answers, float(np.median(seconds))


def run(n: int, sets: list[tuple[float, float, float, float]]) -> dict[str, float]:
    u = np.random.default_rng(0).random(n) + 2.0**-54
    demands = [stats.norm.ppf(u, mean, sd) for mean, sd, _, _ in sets]
    times: dict[str, float] = {}
    answers: dict[str, list[tuple[float, float]]] = {}

    pairs = list(zip(demands, sets, strict=True))

    # one-time builds (first solve included), then timed re-solves for every parameter set
    start = time.perf_counter()
    saa = NewsvendorSAA(n)
    saa.solve(demands[-1], *sets[-1][2:])
    times["resolve build"] = time.perf_counter() - start
    answers["resolve"], times["resolve"] = timed_each(lambda d, co, cu: saa.solve(d, co, cu), pairs)

    start = time.perf_counter()
    direct = DirectHighs(n)
    direct.solve(demands[-1], *sets[-1][2:])
    times["highspy build"] = time.perf_counter() - start
    answers["highspy"], times["highspy"] = timed_each(direct.solve, pairs)
    answers["rebuild"], times["rebuild"] = timed_each(
        lambda d, co, cu: NewsvendorSAA(n).solve(d, co, cu), pairs
    )

    ref = np.array(answers["highspy"])
    for name in ("resolve", "rebuild"):
        got = np.array(answers[name])
        if not np.allclose(got[:, 1], ref[:, 1], rtol=1e-7):
            raise AssertionError(f"{name}: objectives differ from highspy at N={n}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    ap.add_argument("--params", type=int, default=7, help="parameter sets per N")
    args = ap.parse_args()
    sets = parameter_sets(args.params)
    run(50, sets[:1])  # warm up imports
    print(
        f"median seconds per solve over {args.params} parameter sets; "
        "HiGHS simplex below N=500, ipm from there on"
    )
    print("(resolve/highspy: model built once, build time shown separately; rebuild: build+solve)")
    head = f"{'N':>7}{'resolve':>10}{'highspy':>10}{'rebuild':>10}{'build pyomo':>13}"
    print(head + f"{'build highspy':>15}{'resolve/highspy':>17}{'rebuild/resolve':>17}")
    for n in args.sizes:
        t = run(n, sets)
        print(
            f"{n:>7}{t['resolve']:>10.4f}{t['highspy']:>10.4f}{t['rebuild']:>10.4f}"
            f"{t['resolve build']:>13.3f}{t['highspy build']:>15.3f}"
            f"{t['resolve'] / t['highspy']:>16.2f}x{t['rebuild'] / t['resolve']:>16.1f}x"
        )
    print("goals: resolve/highspy <= 1.5x, rebuild/resolve >= 5x")


if __name__ == "__main__":
    main()
