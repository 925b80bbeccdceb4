"""Total derivatives of the later stages' responses in an earlier mover's variables.

In a game of stages ``0 .. L`` a mover of stage ``k`` with decision ``z`` faces the responses
``Y(z)`` of every later stage. Its reduced profit ``V(z) = f(z, Y(z))`` has the total gradient

    dV/dz = df/dz + (dY/dz)^T df/dY,

and the slopes ``dY/dz`` follow from the implicit-function theorem, stage by stage:

* the **last stage** ``L``: its movers' first-order conditions ``F(x, y_L) = 0`` (each mover's
  gradient in its own variables) give ``dy_L/dx = -(dF/dy_L)^-1 dF/dx`` with the Jacobian of
  each mover's own gradient (compiled, exact);
* a stage ``s < L``: its movers' decisions ``y_s`` zero their *reduced* gradients
  ``G_s(x, y_s) = df_s/dy_s + (dY_{>s}/dy_s)^T df_s/dY_{>s}`` (the same formula one stage
  down, exact given the later responses), so ``dy_s/dx = -(dG_s/dy_s)^-1 dG_s/dx``; the two
  Jacobians of ``G_s`` are central differences (the later stages moved to their first-order
  responses at each shifted point, see :meth:`Nested._stage_jacobian`; ``G_s`` is smooth, so
  the error is of order ``h^2``, about 1e-10 relative; with more than one such stage below,
  a larger step, Richardson-extrapolated) and the later stages follow by the chain rule,
  ``dY_{>s}/dx = dY_{>s}/dx|_{y_s} + dY_{>s}/dy_s dy_s/dx``.

Simultaneous movers of one stage stack their conditions (a Nash point). A variable at a bound
does not move (its slope is zero).

>>> import numpy as np
>>> from clsc.game.optimise import Mover
>>> # follower y maximises -(y - x)^2 (so y = x); its Jacobian row in (x, y) is [2, -2]
>>> f = Mover("F", 1, np.array([1]), np.array([-np.inf]), np.array([np.inf]), None, None, None,
...           jac=lambda x, y: [[2.0, -2.0]])
>>> rows, slopes = Nested([[], [f]]).slopes(1, np.array([3.0, 3.0]), [], np.array([0]))
>>> rows.tolist(), slopes.tolist()
([1], [[1.0]])
"""

from __future__ import annotations

import numpy as np

from clsc.game.optimise import Mover, response_slopes, solve_small

#: relative step of the central differences of a stage's reduced gradient
FD_STEP = 1e-5
#: the same where the later stages' slopes are differences themselves (Richardson-extrapolated)
FD_STEP_NESTED = 2e-3

_NONE = (np.zeros(0, dtype=int), None)


class Nested:
    """Total gradients and response slopes of a game's stages (see the module docstring).

    ``movers[s]`` are the movers of stage ``s``; every method takes the variables ``x`` with
    the later stages at their responses (the equilibrium of the subgame) and the parameters.
    """

    def __init__(self, movers: list[list[Mover]]) -> None:
        self.movers = movers

    def gradient(self, m: Mover, x: np.ndarray, p: list[float]) -> np.ndarray:
        """``dV/dz`` of mover ``m`` at ``x`` (the later stages already at their responses)."""
        g = np.asarray(m.gfull(*x, *p), dtype=float).ravel()
        rows, slopes = self.slopes(m.stage + 1, x, p, m.idx)
        total = g[m.idx]
        if rows.size:
            total = total + slopes.T @ g[rows]
        return total

    def _free(self, row: list[Mover], x: np.ndarray) -> list[np.ndarray]:
        return [(x[f.idx] > f.lower) & (x[f.idx] < f.upper) for f in row]

    def slopes(
        self, stage: int, x: np.ndarray, p: list[float], cols: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """``(rows, D)``: ``D[i, j] = d x[rows[i]] / d x[cols[j]]`` for the free variables of
        stages ``stage`` onwards (rows), the variables ``cols`` of earlier stages moving."""
        while stage < len(self.movers) and not self.movers[stage]:
            stage += 1
        if stage >= len(self.movers):
            return _NONE
        row = self.movers[stage]
        masks = self._free(row, x)
        free = np.concatenate([f.idx[k] for f, k in zip(row, masks, strict=True)]).astype(int)
        if all(not r for r in self.movers[stage + 1 :]):  # the last stage: exact Jacobians
            if not free.size:
                return _NONE
            jac = np.vstack(
                [
                    np.atleast_2d(np.asarray(f.jac(*x, *p), dtype=float))[k]
                    for f, k in zip(row, masks, strict=True)
                    if k.any()
                ]
            )
            return free, response_slopes(jac, free, cols)
        both = np.concatenate([cols, free]).astype(int)
        rows2, d2 = self.slopes(stage + 1, x, p, both)
        if not free.size:
            return rows2, d2
        jac = self._stage_jacobian(stage, x, p, masks, both, (rows2, d2))
        n = len(cols)
        dy = -solve_small(jac[:, n:], jac[:, :n])
        if not rows2.size:
            return free, dy
        return np.concatenate([free, rows2]), np.vstack([dy, d2[:, :n] + d2[:, n:] @ dy])

    def _stage_gradient(self, stage: int, x: np.ndarray, p: list[float], masks) -> np.ndarray:
        row = self.movers[stage]
        parts = [self.gradient(f, x, p)[k] for f, k in zip(row, masks, strict=True) if k.any()]
        return np.concatenate(parts)

    def _stage_jacobian(
        self, stage: int, x: np.ndarray, p: list[float], masks, cols: np.ndarray, later
    ) -> np.ndarray:
        """Central-difference Jacobian of the stage's stacked reduced gradients (free
        variables) in ``x[cols]``.

        At a shifted point ``x + h e_j`` the later stages' free variables are moved to their
        first-order responses ``Y + h dY/dx_j`` (``later = (rows, dY/dx[cols])``) instead of
        being re-solved: the second-order error ``h^2 Y''/2`` is the same on both sides and
        cancels in the central difference, which stays accurate to order ``h^2`` and needs no
        solve. When the later stages' slopes are differences themselves (a game of four or
        more stages), their rounding noise ``e`` would be amplified to ``e/h``: the step is
        then larger and the central differences at ``h`` and ``2h`` are Richardson-extrapolated
        (error of order ``h^4``).
        """
        rows, slopes = later
        nested = sum(1 for r in self.movers[stage + 1 :] if r) > 1
        rel, factors = (FD_STEP_NESTED, (1.0, 2.0)) if nested else (FD_STEP, (1.0,))
        base = x.copy()
        out = []
        try:
            for k, j in enumerate(cols):
                h = rel * (1.0 + abs(base[j]))
                diffs = []
                for factor in factors:
                    sides = []
                    for step in (factor * h, -factor * h):
                        x[:] = base
                        x[j] += step
                        if rows.size:
                            x[rows] += step * slopes[:, k]
                        sides.append(self._stage_gradient(stage, x, p, masks))
                    diffs.append((sides[0] - sides[1]) / (2 * factor * h))
                out.append(diffs[0] if len(diffs) == 1 else (4 * diffs[0] - diffs[1]) / 3)
        finally:
            x[:] = base
        return np.column_stack(out)
