"""Start-up (issue 12): the newsvendor closed form loads no heavy library, with the same bits.

The parametric families build their frozen scipy.stats distribution on first use only, so the
everyday path (a text demand, the closed-form newsvendor) imports numpy and scipy.special but
not scipy.stats, scipy.integrate, scipy.optimize, sympy, numba, pandas or pyomo. The values must
not change: q is compared bit for bit with scipy.stats' own quantile of the critical ratio, the
cost with an independent quadrature by scipy.stats, and the lazily built distribution with one
built directly by scipy.stats.
"""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

from clsc.distributions import parse
from clsc.models.newsvendor import Newsvendor

SRC = Path(__file__).resolve().parents[2] / "src"
#: modules the closed-form newsvendor must not load (top-level package names or subpackages)
HEAVY = (
    "scipy.stats",
    "scipy.integrate",
    "scipy.optimize",
    "sympy",
    "numba",
    "pandas",
    "pyomo",
)
#: the command of issue 12, as typed
COMMAND = shlex.split(
    'solve newsvendor --set demand="normal(mean=50, sd=8)" --set holding=0.18 '
    "--set shortage=0.70 --json"
)


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter with this worktree's source first on the path."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    return out.stdout


def _loaded_after(body: str) -> list[str]:
    code = (
        "import contextlib, io, json, sys\n"
        f"{body}\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(h for h in heavy if any(m == h or m.startswith(h + '.') "
        "for m in sys.modules))))\n"
    )
    return json.loads(_fresh(code).strip().splitlines()[-1])


#: the "done when" command of buyback-effort scenario B (uniform demand, closed form)
BUYBACK = shlex.split(
    'solve buyback-effort --scenario B --set demand="uniform(low=0, high=100)" --set p=20 '
    "--set w=5 --set b=4 --set v=2 --set cm=1 --set k=10 --json"
)


def _cli_body(argv: list[str], expected_q: float) -> str:
    return (
        "from clsc.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        f"    code = main({argv!r})\n"
        "assert code == 0, code\n"
        "q = json.loads(buf.getvalue())['decisions']['q']\n"
        f"assert abs(q - {expected_q!r}) < 1e-9, q\n"
    )


def test_closed_form_newsvendor_cli_imports_no_heavy_module():
    # expected_q: the normal quantile 50 + 8*Phi^-1(0.7/0.88) (stdlib NormalDist)
    expected_q = 50.0 + 8.0 * NormalDist().inv_cdf(0.70 / 0.88)
    assert _loaded_after(_cli_body(COMMAND, expected_q)) == []


def test_closed_form_buyback_effort_cli_imports_no_heavy_module():
    expected_q = 93.75  # spec 9.9: Uniform(0, 100), (p, w, b, v, c) = (20, 5, 4, 2, 1), k = 10
    assert _loaded_after(_cli_body(BUYBACK, expected_q)) == []


def test_parsing_every_builtin_family_imports_no_heavy_module():
    specs = [
        "normal(mean=50, sd=8)",
        "truncnormal(mean=100, sd=30, lower=0)",
        "uniform(low=2, high=9)",
        "exponential(mean=4)",
        "gamma(shape=2, scale=3)",
        "lognormal(mu=1, sigma=0.5)",
        "poisson(mean=6)",
        "binomial(n=10, p=0.3)",
        "discrete(values=[1, 2], probs=[0.5, 0.5])",
    ]
    body = (
        "from clsc.distributions import parse\n"
        f"for s in {specs!r}:\n"
        "    d = parse(s)\n"
        "    d.mean, d.sd, d.support, d.spec\n"
    )
    assert _loaded_after(body) == []


# ---- same numbers as scipy.stats ----------------------------------------------------------------

#: (spec, the same distribution built directly by scipy.stats)
CONTINUOUS = [
    ("normal(mean=305.05, sd=80.7503)", stats.norm(loc=305.05, scale=80.7503)),
    (
        "truncnormal(mean=100, sd=30, lower=0)",
        stats.truncnorm(a=-100 / 30, b=math.inf, loc=100, scale=30),
    ),
    (
        "truncnormal(mean=10, sd=3, lower=8, upper=12.5)",
        stats.truncnorm(a=-2 / 3, b=2.5 / 3, loc=10, scale=3),
    ),
    ("uniform(low=0.1, high=0.7)", stats.uniform(loc=0.1, scale=0.7 - 0.1)),
    ("uniform(low=20, high=80)", stats.uniform(loc=20, scale=60)),
    ("exponential(mean=40)", stats.expon(scale=40)),
    ("gamma(shape=2.5, scale=12)", stats.gamma(2.5, scale=12)),
    ("lognormal(mu=3, sigma=0.4)", stats.lognorm(0.4, scale=math.exp(3))),
]
DISCRETE = [
    ("poisson(mean=12)", stats.poisson(12)),
    ("binomial(n=40, p=0.3)", stats.binom(40, 0.3)),
]
COSTS = [(0.18, 0.7), (2.3, 1.1), (1.0, 9.0)]


