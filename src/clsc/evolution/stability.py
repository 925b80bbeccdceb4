"""Stability of a rest point from the eigenvalues of its tangent-space Jacobian.

See :mod:`clsc.evolution.rest_points` for the classification rule (``ESS``, ``stable``,
``saddle``, ``unstable``, ``centre``, ``degenerate``) and :func:`clsc.evolution.replicator.
jacobian` for the chart (drop the last strategy of each population).

>>> classify(np.array([1j, -1j]), 1e-9), classify(np.array([-1.0, 2.0]), 1e-9)
('centre', 'saddle')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clsc.evolution.games import Game, PopulationGame, SymmetricGame
from clsc.evolution.replicator import chart, full_jacobian

#: relative tolerance on eigenvalues, residuals and payoff ties
TOL = 1e-9

TYPES = ("ESS", "stable", "saddle", "unstable", "centre", "degenerate")


@dataclass(frozen=True)
class RestPoint:
    """One rest point: flat ``state``, ``support`` per population, tangent-space Jacobian."""

    state: np.ndarray
    support: tuple[tuple[int, ...], ...]
    jacobian: np.ndarray
    eigenvalues: np.ndarray
    type: str
    isolated: bool = True
    type_det_tr: str = ""

    @property
    def det(self) -> float:
        return float(np.linalg.det(self.jacobian)) if self.jacobian.size else float("nan")

    @property
    def trace(self) -> float:
        return float(np.trace(self.jacobian)) if self.jacobian.size else float("nan")


def classify(eig: np.ndarray, tol: float) -> str:
    """Eigenvalue rule of the module docstring, without the static ESS refinement."""
    if eig.size == 0 or np.any(np.abs(eig) <= tol):
        return "degenerate"
    re = eig.real
    neg, pos = bool(np.any(re < -tol)), bool(np.any(re > tol))
    if neg and pos:
        return "saddle"
    if pos:
        return "unstable"
    if np.all(re < -tol):
        return "stable"
    return "centre" if not neg else "degenerate"


def det_tr_type(jac: np.ndarray, tol: float) -> str:
    """Spec 4.7's rule for a 2x2 Jacobian."""
    det, tr = float(np.linalg.det(jac)), float(np.trace(jac))
    tol_det = tol * max(1.0, float(np.max(np.abs(jac)))) ** 2
    if det < -tol_det:
        return "saddle"
    if det > tol_det and tr < -tol:
        return "ESS"
    if det > tol_det and tr > tol:
        return "unstable"
    return "degenerate"


def static_ess(A: np.ndarray, p: np.ndarray, support: tuple[int, ...], tol: float) -> bool:
    payoff = A @ p
    mean = float(p @ payoff)
    outside = [j for j in range(len(p)) if j not in support]
    if any(payoff[j] >= mean - tol for j in outside):
        return False
    if len(support) == 1:
        return True
    Z = np.zeros((len(p), len(support) - 1))
    for c, i in enumerate(support[:-1]):
        Z[i, c], Z[support[-1], c] = 1.0, -1.0
    H = Z.T @ (A + A.T) @ Z / 2
    return bool(np.all(np.linalg.eigvalsh(H) < -tol))


def make_point(game: Game, state: np.ndarray, support, isolated: bool = True) -> RestPoint:
    P, V = chart(game.sizes)
    jac = P @ full_jacobian(game, state) @ V
    tol = TOL * max(1.0, float(np.max(np.abs(jac), initial=0.0)))
    eig = np.linalg.eigvals(jac) if jac.size else np.zeros(0, dtype=complex)
    kind = classify(eig, tol)
    if kind == "stable":
        if isinstance(game, SymmetricGame):
            ess = static_ess(game.A, state, support[0], tol)
        else:
            ess = all(len(s) == 1 for s in support)
        kind = "ESS" if ess else "stable"
    two_by_two = isinstance(game, PopulationGame) and game.sizes == (2, 2)
    dt = det_tr_type(jac, tol) if two_by_two else ""
    return RestPoint(state, tuple(support), jac, eig, kind, isolated, dt)
