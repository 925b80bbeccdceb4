"""Study files: every shipped file loads and names real sweeps; bad files are refused with the
key named; the docstring examples of the report modules run (not reproduce.py: its example
runs a whole study, which test_reproduce.py covers)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from clsc.errors import ParameterError
from clsc.report.study import load_study, study_from_mapping, study_names

MODULES = ["clsc.report.tables", "clsc.report.figures", "clsc.report.index",
           "clsc.report.compute", "clsc.report.study"]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_every_source_model_has_a_study():
    expected_models = ("joint-inventory", "cascade-epr", "process-innovation",
                       "sorting-collection", "buyback-effort")  # fmt: skip
    assert study_names() == expected_models
    for name in study_names():
        study = load_study(name)
        assert study.model == name
        for figure in study.figures:
            assert figure.sweep in {s["name"] for s in study.sweeps}


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"model": "cascade-epr", "bogus": 1}, "bogus"),
        ({"title": "x"}, "model"),
        ({"model": "cascade-epr", "table": [{"name": "t", "sweep": "s", "rows": "b"}]},
         "columns"),
        ({"model": "cascade-epr", "table": [{"name": "t", "sweep": "nope", "rows": "b",
                                             "columns": ["w"]}]}, "sweep"),
        ({"model": "cascade-epr", "threshold": [{"name": "t", "expr": "w[D]", "param": "b",
                                                 "interval": [0, 1], "kind": "mid"}]}, "kind"),
    ],
)  # fmt: skip
def test_bad_study_is_refused_naming_the_key(raw, named):
    with pytest.raises(ParameterError) as err:
        study_from_mapping(raw)
    assert err.value.name == named


def test_unknown_model_is_a_user_error(cli, tmp_path):
    code, _, err = cli("reproduce", "nope", "--out", tmp_path)
    assert code == 2 and "no study for 'nope'" in err
