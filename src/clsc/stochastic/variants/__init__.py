"""Numerical building blocks of the models' variants (generic: no model formulas).

One module per variant: :mod:`capacity` (q <= q_max, integer q), :mod:`cvar` (risk-averse
retailer, Rockafellar-Uryasev LP), :mod:`price_demand` (price-dependent stochastic demand),
:mod:`effort_recourse` (best effort max_e p'(e)*W - k*e^2 and its expectations over the
leftover). The models declare which option selects which of them as
:class:`~clsc.models.base.Variant` rows (``clsc models`` lists them; ``clsc solve newsvendor
--option alpha=0.3``).
"""
