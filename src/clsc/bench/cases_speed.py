"""Speed of the everyday path (issue #12): newsvendor per call and derivations in a fresh process.

* ``newsvendor-per-call``: the same problem (normal demand, mean 50, sd 8; holding 0.18,
  shortage 0.70) solved K = 2,000 times (quick 200) by ``model.solve`` with the demand as
  text (parsed on every call, as a user passes it), by stockpyl's ``newsvendor_normal`` when
  stockpyl is installed (a benchmark-only peer, not a clsc dependency), and by scipy with a
  frozen ``norm`` per call (baseline: what a plain scipy implementation does). Units are calls.
  Known answer: ``q* = 50 + 8 Phi^-1(0.70/0.88)`` (stdlib ``statistics.NormalDist``).
* ``derivation-cache``: ``clsc solve cascade-epr --scenario decentralised --json`` in a fresh
  interpreter with ``CLSC_CACHE_DIR`` set to an empty directory (first run; baseline) and to
  the directory the first run filled (second run). The CPU column includes the subprocess.
  Known answer: the decisions equal those of ``model.solve`` in this process.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from statistics import NormalDist
from types import SimpleNamespace

from clsc.bench.harness import Case, Group, counted, register

MEAN, SD, HOLDING, SHORTAGE = 50.0, 8.0, 0.18, 0.70
EXPECTED_Q = MEAN + SD * NormalDist().inv_cdf(SHORTAGE / (SHORTAGE + HOLDING))


def _call_setup(quick: bool):
    from clsc.models import get_model

    params = {"demand": f"normal(mean={MEAN:g}, sd={SD:g})", "holding": HOLDING,
              "shortage": SHORTAGE}  # fmt: skip
    return SimpleNamespace(model=get_model("newsvendor"), params=params,
                           k=200 if quick else 2_000)  # fmt: skip


def _scipy(s):
    from scipy import stats

    q = cost = 0.0
    for _ in range(s.k):
        dist = stats.norm(MEAN, SD)
        q = float(dist.ppf(SHORTAGE / (SHORTAGE + HOLDING)))
        z = (q - MEAN) / SD
        loss = SD * (float(stats.norm.pdf(z)) - z * float(stats.norm.sf(z)))
        cost = HOLDING * (q - MEAN + loss) + SHORTAGE * loss
    return q, cost


def _stockpyl(s):
    from stockpyl.newsvendor import newsvendor_normal

    out = (0.0, 0.0)
    for _ in range(s.k):
        out = newsvendor_normal(HOLDING, SHORTAGE, MEAN, SD)
    return float(out[0]), float(out[1])


def _clsc(s):
    r = None
    for _ in range(s.k):
        r = s.model.solve(params=s.params)
    return r.decisions["q"], r.metrics["cost"]


def _q_error(s, out) -> float:
    return abs(out[0] - EXPECTED_Q)


_CALL_CASES = [Case("scipy, frozen norm per call", _scipy, _q_error, **counted("k", "calls"))]
if importlib.util.find_spec("stockpyl") is not None:
    _CALL_CASES.append(Case("stockpyl newsvendor_normal", _stockpyl, _q_error, **counted("k")))
_CALL_CASES.append(Case("clsc model.solve (text demand)", _clsc, _q_error, **counted("k")))

register(
    Group(
        "newsvendor-per-call",
        setup=_call_setup,
        cases=tuple(_CALL_CASES),
        baseline="scipy, frozen norm per call",
        accuracy="|q - q*| vs the normal closed form",
        doc="newsvendor through the Python API, per call",
        goal="clsc >= 3x faster than stockpyl's newsvendor_normal",
        tolerance=1e-9,
    )
)

CLI = "import sys; from clsc.cli import main; sys.exit(main(sys.argv[1:]))"
SOLVE = ("solve", "cascade-epr", "--scenario", "decentralised", "--json")


def _cache_setup(quick: bool):
    from clsc.models import get_model

    ref = get_model("cascade-epr").solve("decentralised").decisions
    root = tempfile.mkdtemp(prefix="clsc-bench-cache-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return SimpleNamespace(ref=dict(ref), root=root, count=0, warm=None)


def _run_cli(cache_dir: str):
    env = {**os.environ, "CLSC_CACHE_DIR": cache_dir}
    return subprocess.run([sys.executable, "-c", CLI, *SOLVE], capture_output=True, text=True,
                          env=env)  # fmt: skip


def _first(s):
    s.count += 1
    cold = os.path.join(s.root, f"run{s.count}")
    os.makedirs(cold)
    s.warm = cold  # the second run reads what this run wrote
    return _run_cli(cold)


def _second(s):
    if s.warm is None:
        raise RuntimeError("the first run did not run")
    return _run_cli(s.warm)


def _decision_error(s, proc) -> float:
    if proc.returncode != 0:
        return float("inf")
    got = json.loads(proc.stdout)["decisions"]
    return max(abs(float(got[k]) - v) / max(abs(v), 1e-12) for k, v in s.ref.items())


register(
    Group(
        "derivation-cache",
        setup=_cache_setup,
        cases=(
            Case(
                "first run (empty cache)",
                _first,
                _decision_error,
                warmup=False,
                note="clsc solve cascade-epr --scenario decentralised --json",
            ),
            Case("second run (disk cache)", _second, _decision_error, warmup=False),
        ),
        baseline="first run (empty cache)",
        accuracy="max rel. diff of the decisions vs model.solve in this process",
        doc="closed-form solve in a fresh interpreter, cold vs warm derivation cache",
        goal="second run under 0.8 s CPU",
        tolerance=1e-12,
    )
)
