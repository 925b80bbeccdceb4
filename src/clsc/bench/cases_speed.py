"""Speed of the everyday path (issue #12): newsvendor per call and derivations in a fresh process.

* ``newsvendor-per-call``: the same problem (normal demand, mean 50, sd 8; holding 0.18,
  shortage 0.70) solved K = 2,000 times (quick 200) by ``model.solve`` with the demand as
  text (parsed on every call, as a user passes it), by stockpyl's ``newsvendor_normal`` when
  stockpyl is installed (a benchmark-only peer, not a clsc dependency; then the baseline, as
  the goal is stated against it), and by scipy with a frozen ``norm`` per call (what a plain
  scipy implementation does; the baseline without stockpyl). Units are calls.
  Known answer: ``q* = 50 + 8 Phi^-1(0.70/0.88)`` (stdlib ``statistics.NormalDist``).
* ``game-solve``: ``clsc solve MODEL --scenario S --json`` of every game-model scenario in a
  fresh interpreter (quick: process-innovation PM): a derivation with an empty cache and no
  shipped form (baseline), the old second run (the sympy solution read from the disk cache,
  then ``lambdify``: ``CLSC_CLOSED_FORMS=derive``), the second run (the closed form read from
  the disk cache as data), and the first run after an install (the shipped form, empty
  cache). Units are scenarios; the note gives the median and largest CPU seconds of one
  scenario's process (goal: under 0.8 s). Known answer: the decisions equal those of
  ``model.solve`` in this process.
* ``game-solve-numeric``: the same commands with ``--method numeric``: the numeric method's
  functions derived with sympy in every process (baseline, ``CLSC_CLOSED_FORMS=derive``), the
  first run without shipped forms (derives and stores them), the second run (reads them: no
  sympy) and the first run after an install (shipped forms). Known answer: the closed-form
  decisions (to 1e-8).
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import statistics
import tempfile
from statistics import NormalDist
from types import SimpleNamespace

from clsc.bench.cases_startup import CLI, measure
from clsc.bench.harness import Case, Group, counted, register, worst_relative

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


SCIPY, STOCKPYL = "scipy, frozen norm per call", "stockpyl newsvendor_normal"
_CALL_CASES = [Case(SCIPY, _scipy, _q_error, **counted("k", "calls"))]
HAVE_STOCKPYL = importlib.util.find_spec("stockpyl") is not None
if HAVE_STOCKPYL:
    _CALL_CASES.append(Case(STOCKPYL, _stockpyl, _q_error, **counted("k")))
_CALL_CASES.append(Case("clsc model.solve (text demand)", _clsc, _q_error, **counted("k")))

register(
    Group(
        "newsvendor-per-call",
        setup=_call_setup,
        cases=tuple(_CALL_CASES),
        baseline=STOCKPYL if HAVE_STOCKPYL else SCIPY,  # the goal's peer when installed
        accuracy="|q - q*| vs the normal closed form",
        doc="newsvendor through the Python API, per call",
        goal="clsc >= 3x faster than stockpyl's newsvendor_normal",
        tolerance=1e-9,
    )
)

#: sorting-collection's per-unit variant needs a larger k (Assumption 4) than the default
PER_UNIT = ("--set", "sorting=per_unit", "--set", "k=3000")


def game_scenarios(quick: bool) -> list[tuple[str, tuple[str, ...]]]:
    """(label, ``clsc solve`` arguments) of every game-model scenario (quick: one)."""
    if quick:
        return [("process-innovation/PM", ("process-innovation", "--scenario", "PM"))]
    from clsc.game.model import GameModel
    from clsc.models import get_model, model_names

    out = []
    for name in model_names():
        model = get_model(name)
        if isinstance(model, GameModel):
            out += [(f"{name}/{s}", (name, "--scenario", s)) for s in model.scenarios]
            if name == "sorting-collection":
                out += [(f"{name}/{s} per-unit", (name, "--scenario", s, *PER_UNIT))
                        for s in model.scenarios]  # fmt: skip
    return out


def _solve_setup(quick: bool):
    from clsc.models import get_model

    refs = {}
    for label, args in game_scenarios(quick):
        extra = dict(a.split("=", 1) for a in args[4::2])  # the --set values
        params = {k: (v if k == "sorting" else float(v)) for k, v in extra.items()}
        refs[label] = dict(get_model(args[0]).solve(args[2], params=params).decisions)
    root = tempfile.mkdtemp(prefix="clsc-bench-cache-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return SimpleNamespace(refs=refs, scenarios=game_scenarios(quick), root=root, count=0,
                           warm={}, cpu={})  # fmt: skip


def solve_child(args: tuple[str, ...], cache_dir: str, mode: str) -> tuple[dict, float]:
    """``clsc solve ARGS --json`` in a fresh interpreter: its decisions and CPU seconds
    (:func:`~clsc.bench.cases_startup.measure`); RuntimeError with its stderr if it fails."""
    env = {**os.environ, "CLSC_CACHE_DIR": cache_dir, "CLSC_CLOSED_FORMS": mode}
    child = measure((*CLI, "solve", *args, "--json"), env)
    if child.returncode != 0:
        raise RuntimeError(f"clsc solve {' '.join(args)} exited {child.returncode}: "
                           f"{child.stderr.strip()[-300:]}")  # fmt: skip
    return json.loads(child.stdout)["decisions"], child.cpu


DERIVE = "derivation (empty cache, no shipped form)"


def _fresh_dir(s) -> str:
    s.count += 1
    path = os.path.join(s.root, f"run{s.count}")
    os.makedirs(path)
    return path


def _runner(case: str, mode: str, warm: bool, extra: tuple[str, ...] = (), stores=DERIVE):
    """A case: every scenario (arguments + ``extra``) in a fresh process, in the warm cache
    (what the case ``stores`` wrote) or an empty one; records each scenario's CPU seconds."""

    def run(s):
        out = {}
        for label, args in s.scenarios:
            if warm and label not in s.warm:
                raise RuntimeError(f"the case {stores!r} did not run")
            directory = s.warm[label] if warm else _fresh_dir(s)
            out[label], cpu = solve_child((*args, *extra), directory, mode)
            s.cpu.setdefault(case, {})[label] = cpu
            if case == stores:
                s.warm[label] = directory  # the next cases read what this run stored
        return out

    return run


