"""Newsvendor SAA LP: re-solving one loaded program vs rebuilding it vs direct highspy.

For N scenarios d_i and overage/underage costs (c_o, c_u) the SAA LP is

    min (1/N) sum_i (c_o*o_i + c_u*u_i)   s.t.  o_i - u_i - q = -d_i,  q, o, u >= 0.

K parameter sets (demand mean/sd through common random numbers, c_o, c_u) are solved, per
group (N = 100, 1,000, 10,000; quick: 100, 500, 1,000, two sets), by:

* ``pyomo rebuild per solve`` (baseline): a new pyomo model per set, solved by HiGHS through
  pyomo's ``appsi_highs`` (the way a pyomo user writes it);
* ``array rebuild per solve``: a new :class:`~clsc.solvers.program.LinearProgram` built from
  arrays and solved by :func:`clsc.solvers.highs.solve` for every set;
* ``ParametricProgram re-solve``: loaded once into :class:`clsc.solvers.highs.ParametricProgram`;
  per set new row bounds and costs, then ``solve()``;
* ``highspy direct``: the same LP held by ``highspy.Highs`` and updated with vectorised
  ``changeRowsBounds``/``changeColsCost`` (the floor of what a wrapper can reach);
* ``model.solve(method="saa")``: the public model API, one call per set (sampling included).

A rebuild runs HiGHS's simplex below 500 scenarios and interior point from there on (the
column of q is dense; a cold simplex is ~5x slower than IPM at N = 10,000); the two re-solve
cases run the simplex from the previous optimal basis (what a loaded program keeps: at
N = 10,000 that is faster than a cold IPM). Units are solves. Accuracy: max relative error of
the optimal objective against the exact SAA optimum (the sample quantile q* of level
c_u/(c_o + c_u) found by sorting, and its sample-average cost); for ``model.solve``, against
the model's ``mc`` method on the same draws (the same sorted-sample minimiser).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, register

IPM_FROM = 500


def _options(n: int) -> dict:
    return {"solver": "ipm" if n >= IPM_FROM else "simplex"}


#: a re-solve starts from the previous optimal basis: simplex at every size
WARM = {"solver": "simplex"}


def exact_saa(d: np.ndarray, co: float, cu: float) -> float:
    """Optimal SAA objective: cost at the sample quantile of level cu/(co + cu).

    >>> exact_saa(np.array([1.0, 2.0, 3.0, 4.0]), 1.0, 1.0)   # any q in [2, 3]: mean |d - q|
    1.0
    """
    s = np.sort(d)
    k = max(math.ceil(d.size * cu / (co + cu)) - 1, 0)
    q = s[k]
    return float(np.mean(co * np.maximum(q - d, 0.0) + cu * np.maximum(d - q, 0.0)))


def _matrix(n: int):
    from scipy import sparse

    rows = np.repeat(np.arange(n), 3)
    cols = np.column_stack([1 + np.arange(n), 1 + n + np.arange(n), np.zeros(n, int)]).ravel()
    return sparse.csr_matrix((np.tile([1.0, -1.0, -1.0], n), (rows, cols)), (n, 2 * n + 1))


def _costs(n: int, co: float, cu: float) -> np.ndarray:
    return np.concatenate([[0.0], np.full(n, co / n), np.full(n, cu / n)])


def saa_lp(d: np.ndarray, co: float, cu: float):
    """The SAA LP of the module docstring as a :class:`~clsc.solvers.program.LinearProgram`
    (columns q, o_1..o_N, u_1..u_N; equality rows)."""
    from clsc.solvers.program import LinearProgram

    n = d.size
    return LinearProgram(c=_costs(n, co, cu), A=_matrix(n), row_lower=-d, row_upper=-d,
                         col_lower=0.0, col_upper=np.inf)  # fmt: skip


def _setup(n_full: int, n_quick: int, quick: bool):
    import pyomo.environ  # noqa: F401 - imported here, not in the first timed pyomo run
    from scipy import stats

    n, k = (n_quick, 2) if quick else (n_full, 7)
    rng = np.random.default_rng(1)
    sets = [(rng.uniform(40, 60), rng.uniform(5, 12), rng.uniform(0.1, 1.0), rng.uniform(1, 3))
            for _ in range(k)]  # fmt: skip
    u = np.random.default_rng(0).random(n) + 2.0**-54
    demands = [stats.norm.ppf(u, mean, sd) for mean, sd, _, _ in sets]
    s = SimpleNamespace(n=n, k=k, sets=sets, demands=demands)
    s.exact = [exact_saa(d, co, cu) for d, (_, _, co, cu) in zip(demands, sets, strict=True)]
    s.model_params = [
        {"demand": f"normal(mean={mean!r}, sd={sd!r})", "holding": co, "shortage": cu}
        for mean, sd, co, cu in sets
    ]
    from clsc.models import get_model

    s.model = get_model("newsvendor")
    s.model_ref = [
        s.model.solve(params=p, method="mc", samples=n, seed=7).metrics["cost"]
        for p in s.model_params
    ]
    return s


def _rebuild(s):
    from clsc.solvers.highs import solve

    out = []
    for d, (_, _, co, cu) in zip(s.demands, s.sets, strict=True):
        out.append(solve(saa_lp(d, co, cu), options=_options(s.n)).objective)
    return out


def _pyomo_model(d: np.ndarray, co: float, cu: float):
    import pyomo.environ as pyo

    n = d.size
    m = pyo.ConcreteModel()
    m.i = pyo.RangeSet(0, n - 1)
    m.q = pyo.Var(domain=pyo.NonNegativeReals)
    m.o = pyo.Var(m.i, domain=pyo.NonNegativeReals)
    m.u = pyo.Var(m.i, domain=pyo.NonNegativeReals)
    m.balance = pyo.Constraint(m.i, rule=lambda m, i: m.o[i] - m.u[i] - m.q == -float(d[i]))
    m.cost = pyo.Objective(expr=sum(co * m.o[i] + cu * m.u[i] for i in m.i) / n)
    return m


def _pyomo(s):
    import pyomo.environ as pyo

    out = []
    for d, (_, _, co, cu) in zip(s.demands, s.sets, strict=True):
        model = _pyomo_model(d, co, cu)
        solver = pyo.SolverFactory("appsi_highs")
        solver.config.load_solution = True
        solver.highs_options = _options(s.n)
        solver.solve(model)
        out.append(float(pyo.value(model.cost)))
    return out


def _parametric(s):
    from clsc.solvers.highs import ParametricProgram

    if getattr(s, "program", None) is None:  # built once (in the untimed warm-up run)
        s.program = ParametricProgram(saa_lp(s.demands[0], 1.0, 1.0), options=WARM)
    rows, cols = np.arange(s.n), np.arange(2 * s.n + 1)
    out = []
    for d, (_, _, co, cu) in zip(s.demands, s.sets, strict=True):
        s.program.set_row_bounds(rows, -d, -d)
        s.program.set_costs(cols, _costs(s.n, co, cu))
        out.append(s.program.solve().objective)
    return out


def _highspy_model(n: int):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in WARM.items():
        h.setOptionValue(key, value)
    cols = 2 * n + 1
    h.addVars(cols, np.zeros(cols), np.full(cols, highspy.kHighsInf))
    a = _matrix(n)
    zeros = np.zeros(n)
    h.addRows(n, zeros, zeros, a.nnz, a.indptr[:-1].astype(np.int32),
              a.indices.astype(np.int32), a.data)  # fmt: skip
    return h


def _highspy(s):
    if getattr(s, "highs", None) is None:
        s.highs = _highspy_model(s.n)
    h, n = s.highs, s.n
    rows, cols = np.arange(n, dtype=np.int32), np.arange(1, 2 * n + 1, dtype=np.int32)
    out = []
    for d, (_, _, co, cu) in zip(s.demands, s.sets, strict=True):
        h.changeRowsBounds(n, rows, -d, -d)
        h.changeColsCost(2 * n, cols, _costs(n, co, cu)[1:])
        h.run()
        out.append(h.getInfo().objective_function_value)
    return out


def _model(s):
    return [
        s.model.solve(params=p, method="saa", samples=s.n, seed=7).metrics["objective"]
        for p in s.model_params
    ]


def _rel(got, ref) -> float:
    return max(abs(g - r) / max(abs(r), 1e-12) for g, r in zip(got, ref, strict=True))


def _error(s, out) -> float:
    return _rel(out, s.exact)


def _model_error(s, out) -> float:
    return _rel(out, s.model_ref)


def _group(name: str, n_full: int, n_quick: int) -> Group:
    solves = lambda s: s.k  # noqa: E731
    return Group(
        name,
        setup=lambda quick: _setup(n_full, n_quick, quick),
        cases=(
            Case(
                "pyomo rebuild per solve",
                _pyomo,
                _error,
                units=solves,
                note=lambda s: f"N={s.n:,}, {s.k} parameter sets",
                warmup=False,
            ),
            Case("array rebuild per solve", _rebuild, _error, units=solves),
            Case("ParametricProgram re-solve", _parametric, _error, units=solves),
            Case("highspy direct", _highspy, _error, units=solves),
            Case(
                'model.solve(method="saa")',
                _model,
                _model_error,
                units=solves,
                accuracy="max rel. error of the objective vs the model's mc method",
            ),
        ),
        baseline="pyomo rebuild per solve",
        accuracy="max rel. error of the objective vs the exact SAA optimum (sorting)",
        doc="newsvendor SAA LP solved for K parameter sets",
        goal="re-solve >= 5x pyomo rebuild; re-solve within 1.5x of highspy direct",
        tolerance=1e-7,
    )


register(_group("saa-resolve-small", 100, 100))
register(_group("saa-resolve-medium", 1_000, 500))
register(_group("saa-resolve-large", 10_000, 1_000))
