"""Kill a running sweep (driver and workers, SIGKILL) and resume it: nothing lost, duplicated
or recomputed; manifests that do not match are refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from clsc.sweeps.api import read_sweep, sweep_file
from clsc.sweeps.store import done_chunks

SRC = str(Path(__file__).resolve().parents[2] / "src")
SWEEP = """
model = "process-innovation"
method = "numeric"
seed = {seed}
chunk_size = 3
[design]
theta = {{from = 0, to = 1, steps = {steps}}}
"""


def _write(path: Path, seed=3, steps=45) -> Path:
    path.write_text(SWEEP.format(seed=seed, steps=steps))
    return path


def _chunk_stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("chunk-*.parquet")}


def test_sigkill_then_resume_loses_nothing_and_recomputes_nothing(tmp_path, cli):
    sweep_toml = _write(tmp_path / "s.toml")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = "import sys; from clsc.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-c", code, "sweep", str(sweep_toml), "--out", str(out)]
    proc = subprocess.Popen(
        [*argv, "--workers", "2", "--quiet"],
        env=env,
        start_new_session=True,  # its own process group: driver and workers
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and len(done_chunks(out)) >= 3:
                break
            time.sleep(0.01)
        assert proc.poll() is None, proc.stderr.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    before = _chunk_stamps(out)
    assert 3 <= len(before) < 15
    code, stdout, err = cli("sweep", sweep_toml, "--out", out, "--resume", "--quiet")
    assert code == 0, err
    assert f"{15 - len(before)} chunks computed, {len(before)} resumed" in stdout
    after = _chunk_stamps(out)
    assert {k: after[k] for k in before} == before  # finished chunks untouched
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]
    rows = read_sweep(out)
    assert rows["point"].tolist() == list(range(45))
    fresh = sweep_file(sweep_toml)  # uninterrupted, in memory
    pd.testing.assert_frame_equal(rows, fresh)


def test_resume_refuses_a_mismatched_manifest(tmp_path, cli):
    sweep_toml = _write(tmp_path / "s.toml", steps=6)
    out = tmp_path / "out"
    assert cli("sweep", sweep_toml, "--out", out, "--quiet")[0] == 0
    code, _, err = cli("sweep", sweep_toml, "--out", out, "--quiet")
    assert code == 2 and "already holds a sweep; use --resume" in err
    _write(sweep_toml, steps=6, seed=4)
    code, _, err = cli("sweep", sweep_toml, "--out", out, "--resume", "--quiet")
    assert code == 2 and "does not match this sweep (hash:" in err
    code, _, err = cli("sweep", sweep_toml, "--out", tmp_path / "empty", "--resume", "--quiet")
    assert code == 2 and "holds no sweep manifest" in err


def test_resume_of_a_complete_sweep_computes_nothing(tmp_path, cli):
    sweep_toml = _write(tmp_path / "s.toml", steps=6)
    out = tmp_path / "out"
    assert cli("sweep", sweep_toml, "--out", out, "--quiet")[0] == 0
    before = _chunk_stamps(out)
    (out / ".tmp-123-chunk-000001.parquet").write_bytes(b"half written")
    code, stdout, _ = cli("sweep", sweep_toml, "--out", out, "--resume", "--quiet")
    assert code == 0 and "0 chunks computed, 2 resumed" in stdout
    assert _chunk_stamps(out) == before
    assert len(read_sweep(out)) == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('model = "nope"\n[design]\nx = [1]\n', "unknown model 'nope'; valid:"),
        ('model = "process-innovation"\n[design]\nzeta = [1]\n', "unknown parameter 'zeta'; valid"),
        ('model = "process-innovation"\ncolour = 1\n[design]\nk = [1]\n', "unknown key 'colour'"),
        ('model = "process-innovation"\n', "needs a [design] table"),
        ('model = "process-innovation"\n[design]\nk = {from = 1, to = 2}\n', "'steps' is missing"),
        (
            'model = "process-innovation"\n[design]\n'
            "k = {from = 0, to = 2, steps = 3, log = true}\n",
            "from > 0 and to > 0 when log = true",
        ),
        (
            'model = "process-innovation"\n[design]\ntype = "zip"\nk = [1, 2]\nh = [1]\n',
            "lists differ in length",
        ),
        ('model = "process-innovation"\n[design]\ntype = "halton"\nk = [1]\n', "design.type must"),
        (
            'model = "newsvendor"\n[params]\ndemand = "normal(mean={m}, sd=1)"\n'
            "[design]\nmu = [1]\n",
            "template variable '{m}' is not varied",
        ),
        ('model = "process-innovation"\nscenario = "Q"\n[design]\nk = [1]\n', "unknown scenario"),
        ('model = "process-innovation"\n[design\nk = [1]\n', "not a valid TOML file"),
        ('model = "process-innovation"\n[params]\nk = 2\n[design]\nk = [1]\n', "both fixed"),
    ],
)
def test_malformed_sweep_files_give_clear_errors(tmp_path, cli, text, expected):
    sweep_toml = tmp_path / "bad.toml"
    sweep_toml.write_text(text)
    code, _, err = cli("sweep", sweep_toml, "--out", tmp_path / "o", "--quiet")
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()