def _decision_error(s, out) -> float:
    return worst_relative((out[label], ref) for label, ref in s.refs.items())


def _cpu_note(case: str):
    def note(s) -> str:
        cpu = s.cpu.get(case, {})
        if not cpu:
            return ""
        worst = max(cpu, key=cpu.get)
        return (f"{len(cpu)} scenarios, CPU/scenario median {statistics.median(cpu.values()):.2f}"
                f" s, max {cpu[worst]:.2f} s ({worst})")  # fmt: skip

    return note


SYMPY = "sympy solution on disk + lambdify (old 2nd run)"
FAST = "second run (closed form on disk)"
SHIPPED = "first run after install (shipped form)"


def _game_case(name: str, mode: str, warm: bool, extra=(), stores=DERIVE) -> Case:
    return Case(name, _runner(name, mode, warm, extra, stores), _decision_error, warmup=False,
                units=lambda s: len(s.scenarios), note=_cpu_note(name))  # fmt: skip


register(
    Group(
        "game-solve",
        setup=_solve_setup,
        cases=(
            _game_case(DERIVE, "no-shipped", warm=False),
            _game_case(SYMPY, "derive", warm=True),
            _game_case(FAST, "no-shipped", warm=True),
            _game_case(SHIPPED, "", warm=False),
        ),
        baseline=DERIVE,
        accuracy="max rel. diff of the decisions vs model.solve in this process",
        doc="clsc solve MODEL --scenario S --json in a fresh interpreter, every game scenario "
        "(quick: process-innovation PM); CPU includes the child processes",
        goal="second run and first run after install under 0.8 s CPU per scenario",
        tolerance=1e-12,
    )
)

NUMERIC = ("--method", "numeric")
NUM_DERIVE = "numeric, functions derived in every run (old)"
NUM_FIRST = "numeric, not shipped: first run (derives, stores)"
NUM_SECOND = "numeric, second run (functions on disk)"
NUM_SHIPPED = "numeric, first run after install (shipped)"

register(
    Group(
        "game-solve-numeric",
        setup=_solve_setup,
        cases=(
            _game_case(NUM_DERIVE, "derive", warm=False, extra=NUMERIC),
            _game_case(NUM_FIRST, "no-shipped", warm=False, extra=NUMERIC, stores=NUM_FIRST),
            _game_case(NUM_SECOND, "no-shipped", warm=True, extra=NUMERIC, stores=NUM_FIRST),
            _game_case(NUM_SHIPPED, "", warm=False, extra=NUMERIC),
        ),
        baseline=NUM_DERIVE,
        accuracy="max rel. diff of the decisions vs the closed form (model.solve) in this process",
        doc="clsc solve MODEL --scenario S --method numeric --json in a fresh interpreter, every "
        "game scenario (quick: process-innovation PM); CPU includes the child processes",
        goal="no derivation in the second run or after install (functions read as data)",
        tolerance=1e-8,
    )
)
