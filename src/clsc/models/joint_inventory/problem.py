"""Parameters, rules and the stage-1 problem data of ``joint-inventory`` (spec 4.2, 4.8).

Nodes ``1..n`` (the example: 1 recycler, 2 dismantler/processor, 3 cascade user). The number
of nodes is the number of columns of ``scenarios_file`` if given, else the number of
``demand`` specs if given, else the length of ``mu``. Requirements:

* default: ``D ~ N(mu, diag(sigma) rho diag(sigma))``, sampled exactly as the spec's recipe
  ``default_rng(seed).multivariate_normal(mu, outer(sigma, sigma)*rho, size)``;
* ``demand="normal(mean=100, sd=30); gamma(shape=4, scale=20); ..."``: any clsc demand
  distribution per node (specs separated by ``;``), joined by a Gaussian copula with
  correlation ``rho`` (``D_j = F_j^-1(Phi(Z_j))``, ``Z ~ N(0, rho)``; independent when rho = I);
* ``scenarios_file="path.csv"`` (or ``.parquet``): one column per node, one row per scenario;
  the SAA uses every row, the out-of-sample evaluation resamples ``n_eval`` rows with
  ``seed_eval`` (the file's empirical distribution), the separate costs are exact for each
  column's empirical distribution.

Re-positioning costs ``tau_move`` default to the spec's chain rule generalised: the nodes lie
on a chain 1 - 2 - ... - n and ``c_k`` (k >= 2) is the cost of the link (k-1, k), so
``tau_ij = sum_{k = min(i,j)+1}^{max(i,j)} c_k`` (for three nodes: tau_12 = c_2,
tau_23 = c_3, tau_13 = c_2 + c_3).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.params import Param, ParamSpec, Rule
from clsc.stochastic.two_stage import TransshipmentCosts

VECTORS = ("sigma", "c", "h", "p_short", "weights")

PARAMS = (
    Param("mu", (100.0, 80.0, 120.0), "mean requirement per node [mu_i]", kind="vector"),
    Param("sigma", (30.0, 20.0, 40.0), "sd of the requirement [sigma_i]", kind="vector",
          lower=0.0, strict=True),
    Param("rho", None, "correlation matrix of the requirements (default identity) [rho]",
          kind="matrix"),
    Param("c", (2.0, 1.0, 1.5), "inbound transport cost per unit stocked [c_i]", kind="vector",
          lower=0.0),
    Param("h", (1.0, 1.5, 2.0), "holding cost per unit left over [h_i]", kind="vector",
          lower=0.0),
    Param("p_short", (8.0, 12.0, 16.0), "shortage cost per unit short [p_i]", kind="vector",
          lower=0.0),
    Param("tau_move", None, "n x n re-positioning costs (default: chain rule from c) [tau_ij]",
          kind="matrix", lower=0.0),
    Param("demand", "", "per-node demand specs separated by ';' (overrides mu, sigma)",
          kind="text"),
    Param("scenarios_file", "", "CSV/Parquet of scenarios, one column per node", kind="text"),
    Param("n_scenarios", 4000, "SAA sample size [N]", kind="int", lower=1),
    Param("seed", 2024, "seed of the SAA sample", kind="int", lower=0),
    Param("n_eval", 20000, "out-of-sample evaluation size", kind="int", lower=1),
    Param("seed_eval", 2123, "seed of the evaluation sample", kind="int", lower=0),
    Param("coalition", None, "joint: one coalition to solve, e.g. 1,3 (default: all)",
          kind="vector"),
    Param("alliance", (1.0, 2.0), "bargaining: the alliance, e.g. 1,2", kind="vector"),
    Param("weights", None, "Nash bargaining weights (default all 1) [w_i]", kind="vector",
          lower=0.0, strict=True),
    Param("w_alliance", None, "weight of the alliance (default: sum of its weights) [w_A]",
          lower=0.0, strict=True),
    Param("G", None, "formation: cooperation gain (default: out-of-sample grand saving S) [G]"),
    Param("alpha_up", None, "formation: upstream share of G (default: the alliance's "
          "bargained share) [alpha]", lower=0.0, upper=1.0),
    Param("C_run", None, "formation: cost of running the joint inventory (default 0.5*G) [C]",
          lower=0.0, strict=True),
    Param("beta_up", 0.5, "formation: upstream share of C_run [beta]", lower=0.0, upper=1.0),
    Param("E_u", None, "formation: upstream free-riding benefit (default 0.2*G) [E_u]"),
    Param("E_d", None, "formation: downstream free-riding benefit (default 0.2*G) [E_d]"),
    Param("penalty", None, "formation: penalty on a non-joiner (default 0.3*G) [P]"),
    Param("gap_replications", 0, "joint: MRP replications for the gap CI (0: none, else >= 2)",
          kind="int", lower=0),
)  # fmt: skip


@functools.lru_cache(maxsize=8)
def _read_file(path: str, mtime: float) -> np.ndarray:
    import pandas as pd

    p = Path(path)
    try:
        frame = pd.read_parquet(p) if p.suffix.lower() in (".parquet", ".pq") else pd.read_csv(p)
    except (OSError, ValueError) as exc:
        raise ParameterError("scenarios_file", "must be a readable CSV or Parquet file",
                             f"{path} ({exc})") from None  # fmt: skip
    try:
        data = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("scenarios_file", "must hold numbers only", path) from None
    if data.ndim != 2 or data.shape[0] < 1 or data.shape[1] < 1 or not np.isfinite(data).all():
        raise ParameterError("scenarios_file", "must hold finite numbers, >= 1 row", path)
    data.setflags(write=False)
    return data


def file_scenarios(path: str) -> np.ndarray:
    """The scenario matrix of a CSV/Parquet file (cached by path and modification time)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError("scenarios_file", "must name an existing file", path)
    return _read_file(str(p.resolve()), p.stat().st_mtime)


