"""Seeds: a seed given is used as is; a seed of None becomes fresh OS entropy, returned so that the
run can be repeated (it is reported in the result). A seed is never silently 0.

>>> resolve_seed(7)
7
>>> s = resolve_seed(None)
>>> isinstance(s, int) and s >= 0
True
"""

from __future__ import annotations

import operator
from typing import Any

from clsc.errors import ParameterError


def resolve_seed(seed: Any = None) -> int:
    """``seed`` as a non-negative int; None draws fresh entropy (``SeedSequence().entropy``).

    >>> resolve_seed("12")
    Traceback (most recent call last):
    ...
    clsc.errors.ParameterError: seed must be a non-negative integer; got seed=12
    """
    if seed is None:
        import numpy as np

        return int(np.random.SeedSequence().entropy) % 2**63  # fits every seed check
    try:
        value = operator.index(seed)
    except TypeError:
        raise ParameterError("seed", "must be a non-negative integer", seed) from None
    if isinstance(seed, bool) or value < 0:
        raise ParameterError("seed", "must be a non-negative integer", seed)
    return int(value)
