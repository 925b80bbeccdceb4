"""Non-closed-form variants of the newsvendor, contracts and buyback-effort models, solved
numerically.

One module per variant: :mod:`capacity` (q <= q_max, integer q), :mod:`cvar` (risk-averse
retailer, Rockafellar-Uryasev LP), :mod:`price_demand` (price-dependent stochastic demand),
:mod:`effort_recourse` (general resale value function, effort ex ante or ex post) and
:mod:`newsvendor_variants` (which option selects which newsvendor variant), :mod:`order_limits`
(q_max/integer for contracts and buyback-effort, built on :mod:`capacity`). The models expose
them as options (``clsc solve newsvendor --option alpha=0.3``).
"""
