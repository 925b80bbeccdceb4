"""Fuzzing the command line in-process with hostile values (issue 14).

Every sub-command (solve, statics, threshold, derive, models) over every registered model,
scenario and method gets hostile values (0, negatives, 1e-300, 1e300, nan, inf, 400-digit
integers, deep nesting, control characters, unicode, injection strings) in ``--set``, ``--fix``,
``--option``, ``--samples``, ``--seed`` and ``--expr``. Each call must end in exit 0/1 with a
result, or exit 2 with exactly one line on stderr; never a traceback (exit 3), never longer
than a set time, never a non-finite number with status optimal.

The default profile is bounded (about a minute); ``CLSC_FUZZ=long`` runs many more examples.
"""

from __future__ import annotations

import json
import math
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clsc.models import get_model, model_names

LONG = os.environ.get("CLSC_FUZZ") == "long"
EXAMPLES = 400 if LONG else 12
#: CPU-time bound of one call (generous: a first symbolic derivation of a scenario can take
#: several seconds; later calls reuse it). CPU time, not wall time: the suite runs on busy machines.
MAX_CPU_SECONDS = 60.0

HOSTILE = [
    "0",
    "-1",
    "-1e300",
    "1e-300",
    "1e300",
    "nan",
    "inf",
    "-inf",
    "1" * 400,
    "-" * 1000 + "1",
    "(" * 300 + "1" + ")" * 300,
    "((10**1024)**1024)**1024",
    "10**1000",
    "sqrt(-1)",
    "1\n2",
    "\x1b[31mred",
    "été",
    "__import__('os').system('true')",
    "open('/etc/passwd').read()",
    "empirical(file='/etc/shadow')",
    "empirical(file='/dev/zero')",
    "normal(mean=1e300, sd=1e-300)",
    "lognormal(mu=200, sigma=10)",
    "poisson(mean=0.1)",
    "'; rm -rf / #",
    "${HOME}",
    "x" * 20_000,
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=30),
)

MODELS = model_names()


def _params(name):
    model = get_model(name)
    return [p.name for p in model.spec]


def _check(cli, argv):
    start = time.process_time()
    code, out, err = cli(*argv)
    elapsed = time.process_time() - start
    assert elapsed < MAX_CPU_SECONDS, (argv, elapsed)
    assert code in (0, 1, 2), (argv[:8], code, err[:500])
    if code == 2:
        assert out == "", argv[:8]
        assert len(err.strip().splitlines()) == 1, (argv[:8], err[:500])
        assert len(err) < 1000
        return
    assert "Traceback" not in err
    if "--json" in argv and argv[0] == "solve":
        data = json.loads(out)
        if data["status"] == "optimal":
            for section in ("decisions", "profits"):
                for key, value in data[section].items():
                    assert isinstance(value, int | float) and math.isfinite(value), (
                        argv[:8],
                        key,
                        value,
                    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_solve(cli, data):
    name = data.draw(st.sampled_from(MODELS), label="model")
    model = get_model(name)
    argv = ["solve", name, "--json"]
    if model.scenarios:
        argv += ["--scenario", data.draw(st.sampled_from(model.scenarios), label="scenario")]
    method = data.draw(st.sampled_from([None, *model.methods]), label="method")
    if method in ("mc", "saa", "numeric", "bilevel") and not LONG:
        argv += ["--time-limit", "20"]
    if method:
        argv += ["--method", method]
    for _ in range(data.draw(st.integers(0, 3), label="n_sets")):
        param = data.draw(st.sampled_from(_params(name)), label="param")
        argv += ["--set", f"{param}={data.draw(values, label='value')}"]
    # a fixed decision of a game model is a new symbolic derivation (tens of CPU seconds the
    # first time): only in the long profile
    fixable = model.decisions and (LONG or not hasattr(model, "symbolic"))
    if data.draw(st.booleans(), label="fix") and fixable:
        var = data.draw(st.sampled_from(list(model.decisions)), label="var")
        argv += ["--fix", f"{var}={data.draw(values, label='fix value')}"]
    if data.draw(st.booleans(), label="option") and model.options:
        opt = data.draw(st.sampled_from(list(model.options)), label="opt")
        argv += ["--option", f"{opt}={data.draw(values, label='option value')}"]
    if data.draw(st.booleans(), label="samples"):
        argv += ["--samples", data.draw(st.sampled_from(["0", "-1", "1e12", "2", "nan", "x"]))]
    if data.draw(st.booleans(), label="seed"):
        argv += ["--seed", data.draw(st.sampled_from(["-1", "0", "1" * 40, "1.5", "x"]))]
    _check(cli, argv)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_statics_and_threshold(cli, data):
    name = data.draw(st.sampled_from(MODELS), label="model")
    model = get_model(name)
    param = data.draw(st.sampled_from(_params(name)), label="param")
    value = data.draw(values, label="value")
    if data.draw(st.booleans(), label="statics"):
        argv = ["statics", name, "--wrt", param, "--json"]
        if data.draw(st.booleans(), label="set"):
            argv += ["--set", f"{param}={value}"]
        if data.draw(st.booleans(), label="samples"):
            argv += ["--samples", data.draw(st.sampled_from(["0", "1e9", "3"]))]
    else:
        lo, hi = data.draw(
            st.sampled_from([("0", "1"), ("1", "0"), ("-1e300", "1e300"), ("1", "2")])
        )
        argv = ["threshold", name, "--in", f"{param}={lo}:{hi}", "--grid", "11", "--json"]
        if data.draw(st.booleans(), label="expr"):
            argv += ["--expr", f"total[{(model.scenarios or ('x',))[0]}] + {value}"]
        else:
            scen = list(model.scenarios) or ["x"]
            pair = data.draw(st.lists(st.sampled_from(scen), min_size=2, max_size=2))
            argv += ["--compare", ",".join(pair), "--player", data.draw(values, label="player")]
    _check(cli, argv)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_value_in_every_text_entry_point(cli, text):
    for argv in (
        ["solve", "newsvendor", "--set", f"demand={text}"],
        ["solve", "process-innovation", "--set", f"k={text}"],
        ["solve", "newsvendor", "--set", "demand=poisson(mean=5)", "--fix", f"q={text}"],
        ["solve", "buyback-effort", "--option", f"resale={text}"],
        ["threshold", "process-innovation", "--expr", f"pi_PB[P] - {text}", "--in", "k=1:2"],
        ["derive", text],
        ["statics", "process-innovation", "--wrt", text],
    ):
        _check(cli, argv)
