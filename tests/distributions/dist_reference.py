"""Independent references for the distribution tests (quadrature / direct summation).

A uniquely named module (not conftest) so that ``from dist_reference import ...`` cannot pick
up another directory's conftest.
"""

from __future__ import annotations

import math

from scipy import integrate


def quad_shortage(pdf, x: float, lo: float, hi: float) -> float:
    """E[(D - x)+] = int_max(x,lo)^hi (t - x) f(t) dt by scipy quad on the density."""
    a = max(x, lo)
    if a >= hi:
        return 0.0
    value, _ = integrate.quad(
        lambda t: (t - x) * pdf(t), a, hi, epsabs=1e-13, epsrel=1e-12, limit=500
    )
    return value


def sum_shortage(values, probs, x: float) -> float:
    """E[(D - x)+] = sum (v - x)+ p by direct (compensated) summation."""
    return math.fsum(max(v - x, 0.0) * p for v, p in zip(values, probs, strict=True))
