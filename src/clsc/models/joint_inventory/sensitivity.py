"""Sensitivity of the grand coalition to transport, holding and shortage costs (spec 4.9).

Each case multiplies one kind of unit cost; "links" scales the inbound costs ``c`` and the
re-positioning costs ``tau`` together, "tau" scales ``tau`` only. For every case: the joint
stocks and in-sample SAA cost of the grand coalition on the same N scenarios (one loaded
program, costs changed in place and re-solved from the previous basis), the separate stocks
and exact costs, and the in-sample saving ``sum d - C_joint`` with its share of ``sum d``.

Standard errors (:mod:`.standard_errors`): ``C_joint_se`` = sd of the per-scenario costs at the SAA
stocks / sqrt(N) (stocks held fixed), equal to ``saving_se`` (sum d exact) and
``saving_pct_se = 100*C_joint_se/C_sep``; ``Q_joint_se`` and ``sum_Q_joint_se = sqrt(1'V1)``
from the asymptotic covariance V of the SAA stocks; the separate columns are exact.
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
        "case", "status", "sum_Q_joint", "sum_Q_joint_se", "C_joint", "C_joint_se", "sum_Q_sep",
        "C_sep", "saving", "saving_se", "saving_pct", "saving_pct_se")}  # fmt: skip
    nodes: dict[str, list] = {k: [] for k in ("case", "node", "Q_joint", "Q_joint_se", "Q_sep")}
    status = Status.OPTIMAL
    try:
        for case in cases:
            costs = base.scaled(c=case.c, h=case.h, p=case.p, tau=case.tau)
            stage.set_costs(costs)
            st, q, c_joint, _ = stage.solve()
            sep = separate_costs(stage.problem, costs)
            if st != Status.OPTIMAL:
                status = st
                cov, c_se = np.full((stage.problem.n,) * 2, np.nan), np.nan
            else:
                cov, c_se = stage.stock_cov(q, None, costs), stage.in_sample_se(q, None, costs)
            c_sep = float(sep.d.sum())
            values = (case.name, str(st), float(np.sum(q)), float(np.sqrt(max(cov.sum(), 0.0))),
                      c_joint, c_se, float(sep.Q.sum()), c_sep, c_sep - c_joint, c_se,
                      100.0 * (c_sep - c_joint) / c_sep, 100.0 * c_se / c_sep)  # fmt: skip
            for key, value in zip(rows, values, strict=True):
                rows[key].append(value)
            q_se = np.sqrt(np.maximum(np.diag(cov), 0.0))
            for j in range(stage.problem.n):
                values = (case.name, j + 1, q[j], q_se[j], sep.Q[j])
                for key, value in zip(nodes, values, strict=True):
                    nodes[key].append(value)
    finally:
        stage.set_costs(base)
    return Table("sensitivity", rows), Table("sensitivity_nodes", nodes), status
