"""The gradient-based numeric method (implicit-function-theorem slopes, Newton outer search).

Checked against the closed form (to 1e-8) and against the derivative-free outer search it
replaces, on the shipped Stackelberg models; divergence is judged relative to the problem's
scale (issue 14) and a failing problem is attributed to the right player (issue 15).
"""

from __future__ import annotations

import numpy as np
import pytest

from clsc.game.numeric import NumericGame
from clsc.models.cascade_epr import CascadeEPR
from clsc.models.process_innovation import ProcessInnovation
from clsc.results import CONDITION_FAILED, OPTIMAL, UNBOUNDED

CASES = [
    (CascadeEPR, "decentralised", {}),
    (CascadeEPR, "decentralised", {"k": 120.0, "a": 150.0}),
    (ProcessInnovation, "PM", {}),
    (ProcessInnovation, "PM", {"theta": 0.2, "r": 1.5}),
    (ProcessInnovation, "P", {}),
    (ProcessInnovation, "M", {"b": 0.5}),
]


def _assert_close(numeric: dict, closed: dict, rel: float) -> None:
    for key, expected_value in closed.items():
        assert numeric[key] == pytest.approx(expected_value, rel=rel, abs=rel), key


@pytest.mark.parametrize(("cls", "scenario", "params"), CASES)
def test_gradient_numeric_equals_closed_form(cls, scenario, params):
    model = cls()
    expected = model.solve(scenario, params=params)  # closed form: the independent reference
    numeric = model.solve(scenario, params=params, method="numeric")
    assert expected.status == OPTIMAL and numeric.status == OPTIMAL
    _assert_close(numeric.decisions, expected.decisions, 1e-8)
    _assert_close(numeric.profits, expected.profits, 1e-8)


@pytest.mark.parametrize(("cls", "scenario", "params"), CASES[3:4])
def test_gradient_and_derivative_free_searches_agree(cls, scenario, params):
    game = cls.games[scenario]
    values = {**cls.spec.defaults(), **params}
    values = {k: float(v) for k, v in values.items() if isinstance(v, int | float)}
    fast = NumericGame(game, gradient=True).solve(values)
    slow = NumericGame(game, gradient=False).solve(values)
    _assert_close(fast, {k: v for k, v in slow.items() if np.isfinite(v)}, 1e-7)


def test_large_parameters_are_not_divergence():
    # issue 14: a = 3e8 gives w about 1.4e8; the closed form is optimal there
    model = ProcessInnovation()
    expected = model.solve("M", params={"a": 3e8})
    numeric = model.solve("M", params={"a": 3e8}, method="numeric")
    assert expected.status == OPTIMAL
    assert numeric.status == OPTIMAL, numeric.message
    assert numeric.decisions["w"] > 1e8
    _assert_close(numeric.decisions, expected.decisions, 1e-8)


def test_failing_problem_names_the_leader():
    # issue 15: with r = 7, PB's second-order condition fails (closed form); PB's reduced
    # profit grows without bound as w falls and x rises, so PB's problem is the unbounded one
    model = ProcessInnovation()
    closed = model.solve("PM", params={"r": 7.0})
    assert closed.status == CONDITION_FAILED and "PB: SOC" in closed.message
    numeric = model.solve("PM", params={"r": 7.0}, method="numeric")
    assert numeric.status == UNBOUNDED
    assert numeric.message.startswith("PB's problem")
    assert "NEV" not in numeric.message
