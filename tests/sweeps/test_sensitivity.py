"""Global sensitivity: analytic Sobol indices of Ishigami, the row contract, the command."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clsc.analysis.sensitivity import (
    GSASpec,
    SensitivityError,
    analyse,
    collect,
    sample,
    sensitivity,
)

A, B = 7.0, 0.1


def ishigami(X: np.ndarray) -> np.ndarray:
    return np.sin(X[:, 0]) + A * np.sin(X[:, 1]) ** 2 + B * X[:, 2] ** 4 * np.sin(X[:, 0])


def expected_ishigami() -> dict[tuple[str, str], float]:
    """Analytic indices (Ishigami & Homma 1990; Saltelli et al. 2008, Global Sensitivity
    Analysis: The Primer, sec. 4.8): V1 = (1 + b*pi^4/5)^2/2, V2 = a^2/8,
    V13 = b^2*pi^8*(1/18 - 1/50)."""
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {
        ("x1", "S1"): v1 / v,
        ("x2", "S1"): v2 / v,
        ("x3", "S1"): 0.0,
        ("x1", "ST"): (v1 + v13) / v,
        ("x2", "ST"): v2 / v,
        ("x3", "ST"): v13 / v,
        ("x1,x2", "S2"): 0.0,
        ("x1,x3", "S2"): v13 / v,
        ("x2,x3", "S2"): 0.0,
    }


PI = math.pi
GSA = GSASpec(
    "sobol",
    ("y",),
    {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)},
    samples=2048,
    confidence=0.99,
    resamples=100,
)


def _rows(X: np.ndarray, y: np.ndarray, seed=0) -> pd.DataFrame:
    frame = pd.DataFrame({"point": np.arange(len(X)), "status": "optimal", "message": "", "y": y})
    return frame.sample(frac=1.0, random_state=seed)  # rows arrive in any order


def test_ishigami_sobol_indices_within_their_confidence_intervals():
    X = sample(GSA, seed=7)
    Y, filled = collect(_rows(X, ishigami(X)), len(X), GSA)
    assert filled == {"y": 0}
    table = analyse(GSA, X, Y, seed=7)
    assert len(table) == 9
    for (param, index), expected in expected_ishigami().items():
        row = table[(table["parameter"] == param) & (table["index"] == index)].iloc[0]
        assert abs(row["value"] - expected) <= row["conf"] + 1e-12, (param, index, row.tolist())
        assert row["conf"] < 0.15


def test_rows_out_of_order_give_the_same_indices_and_missing_rows_are_refused():
    g = GSASpec("sobol", ("y",), dict(list(GSA.bounds.items())), samples=64, resamples=20)
    X = sample(g, seed=1)
    y = ishigami(X)
    a = analyse(g, X, collect(_rows(X, y, 1), len(X), g)[0], seed=0)
    b = analyse(g, X, collect(_rows(X, y, 2), len(X), g)[0], seed=0)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(SensitivityError, match="1 missing"):
        collect(_rows(X, y).iloc[1:], len(X), g)


def test_nan_output_refused_unless_policy():
    g = GSASpec("sobol", ("y",), dict(GSA.bounds), samples=64, resamples=20)
    X = sample(g, seed=1)
    y = ishigami(X)
    y[5] = np.nan
    with pytest.raises(
        SensitivityError, match=r"1 of 512 points have no finite 'y' \(first: point 5"
    ):
        collect(_rows(X, y), len(X), g)
    rows = _rows(X, ishigami(X))
    rows.loc[rows["point"] == 9, "status"] = "condition_failed"
    with pytest.raises(SensitivityError, match="status condition_failed"):
        collect(rows, len(X), g)
    filled = GSASpec("sobol", ("y",), dict(GSA.bounds), samples=64, on_failure="mean")
    Y, count = collect(_rows(X, y), len(X), filled)
    assert count == {"y": 1} and Y["y"][5] == pytest.approx(np.nanmean(y))


def test_model_gsa_through_sweep_engine_finds_an_inert_parameter(tmp_path):
    # scenario P of process-innovation does not depend on theta (PB collects all): S = 0 exactly
    res = sensitivity(
        "process-innovation",
        {"k": (2, 10), "theta": (0, 1), "h": (3, 8)},
        ["profit.total"],
        scenario=["P", "PM"],
        samples=64,
        seed=3,
        out=tmp_path / "gsa",
        resamples=20,
    )
    df = res.to_frame()
    inert = df[(df["scenario"] == "P") & (df["parameter"] == "theta")]
    assert (inert["index"].isin(["S1", "ST"])).sum() == 2
    assert np.allclose(inert.loc[inert["index"] == "ST", "value"], 0.0)
    active = df[(df["scenario"] == "PM") & (df["parameter"] == "theta") & (df["index"] == "ST")]
    assert active["value"].iloc[0] > 0.05


def test_sensitivity_command_morris(cli, tmp_path):
    path = tmp_path / "gsa.toml"
    path.write_text(
        'model = "process-innovation"\nscenario = "PM"\nseed = 2\n'
        "[design]\nk = {from = 2, to = 10}\nh = {from = 3, to = 8}\n"
        '[sensitivity]\nmethod = "morris"\noutputs = ["q"]\nsamples = 8\nresamples = 20\n'
    )
    code, out, err = cli("sensitivity", path, "--quiet", "--csv", tmp_path / "i.csv")
    assert code == 0, err
    assert "morris indices from 24 points" in out
    table = pd.read_csv(tmp_path / "i.csv")
    assert set(table["index"]) == {"mu", "mu_star", "sigma"}
    k_star = table[(table["parameter"] == "k") & (table["index"] == "mu_star")]["value"].iloc[0]
    assert k_star > 0


def test_sensitivity_file_errors(cli, tmp_path):
    path = tmp_path / "gsa.toml"
    path.write_text('model = "process-innovation"\n[design]\nk = {from = 2, to = 10}\n')
    code, _, err = cli("sensitivity", path)
    assert code == 2 and "has no [sensitivity] table" in err
    path.write_text(
        'model = "process-innovation"\n[design]\nk = {from = 2, to = 10}\nh = [1, 2]\n'
        '[sensitivity]\noutputs = ["q"]\n'
    )
    code, _, err = cli("sensitivity", path)
    assert code == 2 and "sensitivity needs a range" in err


def test_morris_on_a_model_without_scenarios():
    # newsvendor, uniform demand on [0, 100], no shortage or salvage: q* = 100*(p - c)/p, so
    # the order rises with the price and falls with the cost
    res = sensitivity(
        "newsvendor",
        {"price": (8.0, 12.0), "cost": (1.0, 4.0)},
        ["q"],
        method="morris",
        params={"demand": "uniform(low=0, high=100)"},
        samples=10,
        resamples=20,
    )
    df = res.to_frame().set_index(["parameter", "index"])["value"]
    assert df[("price", "mu")] > 0 > df[("cost", "mu")]
