"""The public face: ``import clsc`` is light, ``clsc.solve`` takes plain keyword parameters."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import clsc
from clsc.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]
#: modules ``import clsc`` must not load (heavy, or pulled only by the functions that use them)
HEAVY = ("sympy", "pyomo", "pandas", "scipy", "numba", "matplotlib", "highspy", "dask")
expected_q_normal = 56.604  # issue 8 "done when": normal(50, 8), h = 0.18, s = 0.7


def _fresh(code: str) -> str:
    env_path = str(ROOT / "src")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )
    return out.stdout


def test_import_clsc_loads_no_heavy_module():
    code = (
        "import sys, json, clsc\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    assert json.loads(_fresh(code)) == []


def test_version_single_source():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "clsc.version.__version__"}
    from clsc.version import __version__

    assert clsc.__version__ is __version__ and __version__.count(".") == 2


def test_solve_plain_keywords_dict_and_model_method():
    kw = {"demand": "normal(mean=50, sd=8)", "holding": 0.18, "shortage": 0.7}
    by_kw = clsc.solve("newsvendor", **kw)
    by_dict = clsc.solve("newsvendor", params=kw)
    by_model = clsc.model("newsvendor").solve(**kw)
    assert round(by_kw.decisions["q"], 3) == expected_q_normal
    assert by_dict.decisions == by_kw.decisions == by_model.decisions
    # keywords override the dict
    assert clsc.solve("newsvendor", params=kw, holding=0.5).decisions["q"] < by_kw.decisions["q"]


def test_options_as_keywords_or_dict():
    kw = {"demand": "normal(mean=50, sd=8)", "holding": 0.18, "shortage": 0.7}
    a = clsc.solve("newsvendor", **kw, q_max=50)
    b = clsc.solve("newsvendor", **kw, options={"q_max": 50})
    assert a.decisions["q"] == b.decisions["q"] == 50.0


def test_unknown_name_lists_parameters_and_options():
    with pytest.raises(ParameterError, match="holdng") as info:
        clsc.solve("newsvendor", demand="normal(mean=50, sd=8)", holdng=0.2)
    text = str(info.value)
    assert "holding" in text and "sampling" in text and info.value.name == "holdng"
    with pytest.raises(ParameterError, match="valid: buyback-effort"):
        clsc.model("no-such-model")


def test_parameter_and_option_names_do_not_collide():
    for name in clsc.models.model_names():
        m = clsc.model(name)
        assert not set(m.spec.names) & set(m.options), name


def test_models_listing_and_parse_demand():
    listing = clsc.models()
    assert [d["name"] for d in listing] == clsc.models.model_names()
    assert float(clsc.parse_demand("poisson(mean=6)").mean) == 6.0


def test_seed_none_is_fresh_entropy_reported_and_repeatable():
    kw = {"demand": "normal(mean=50, sd=8)", "holding": 0.18, "shortage": 0.7, "samples": 500}
    first = clsc.solve("newsvendor", method="mc", **kw)
    second = clsc.solve("newsvendor", method="mc", **kw)
    assert first.seed is not None and first.seed != second.seed
    again = clsc.solve("newsvendor", method="mc", seed=first.seed, **kw)
    assert again.decisions == first.decisions and again.metrics == first.metrics
    assert clsc.solve("newsvendor", **kw).seed is None  # closed form draws nothing
    assert first.to_dict()["seed"] == first.seed


def test_seed_must_be_a_non_negative_integer():
    with pytest.raises(ParameterError, match="seed"):
        clsc.solve("newsvendor", demand="poisson(mean=6)", price=10, cost=4, seed=-1)
