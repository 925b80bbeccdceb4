"""Published bilevel test problems with known optima, as clsc problem dicts.

Each case states its source next to the ``expected_*`` values; ``digits`` is the number of
decimals printed in the source (tolerance rule: ``0.5 * 10**-digits + 1e-9 * |printed|``).
BASBLib = Paulavičius, Kleniati & Adjiman, "BASBLib - a library of bilevel test problems"
(github.com/basblsolver/BASBLib, Zenodo 897966); box bounds of the leader's variables are
leader constraints, those of the follower's variables follower constraints, as coded there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    problem: dict
    expected_x: tuple[float, ...]
    expected_y: tuple[float, ...]
    expected_F: float
    digits: int
    source: str
    linear: bool = True


def box(names, lo, hi):
    return [c for v in names for c in (f"{v} >= {lo}", f"{v} <= {hi}")]


def problem(lv, lobj, lcons, fv, fobj, fcons, integer=()):
    return {
        "leader": {"vars": list(lv), "sense": "min", "objective": lobj, "constraints": lcons},
        "follower": {"vars": list(fv), "sense": "min", "objective": fobj, "constraints": fcons},
        "integer_vars": list(integer),
    }


MOORE_BARD_FOLLOWER = [
    "-25*x + 20*y <= 30", "x + 2*y <= 10", "2*x - y <= 15", "2*x + 10*y >= 15",
    "x >= 0", "y >= 0",
]  # fmt: skip

LINEAR = [
    # Moore & Bard (1990), Oper. Res. 38(5) 911-921, continuous version: x=8, y=1, F=-18
    # (exact integers; checked to 6 decimals).
    Case("moore_bard_1990", problem("x", "-x - 10*y", [], "y", "y", MOORE_BARD_FOLLOWER),
         (8.0,), (1.0,), -18.0, 6, "Moore & Bard 1990"),
    # BASBLib cw_1988_01: Clark & Westerberg (1988), NRL 35(5): F*=-37, x*=19, y*=14.
    Case("cw_1988_01", problem("x", "x - 4*y", box("x", 0, 30), "y", "y",
         ["-2*x + y <= 0", "2*x + 5*y <= 108", "2*x - 3*y <= -4", *box("y", 0, 30)]),
         (19.0,), (14.0,), -37.0, 3, "BASBLib cw_1988_01"),
    # BASBLib lh_1994_01: Liu & Hart (1994), EJOR 73(1): F*=-16, x*=4, y*=4.
    Case("lh_1994_01", problem("x", "-x - 3*y", box("x", 0, 10), "y", "y",
         ["-x + y <= 3", "x + 2*y <= 12", "4*x - y <= 12", *box("y", 0, 10)]),
         (4.0,), (4.0,), -16.0, 3, "BASBLib lh_1994_01"),
    # BASBLib b_1984_01: Bard (1984), NRLQ 31, Example 1: F*=3.111, x*=0.889, y*=2.222.
    Case("b_1984_01", problem("x", "x + y", box("x", 0, 10), "y", "-5*x - y",
         ["-x - 0.5*y <= -2", "-0.25*x + y <= 2", "x + 0.5*y <= 8", "x - 2*y <= 2",
          *box("y", 0, 10)]),
         (0.889,), (2.222,), 3.111, 3, "BASBLib b_1984_01"),
    # BASBLib aw_1990_01: Anandalingam & White (1990), IEEE TAC 35(10): F*=-49, x*=16, y*=11.
    Case("aw_1990_01", problem("x", "-x - 3*y", box("x", 0, 50), "y", "-x + 3*y",
         ["-x - 2*y <= -10", "x - 2*y <= 6", "2*x - y <= 21", "x + 2*y <= 38",
          "-x + 2*y <= 18", *box("y", 0, 50)]),
         (16.0,), (11.0,), -49.0, 3, "BASBLib aw_1990_01"),
    # BASBLib cw_1990_01: Clark & Westerberg (1990), CCE 14(1) Sect. 3.1 "multiple inner
    # problem maxima": F*=-13, x*=5, y*=(4, 2). The follower is indifferent in y2: optimistic.
    Case("cw_1990_01", problem("x", "-x - 3*y1 + 2*y2", box("x", 0, 8), ("y1", "y2"), "-y1",
         ["-2*x + y1 + 4*y2 <= 16", "8*x + 3*y1 - 2*y2 <= 48", "-2*x + y1 - 3*y2 <= -12",
          *box(("y1", "y2"), 0, 4)]),
         (5.0,), (4.0, 2.0), -13.0, 3, "BASBLib cw_1990_01"),
    # BASBLib bf_1982_01: Bard & Falk (1982), C&OR 9(1), Example 1: F*=-26,
    # x*=(0, 0.9), y*=(0, 0.6, 0.4).
    Case("bf_1982_01", problem(("x1", "x2"), "-8*x1 - 4*x2 + 4*y1 - 40*y2 + 4*y3",
         box(("x1", "x2"), 0, 10), ("y1", "y2", "y3"), "x1 + 2*x2 + y1 + y2 + 2*y3",
         ["-y1 + y2 + y3 <= 1", "2*x1 - y1 + 2*y2 - 0.5*y3 <= 1",
          "2*x2 + 2*y1 - y2 - 0.5*y3 <= 1", *box(("y1", "y2", "y3"), 0, 10)]),
         (0.0, 0.9), (0.0, 0.6, 0.4), -26.0, 3, "BASBLib bf_1982_01"),
    # BASBLib ct_1982_01: Candler & Townsley (1982), C&OR 9(1) Sect. 6 (equality form with
    # slacks y4..y6): F*=-29.2, x*=(0, 0.9), y*=(0, 0.6, 0.4, 0, 0, 0).
    Case("ct_1982_01", problem(("x1", "x2"), "-8*x1 - 4*x2 + 4*y1 - 40*y2 - 4*y3",
         box(("x1", "x2"), 0, 10), ("y1", "y2", "y3", "y4", "y5", "y6"),
         "x1 + 2*x2 + y1 + y2 + 2*y3",
         ["-y1 + y2 + y3 + y4 == 1", "2*x1 - y1 + 2*y2 - 0.5*y3 + y5 == 1",
          "2*x2 + 2*y1 - y2 - 0.5*y3 + y6 == 1",
          *box(("y1", "y2", "y3", "y4", "y5", "y6"), 0, 10)]),
         (0.0, 0.9), (0.0, 0.6, 0.4, 0.0, 0.0, 0.0), -29.2, 3, "BASBLib ct_1982_01"),
]  # fmt: skip

QUADRATIC = [
    # BASBLib b_1988_01: Bard (1988), Math. Prog. 40: F*=17, x*=1, y*=0.
    Case("b_1988_01", problem("x", "(x - 5)^2 + (2*y + 1)^2", ["x >= 0"], "y",
         "(y - 1)^2 - 1.5*x*y", ["-3*x + y <= -3", "x - 0.5*y <= 4", "x + y <= 7", "y >= 0"]),
         (1.0,), (0.0,), 17.0, 3, "BASBLib b_1988_01", False),
    # BASBLib sa_1981_01: Shimizu & Aiyoshi (1981), IEEE TAC 26(2), Example 1: F*=100,
    # x*=10, y*=10 (leader constraint -x + y <= 0 involves the follower's y).
    Case("sa_1981_01", problem("x", "x^2 + (y - 10)^2", ["-x + y <= 0", *box("x", 0, 15)], "y",
         "(x + 2*y - 30)^2", ["x + y <= 20", *box("y", 0, 20)]),
         (10.0,), (10.0,), 100.0, 3, "BASBLib sa_1981_01", False),
    # BASBLib sa_1981_02: Shimizu & Aiyoshi (1981), Example 2: F*=225, x*=(20, 5),
    # y*=(10, 5).
    Case("sa_1981_02", problem(("x1", "x2"), "(x1 - 30)^2 + (x2 - 20)^2 - 20*y1 + 20*y2",
         ["-x1 - 2*x2 <= -30", "x1 + x2 <= 25", *box(("x1",), 0, 25), *box(("x2",), 0, 15)],
         ("y1", "y2"), "(x1 - y1)^2 + (x2 - y2)^2", box(("y1", "y2"), 0, 10)),
         (20.0, 5.0), (10.0, 5.0), 225.0, 3, "BASBLib sa_1981_02", False),
    # BASBLib tmh_2007_01: Tuy, Migdalas & Hoai-Phuong (2007), JOGO 38(4), Example 1:
    # F*=22.5, x*=1.5, y*=4.5.
    Case("tmh_2007_01", problem("x", "x^2 + y^2", box("x", 0, 10), "y", "-y",
         ["3*x + y <= 15", "x + y <= 7", "x + 3*y <= 15", *box("y", 0, 10)]),
         (1.5,), (4.5,), 22.5, 3, "BASBLib tmh_2007_01", False),
    # BASBLib cw_1990_02: Clark & Westerberg (1990), Sect. 3.2: F*=5, x*=1, y*=3.
    Case("cw_1990_02", problem("x", "(x - 3)^2 + (y - 2)^2", box("x", 0, 8), "y", "(y - 5)^2",
         ["-2*x + y <= 1", "x - 2*y <= -2", "x + 2*y <= 14", *box("y", 0, 8)]),
         (1.0,), (3.0,), 5.0, 3, "BASBLib cw_1990_02", False),
    # BASBLib d_2000_01: Dempe (2000), COAP 15(2), Example 5.6 (d = 1): F*=0, x*=0.5,
    # y*=-0.5; the follower's objective x*y couples the levels.
    Case("d_2000_01", problem("x", "(-x + y + 1)^2", ["x >= -0.5", "x <= 10"], "y", "x*y",
         ["-x - y <= 0", "-x + y <= 1", "y >= -10", "y <= 11"]),
         (0.5,), (-0.5,), 0.0, 3, "BASBLib d_2000_01", False),
    # BASBLib fl_1995_01: Falk & Liu (1995), Math. Prog. 70: F*=-1, x*=(0.5, 0.5),
    # y*=(0.5, 0.5).
    Case("fl_1995_01", problem(("x1", "x2"), "x1^2 - 2*x1 + x2^2 - 2*x2 + y1^2 + y2^2",
         box(("x1", "x2"), 0, 10), ("y1", "y2"), "(y1 - x1)^2 + (y2 - x2)^2",
         box(("y1", "y2"), 0.5, 1.5)),
         (0.5, 0.5), (0.5, 0.5), -1.0, 3, "BASBLib fl_1995_01", False),
    # BASBLib b_1998_02: Bard (1998), Practical Bilevel Optimization, Example 7.2.1:
    # F*=0, x*=(0.8, 0.2), y*=1.
    Case("b_1998_02", problem(("x1", "x2"), "0.5*(x1 - 0.8)^2 + 0.5*(x2 - 0.2)^2 + 0.5*(y - 1)^2",
         box(("x1", "x2"), 0, 1), "y", "0.5*y^2 - y - x1*y + 2*x2*y", box("y", 0, 1)),
         (0.8, 0.2), (1.0,), 0.0, 3, "BASBLib b_1998_02", False),
]  # fmt: skip


def close(computed: float, printed: float, digits: int) -> bool:
    """The spec's tolerance rule for a value printed with ``digits`` decimals."""
    return abs(computed - printed) <= 0.5 * 10.0**-digits + 1e-9 * abs(printed)


