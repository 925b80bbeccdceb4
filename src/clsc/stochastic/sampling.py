"""Uniform draws for Monte Carlo with common random numbers (CRN), and their error structure.

Demand samples are made by inverse transform, ``D = F^-1(U)``, from one array of uniforms
``U``. Reusing the same :class:`Draws` for every decision candidate and every scenario (other
demand parameters, other prices) gives common random numbers: differences between candidates
are estimated with far less noise than independent runs would give.

Sampling methods (``Draws.method``):

* ``plain``: n independent uniforms; the estimator's groups are the single samples.
* ``antithetic``: m = n/2 uniforms ``u`` followed by ``1 - u``; the groups are the pairs
  (i, i + m), whose means are independent.
* ``sobol``: ``replicates`` independently scrambled Sobol' sequences (scipy.stats.qmc) of
  2^k points each (2^k is the power of two nearest n/replicates); the groups are the
  replicates.

In every case the estimate is the plain average of all samples and its standard error is
sd(group means) / sqrt(#groups), see :meth:`Draws.mean_se`. Uniforms lie strictly inside
(0, 1) (half an ulp-of-2^-53 offset), so F^-1(U) is finite for unbounded families.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from clsc.errors import ParameterError

METHODS = ("plain", "antithetic", "sobol")
_OFFSET = 2.0**-54  # rng.random() is k/2^53 with k in [0, 2^53); shift into (0, 1)


@dataclass(frozen=True)
class Draws:
    """Uniforms ``u`` (1-d, strictly inside (0, 1)) and how they are grouped for errors."""

    u: np.ndarray
    method: str
    groups: int

    @property
    def n(self) -> int:
        return int(self.u.shape[0])

    def group_means(self, values: np.ndarray) -> np.ndarray:
        """Means of ``values`` (one per draw, last axis) over each independent group."""
        values = np.asarray(values, dtype=float)
        if values.shape[-1] != self.n:
            raise ValueError(f"expected {self.n} values per row, got {values.shape[-1]}")
        if self.method == "plain":
            return values
        if self.method == "antithetic":
            m = self.n // 2
            return 0.5 * (values[..., :m] + values[..., m:])
        return values.reshape(*values.shape[:-1], self.groups, -1).mean(axis=-1)

    def mean_se(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(estimate, standard error) of E[value] along the last axis.

        The estimate is the average of all values; the standard error is the sample standard
        deviation of the independent group means divided by sqrt(number of groups).
        """
        g = self.group_means(values)
        mean = np.asarray(values, dtype=float).mean(axis=-1)
        if self.groups < 2:
            return mean, np.full_like(mean, np.nan)
        se = g.std(axis=-1, ddof=1) / math.sqrt(self.groups)
        return mean, se


def draw_uniforms(
    n: int, seed: int | None = None, method: str = "plain", replicates: int = 16
) -> Draws:
    """Seeded uniforms for ``n`` samples (see module docstring for the methods).

    ``seed`` is required: pass an int (a model request always carries one, fresh entropy when
    the user gave none, see :func:`clsc.seeding.resolve_seed`); None means unrepeatable fresh
    entropy.

    ``antithetic`` needs an even n (n is rounded up by one if odd); ``sobol`` uses
    ``replicates * 2^k`` points, 2^k the power of two nearest ``n / replicates``.
    """
    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ParameterError("samples", "must be an integer >= 2", n)
    if method not in METHODS:
        raise ParameterError("sampling", f"must be one of {', '.join(METHODS)}", method)
    n = int(n)
    rng = np.random.default_rng(seed)
    if method == "plain":
        return Draws(rng.random(n) + _OFFSET, "plain", n)
    if method == "antithetic":
        m = (n + 1) // 2
        u = rng.random(m) + _OFFSET
        return Draws(np.concatenate([u, 1.0 - u]), "antithetic", m)
    if isinstance(replicates, bool) or int(replicates) != replicates or replicates < 2:
        raise ParameterError("replicates", "must be an integer >= 2", replicates)
    from scipy.stats import qmc

    replicates = int(replicates)
    k = max(1, round(math.log2(max(n / replicates, 2.0))))
    blocks = [
        qmc.Sobol(d=1, scramble=True, seed=child).random_base2(k)[:, 0]
        for child in rng.spawn(replicates)
    ]
    return Draws(np.concatenate(blocks) + _OFFSET, "sobol", replicates)


def demand_samples(demand, draws: Draws) -> np.ndarray:
    """Demand samples F^-1(u) for the draws (inverse transform: common random numbers)."""
    return np.ascontiguousarray(np.asarray(demand.ppf(draws.u), dtype=float))