def demand_specs(text: str) -> list:
    from clsc.distributions import parse

    parts = [s.strip() for s in text.split(";") if s.strip()]
    out = []
    for k, part in enumerate(parts):
        try:
            out.append(parse(part))
        except ParameterError as exc:
            raise ParameterError("demand", message=f"demand[{k}]: {exc}") from None
    return out


def node_count(v: Mapping[str, Any]) -> int:
    if v["scenarios_file"]:
        return int(file_scenarios(v["scenarios_file"]).shape[1])
    if v["demand"]:
        return len(demand_specs(v["demand"]))
    return len(v["mu"])


def _lengths(name: str):
    def check(v: Mapping[str, Any]) -> bool:
        if v[name] is None or (name == "sigma" and (v["demand"] or v["scenarios_file"])):
            return True
        return len(v[name]) == node_count(v)

    return check


def _rho_ok(v: Mapping[str, Any]) -> bool:
    if v["rho"] is None:
        return True
    r = np.array(v["rho"], dtype=float)
    n = node_count(v)
    if r.shape != (n, n) or not np.allclose(r, r.T, atol=1e-12):
        return False
    if not np.allclose(np.diag(r), 1.0, atol=1e-12):
        return False
    return bool(np.linalg.eigvalsh(r).min() >= -1e-10)


def _tau_ok(v: Mapping[str, Any]) -> bool:
    if v["tau_move"] is None:
        return True
    tau = np.array(v["tau_move"], dtype=float)
    n = node_count(v)
    return tau.shape == (n, n) and bool(np.all(np.diag(tau) == 0.0))


def _nodes_ok(name: str):
    def check(v: Mapping[str, Any]) -> bool:
        nodes = v[name]
        if nodes is None:
            return True
        n = node_count(v)
        ok = all(float(k).is_integer() and 1 <= k <= n for k in nodes)
        return ok and len(set(nodes)) == len(nodes) and len(nodes) >= 1

    return check


def _p_above_c(v: Mapping[str, Any]) -> bool:
    return len(v["p_short"]) != len(v["c"]) or all(
        p > c for p, c in zip(v["p_short"], v["c"], strict=True)
    )


RULES = (
    *(
        Rule((name, "mu", "demand", "scenarios_file"),
             "must have one entry per node (n = length of mu, number of demand specs, or "
             "number of file columns)", _lengths(name))
        for name in VECTORS
    ),
    Rule(("rho",), "must be an n x n symmetric positive semi-definite matrix with unit "
         "diagonal (n = number of nodes)", _rho_ok),
    Rule(("tau_move",), "must be an n x n matrix with zero diagonal (n = number of nodes)",
         _tau_ok),
    Rule(("p_short", "c"), "must exceed c node by node (critical fractile in (0, 1))",
         _p_above_c),
    Rule(("coalition",), "must name distinct nodes 1..n", _nodes_ok("coalition")),
    Rule(("alliance",), "must name distinct nodes 1..n", _nodes_ok("alliance")),
    Rule(("alliance",), "must leave at least one node outside the alliance",
         lambda v: len(v["alliance"]) < node_count(v), scenarios=("bargaining", "formation")),
)  # fmt: skip

SPEC = ParamSpec(params=PARAMS, rules=RULES)


