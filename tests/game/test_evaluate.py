"""The vectorised ``GameModel.evaluate`` validates like ``solve``, reads like its rows (issue 15).

Every point of an evaluation is compared with the scalar ``model.solve`` at that point: an
invalid point is a ``skipped`` status row (as in a sweep) whose message is the ``ParameterError`` of
``solve`` (never a number, e.g. tau = -0.161 for B_subsidy = 0), the other rows carry the
status, outputs, condition columns and flags of ``solve(...).to_frame()``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from clsc.errors import ParameterError
from clsc.game.model import GameModel
from clsc.models import get_model, model_names

GAME_MODELS = [n for n in model_names() if isinstance(get_model(n), GameModel)]
CASES = [(n, s) for n in GAME_MODELS for s in get_model(n).scenarios]


def _points(model, rng, n: int) -> dict[str, np.ndarray]:
    """Defaults scaled by random factors in [0.4, 1.6], a few entries negative or zero."""
    out = {}
    for p in model.spec:
        if p.kind != "float" or p.default is None:
            continue
        x = float(p.default) * rng.uniform(0.4, 1.6, n)
        x[rng.random(n) < 0.05] *= -1.0
        x[rng.random(n) < 0.03] = 0.0
        out[p.name] = x
    return out


def _same(a, b) -> bool:
    if isinstance(b, str) or isinstance(a, str):
        return a == b
    if isinstance(b, bool | np.bool_):
        return bool(a) == bool(b)
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-9)


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_every_point_reads_like_the_scalar_solve(name, scenario):
    model = get_model(name)
    rng = np.random.default_rng(15)
    given = _points(model, rng, 24)
    ev = model.evaluate(scenario, **given)
    frame = ev.to_frame()
    statuses = set()
    for i, row in frame.iterrows():
        params = {k: float(v[i]) for k, v in given.items()}
        try:
            result = model.solve(scenario, params=params)
        except ParameterError as exc:
            statuses.add("skipped")
            assert row["status"] == "skipped", (params, row["message"])
            assert row["message"] == str(exc)
            floats = [c for c in frame.columns if frame[c].dtype.kind == "f"]
            outputs = [c for c in floats if not c.startswith("param.")]
            assert outputs and all(math.isnan(row[c]) for c in outputs)
            assert row["flags"] == ""
            continue
        expected_row = result.to_frame().iloc[0]
        statuses.add(str(result.status))
        assert row["status"] == str(result.status), (params, result.message)
        # the vectorised message leaves out the values, which are in the cond.* columns
        expected_message = re.sub(r" \(value [^)]*\)", "", result.message)
        assert row["message"] == expected_message
        for column in expected_row.index:
            if column in ("model", "scenario", "method", "seed") or column not in frame:
                continue
            assert _same(row[column], expected_row[column]), (column, params)
        for c in result.conditions:
            assert _same(row[f"cond.{c.name}"], c.value), (c.name, params)
    assert "skipped" in statuses  # the random points reach both kinds of rows
    assert len(statuses) >= 2


def test_subsidy_zero_is_an_invalid_row_not_a_number():
    model = get_model("cascade-epr")
    with pytest.raises(ParameterError) as exc:
        model.solve("decentralised", params={"B_subsidy": 0})
    ev = model.evaluate("decentralised", B_subsidy=0)
    assert ev.shape == ()
    assert str(ev["status"]) == "skipped"
    assert str(ev["message"]) == str(exc.value)
    assert "B_subsidy" in str(ev["message"])
    assert np.isnan(ev["tau"]) and np.isnan(ev["w"]) and np.isnan(ev["profit.pi_M"])


def test_mixed_valid_and_invalid_points():
    model = get_model("cascade-epr")
    subsidy = np.array([0.0, 10.0, 25.0, 15.0, -3.0])  # 0 and -3: > 0 fails; 25 > delta = 20
    ev = model.evaluate("decentralised", B_subsidy=subsidy)
    assert ev["status"].tolist() == ["skipped", "optimal", "skipped", "optimal", "skipped"]
    assert "b <= B_subsidy <= delta" in ev["message"][2]
    assert np.isnan(ev["tau"][[0, 2, 4]]).all()
    for i in (1, 3):
        expected = model.solve("decentralised", params={"B_subsidy": subsidy[i]})
        assert ev["tau"][i] == pytest.approx(expected.decisions["tau"], rel=1e-12)
    assert ev.ok.tolist() == [False, True, False, True, False]


def test_broadcast_grid_has_the_shape_of_the_inputs():
    model = get_model("process-innovation")
    ev = model.evaluate("PM", r=np.array([2.0, 7.0]), k=np.array([[6.0], [8.0], [10.0]]))
    assert ev.shape == (3, 2) and ev["w"].shape == (3, 2)
    for j, r in enumerate((2.0, 7.0)):
        for i, k in enumerate((6.0, 8.0, 10.0)):
            expected = model.solve("PM", params={"r": r, "k": k})
            assert ev["status"][i, j] == str(expected.status)
    assert len(ev.to_frame()) == 6


def test_condition_columns_are_labelled_with_the_printed_condition(cli):
    """The label of a ``cond.*`` column is the condition line ``clsc solve`` prints (up to its
    value), and the column holds that printed value."""
    model = get_model("process-innovation")
    ev = model.evaluate("PM", r=7.0)
    code, out, _ = cli("solve", "process-innovation", "--scenario", "PM", "--set", "r=7")
    assert code in (0, 1)
    printed = {}
    for line in out.splitlines():
        m = re.match(r"^\s+(\[\w+\] .*) = (\S+)\s+-> (holds|FAILS)$", line)
        if m:
            printed[m.group(1)] = float(m.group(2))
    assert len(ev.conditions) == len(printed) >= 5
    for c in ev.conditions:
        assert c.column == f"cond.{c.name}"
        assert c.label in printed, c.label
        assert float(ev[c.column]) == pytest.approx(printed[c.label], abs=5e-4, rel=1e-4)
        assert c.relation in (">0", ">=0")
    labels = ev.to_frame().attrs["conditions"]
    assert labels == {c.column: c.label for c in ev.conditions}
    assert str(ev["status"]) == "condition_failed"
    assert "x >= 0" in str(ev["failed_conditions"])


def test_flags_reach_the_rows():
    model = get_model("process-innovation")
    ev = model.evaluate("PM", r=np.array([2.0, 0.5]))
    expected = [";".join(model.solve("PM", params={"r": r}).flags) for r in (2.0, 0.5)]
    assert ev["flags"][0].startswith("FLAG cr - r*x >= 0 fails")
    assert [f.replace("; ", ";") for f in ev["flags"]] == expected


def test_call_errors_raise():
    model = get_model("cascade-epr")
    with pytest.raises(ParameterError, match="unknown parameter 'B'"):
        model.evaluate("decentralised", B=np.ones(3))
    sorting = get_model("sorting-collection")
    with pytest.raises(ParameterError, match="one value per call"):
        sorting.evaluate("N", sorting=["scope", "per_unit"])


def test_per_unit_variant_is_evaluated_by_its_own_games():
    model = get_model("sorting-collection")
    ev = model.evaluate("MC", sorting="per_unit", k=np.array([2000.0, 4000.0, 8000.0]))
    assert ev["status"][0] == "skipped"  # Assumption 4 needs a larger k under per_unit
    for i, k in enumerate((4000.0, 8000.0), start=1):
        expected = model.solve("MC", params={"sorting": "per_unit", "k": k})
        assert ev["status"][i] == str(expected.status)
        for k, v in expected.decisions.items():
            assert ev[k][i] == pytest.approx(v, rel=1e-9), k
