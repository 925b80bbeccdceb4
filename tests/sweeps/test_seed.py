"""Sweep seeds: a seed of None draws fresh entropy, reported (summary, manifest, printed summary)
so that the same sweep with that seed repeats it bit for bit; a seed is never silently 0.
And the one way the sweep engine finds a model's vectorised closed form (the model declares it)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from clsc.analysis.sensitivity import sensitivity
from clsc.models import get_model
from clsc.models.registry import model_names
from clsc.sweeps import vectorised
from clsc.sweeps.api import read_sweep, sweep
from clsc.sweeps.spec import spec_from_mapping
from clsc.sweeps.store import read_manifest

# a sampled method on a sampled design: both the design and every point depend on the seed
MC = {
    "params": {"price": 10, "cost": 4, "demand": "normal(mean={mu}, sd=8)"},
    "method": "mc",
    "samples": 300,
}
DESIGN = {"type": "random", "points": 6, "mu": {"from": 30, "to": 60}}
SWEEP_FILE = """
model = "newsvendor"
method = "mc"
samples = 300
{seed}
[params]
price = 10
cost = 4
demand = "normal(mean={{mu}}, sd=8)"
[design]
type = "random"
points = 6
mu = {{from = 30, to = 60}}
"""


def test_spec_without_seed_draws_one_and_carries_it_to_the_workers():
    a = spec_from_mapping({"model": "newsvendor", "design": {"cost": [1, 2]}})
    b = spec_from_mapping({"model": "newsvendor", "design": {"cost": [1, 2]}, "seed": None})
    assert a.seed_drawn and b.seed_drawn
    assert a.seed != b.seed  # fresh entropy each time (equal with probability 2**-63)
    assert a.to_dict()["seed"] == a.seed  # what workers rebuild the spec from
    rebuilt = spec_from_mapping(a.to_dict())
    assert rebuilt.seed == a.seed and not rebuilt.seed_drawn
    given = spec_from_mapping({"model": "newsvendor", "design": {"cost": [1, 2]}, "seed": 0})
    assert given.seed == 0 and not given.seed_drawn


def test_sweep_without_seed_reports_the_seed_that_repeats_it_bit_for_bit():
    first = sweep("newsvendor", DESIGN, **MC)
    summary = first.attrs["summary"]
    assert summary["seed_drawn"] is True and isinstance(summary["seed"], int)
    again = sweep("newsvendor", DESIGN, seed=summary["seed"], **MC)
    assert again.attrs["summary"]["seed"] == summary["seed"]
    assert again.attrs["summary"]["seed_drawn"] is False
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = sweep("newsvendor", DESIGN, **MC)
    assert other.attrs["summary"]["seed"] != summary["seed"]
    assert not first["mu"].equals(other["mu"])  # the random design follows the seed
    assert set(first["seed"]).isdisjoint(other["seed"])  # and so do the points' seeds


def test_sweep_file_without_seed_prints_and_records_it_and_resumes_with_it(cli, tmp_path):
    seedless = tmp_path / "s.toml"
    seedless.write_text(SWEEP_FILE.format(seed=""))
    out = tmp_path / "o"
    code, text, err = cli("sweep", seedless, "--out", out, "--quiet")
    assert code == 0, err
    found = re.search(r"seed (\d+) \(fresh entropy; seed = (\d+) repeats it\)", text)
    assert found and found.group(1) == found.group(2), text
    seed = int(found.group(1))
    manifest = read_manifest(out)
    assert manifest["seed"] == seed and manifest["seed_drawn"] is True
    # the resume of the seedless file takes the recorded seed: nothing recomputed
    code, text, err = cli("sweep", seedless, "--out", out, "--quiet", "--resume")
    assert code == 0, err
    assert "0 chunks computed" in text and f"seed {seed} " in text
    # the file with that seed repeats the sweep bit for bit
    seeded = tmp_path / "t.toml"
    seeded.write_text(SWEEP_FILE.format(seed=f"seed = {seed}"))
    code, text, err = cli("sweep", seeded, "--out", tmp_path / "o2", "--quiet")
    assert code == 0, err
    assert f"seed {seed}" in text and "fresh entropy" not in text
    pd.testing.assert_frame_equal(read_sweep(out), read_sweep(tmp_path / "o2"), check_exact=True)
    assert json.loads(json.dumps(read_manifest(tmp_path / "o2")["seed"])) == seed


def test_sensitivity_without_seed_reports_the_seed_that_repeats_it():
    run = {"scenario": "PM", "samples": 8, "method": "morris", "resamples": 20}
    bounds = {"k": (2, 10), "h": (3, 8)}
    first = sensitivity("process-innovation", bounds, ["q"], **run)
    assert first.seed_drawn and isinstance(first.seed, int)
    again = sensitivity("process-innovation", bounds, ["q"], seed=first.seed, **run)
    assert not again.seed_drawn
    pd.testing.assert_frame_equal(first.to_frame(), again.to_frame(), check_exact=True)


@pytest.mark.parametrize("name", model_names())
def test_the_engine_takes_the_vectorised_closed_form_the_model_declares(name):
    model = get_model(name)
    assert vectorised.declared(model) is type(model).vectorised
    if name in ("newsvendor", "contracts", "buyback-effort"):
        assert callable(vectorised.declared(model))


def test_sensitivity_file_without_seed_prints_it_and_resumes_with_it(cli, tmp_path):
    path = tmp_path / "gsa.toml"
    path.write_text(
        'model = "process-innovation"\nscenario = "PM"\n'
        "[design]\nk = {from = 2, to = 10}\nh = {from = 3, to = 8}\n"
        '[sensitivity]\nmethod = "morris"\noutputs = ["q"]\nsamples = 8\nresamples = 20\n'
    )
    out = tmp_path / "rows"
    code, first, err = cli("sensitivity", path, "--quiet", "--out", out)
    assert code == 0, err
    found = re.search(r"from 24 points; seed (\d+) \(fresh entropy", first)
    assert found, first
    assert read_manifest(out)["seed"] == int(found.group(1))
    code, again, err = cli("sensitivity", path, "--quiet", "--out", out, "--resume")
    assert code == 0, err
    assert again == first  # the same sample and bootstrap: the recorded seed