def _expected_cost(rv, q: float, holding: float, shortage: float) -> float:
    """h*E[(q - D)+] + s*E[(D - q)+] by scipy.stats' own expectation (quadrature / summation)."""
    lo, hi = rv.support()
    kw = {"epsabs": 0.0, "epsrel": 1e-12, "limit": 400} if not hasattr(rv.dist, "pmf") else {}
    left = rv.expect(lambda d: q - d, lb=lo, ub=q, **kw) if q > lo else 0.0
    right = rv.expect(lambda d: d - q, lb=q, ub=hi, **kw) if q < hi else 0.0
    return holding * left + shortage * right


@pytest.mark.parametrize(("spec", "rv"), CONTINUOUS, ids=[s for s, _ in CONTINUOUS])
@pytest.mark.parametrize(("holding", "shortage"), COSTS)
def test_continuous_q_is_scipy_quantile_and_cost_matches(spec, rv, holding, shortage):
    r = Newsvendor().solve(params={"demand": spec, "holding": holding, "shortage": shortage})
    expected_q = max(float(rv.ppf(shortage / (shortage + holding))), 0.0)  # scipy.stats ppf
    assert r.decisions["q"] == expected_q
    expected_cost = _expected_cost(rv, expected_q, holding, shortage)
    assert r.metrics["cost"] == pytest.approx(expected_cost, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("spec", "rv"), DISCRETE, ids=[s for s, _ in DISCRETE])
@pytest.mark.parametrize(("holding", "shortage"), COSTS)
def test_discrete_q_is_smallest_support_point_and_cost_matches(spec, rv, holding, shortage):
    r = Newsvendor().solve(params={"demand": spec, "holding": holding, "shortage": shortage})
    ratio = shortage / (shortage + holding)
    ks = np.arange(0, 200)
    expected_q = float(ks[np.argmax(rv.cdf(ks) >= ratio * (1 - 1e-12))])  # smallest k, F >= r
    assert r.decisions["q"] == expected_q
    expected_cost = _expected_cost(rv, expected_q, holding, shortage)
    assert r.metrics["cost"] == pytest.approx(expected_cost, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize(
    ("spec", "rv"), CONTINUOUS + DISCRETE, ids=[s for s, _ in CONTINUOUS + DISCRETE]
)
def test_lazy_frozen_distribution_is_scipys_bit_for_bit(spec, rv):
    d = parse(spec)
    fresh = type(d)(**d.params)  # a new object: nothing built yet
    assert "_rv" not in fresh.__dict__
    support = fresh.support  # the closed-form support is scipy's, without building it
    assert "_rv" not in fresh.__dict__
    assert support == tuple(float(v) for v in rv.support())
    assert fresh.mean == pytest.approx(float(rv.mean()), rel=1e-12)
    assert fresh.var == pytest.approx(float(rv.var()), rel=1e-9)
    lo, hi = rv.ppf(1e-6), rv.ppf(1 - 1e-6)
    ends = [v for v in support if math.isfinite(v)]
    x = np.concatenate([np.linspace(lo - 1.0, hi + 1.0, 101), ends, [np.inf, -np.inf, np.nan]])
    u = np.concatenate([np.linspace(0.0, 1.0, 41)[1:-1], [0.0, 1.0, -0.5, 1.5, np.nan]])
    with np.errstate(all="ignore"):  # scipy itself warns at the infinite points
        np.testing.assert_array_equal(fresh.cdf(x), rv.cdf(x))
        if not fresh.discrete:
            np.testing.assert_array_equal(fresh.ppf(u), rv.ppf(u))
            np.testing.assert_array_equal(fresh.pdf(x), rv.pdf(x))
        else:
            np.testing.assert_array_equal(fresh.pdf(x), rv.pmf(x))
