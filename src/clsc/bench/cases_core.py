"""Built-in benchmark groups on the landed engines: Monte Carlo evaluators, compiled closed
forms vs numeric solving, bilevel reformulations vs grid search.

Every group's accuracy is measured against a known answer: the numpy reference sums for the
Monte Carlo evaluators, the compiled closed form for the numeric method (itself checked against
the sources' numbers in the tests), and the published optimum F = -18 of Moore and Bard (1990)
for the bilevel reformulations.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from clsc.bench.harness import Case, Group, register


# -- Monte Carlo newsvendor evaluators ------------------------------------------------------
def _mc_setup(quick: bool):
    from clsc.stochastic.mc import sums_numpy

    n, m = (100_000, 200) if quick else (1_000_000, 1_000)
    rng = np.random.default_rng(0)
    samples = rng.normal(50.0, 8.0, n)
    qs = np.linspace(20.0, 80.0, m)
    return SimpleNamespace(samples=samples, qs=qs, ref=sums_numpy(samples, qs))


def _rel(state, out) -> float:
    ref = state.ref
    return float(np.max(np.abs(out - ref) / np.maximum(np.abs(ref), 1e-300)))


def _mc_numpy(s):
    from clsc.stochastic.mc import sums_numpy

    return sums_numpy(s.samples, s.qs)


def _mc_brute(s):
    from clsc.stochastic.mc import sums_brute

    return sums_brute(s.samples, s.qs)


def _mc_sorted(s):
    from clsc.stochastic.mc import sums_sorted

    return sums_sorted(s.samples, s.qs)


register(
    Group(
        "newsvendor-mc",
        setup=_mc_setup,
        cases=(
            Case("numpy per-q loop", _mc_numpy, _rel),
            Case("numba brute force", _mc_brute, _rel),
            Case("sort + prefix sums", _mc_sorted, _rel),
        ),
        baseline="numpy per-q loop",
        accuracy="max rel. diff vs numpy",
        doc="overage/underage sums of N normal samples at M order quantities",
        goal="sort+prefix >= 5x brute force; all agree to 1e-9",
    )
)


# -- compiled closed form vs numeric nested best responses -----------------------------------
def _game_setup(quick: bool):
    from clsc.models import get_model

    model = get_model("cascade-epr")
    k = 5 if quick else 20
    rng = np.random.default_rng(1)
    b = rng.uniform(4, 12, k)
    delta = b + rng.uniform(4, 14, k)
    params = {
        "a": rng.uniform(80, 120, k), "alpha": rng.uniform(1.5, 2.5, k),
        "cm": rng.uniform(20, 30, k), "b": b, "delta": delta,
        "B_subsidy": b + rng.uniform(0, 1, k) * (delta - b), "k": rng.uniform(150, 300, k),
    }  # fmt: skip
    points = [{key: float(v[i]) for key, v in params.items()} for i in range(k)]
    ref = [model.solve("decentralised", params=p) for p in points]
    return SimpleNamespace(model=model, params=params, points=points, ref=ref)


def _game_compiled(s):
    return [s.model.solve("decentralised", params=p) for p in s.points]


def _game_numeric(s):
    return [s.model.solve("decentralised", params=p, method="numeric") for p in s.points]


def _game_error(s, out) -> float:
    worst = 0.0
    for got, ref in zip(out, s.ref, strict=True):
        for key, value in ref.decisions.items():
            worst = max(worst, abs(got.decisions[key] - value) / max(abs(value), 1e-12))
    return worst


register(
    Group(
        "game-closed-form",
        setup=_game_setup,
        cases=(
            Case("numeric best responses", _game_numeric, _game_error),
            Case("closed form (solve)", _game_compiled, _game_error),
        ),
        baseline="numeric best responses",
        accuracy="max rel. diff of decisions vs closed form",
        doc="cascade-epr decentralised equilibrium at random points, one solve per point",
    )
)


# -- bilevel reformulations vs grid search ------------------------------------------------------
#: Moore and Bard (1990), Oper. Res. 38(5), continuous version: F* = -18 at x = 8, y = 1
_MOORE_BARD_F = -18.0


def _bilevel_setup(quick: bool):
    from clsc.bilevel import BilevelProblem

    problem = BilevelProblem.from_dict({
        "leader": {"vars": ["x"], "sense": "min", "objective": "-x - 10*y", "constraints": []},
        "follower": {"vars": ["y"], "sense": "min", "objective": "y", "constraints": [
            "-25*x + 20*y <= 30", "x + 2*y <= 10", "2*x - y <= 15", "2*x + 10*y >= 15",
            "x >= 0", "y >= 0"]},
    })  # fmt: skip
    return SimpleNamespace(problem=problem, points=41 if quick else 161)


def _bilevel(reformulation: str):
    def run(s):
        from clsc.bilevel import solve

        return solve(s.problem, reformulation).F

    return run


def _grid(s):
    from clsc.bilevel.grid import grid_search

    return grid_search(s.problem, s.points)[0]


def _f_error(s, out) -> float:
    return abs(out - _MOORE_BARD_F)


register(
    Group(
        "bilevel-moore-bard",
        setup=_bilevel_setup,
        cases=(
            Case("grid search", _grid, _f_error),
            Case("kkt-bigm", _bilevel("kkt-bigm"), _f_error),
            Case("kkt-branch", _bilevel("kkt-branch"), _f_error),
        ),
        baseline="grid search",
        accuracy="|F - F*|, F* = -18 (Moore & Bard 1990)",
        doc="continuous Moore-Bard bilevel LP",
    )
)
