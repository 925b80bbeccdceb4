"""mpi-sppy adapter of the pooled-stock two-stage program (optional: ``pip install clsc[mpi]``).

mpi-sppy's convention: a function ``scenario_creator(scenario_name, **kwargs)`` returns one
scenario's pyomo model with its root node attached (first-stage cost and the non-anticipative
variables, here the stocks ``Q``) and its probability. :func:`scenario_creator` does that for
scenario ``"scen<w>"`` = row ``w`` of ``demand`` (probability 1/N each), so the same model
runs under mpi-sppy's extensive form (serially) or progressive hedging (on MPI)::

    from mpisppy.opt.ef import ExtensiveForm
    names = scenario_names(len(demand))
    ef = ExtensiveForm({"solver": "appsi_highs"}, names, scenario_creator,
                       scenario_creator_kwargs={"costs": costs, "demand": demand})
    ef.solve_extensive_form(); ef.get_objective_value()

mpi-sppy and pyomo are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clsc.errors import ParameterError
from clsc.stochastic.two_stage import TransshipmentCosts, member_mask
from clsc.stochastic.two_stage_pyomo import scenario_model


def scenario_names(n_scenarios: int) -> list[str]:
    """``["scen0", ..., "scen<N-1>"]``."""
    return [f"scen{w}" for w in range(int(n_scenarios))]


def scenario_creator(
    scenario_name: str,
    costs: TransshipmentCosts,
    demand: np.ndarray,
    members: Sequence[int] | None = None,
):
    """One scenario of the SAA as a pyomo model in mpi-sppy's convention."""
    from mpisppy.utils import sputils

    demand = np.asarray(demand, dtype=float)
    prefix = "scen"
    if not scenario_name.startswith(prefix) or not scenario_name[len(prefix) :].isdigit():
        raise ParameterError("scenario_name", "must be scen<number>", scenario_name)
    w = int(scenario_name[len(prefix) :])
    if w >= demand.shape[0]:
        raise ParameterError("scenario_name", f"must be below scen{demand.shape[0]}", w)
    model = scenario_model(costs, demand[w], member_mask(costs.n, members))
    sputils.attach_root_node(model, model.first_stage_cost, [model.Q])
    model._mpisppy_probability = 1.0 / demand.shape[0]
    return model
