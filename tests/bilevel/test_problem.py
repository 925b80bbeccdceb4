"""Parsing and validating problem files: clear one-line errors, never a crash."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clsc.bilevel import BilevelProblem
from clsc.errors import ParameterError, SpecError

from .literature import MOORE_BARD_FOLLOWER, problem

MB = problem("x", "-x - 10*y", [], "y", "y", MOORE_BARD_FOLLOWER)


def test_standard_form_of_moore_bard():
    sf = BilevelProblem.from_dict(MB).standard_form()
    assert sf.names == ("x", "y")
    np.testing.assert_allclose(sf.h, [-1, -10])
    np.testing.assert_allclose(sf.c, [1])
    # 'x >= 0' involves only the leader's variable: moved to the leader's rows
    np.testing.assert_allclose(sf.G, [[-1, 0]])
    assert sf.B.shape == (5, 1)


def test_quadratic_coefficients_and_equalities():
    p = problem("x", "(x - 5)^2 + 3*x*y", [], "y", "y^2 - 1.5*x*y", ["x + y == 2"])
    sf = BilevelProblem.from_dict(p).standard_form()
    np.testing.assert_allclose(sf.H, [[2, 3], [3, 0]])  # 0.5 v'Hv = x^2 + 3xy
    np.testing.assert_allclose(sf.h, [-10, 0])
    assert sf.h0 == 25
    np.testing.assert_allclose(sf.Q, [[2]])
    np.testing.assert_allclose(sf.K, [[-1.5, 2]])
    assert len(sf.b) == 2  # an equality is two rows


@pytest.mark.parametrize(
    ("mutate", "error", "needle"),
    [
        (lambda d: d.pop("follower"), SpecError, "missing the 'follower' block"),
        (lambda d: d["leader"].pop("objective"), SpecError, "'leader' is missing 'objective'"),
        (lambda d: d["leader"].update(objective="-x - 10*z"), SpecError, "unknown symbol 'z'"),
        (lambda d: d["follower"]["constraints"].append("x*y <= 3"), SpecError, "must be linear"),
        (lambda d: d["leader"].update(objective="x^3"), SpecError, "linear or quadratic"),
        (lambda d: d["leader"].update(objective="exp(x)"), SpecError, "not a polynomial"),
        (lambda d: d["follower"]["constraints"].append("y < 3"), SpecError, "strict inequality"),
        (lambda d: d["follower"]["constraints"].append("y + 3"), SpecError, "exactly one of"),
        (lambda d: d["leader"].update(sense="up"), ParameterError, "must be 'min' or 'max'"),
        (lambda d: d.update(integer_vars=["q"]), SpecError, "unknown variable"),
        (lambda d: d["follower"].update(vars=["x"]), SpecError, "declared twice"),
        (lambda d: d["follower"].update(vars=[]), SpecError, "needs at least one variable"),
        (lambda d: d.update(extra=1), SpecError, "unknown key"),
        (lambda d: d["leader"].update(objective="__import__('os')"), SpecError, "not allowed"),
    ],
)
def test_malformed_problem_gives_clear_error(mutate, error, needle):
    data = json.loads(json.dumps(MB))
    mutate(data)
    with pytest.raises(error, match=needle) as info:
        BilevelProblem.from_dict(data)
    assert "\n" not in str(info.value)


def test_file_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SpecError, match="malformed problem file"):
        BilevelProblem.from_file(bad)
    with pytest.raises(ParameterError, match="cannot read problem file"):
        BilevelProblem.from_file(tmp_path / "missing.json")
    toml = tmp_path / "p.toml"
    toml.write_text('[leader]\nvars = ["x"]\nobjective = "x"\n[follower]\nvars = ["y"]\n')
    with pytest.raises(SpecError, match="'follower' is missing 'objective'"):
        BilevelProblem.from_file(toml)


# no '^' / '**': a huge integer power such as 9**99999999 is sympy's (slow) business, not ours
_text = st.text(alphabet="xy0123456789+-*/()<>=. ,", max_size=30).filter(lambda s: "**" not in s)
_junk = st.one_of(_text, st.integers(), st.none(), st.lists(_text, max_size=3), st.floats())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objective=_junk, constraint=_junk, sense=_junk)
def test_random_input_gives_clear_error_or_valid_problem(objective, constraint, sense):
    data = json.loads(json.dumps(MB))
    data["leader"]["objective"] = objective
    data["leader"]["sense"] = sense
    data["follower"]["constraints"] = [*MOORE_BARD_FOLLOWER, constraint]
    try:
        problem_ = BilevelProblem.from_dict(data)
    except ParameterError as exc:  # SpecError is a ParameterError
        assert str(exc) and "\n" not in str(exc)
    else:
        assert problem_.standard_form().n == 1