def chain_tau(c: np.ndarray) -> np.ndarray:
    """tau_ij = sum of link costs c_k for k = min(i,j)+1..max(i,j) (1-based; see docstring)."""
    n = c.size
    cum = np.concatenate([[0.0], np.cumsum(c[1:])])
    idx = np.arange(n)
    return np.abs(cum[idx][:, None] - cum[idx][None, :])


@dataclass(frozen=True)
class Problem:
    """Stage-1 data: costs, marginals (clsc distributions), correlation, sampling mode."""

    costs: TransshipmentCosts
    marginals: tuple
    rho: np.ndarray
    mode: str  # "normal", "copula" or "file"
    file_data: np.ndarray | None
    n_scenarios: int
    seed: int
    n_eval: int
    seed_eval: int

    @property
    def n(self) -> int:
        return self.costs.n

    def with_costs(self, costs: TransshipmentCosts) -> Problem:
        from dataclasses import replace

        return replace(self, costs=costs)

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` scenarios (rows) of the requirements (the spec's recipe when normal)."""
        if self.mode == "file":
            return self.file_data[rng.integers(0, self.file_data.shape[0], size)]
        if self.mode == "normal":
            mu = np.array([d.mean for d in self.marginals])
            sd = np.array([d.sd for d in self.marginals])
            return rng.multivariate_normal(mu, np.outer(sd, sd) * self.rho, size=size)
        from scipy.special import ndtr

        z = rng.multivariate_normal(np.zeros(self.n), self.rho, size=size)
        u = np.clip(ndtr(z), 1e-16, 1.0 - 1e-16)
        return np.column_stack([d.ppf(u[:, j]) for j, d in enumerate(self.marginals)])

    def saa_sample(self) -> np.ndarray:
        if self.mode == "file":
            return np.array(self.file_data)
        return self.sample(self.n_scenarios, np.random.default_rng(self.seed))

    def eval_sample(self) -> np.ndarray:
        return self.sample(self.n_eval, np.random.default_rng(self.seed_eval))


def build_problem(v: Mapping[str, Any], seed: int | None = None) -> Problem:
    """The :class:`Problem` of validated parameter values (``seed`` overrides ``v["seed"]``)."""
    from clsc.distributions import empirical, normal

    c = np.array(v["c"], dtype=float)
    tau = chain_tau(c) if v["tau_move"] is None else np.array(v["tau_move"], dtype=float)
    costs = TransshipmentCosts(c, v["h"], v["p_short"], tau)
    n = costs.n
    rho = np.eye(n) if v["rho"] is None else np.array(v["rho"], dtype=float)
    data = None
    if v["scenarios_file"]:
        data = file_scenarios(v["scenarios_file"])
        marginals = tuple(empirical(values=data[:, j].tolist()) for j in range(n))
        mode = "file"
    elif v["demand"]:
        marginals, mode = tuple(demand_specs(v["demand"])), "copula"
    else:
        marginals = tuple(normal(mean=m, sd=s) for m, s in zip(v["mu"], v["sigma"], strict=True))
        mode = "normal"
    return Problem(
        costs, marginals, rho, mode, data, int(v["n_scenarios"]),
        int(v["seed"] if seed is None else seed), int(v["n_eval"]), int(v["seed_eval"]),
    )  # fmt: skip


def shown_params(v: Mapping[str, Any], seed: int | None = None) -> dict[str, Any]:
    """The parameter values as actually used, for the result: ``seed`` overridden by the
    request's seed; with ``demand`` or ``scenarios_file``, ``mu`` and ``sigma`` are the
    marginals' means and sds (not the unused defaults) and, with a file, ``n_scenarios`` is its
    row count (the SAA uses every row)."""
    out = dict(v)
    if seed is not None:
        out["seed"] = int(seed)
    if v["scenarios_file"] or v["demand"]:
        problem = build_problem(v, seed)
        out["mu"] = tuple(float(d.mean) for d in problem.marginals)
        out["sigma"] = tuple(float(d.sd) for d in problem.marginals)
        if problem.file_data is not None:
            out["n_scenarios"] = int(problem.file_data.shape[0])
    return out


def coalition_label(members: tuple[int, ...]) -> str:
    """``(1, 3) -> "{1,3}"``."""
    return "{" + ",".join(str(m) for m in members) + "}"


def all_coalitions(n: int) -> list[tuple[int, ...]]:
    """Every non-empty coalition of 1..n, by size then lexicographically."""
    import itertools

    return [
        combo for size in range(1, n + 1) for combo in itertools.combinations(range(1, n + 1), size)
    ]


def finite_or_nan(x: float | None) -> float:
    return math.nan if x is None else float(x)