OUTRATA_ROWS = ["-0.333*y1 + y2 <= 2", "y1 - 0.333*y2 <= 2", "y1 >= 0", "y2 >= 0"]
OUTRATA_F = "0.5*((y1 - 3)^2 + (y2 - 4)^2)"

# Parametric-QP followers (the follower's Hessian depends on x): Outrata (1990), "On the
# numerical solution of a class of Stackelberg problems", ZOR 34(4) 255-277, Example 2, as coded
# in BOLIB (Zhou, Zemkoho & Tin 2020, "BOLIB: Bilevel Optimization LIBrary of test problems",
# Outrata1990Ex2b/2c); the leader's only constraint is x >= 0.
PARAMETRIC = [
    # Outrata1990Ex2b: F* = 0.50 (x* = 0, y* = (3, 3)); several leader points are optimal.
    Case("outrata_1990_2b", problem("x", OUTRATA_F, ["x >= 0"], ("y1", "y2"),
         "0.5*(1 + x)*y1^2 - (3 + 1.333*x)*y1 - x*y2", OUTRATA_ROWS),
         (0.0,), (3.0, 3.0), 0.50, 2, "BOLIB Outrata1990Ex2b", False),
    # Outrata1990Ex2c: F* = 1.860, x* = 3.456, y* = (1.707, 2.569).
    Case("outrata_1990_2c", problem("x", OUTRATA_F, ["x >= 0"], ("y1", "y2"),
         "0.5*(1 + x)*y1^2 + 0.5*(1 + 0.1*x)*y2^2 - (3 + 1.333*x)*y1 - x*y2", OUTRATA_ROWS),
         (3.456,), (1.707, 2.569), 1.860, 3, "BOLIB Outrata1990Ex2c", False),
]  # fmt: skip


def with_leader_box(data: dict, hi: float) -> dict:
    """A copy of ``data`` with ``x <= hi`` added for every leader variable (e.g. for a grid)."""
    leader = dict(data["leader"])
    leader["constraints"] = [*leader["constraints"], *(f"{v} <= {hi}" for v in leader["vars"])]
    return {**data, "leader": leader}
