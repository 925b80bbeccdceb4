"""Benchmark cases and their harness (``clsc bench``).

A benchmark is a :class:`~clsc.bench.harness.Group`: one ``setup(quick)`` building the inputs
once, and several timed :class:`~clsc.bench.harness.Case` functions on them, one of which is
the baseline that the others' ratios are measured against in the same run. Each case also
returns an accuracy: its error against a known answer (a closed form, a published optimum, an
exact sort-based optimum, ...). ``clsc bench`` prints one table (wall and CPU seconds, work
units, seconds per unit, ratio against the baseline per unit, error); ``--quick`` uses small
sizes (CI), ``--json`` prints one JSON document, ``--filter NAME`` keeps the groups whose
name contains NAME, ``--list`` lists the groups. Built-in groups live in
``clsc.bench.cases_*`` (listed in :data:`clsc.bench.run.BUILTIN`).

**Benchmarking your own solver backend or model.** Write a module that registers a group
whose cases run your code and the built-in path on the same inputs, each judged against a
known answer, and name the module: ``clsc bench --module mypkg.mybench`` imports it (it must
be importable: installed, or on ``PYTHONPATH``) and runs the groups it registered (``--filter``
then chooses among all groups, built-in ones included). A backend for the newsvendor SAA LP
against clsc's HiGHS layer, both judged by the exact sorted-sample optimum:

>>> import numpy as np
>>> from clsc.bench.harness import Case, Group, register, run_group
>>> from clsc.bench.cases_saa import exact_saa, saa_lp
>>> def setup(quick):
...     d = np.random.default_rng(0).normal(50.0, 8.0, 200 if quick else 5000)
...     return {"lp": saa_lp(d, 0.18, 0.70), "exact": exact_saa(d, 0.18, 0.70)}
>>> def clsc_highs(s):
...     from clsc.solvers.highs import solve
...     return solve(s["lp"]).objective
>>> def my_backend(s):              # here scipy's linprog on the same arrays
...     from scipy.optimize import linprog
...     lp = s["lp"]
...     return linprog(lp.c, A_eq=lp.A, b_eq=lp.row_lower, bounds=(0, None)).fun
>>> group = Group(
...     "my-lp-backend", setup=setup, baseline="clsc HiGHS",
...     cases=(Case("clsc HiGHS", clsc_highs, error=lambda s, f: abs(f - s["exact"])),
...            Case("scipy linprog", my_backend, error=lambda s, f: abs(f - s["exact"]))),
...     accuracy="abs. error of the optimal SAA cost vs the sorted-sample optimum")
>>> rows = run_group(group, quick=True, repeat=1)
>>> [(r.case, r.error < 1e-9) for r in rows]
[('clsc HiGHS', True), ('scipy linprog', True)]

In ``mypkg/mybench.py`` the group is passed to ``register(group)`` at import time, and
``clsc bench --module mypkg.mybench`` prints its rows. A model is benchmarked the same way
(e.g. its ``numeric`` method against its closed form at the same points, as
``clsc.bench.cases_game`` does). Put everything a case needs in ``setup``'s return value;
return from the case what ``error`` judges; give ``units`` (work items) when cases do
different amounts of work, so the ratio is per item. Tests assert results, not times.
"""
