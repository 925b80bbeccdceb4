"""Sensitivity of the grand coalition to transport, holding and shortage costs (spec 4.9).

Each case multiplies one kind of unit cost; "links" scales the inbound costs ``c`` and the
re-positioning costs ``tau`` together, "tau" scales ``tau`` only. For every case: the joint
stocks and in-sample SAA cost of the grand coalition on the same N scenarios (one loaded
program, costs changed in place and re-solved from the previous basis), the separate stocks
and exact costs, and the in-sample saving ``sum d - C_joint`` with its share of ``sum d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clsc.models.joint_inventory.stage1 import StageOne, separate_costs
from clsc.results import Status, Table


@dataclass(frozen=True)
class Case:
    """A named scaling of the unit costs: factors on ``c``, ``tau``, ``h`` and ``p``."""

    name: str
    c: float = 1.0
    tau: float = 1.0
    h: float = 1.0
    p: float = 1.0


#: the spec's sensitivity table, in its order
CASES = (
    Case("base"),
    Case("all link costs x0.5", c=0.5, tau=0.5),
    Case("all link costs x2", c=2.0, tau=2.0),
    Case("re-positioning free", tau=0.0),
    Case("re-positioning x3", tau=3.0),
    Case("holding x2", h=2.0),
    Case("shortage x2", p=2.0),
)


def sensitivity(stage: StageOne, cases: tuple[Case, ...] = CASES) -> tuple[Table, Table, Status]:
    """Run every case; returns (per-case table, per-case-and-node table, worst status)."""
    base = stage.problem.costs
    rows: dict[str, list] = {k: [] for k in (
        "case", "status", "sum_Q_joint", "C_joint", "sum_Q_sep", "C_sep", "saving",
        "saving_pct")}  # fmt: skip
    nodes: dict[str, list] = {k: [] for k in ("case", "node", "Q_joint", "Q_sep")}
    status = Status.OPTIMAL
    try:
        for case in cases:
            costs = base.scaled(c=case.c, h=case.h, p=case.p, tau=case.tau)
            stage.set_costs(costs)
            st, q, c_joint, _ = stage.solve()
            sep = separate_costs(stage.problem, costs)
            if st != Status.OPTIMAL:
                status = st
            c_sep = float(sep.d.sum())
            values = (case.name, str(st), float(np.sum(q)), c_joint, float(sep.Q.sum()),
                      c_sep, c_sep - c_joint, 100.0 * (c_sep - c_joint) / c_sep)  # fmt: skip
            for key, value in zip(rows, values, strict=True):
                rows[key].append(value)
            for j in range(stage.problem.n):
                for key, value in zip(nodes, (case.name, j + 1, q[j], sep.Q[j]), strict=True):
                    nodes[key].append(value)
    finally:
        stage.set_costs(base)
    return Table("sensitivity", rows), Table("sensitivity_nodes", nodes), status
