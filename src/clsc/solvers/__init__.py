"""One solver layer: a neutral program record and one HiGHS backend.

* :mod:`clsc.solvers.program` — :class:`~clsc.solvers.program.LinearProgram`, arrays in
  (costs, a sparse constraint matrix, row and column bounds, integrality, an optional convex
  quadratic term), validated once; :class:`~clsc.solvers.program.Solution` out.
* :mod:`clsc.solvers.highs` — :func:`~clsc.solvers.highs.solve` for one program, and
  :class:`~clsc.solvers.highs.ParametricProgram`, built once and re-solved after in-place
  changes of costs, bounds and right-hand sides (SAA re-solves, coalitions, sweeps). Its
  ``STATUS_MAP`` is the only translation of HiGHS statuses to :class:`clsc.results.Status`.

pyomo stays where a user writes or reads an algebraic model, through its public API only.
"""
