"""``clsc plot``: a PNG from any sweep directory; bad columns are user errors."""

from __future__ import annotations

import matplotlib.image

from clsc.sweeps.api import sweep

PNG = b"\x89PNG\r\n\x1a\n"


def _sweep_dir(tmp_path):
    out = tmp_path / "nv"
    sweep("newsvendor", {"price": {"from": 5, "to": 20, "steps": 7}}, out=out,
          params={"cost": 2, "demand": "uniform(low=0, high=100)"})  # fmt: skip
    return out


def test_plot_writes_a_png(tmp_path, cli):
    out = _sweep_dir(tmp_path)
    png = tmp_path / "f.png"
    code, stdout, _ = cli("plot", out, "--x", "price", "--y", "q", "--out", png)
    assert code == 0 and str(png) in stdout
    assert png.read_bytes()[:8] == PNG
    assert matplotlib.image.imread(png).shape[0] > 100


def test_plot_unknown_column_is_a_user_error(tmp_path, cli):
    out = _sweep_dir(tmp_path)
    code, _, err = cli("plot", out, "--x", "price", "--y", "nope")
    assert code == 2 and "no column 'nope'" in err


def test_plot_out_must_be_png(tmp_path, cli):
    code, _, err = cli("plot", tmp_path, "--x", "a", "--y", "b", "--out", tmp_path / "f.jpg")
    assert code == 2 and "png" in err
