"""Generalised Nash bargaining with transferable utility, for all players or with an alliance.

**Contract.** Players 1..n have disagreement points d_i and positive weights w_i (default 1).

* Cost form (``kind="cost"``, the default): d_i is player i's stand-alone cost and ``total`` the
  cost C(N) of serving everyone jointly. The solution maximises prod_i (d_i - x_i)^w_i subject
  to sum_i x_i = C(N); with the surplus (total saving) S = sum_i d_i - C(N) > 0 it is

      s_i = w_i * S / sum_j w_j,        x_i = d_i - s_i        (final cost x_i, saving s_i)

* Value form (``kind="value"``): d_i is a stand-alone payoff and ``total`` the worth v(N) to
  share; S = v(N) - sum_i d_i and x_i = d_i + s_i with the same s_i.

``gains`` holds s_i >= 0 in both forms. When S <= 0 there is nothing to share: the status is
``no_agreement`` and the disagreement point is returned (x = d, s = 0). A surplus that is
positive only by rounding is treated as positive (no tolerance is applied).

**Alliance bargaining** (spec 4.6): the players of ``alliance`` A bargain as one player with
weight w_A (default sum_{i in A} w_i) and threat point ``alliance_total`` (their joint cost
C(A), or in the value form their joint worth); every other player j keeps threat d_j. With
S' = C(A) + sum_{j not in A} d_j - C(N) > 0 and W = w_A + sum_{j not in A} w_j:

    cost_A = C(A) - w_A * S'/W,      x_j = d_j - w_j * S'/W      (j not in A)

and inside the alliance the members bargain over cost_A with threat points d_i:
S_A = sum_{i in A} d_i - cost_A, s_i = w_i/sum_{k in A} w_k * S_A. If S' <= 0 or S_A <= 0 the
status is ``no_agreement`` and the stand-alone point d is returned (gains 0).

>>> r = nash_bargaining(650.210, [298.1719, 152.1158, 378.1662])
>>> str(r.status), round(r.surplus, 4), r.gains.round(4).tolist()
('optimal', 178.2439, [59.4146, 59.4146, 59.4146])
>>> a = alliance_bargaining(650.210, [298.1719, 152.1158, 378.1662], 385.975)
>>> a.gains.round(3).tolist(), a.allocation.round(3).tolist()
([70.133, 70.133, 37.977], [228.038, 81.982, 340.189])
>>> str(nash_bargaining(10.0, [4.0, 5.0]).status)
'no_agreement'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.results import Status

KINDS = ("cost", "value")


@dataclass(frozen=True)
class BargainingResult:
    """Outcome of a bargaining rule, arrays in player order 1..n.

    ``allocation`` final costs (cost form) or payoffs (value form); ``gains`` each player's
    saving / gain over ``disagreement``; ``surplus`` S (Nash) or S' (alliance vs the rest).
    Alliance fields: ``alliance`` (players), ``alliance_weight`` w_A, ``alliance_threat``
    C(A) (or its worth), ``alliance_total`` cost_A (or payoff) agreed for the alliance and
    ``alliance_surplus`` S_A shared inside it; NaN / () for plain Nash bargaining.
    """

    rule: str
    kind: str
    status: Status
    allocation: np.ndarray
    gains: np.ndarray
    disagreement: np.ndarray
    weights: np.ndarray
    total: float
    surplus: float
    alliance: tuple[int, ...] = ()
    alliance_weight: float = math.nan
    alliance_threat: float = math.nan
    alliance_total: float = math.nan
    alliance_surplus: float = math.nan
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when an agreement was reached."""
        return self.status == Status.OPTIMAL

    def to_frame(self):
        """One row per player: ``player``, ``disagreement``, ``weight``, ``gain``,
        ``allocation``, ``in_alliance``, plus ``rule``, ``kind`` and ``status``."""
        import pandas as pd

        n = len(self.allocation)
        players = np.arange(1, n + 1)
        return pd.DataFrame(
            {
                "player": players,
                "disagreement": self.disagreement,
                "weight": self.weights,
                "gain": self.gains,
                "allocation": self.allocation,
                "in_alliance": np.isin(players, self.alliance),
                "rule": self.rule,
                "kind": self.kind,
                "status": str(self.status),
            }
        )


