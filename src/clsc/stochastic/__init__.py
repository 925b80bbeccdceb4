"""Stochastic evaluation: Monte Carlo estimators (``mc``), sampling with common random numbers
(``sampling``) and sample-average LPs in pyomo/HiGHS (``saa``, imports pyomo lazily)."""
