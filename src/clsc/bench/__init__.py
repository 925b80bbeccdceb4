"""Benchmark cases and their harness (``clsc bench``).

A benchmark is a :class:`~clsc.bench.harness.Group`: one ``setup`` building the inputs once, and
several timed :class:`~clsc.bench.harness.Case` functions on them, one of which is the baseline
that the others' ratios are measured against in the same run. Each case may also return an
accuracy: its error against a known answer. Built-in groups live in ``clsc.bench.cases_*``;
your own register themselves with :func:`~clsc.bench.harness.register` in a module named on the
command line (``clsc bench --module mypkg.mybench``).
"""
