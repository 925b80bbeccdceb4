"""Sweeps end to end: files and Python, designs, vectorised vs scalar, executors, statuses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clsc.errors import ParameterError
from clsc.models import get_model
from clsc.results import Status
from clsc.sweeps.api import read_sweep, sweep, sweep_file

NEWSVENDOR_MC = {
    "params": {"price": 10, "cost": 4, "demand": "normal(mean={mu}, sd=8)"},
    "method": "mc",
    "samples": 500,
    "seed": 11,
}


def _scalar_frame(model, scenario, params, **kw):
    return get_model(model).solve(scenario, params=params, **kw).to_frame()


def _model_columns(df):
    return [c for c in df.columns if c not in ("point", "scenario", "status", "message", "seed")]


def test_sweep_file_through_cli(cli, tmp_path):
    sweep_toml = tmp_path / "s.toml"
    sweep_toml.write_text(
        'model = "process-innovation"\nscenarios = ["P", "PM"]\n'
        "[design]\ntheta = {from = 0, to = 1, steps = 5}\nk = [4, 6]\n"
    )
    code, out, err = cli("sweep", sweep_toml, "--out", tmp_path / "o", "--quiet")
    assert code == 0, err
    assert "10 points x scenarios = 20 rows" in out
    df = read_sweep(tmp_path / "o")
    assert len(df) == 20 and set(df["status"]) == {"optimal"}
    assert df["point"].tolist() == sorted(df["point"].tolist())
    # the same file from Python gives the same rows
    again = sweep_file(sweep_toml)
    pd.testing.assert_frame_equal(df, again)
    # every row equals the scalar solve at its point
    for _, row in df.sample(6, random_state=0).iterrows():
        expected = _scalar_frame(
            "process-innovation", row["scenario"], {"theta": row["theta"], "k": row["k"]}
        )
        for c in ("q", "w", "x"):
            assert row[c] == pytest.approx(float(expected[c].iloc[0]), rel=1e-12)


def test_vectorised_game_equals_scalar_on_random_points():
    model = "process-innovation"
    m = get_model(model)
    design = {"type": "random", "points": 40, "k": {"from": 0.5, "to": 40.0}}
    design["theta"] = {"from": 0.0, "to": 1.0}
    design["h"] = {"from": 0.01, "to": 3.0}
    df = sweep(model, design, scenario="all", seed=5, on_invalid="skip")
    assert len(df) == 40 * len(m.scenarios)
    for _, row in df.iterrows():
        params = {k: row[k] for k in design if k not in ("type", "points")}
        res = m.solve(row["scenario"], params=params)
        assert row["status"] == res.status
        expected = res.to_frame().iloc[0]
        for c in _model_columns(df):
            if c in df.columns and c in expected.index and c not in params:
                if pd.isna(row[c]):
                    assert pd.isna(expected[c]) or not res.ok
                elif isinstance(expected[c], bool | np.bool_):
                    assert bool(row[c]) == bool(expected[c]), c
                elif isinstance(expected[c], str):
                    assert row[c] == expected[c], c
                else:
                    assert row[c] == pytest.approx(float(expected[c]), rel=1e-9, abs=1e-9), c


def test_condition_failed_rows_have_nan_outputs():
    # process-innovation: a small innovation cost h breaks PB's SOC (h*k + 4*h - r**2 > 0 in P)
    df = sweep("process-innovation", {"h": [0.1, 5.0]}, scenario="all")
    failed = df[df["status"] == "condition_failed"]
    assert (df["h"] == 0.1).sum() == len(failed) == 3
    assert failed["q"].isna().all() and failed["message"].str.contains("SOC condition").all()
    assert not failed["conditions_hold"].any()
    assert failed["failed_conditions"].str.contains("PB: SOC minor 2 (w, x)", regex=False).all()
    # the value columns exist although the first point of every scenario fails its SOC
    assert df[df["status"] == "optimal"]["q"].notna().all()
    for s in failed["scenario"]:
        scalar = get_model("process-innovation").solve(s, params={"h": 0.1})
        assert scalar.status == Status.CONDITION_FAILED


@pytest.mark.parametrize("kind", ["random", "sobol", "lhs"])
def test_sampled_designs_are_seeded_and_in_range(kind):
    design = {
        "type": kind,
        "points": 16,
        "theta": {"from": 0.2, "to": 0.8},
        "k": {"from": 1, "to": 100, "log": True},
    }
    a = sweep("process-innovation", design, seed=1)
    b = sweep("process-innovation", design, seed=1)
    c = sweep("process-innovation", design, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["theta"], c["theta"])
    assert a["theta"].between(0.2, 0.8).all() and a["k"].between(1, 100).all()
    assert len(a) == 16


def test_zip_design_pairs_values():
    df = sweep("process-innovation", {"type": "zip", "theta": [0.1, 0.5, 0.9], "k": [2, 4, 8]})
    assert list(zip(df["theta"], df["k"], strict=True)) == [(0.1, 2.0), (0.5, 4.0), (0.9, 8.0)]


def test_grid_lists_and_log_spacing():
    df = sweep(
        "process-innovation", {"h": {"from": 1, "to": 100, "steps": 3, "log": True}, "k": [5, 6]}
    )
    assert df["h"].tolist() == pytest.approx([1, 1, 10, 10, 100, 100])
    assert df["k"].tolist() == [5, 6, 5, 6, 5, 6]


def test_demand_template_is_filled_and_matches_scalar():
    df = sweep(
        "newsvendor",
        {"mu": [40, 60]},
        seed=11,
        **{k: v for k, v in NEWSVENDOR_MC.items() if k != "seed"},
    )
    assert df["demand"].tolist() == ["normal(mean=40.0, sd=8)", "normal(mean=60.0, sd=8)"]
    for _, row in df.iterrows():
        res = get_model("newsvendor").solve(
            params={"price": 10, "cost": 4, "demand": row["demand"]},
            method="mc",
            samples=500,
            seed=int(row["seed"]),
        )
        assert row["q"] == res.decisions["q"]


def _sampled_rows(**kw):
    return sweep(
        "contracts",
        {"mu": {"from": 30, "to": 70, "steps": 9}},
        scenario="buyback",
        method="mc",
        samples=2000,
        seed=5,
        params={"p": 10, "w": 5, "cm": 4, "b": 2, "demand": "normal(mean={mu}, sd=8)"},
        **kw,
    )


def test_results_identical_serial_pool_dask_and_any_chunking(tmp_path):
    distributed = pytest.importorskip("distributed")
    serial = _sampled_rows(chunk_size=9)
    pool = _sampled_rows(workers=2, chunk_size=2)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = _sampled_rows(scheduler=client, chunk_size=4, out=tmp_path / "d")
    assert set(serial["status"]) == {"optimal"} and serial["seed"].nunique() == 9
    pd.testing.assert_frame_equal(serial, pool)
    pd.testing.assert_frame_equal(serial, dask)


def test_invalid_points_refused_with_count_and_first_point():
    with pytest.raises(Exception, match=r"2 of 4 points .*first: point 2 \(cr=95\)") as info:
        sweep("process-innovation", {"cr": [5, 10, 95, 99]})
    assert "on_invalid" in str(info.value)


def test_invalid_points_skipped_as_status_rows():
    df = sweep("process-innovation", {"cr": [5, 95]}, on_invalid="skip")
    assert df["status"].tolist() == ["optimal", "skipped"]
    assert "a - c0 - cr > 0" in df["message"].iloc[1]
    assert np.isnan(df["q"].iloc[1])


def test_failing_point_records_status_and_sweep_goes_on():
    # contracts: w is required unless option lam; w = None at some points -> a model error
    df = sweep(
        "contracts",
        {"w": [6.0, 11.0]},
        scenario="wholesale",
        params={"p": 10, "cm": 4, "demand": "normal(mean=50, sd=8)"},
        on_invalid="skip",
    )
    assert df["status"].tolist() == ["optimal", "skipped"]
    assert "w < p" in df["message"].iloc[1]


def test_outputs_select_columns_and_unknown_output_is_refused():
    df = sweep("process-innovation", {"k": [5, 6]}, outputs=["q", "profit.total"])
    assert _model_columns(df) == ["k", "q", "profit.total"]
    with pytest.raises(Exception, match=r"unknown output 'nope'; valid outputs: .*q"):
        sweep("process-innovation", {"k": [5, 6]}, outputs=["nope"])


@pytest.mark.parametrize("kind", ["random", "sobol", "lhs", "grid"])
def test_design_slices_do_not_depend_on_slicing(kind):
    from clsc.sweeps.designs import make_design

    if kind == "grid":
        spec = {"a": {"from": 0, "to": 1, "steps": 301}, "b": [1, 2, 3]}
    else:
        spec = {
            "type": kind,
            "points": 70_000,
            "a": {"from": 0, "to": 1},
            "b": {"from": 1, "to": 3},
        }
    d = make_design(spec, seed=3)
    whole = d.columns(0, d.n)
    parts = [d.columns(s, s + 6_999) for s in range(0, d.n, 6_999)]
    for k in whole:
        assert np.array_equal(whole[k], np.concatenate([p[k] for p in parts]))


def test_unknown_option_and_bad_option_value_refused_before_work(tmp_path):
    with pytest.raises(Exception, match=r"unknown option 'colour'; valid options: .*sampling"):
        sweep(
            "newsvendor",
            {"mu": [40]},
            params={"demand": "normal(mean={mu}, sd=8)"},
            options={"colour": "red"},
        )
    with pytest.raises(Exception, match="sampling must be one of"):
        sweep(
            "newsvendor",
            {"mu": [40]},
            params={"demand": "normal(mean={mu}, sd=8)", "price": 5, "cost": 1},
            method="mc",
            options={"sampling": "magic"},
            out=tmp_path / "o",
        )
    assert not (tmp_path / "o").exists()


def test_cli_scheduler_address_runs_on_dask(cli, tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep_toml = tmp_path / "s.toml"
    sweep_toml.write_text(
        'model = "process-innovation"\nmethod = "numeric"\nchunk_size = 2\nseed = 9\n'
        "[design]\ntheta = [0.0, 0.5, 1.0]\n"
    )
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        code, out, err = cli(
            "sweep", sweep_toml, "--out", tmp_path / "o", "--scheduler", cluster.scheduler_address
        )
    assert code == 0, err
    assert "2 chunks computed" in out
    rows = read_sweep(tmp_path / "o")
    expected = sweep_file(sweep_toml)
    pd.testing.assert_frame_equal(rows, expected)


def test_optional_parameter_left_unset_point_by_point():
    # contracts revenue-sharing without w: the model fills the coordinating w itself
    params = {"p": 10, "cm": 4, "v": 1, "demand": "normal(mean=50, sd=8)"}
    df = sweep(
        "contracts",
        {"phi": [0.6, 0.8]},
        scenario="revenue-sharing",
        method="mc",
        samples=2000,
        params=params,
    )
    assert df["status"].tolist() == ["optimal", "optimal"]
    for _, row in df.iterrows():
        res = get_model("contracts").solve(
            "revenue-sharing",
            params={**params, "phi": row["phi"]},
            method="mc",
            samples=2000,
            seed=int(row["seed"]),
        )
        assert row["q"] == res.decisions["q"]


def test_template_value_that_the_distribution_refuses():
    params = {"price": 10, "cost": 4, "demand": "normal(mean=50, sd={s})"}
    with pytest.raises(ParameterError, match=r"1 of 2 points .*first: point 0 \(s=-1\).*sd"):
        sweep("newsvendor", {"s": [-1.0, 8.0]}, params=params)
    df = sweep("newsvendor", {"s": [-1.0, 8.0]}, params=params, on_invalid="skip")
    assert df["status"].tolist() == ["skipped", "optimal"]
    assert "sd" in df["message"].iloc[0]


def test_game_closed_form_stays_vectorised_where_a_flag_fails():
    # process-innovation P fails the FLAG cr - r*x >= 0 at its defaults: the vectorised rows must
    # carry the same flag text as the scalar solve, or the fast path is (silently) disabled
    df = sweep("process-innovation", {"theta": [0.2, 0.5]}, scenario=["P", "PM"])
    assert df.attrs["summary"]["notes"] == []
    scalar = get_model("process-innovation").solve("P", params={"theta": 0.2}).to_frame()
    assert df[df["scenario"] == "P"]["flags"].iloc[0] == scalar.loc[0, "flags"] != ""
