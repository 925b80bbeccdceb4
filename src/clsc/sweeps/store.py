"""The sweep directory: a manifest and numbered Parquet chunks, each written atomically.

Layout of ``DIR``::

    manifest.json              what was run (hash of the file/spec, clsc version, design,
                               seed policy, chunk size, columns); written before any chunk
    chunk-000000.parquet ...   points [k*chunk_size, (k+1)*chunk_size) x scenarios

A chunk is written to a hidden temporary file in ``DIR``, flushed to disk and renamed into place
(``os.replace`` is atomic), so a reader sees a chunk completely or not at all, whenever the
writer is killed. A resume computes only the chunks whose file is missing and deletes stale
temporary files. :func:`read_sweep` reads the finished chunks only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clsc.errors import ClscError

MANIFEST = "manifest.json"
CHUNK = re.compile(r"^chunk-(\d{6,})\.parquet$")
FORMAT = 1


class SweepDirError(ClscError):
    """The output directory does not hold the sweep asked for (or holds another one)."""


def chunk_path(out: str | Path, k: int) -> Path:
    return Path(out) / f"chunk-{k:06d}.parquet"


def done_chunks(out: str | Path) -> set[int]:
    """Indices of the chunks present in ``out`` (complete by construction)."""
    return {int(m.group(1)) for p in Path(out).iterdir() if (m := CHUNK.match(p.name))}


def clean_temporary(out: str | Path) -> int:
    """Delete temporary files left by a killed writer; returns how many."""
    count = 0
    for p in Path(out).iterdir():
        if p.name.startswith(".tmp-"):
            p.unlink(missing_ok=True)
            count += 1
    return count


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.parent / f".tmp-{os.getpid()}-{path.name}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_chunk(out: str | Path, k: int, frame, columns) -> Path:
    """Write one chunk atomically (temporary file, fsync, rename) with the sweep's schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from clsc.sweeps.schema import arrow_schema

    path = chunk_path(out, k)
    tmp = path.parent / f".tmp-{os.getpid()}-{path.name}"
    table = frame
    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(frame, schema=arrow_schema(columns), preserve_index=False)
    strings = [c for c, d in columns if d == "string"]
    pq.write_table(table, tmp, use_dictionary=strings)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def read_sweep(out: str | Path, columns: list[str] | None = None):
    """All finished rows of the sweep in ``out`` as one DataFrame, in (point, scenario) order."""
    import pandas as pd
    import pyarrow.parquet as pq

    out = Path(out)
    manifest = read_manifest(out)
    if manifest is None:
        raise SweepDirError(f"{out} holds no sweep (no {MANIFEST})")
    paths = sorted(chunk_path(out, k) for k in done_chunks(out))
    names = [c for c, _ in manifest["columns"]]
    if not paths:
        return pd.DataFrame({c: [] for c in columns or names})
    import pyarrow as pa

    from clsc.sweeps.schema import to_pandas

    return to_pandas(pa.concat_tables([pq.read_table(p, columns=columns) for p in paths]))


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    path = Path(out) / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SweepDirError(f"{path}: unreadable manifest ({exc})") from None


def write_manifest(out: str | Path, manifest: Mapping[str, Any]) -> None:
    Path(out).mkdir(parents=True, exist_ok=True)
    _atomic_bytes(Path(out) / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())


IDENTITY = ("format", "hash", "clsc_version", "design", "seed", "seed_policy", "model")


def check_resume(out: str | Path, manifest: Mapping[str, Any], resume: bool) -> dict | None:
    """The manifest already in ``out`` when resuming (checked equal to ``manifest``), else None.

    Refuses: a directory holding a sweep without ``resume``; a resume without a manifest; and a
    manifest that differs in any of :data:`IDENTITY` (names the first difference).
    """
    out = Path(out)
    manifest = json.loads(json.dumps(manifest))  # compare in the JSON form the file holds
    old = read_manifest(out) if out.exists() else None
    if not resume:
        if old is not None or (out.exists() and any(done_chunks(out))):
            raise SweepDirError(
                f"{out} already holds a sweep; use --resume to continue it or another --out"
            )
        return None
    if old is None:
        raise SweepDirError(f"cannot resume: {out} holds no sweep manifest ({MANIFEST})")
    for key in IDENTITY:
        if old.get(key) != manifest.get(key):
            raise SweepDirError(
                f"cannot resume: the manifest in {out} does not match this sweep ({key}: "
                f"{_short(old.get(key))} in the directory, {_short(manifest.get(key))} now); "
                "run it into a new --out directory"
            )
    return old


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."
