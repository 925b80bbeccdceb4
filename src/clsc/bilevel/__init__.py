"""Bilevel programs (linear / linear-quadratic), solved exactly with HiGHS (``clsc.solvers``).

Optimistic semantics: ties in the follower's optimal set are broken in the leader's favour.
Modules: ``problem`` (parse/validate a JSON/TOML file or sympy input -> numeric standard form),
``bounds`` (proven primal/slack/multiplier bounds), ``milp`` (MILP builder), ``kkt`` (big-M
KKT MILP), ``duality`` (strong-duality MILP), ``branch`` (branching on complementarity
pieces, LP / convex-QP nodes),
``integer`` (integer followers by enumeration), ``intbranch`` (integer problems whose leader
is unbounded in the relaxation: branch-and-bound on the follower's value function),
``verify`` (follower re-solve of every answer),
``reduced`` (exact QP on a piece's equality subspace, for non-convex leaders), ``parametric``,
``pqp`` and ``pqp_tail`` (parametric-QP followers: spatial branch-and-bound), ``grid``
(brute-force baseline), ``api`` (``solve``), ``result`` (:class:`BilevelResult`).

>>> from clsc.bilevel import BilevelProblem, solve
>>> problem = BilevelProblem.from_file("problem.json")  # doctest: +SKIP
>>> solve(problem, "kkt-bigm").to_dict()                # doctest: +SKIP
"""

from clsc.bilevel.api import REFORMULATIONS, solve
from clsc.bilevel.problem import BilevelProblem, StandardForm
from clsc.bilevel.result import BilevelResult

__all__ = ["REFORMULATIONS", "BilevelProblem", "BilevelResult", "StandardForm", "solve"]
