"""Demand distributions: exact loss functions, quantiles and sampling behind one interface.

>>> from clsc.distributions import parse
>>> d = parse("normal(mean=50, sd=8)")
>>> round(d.expected_shortage(50.0), 6)  # sd * phi(0)
3.191538
>>> d.spec
'normal(mean=50, sd=8)'

Families (text form and factory): ``normal(mean, sd)``, ``truncnormal(mean, sd, lower, upper)``,
``uniform(low, high)``, ``exponential(mean)``, ``gamma(shape, scale)``, ``lognormal(mu, sigma)``,
``poisson(mean)``, ``binomial(n, p)``, ``discrete(values, probs)``,
``empirical(values | file, column)``, and ``scipy:NAME(...)`` / :func:`from_scipy`.

Import cost: this package loads numpy and scipy.special only. A family's frozen scipy.stats
distribution is built (and scipy.stats imported) the first time a method needs it; the normal
family's cdf, pdf, ppf and loss functions, every built-in family's moments, support and spec,
and the loss functions of the continuous families never need it (Poisson and binomial losses
do).
"""

from clsc.distributions.base import Distribution
from clsc.distributions.continuous import (
    exponential,
    gamma,
    lognormal,
    normal,
    truncnormal,
    uniform,
)
from clsc.distributions.discrete import binomial, discrete, poisson
from clsc.distributions.empirical import empirical
from clsc.distributions.parse import FAMILIES, as_distribution, parse
from clsc.distributions.scipy_family import from_frozen, from_scipy

__all__ = [
    "FAMILIES",
    "Distribution",
    "as_distribution",
    "binomial",
    "discrete",
    "empirical",
    "exponential",
    "from_frozen",
    "from_scipy",
    "gamma",
    "lognormal",
    "normal",
    "parse",
    "poisson",
    "truncnormal",
    "uniform",
]
