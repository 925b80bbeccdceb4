"""Rest points where three or more populations mix: an exact polynomial system (sympy).

On a support profile with mixed populations ``M`` (``|M| >= 3``) the indifference conditions
``f^q_i = f^q_last`` (``i`` in ``S_q``, ``q`` in ``M``) are multilinear in the other mixed
populations' shares. The payoffs are converted *exactly* to rationals (every float is a
dyadic rational) and the system is solved by sympy's Groebner-basis solver; real solutions
with every share ``> positive`` are kept. A system with infinitely many solutions is reported
as a continuum (no witness point).

>>> import numpy as np
>>> from clsc.evolution.games import populations
>>> T = np.zeros((2, 2, 2)); T[0, 0, 0] = T[1, 1, 1] = 1.0     # everyone wants to match
>>> g = populations(T, T, T)
>>> sols, cont = solve_profile(g, ((0, 1), (0, 1), (0, 1)), 1e-10)
>>> [[round(float(v), 6) for v in x] for x in sols[0][0]], cont
([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], False)
"""

from __future__ import annotations

import itertools

import numpy as np


def _fitness_polys(game, profile, mixed, shares):
    """Symbolic fitness of each mixed population's support strategies."""
    import sympy

    index = np.ix_(*[list(s) for s in profile])
    out = {}
    for q in mixed:
        sub = game.payoffs[q][index]
        others = [r for r in mixed if r != q]
        polys = []
        for i in range(len(profile[q])):
            total = sympy.Integer(0)
            for combo in itertools.product(*[range(len(profile[r])) for r in others]):
                idx = [0] * len(profile)
                idx[q] = i
                for r, k in zip(others, combo, strict=True):
                    idx[r] = k
                coef = sympy.Rational(float(sub[tuple(idx)]))
                if coef != 0:
                    factors = [shares[r][k] for r, k in zip(others, combo, strict=True)]
                    total += coef * sympy.Mul(*factors)
            polys.append(sympy.expand(total))
        out[q] = polys
    return out


def solve_profile(game, profile, positive: float):
    """``([(shares per population, isolated), ...], continuum)`` for one support profile."""
    import sympy

    mixed = [q for q, s in enumerate(profile) if len(s) > 1]
    symbols, shares = [], {}
    for q in mixed:
        free = sympy.symbols(f"x{q}_0:{len(profile[q]) - 1}", real=True)
        symbols.extend(free)
        shares[q] = [*free, 1 - sum(free)]
    fit = _fitness_polys(game, profile, mixed, shares)
    equations = [f - fit[q][-1] for q in mixed for f in fit[q][:-1]]
    equations = [e for e in equations if e != 0]
    if len(equations) < len(symbols):
        return [], True
    try:
        roots = sympy.solve_poly_system(equations, *symbols) or []
    except NotImplementedError:
        return [], True
    found = []
    for root in roots:
        values = [complex(sympy.N(v, 30)) for v in root]
        if any(abs(v.imag) > 1e-9 for v in values):
            continue
        sub = dict(zip(symbols, [v.real for v in values], strict=True))
        out = []
        for q, s in enumerate(profile):
            if q in mixed:
                out.append(np.array([float(sympy.sympify(e).subs(sub)) for e in shares[q]]))
            else:
                out.append(np.ones(len(s)))
        if all(np.all(x > positive) for x in out):
            found.append((out, True))
    return found, False