def _vector(name: str, value: Any, n: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a vector of numbers", value) from None
    if arr.size == 0 or (n is not None and arr.size != n):
        raise ParameterError(name, f"must have one entry per player (n={n})", arr.size)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be finite", arr.tolist())
    return arr


def _scalar(name: str, value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, "must be a number", value) from None
    if not math.isfinite(out):
        raise ParameterError(name, "must be finite", value)
    return out


def _weights(weights: Any, n: int) -> np.ndarray:
    w = np.ones(n) if weights is None else _vector("weights", weights, n)
    if np.any(w <= 0):
        raise ParameterError("weights", "must be > 0", w.tolist())
    return w


def _kind(kind: str) -> float:
    """+1 for costs, -1 for values: the value form is the cost form of the negated numbers."""
    if kind not in KINDS:
        raise ParameterError("kind", "must be 'cost' or 'value'", kind)
    return 1.0 if kind == "cost" else -1.0


def nash_bargaining(
    total: float, disagreement: Any, weights: Any = None, *, kind: str = "cost"
) -> BargainingResult:
    """Generalised Nash bargaining solution (module docstring: contract and formulas)."""
    sign = _kind(kind)
    d = _vector("disagreement", disagreement)
    w = _weights(weights, d.size)
    c_total = sign * _scalar("total", total)
    dc = sign * d
    surplus = float(dc.sum() - c_total)
    common = {
        "rule": "nash",
        "kind": kind,
        "disagreement": d,
        "weights": w,
        "total": float(total),
        "surplus": surplus,
    }
    if not surplus > 0:
        return _no_deal(common, "no gain to share: surplus <= 0")
    gains = w * surplus / w.sum()
    return BargainingResult(
        status=Status.OPTIMAL, allocation=sign * (dc - gains), gains=gains, **common
    )


def alliance_bargaining(
    total: float,
    disagreement: Any,
    alliance_total: float,
    alliance: Iterable[int] = (1, 2),
    weights: Any = None,
    alliance_weight: float | None = None,
    *,
    kind: str = "cost",
) -> BargainingResult:
    """Alliance bargaining: ``alliance`` (1-based players) bargains as one player with weight
    ``alliance_weight`` (default the sum of its members' weights) and threat point
    ``alliance_total`` against the others; the members then split the alliance's share with
    threat points d_i (module docstring: formulas)."""
    sign = _kind(kind)
    d = _vector("disagreement", disagreement)
    w = _weights(weights, d.size)
    members = _alliance(alliance, d.size)
    inside = np.isin(np.arange(1, d.size + 1), members)
    w_a = (
        float(w[inside].sum())
        if alliance_weight is None
        else _scalar("alliance_weight", alliance_weight)
    )
    if not w_a > 0:
        raise ParameterError("alliance_weight", "must be > 0", alliance_weight)
    threat = _scalar("alliance_total", alliance_total)
    c_total, dc = sign * _scalar("total", total), sign * d
    surplus = float(sign * threat + dc[~inside].sum() - c_total)
    common = {
        "rule": "alliance",
        "kind": kind,
        "disagreement": d,
        "weights": w,
        "total": float(total),
        "surplus": surplus,
        "alliance": members,
        "alliance_weight": w_a,
        "alliance_threat": threat,
    }
    if not surplus > 0:
        return _no_deal(common, "no gain between the alliance and the others: surplus <= 0")
    big_w = w_a + w[~inside].sum()
    cost_a = sign * threat - w_a * surplus / big_w
    inner = float(dc[inside].sum() - cost_a)
    common.update(alliance_total=sign * cost_a, alliance_surplus=inner)
    if not inner > 0:
        return _no_deal(common, "the alliance's members gain nothing over standing alone: S_A <= 0")
    gains = np.where(inside, w * inner / w[inside].sum(), w * surplus / big_w)
    return BargainingResult(
        status=Status.OPTIMAL, allocation=sign * (dc - gains), gains=gains, **common
    )


def _alliance(alliance: Iterable[int], n: int) -> tuple[int, ...]:
    try:
        members = tuple(int(i) for i in alliance)
    except (TypeError, ValueError):
        raise ParameterError("alliance", "must be a tuple of player numbers", alliance) from None
    if not members or len(set(members)) != len(members):
        raise ParameterError("alliance", "must name distinct players", alliance)
    if min(members) < 1 or max(members) > n:
        raise ParameterError("alliance", f"must name players among 1..{n}", alliance)
    if len(members) == n:
        raise ParameterError("alliance", "must leave at least one player outside", alliance)
    return tuple(sorted(members))


def _no_deal(common: dict, message: str) -> BargainingResult:
    d = common["disagreement"]
    return BargainingResult(
        status=Status.NO_AGREEMENT,
        allocation=d.copy(),
        gains=np.zeros(d.size),
        message=message,
        **common,
    )
