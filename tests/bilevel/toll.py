"""Toll-setting test problems of BOLIBver2 as clsc problem dicts, with their published values.

Toll setting (Labbé, Marcotte & Savard 1998, Management Science 44(12) 1608-1622): the leader
sets tolls ``x`` on some arcs of a network; the follower routes every commodity at least cost,
tolls included (an LP in its flows ``y``); the leader maximises its revenue ``sum_k x_k y_k``, a
bilinear objective. Tolls enter only the follower's costs, never its constraints.

The problems are shipped in clsc's file format as ``src/clsc/bilevel/examples/toll_setting_p*.json``
(loaded here). Source: BOLIBver2 (Zhou, Zemkoho & Tin, "BOLIB: bilevel optimization library of
test problems", in Dempe & Zemkoho (eds.), Bilevel Optimization, Springer 2020), problems
``TollSettingP1`` to ``TollSettingP5``, as converted to Julia in github.com/cinaral/BOLIB.jl
(``src/BOLIBver2_converted/nonlinear/TollSettingP*.jl``, P4 under ``examples/nonlinear``). BOLIB
writes constraints as ``G(x, y) >= 0`` and ``g(x, y) >= 0``; its pairs ``e >= 0``, ``-e >= 0``
are written as ``e == 0`` (clsc splits an equality into the same two rows); P3 is P2 with the
flows y2, y4, y6 (the second commodity's tolled arcs) scaled by 10 in every term. BOLIB's
published values ``Ff_optimal = [F*, f*]`` are in the problems' min form: ``expected_F`` is the
leader's ``F*`` (minus the revenue), ``expected_f`` the follower's cost ``f*``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files

EXAMPLES = files("clsc.bilevel") / "examples"


@dataclass(frozen=True)
class TollCase:
    name: str
    problem: dict
    expected_F: float
    expected_f: float
    source: str


def _case(k: int, expected_F: float, expected_f: float) -> TollCase:
    data = json.loads((EXAMPLES / f"toll_setting_p{k}.json").read_text(encoding="utf-8"))
    return TollCase(data["name"], data, expected_F, expected_f, f"BOLIBver2 TollSettingP{k}")


# published (BOLIBver2 Ff_optimal): F* (min form: minus the revenue), f* (the follower's cost)
TOLL = [_case(1, -7.0, 12.0), _case(2, -4.5, 32.0), _case(3, -3.5, 32.0), _case(4, -4.0, 14.0),
        _case(5, -2.5, 14.0)]  # fmt: skip
