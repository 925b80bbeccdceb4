"""Independent reference formulas for the coop tests (not used by clsc.coop itself)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

# spec 4.9: separate costs d_i (4 dp) and out-of-sample coalition costs C(S) (3 dp)
SPEC_COSTS = {
    (1,): 298.1719,
    (2,): 152.1158,
    (3,): 378.1662,
    (1, 2): 385.975,
    (1, 3): 587.600,
    (2, 3): 451.233,
    (1, 2, 3): 650.210,
}


def shapley_by_permutations(v, n):
    """Shapley value by the definition: the mean marginal vector over all n! orders."""
    phi = [Fraction(0)] * n
    for order in itertools.permutations(range(1, n + 1)):
        before = ()
        for i in order:
            grown = tuple(sorted((*before, i)))
            phi[i - 1] += Fraction(v[grown]) - (Fraction(v[before]) if before else 0)
            before = grown
    return [p / math.factorial(n) for p in phi]


def airport_sequential_split(costs):
    """Littlechild and Owen (1973): segment k of the runway, of cost c_(k) - c_(k-1), is split
    equally among the players needing at least c_(k); each player pays its segments."""
    order = sorted(range(len(costs)), key=lambda i: costs[i])
    pay = [Fraction(0)] * len(costs)
    prev = Fraction(0)
    for k, i in enumerate(order):
        share = (Fraction(costs[i]) - prev) / (len(costs) - k)
        for j in order[k:]:
            pay[j] += share
        prev = Fraction(costs[i])
    return pay


def _cea(estate, claims):
    """Constrained equal awards: min(d_i, lam) with sum = estate (bisection-free, exact)."""
    order = sorted(range(len(claims)), key=lambda i: claims[i])
    award = [Fraction(0)] * len(claims)
    left, rest = Fraction(estate), len(claims)
    for i in order:
        lam = left / rest
        award[i] = min(Fraction(claims[i]), lam)
        left -= award[i]
        rest -= 1
    return award


def talmud(estate, claims):
    """Aumann and Maschler (1985): half-claims by constrained equal awards up to half the
    total claim; beyond it, losses (claims minus awards) by constrained equal awards."""
    half = [Fraction(d) / 2 for d in claims]
    total = sum(Fraction(d) for d in claims)
    if Fraction(estate) <= total / 2:
        return _cea(estate, half)
    losses = _cea(total - Fraction(estate), half)
    return [Fraction(d) - loss for d, loss in zip(claims, losses, strict=True)]


def all_coalitions(n):
    for size in range(1, n + 1):
        yield from itertools.combinations(range(1, n + 1), size)


def rounding_tolerance(f, inputs, half_widths, printed_half_width):
    """Largest change of the linear map ``f`` (vector out) when each input moves by up to its
    rounding half-width, plus the rounding of the printed result: the tolerance a value
    computed from rounded inputs must meet against a value printed from unrounded ones."""
    import numpy as np

    x = np.asarray(inputs, dtype=float)
    base = np.asarray(f(x), dtype=float)
    spread = np.zeros_like(base)
    for k, h in enumerate(np.broadcast_to(half_widths, x.shape)):
        step = x.copy()
        step[k] += 1.0
        spread += np.abs(np.asarray(f(step), dtype=float) - base) * h
    return spread + printed_half_width + 1e-12
