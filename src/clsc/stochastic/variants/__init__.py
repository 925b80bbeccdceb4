"""Numerical building blocks of the models' variants (generic: no model formulas).

One module per variant: :mod:`capacity` (q <= q_max, integer q), :mod:`cvar` (risk-averse
retailer, Rockafellar-Uryasev LP), :mod:`price_demand` (price-dependent stochastic demand),
:mod:`effort_recourse` (best effort max_e p'(e)*W - k*e^2 and its expectations over the
leftover) and :mod:`newsvendor_variants` (which option selects which newsvendor variant). The
models expose them as options (``clsc solve newsvendor --option alpha=0.3``); the
contracts/buyback-effort solvers built on them are in ``clsc.models.*_methods``.
"""
