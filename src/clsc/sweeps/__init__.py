"""Parameter sweeps: TOML sweep files or Python, vectorised or point by point, on a process pool
or Dask, written as resumable Parquet chunks.

Public functions live in :mod:`clsc.sweeps.api`: ``sweep``, ``sweep_file``, ``run_sweep``,
``read_sweep``. Modules: ``spec`` (sweep files, checks), ``designs`` (grid, zip, random, sobol,
lhs), ``seeding`` (per-point seeds), ``points`` (values and rule checks of points), ``schema``
(output columns), ``vectorised`` (closed forms on arrays), ``engine`` (rows of a chunk),
``executors`` (serial, process pool, Dask), ``store`` (manifest, atomic chunks), ``progress``.
"""
