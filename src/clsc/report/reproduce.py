"""``clsc reproduce``: run the shipped studies and write tables, figures and one index page.

For each model: every ``[[sweep]]`` of its study file runs through the sweep engine into
``OUT/<model>/data/<sweep>/`` (Parquet chunks + manifest: ``clsc plot`` reads them), every
``[[threshold]]`` through :mod:`clsc.game.roots`; then the tables (``OUT/<model>/<name>.csv``
full precision, ``.md`` rounded), the table of checks, the figures (``.png``) and, for the
joint-inventory model, its bargaining and formation stages (:mod:`clsc.report.joint`). Last,
``OUT/index.html`` shows every table and figure with its caption and the command that made it.

>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> written = reproduce(["cascade-epr"], out, quick=True, quiet=True)
>>> import pandas as pd, pathlib
>>> t1 = pd.read_csv(pathlib.Path(out) / "cascade-epr" / "table1.csv")
>>> round(float(t1.loc[t1["B"] == 9, "w**"].iloc[0]), 4)
39.7165
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from clsc.report.compute import check_row, evaluate, run_threshold, select, shade_spans, wide_table
from clsc.report.figures import line_figure
from clsc.report.index import Entry, write_index
from clsc.report.study import FigureSpec, Study, load_study, study_names
from clsc.report.tables import write_table


@dataclass
class StudyRun:
    """State of one study while it runs: its frames, roots and written entries."""

    study: Study
    root: Path
    quick: bool
    bar: Any
    frames: dict[str, Any] = field(default_factory=dict)
    roots: dict[str, list[dict]] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.root / self.study.model

    @property
    def command(self) -> str:
        return f"clsc reproduce {self.study.model} --out {self.root}" + (
            " --quick" if self.quick else ""
        )

    def table(self, df, name: str, title: str, caption: str, digits: int = 4) -> None:
        write_table(df, self.folder, name, digits=digits)
        rel = f"{self.study.model}/{name}.md"
        self.entries.append(Entry("table", title or name, caption, rel, self.command,
                                  self.study.title))  # fmt: skip
        self.bar.update(1)

    def figure(self, path: Path, title: str, caption: str) -> None:
        rel = path.relative_to(self.root).as_posix()
        self.entries.append(Entry("figure", title or path.stem, caption, rel, self.command,
                                  self.study.title))  # fmt: skip
        self.bar.update(1)


def run_sweeps(run: StudyRun) -> None:
    from clsc.sweeps.api import read_sweep, run_sweep
    from clsc.sweeps.spec import spec_from_mapping
    from clsc.sweeps.store import MANIFEST

    for raw in run.study.sweeps:
        spec = spec_from_mapping(run.study.sweep_spec(raw["name"], run.quick))
        where = run.folder / "data" / raw["name"]
        if (where / MANIFEST).exists():  # a previous run's sweep: replace it
            shutil.rmtree(where)
        run_sweep(spec, where, quiet=True)
        df = read_sweep(where)
        df.attrs["design"] = list(spec.design.names)
        fixed = {k: v for k, v in raw.get("params", {}).items() if k not in df.columns}
        known = df.assign(**{k: v for k, v in fixed.items() if isinstance(v, int | float)})
        for name, text in run.study.conditions.items():  # >= 0 where the condition holds
            df[name] = evaluate(known, run.study, text) >= 0.0
        run.frames[raw["name"]] = df
        run.bar.update(1)


def run_thresholds(run: StudyRun) -> None:
    import pandas as pd

    rows = []
    for th in run.study.thresholds:
        found = run_threshold(th, run.study.model)
        run.roots[th.name] = found
        rows += found
        run.bar.update(1)
    if rows:
        df = pd.DataFrame(rows).drop(columns=["name"])
        run.table(df, "thresholds", "Thresholds and extrema",
                  "Roots (crossings) and maximisers/minimisers of the listed expressions of "
                  "equilibrium values, found by grid scan + Brent (clsc.game.roots) on the "
                  "compiled closed forms.", digits=6)  # fmt: skip


def _marks(run: StudyRun, spec: FigureSpec, df) -> list[tuple[float, str]]:
    lo, hi = float(df[spec.x].min()), float(df[spec.x].max())
    marks = []
    for m in spec.marks:
        if isinstance(m, str):
            for r in run.roots[m]:
                v = r["value"]
                if math.isfinite(v) and lo <= v <= hi:
                    marks.append((v, f"{r['label']} = {v:.6g}"))
        else:
            values = df[run.study.column(m["column"])].to_numpy(dtype=float)
            for v in sorted({float(x) for x in values if math.isfinite(x)}):
                if lo <= v <= hi:
                    marks.append((v, f"{m.get('label', m['column'])} = {v:.6g}"))
    return marks


def draw(run: StudyRun, spec: FigureSpec) -> None:
    df = select(run.frames[spec.sweep], spec.where)
    plot = df[[spec.x, spec.by]].copy() if spec.by != spec.x else df[[spec.x]].copy()
    for y in spec.y:
        values = df[run.study.column(y)].to_numpy(dtype=float)
        plot[y] = np.where(np.isfinite(values), values, np.nan)
    shade = []
    if spec.shade:
        column = "status" if spec.shade == "status" else run.study.column(spec.shade)
        label = "no equilibrium (condition fails)" if spec.shade == "status" else f"{column} fails"
        shade = [(lo, hi, label) for lo, hi in shade_spans(df, spec.x, column)]
    path = run.folder / f"{spec.name}.png"
    line_figure(plot, spec.x, list(spec.y), path, by=spec.by, marks=_marks(run, spec, df),
                shade=shade, title=spec.title, ylabel=spec.ylabel, logx=spec.logx)  # fmt: skip
    run.figure(path, spec.title, spec.caption)


def run_study(study: Study, root: Path, quick: bool, bar) -> list[Entry]:
    """Run one study into ``root/<model>/``; returns its index entries."""
    import pandas as pd

    from clsc.report import joint

    run = StudyRun(study, Path(root), quick, bar)
    run.folder.mkdir(parents=True, exist_ok=True)
    run_sweeps(run)
    run_thresholds(run)
    for spec in study.tables:
        df = wide_table(run.frames[spec.sweep], study, spec)
        run.table(df, spec.name, spec.title, spec.caption, spec.digits)
    if study.checks:
        rows = [check_row(c, study, run.frames, run.roots) for c in study.checks]
        run.table(pd.DataFrame(rows), "checks", "Claims of the source as checks",
                  "Each claim evaluated on the computed values (holds: yes/no).")  # fmt: skip
    for spec in study.figures:
        draw(run, spec)
    if "x_joint" in study.extra:
        joint.run_stages(run, study.extra["x_joint"])
    return run.entries


def steps(study: Study) -> int:
    """Progress steps of a study (sweeps, thresholds, tables, figures, extra stages)."""
    from clsc.report import joint

    n = len(study.sweeps) + len(study.thresholds) + bool(study.thresholds)
    n += len(study.tables) + bool(study.checks) + len(study.figures)
    return n + (joint.steps(study.extra["x_joint"]) if "x_joint" in study.extra else 0)


def reproduce(
    models: Sequence[str] | None, out: str | Path, *, quick: bool = False, quiet: bool = False
) -> list[Entry]:
    """Run the studies of ``models`` (None: all) into ``out``; write ``out/index.html``."""
    from tqdm import tqdm

    names = list(models) if models else list(study_names())
    studies = [load_study(m) for m in dict.fromkeys(names)]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    total = sum(steps(s) for s in studies)
    with tqdm(total=total, desc="reproduce", unit="step", disable=quiet) as bar:
        for study in studies:
            bar.set_postfix_str(study.model)
            entries += run_study(study, out, quick, bar)
    title = "clsc reproduce: numerical studies of the source models" + (
        " (quick mode)" if quick else ""
    )
    write_index(out, title, entries)
    return entries
