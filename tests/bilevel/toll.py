"""Toll-setting test problems of BOLIBver2 as clsc problem dicts, with their published values.

Toll setting (Labbé, Marcotte & Savard 1998, Management Science 44(12) 1608-1622): the leader
sets tolls ``x`` on some arcs of a network; the follower routes every commodity at least cost,
tolls included (an LP in its flows ``y``); the leader maximises its revenue ``sum_k x_k y_k``, a
bilinear objective. Tolls enter only the follower's costs, never its constraints.

Source: BOLIBver2 (Zhou, Zemkoho & Tin, "BOLIB: bilevel optimization library of test problems",
in Dempe & Zemkoho (eds.), Bilevel Optimization, Springer 2020), problems ``TollSettingP1`` to
``TollSettingP5``, as converted to Julia in github.com/cinaral/BOLIB.jl
(``src/BOLIBver2_converted/nonlinear/TollSettingP*.jl``, P4 under ``examples/nonlinear``). BOLIB
writes constraints as ``G(x, y) >= 0`` and ``g(x, y) >= 0``; its pairs ``e >= 0``, ``-e >= 0``
are written here as ``e == 0`` (clsc splits an equality into the same two rows). BOLIB's
published values ``Ff_optimal = [F*, f*]`` are in the problems' min form: ``expected_F`` is the
leader's ``F*`` (minus the revenue), ``expected_f`` the follower's cost ``f*``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TollCase:
    name: str
    problem: dict
    expected_F: float
    expected_f: float
    source: str


def _ys(k: int) -> list[str]:
    return [f"y{i}" for i in range(1, k + 1)]


def _problem(n: int, m: int, lobj: str, lcons: list[str], fobj: str, fcons: list[str]) -> dict:
    return {
        "leader": {"vars": [f"x{j}" for j in range(1, n + 1)], "sense": "min",
                   "objective": lobj, "constraints": lcons},
        "follower": {"vars": _ys(m), "sense": "min", "objective": fobj,
                     "constraints": fcons + [f"{y} >= 0" for y in _ys(m)]},
    }  # fmt: skip


_X3 = ["x1 >= 0", "x2 >= 0", "x3 >= 0"]
_LINEAR_COST_18 = (
    "5*y7 + 7*y8 + 14*y9 + 7*y10 + 2*y11 + 4*y12 + 29*y13 + 20*y14 + 12*y15 + 8*y16 + 5*y17 + 2*y18"
)
_DEMAND_18 = ["y7 + y8 + y9 == 1", "y10 + y11 + y12 == 1", "y13 + y14 + y15 == 1",
              "y16 + y17 + y18 == 1"]  # fmt: skip

P1 = _problem(
    3, 8, "-x1*y3 - x2*y4 - x3*y8", _X3,
    "2*y1 + 6*y2 + 4*y5 + 2*y6 + 6*y7 + x2*y4 + x3*y8 + y3*(x1 + 5)",
    ["y1 + y2 + y3 == 1", "y1 - y4 - y5 == 0", "y2 + y4 - y6 - y7 == 0",
     "y5 + y6 - y8 == 0", "y3 + y7 + y8 == 1"],
)  # fmt: skip


def _two_tolled_commodities(w: int) -> dict:
    """P2 (``w = 1``) and P3 (``w = 10``): P3 is P2 with the flows y2, y4, y6 (the second
    commodity's tolled arcs) scaled by 10 in every term, exactly as BOLIBver2 codes them."""
    return _problem(
        3, 18, f"-x1*(y1 + {w}*y2) - x2*(y3 + {w}*y4) - x3*(y5 + {w}*y6)", _X3,
        f"{_LINEAR_COST_18} + 2*x1*y1 + {2 * w}*x1*y2 + 2*x2*y3 + {2 * w}*x2*y4 + 2*x3*y5 "
        f"+ {2 * w}*x3*y6",
        [*_DEMAND_18, "y7 - y5 - y1 - y13 == 0", f"y10 - {w}*y6 - {w}*y2 - y16 == 0",
         "y1 - y3 + y8 - y14 == 0", f"{w}*y2 - {w}*y4 + y11 - y17 == 0",
         "y3 + y5 + y9 - y15 == 0", f"{w}*y4 + {w}*y6 + y12 - y18 == 0"],
    )  # fmt: skip


P2 = _two_tolled_commodities(1)
P3 = _two_tolled_commodities(10)

# P4 and P5 have no leader constraint: a toll may be negative (a subsidy)
P4 = _problem(
    2, 4, "-x1*(y2 + y3) - x2*y3", [],
    "8*y1 + 6*y4 + y2*(2*x1 + 3) + y3*(2*x1 + 2*x2 + 3)",
    ["y1 + y2 == 1", "y3 + y4 == 1"],
)  # fmt: skip

P5 = _problem(
    1, 4, "-x1*(y2 + y3)", [],
    "8*y1 + 6*y4 + y2*(2*x1 + 3) + y3*(2*x1 + 4)",
    ["y1 + y2 == 1", "y3 + y4 == 1"],
)  # fmt: skip

_SRC = "BOLIBver2 TollSetting"
TOLL = [
    TollCase("toll_setting_p1", P1, -7.0, 12.0, f"{_SRC}P1"),
    TollCase("toll_setting_p2", P2, -4.5, 32.0, f"{_SRC}P2"),
    TollCase("toll_setting_p3", P3, -3.5, 32.0, f"{_SRC}P3"),
    TollCase("toll_setting_p4", P4, -4.0, 14.0, f"{_SRC}P4"),
    TollCase("toll_setting_p5", P5, -2.5, 14.0, f"{_SRC}P5"),
]
