"""Model 001 ``cascade-epr``: EV battery cascade use under EPR (spec section 5).

Source: seed 001_5ea5278fb52b0752.txt, "Cascade use of EV power batteries under EPR: pricing
and coordination" (Chinese full text; every formula lost; parameter values, propositions and
two numbers survive). Reconstructed [RECON]: the profit functions (Savaskan form), from which
the game engine derives every equilibrium.

The manufacturer M sells new batteries to the retailer R at ``w``; R sells at ``p1`` with
demand ``q = a - alpha*p1`` and collects used batteries at return rate ``tau`` (paying
consumers ``b`` per battery); M buys them from R at ``B_subsidy`` and values each at ``delta``.

    pi_R = (p1 - w)*q + (B - b)*tau*q - k*tau^2                      (1)
    pi_M = (w - cm)*q + (delta - B)*tau*q                             (2)
    Pi   = (p1 - cm)*q + (delta - b)*tau*q - k*tau^2   (centralised)  (3)
    RS:  pi_R = phi*p1*q - ws*q + (delta - b)*tau*q - k*tau^2,  pi_M = (ws - cm)*q + (1-phi)*p1*q
         with ws = phi*cm + (1 - phi)*(delta - b)*tau*   (tau* of the centralised chain)

Scenarios: ``centralised`` (the coalition MR sets p1, tau), ``decentralised`` (M sets w, then R
sets p1, tau), ``revenue-sharing`` (the contract {ws, phi}; R sets p1, tau). The Pareto range
of ``phi`` (both firms at least as well off as decentralised at B = delta) is reported as the
metrics ``phi_low``/``phi_high``. ``tau <= 1`` and ``w > p2`` are FLAGs, never enforced.
No equilibrium formula is written here: the game engine derives them.
"""

from __future__ import annotations

from typing import ClassVar

from clsc.game import Coalition, Game, Player, Ref, Root, Var
from clsc.game.model import GameModel
from clsc.models.registry import register
from clsc.params import Param, ParamSpec, Rule

DEMAND = {"q": "a - alpha*p1"}


def _retailer(profit: str) -> Player:
    return Player(
        "R",
        vars=[Var("p1", start=40.0), Var("tau", lower=0, upper=1, flag_only=("upper",))],
        profit=profit,
    )


MANUFACTURER = Player(
    "M", vars=[Var("w", start=40.0)], profit="(w - cm)*q + (delta - B_subsidy)*tau*q"
)
RETAILER = _retailer("(p1 - w)*q + (B_subsidy - b)*tau*q - k*tau^2")

CENTRALISED = Game(
    players=[MANUFACTURER, RETAILER, Coalition("MR", members=("M", "R"))],
    stages=[["MR"]],
    definitions=DEMAND,
    outputs={"total": "Pi_MR"},
    name="centralised",
)
DECENTRALISED = Game(
    players=[MANUFACTURER, RETAILER],
    stages=[["M"], ["R"]],
    definitions=DEMAND,
    outputs={"total": "pi_M + pi_R", "efficiency": "(pi_M + pi_R)/Pi_C"},
    references={"Pi_C": Ref(CENTRALISED, "Pi_MR")},
    flags=("w > p2",),
    name="decentralised",
)
_BASELINE = DECENTRALISED.with_fixed(B_subsidy="delta")  # the contract compares with B = delta
REVENUE_SHARING = Game(
    players=[
        Player("M", profit="(ws - cm)*q + (1 - phi)*p1*q"),
        _retailer("phi*p1*q - ws*q + (delta - b)*tau*q - k*tau^2"),
    ],
    stages=[["R"]],
    definitions={"ws": "phi*cm + (1 - phi)*(delta - b)*tau_C", **DEMAND},
    outputs={
        "total": "pi_M + pi_R",
        "phi_low": Root("pi_R - pi_R_D", "phi", (0.0, 1.0)),
        "phi_high": Root("pi_M - pi_M_D", "phi", (0.0, 1.0)),
    },
    references={
        "tau_C": Ref(CENTRALISED, "tau"),
        "pi_R_D": Ref(_BASELINE, "pi_R"),
        "pi_M_D": Ref(_BASELINE, "pi_M"),
    },
    name="revenue-sharing",
)


def _positive(name: str, default: float, doc: str, symbol: str = "") -> Param:
    return Param(name, default, doc, symbol=symbol, lower=0.0, strict=True)


@register
class CascadeEPR(GameModel):
    name = "cascade-epr"
    summary = "EV battery cascade use under EPR: pricing, collection, revenue-sharing (seed 001)"
    spec = ParamSpec(
        params=(
            _positive("a", 100.0, "market size (maximum demand)"),
            _positive("alpha", 2.0, "price sensitivity", "α"),
            _positive("cm", 30.0, "unit production cost of a new battery"),
            _positive("b", 8.0, "price R pays a consumer per returned battery"),
            _positive("B_subsidy", 20.0, "price M pays R per returned battery", "B"),
            _positive("delta", 20.0, "value to M of one returned battery", "δ"),
            _positive("theta", 0.3, "share of returned batteries fit for cascade use", "θ"),
            _positive("p2", 25.0, "price of a type-1 battery (cascade use)"),
            _positive("p3", 18.0, "price of a type-2 battery (metal recovery)"),
            _positive("k", 200.0, "collection investment coefficient (cost k*tau^2)"),
            Param(
                "phi",
                0.6,
                "share of sales revenue R keeps (revenue-sharing)",
                symbol="φ",
                lower=0.0,
                upper=1.0,
            ),
        ),
        rules=(
            Rule(
                ("a", "alpha", "cm"),
                "must satisfy a - alpha*cm > 0",
                lambda v: v["a"] - v["alpha"] * v["cm"] > 0,
            ),
            Rule(("theta",), "must satisfy 0 < theta <= 1", lambda v: v["theta"] <= 1),
            Rule(("p2", "p3"), "must satisfy p2 > p3", lambda v: v["p2"] > v["p3"]),
            Rule(
                ("B_subsidy", "b", "delta"),
                "must satisfy b <= B_subsidy <= delta",
                lambda v: v["b"] <= v["B_subsidy"] <= v["delta"],
                scenarios=("decentralised",),
            ),
            Rule(
                ("B_subsidy", "b", "p3"),
                "should satisfy b < B_subsidy < p3 (Assumption 4)",
                lambda v: v["b"] < v["B_subsidy"] < v["p3"],
                cls="FLAG",
                scenarios=("decentralised",),
            ),
        ),
    )
    games: ClassVar[dict[str, Game]] = {
        "centralised": CENTRALISED,
        "decentralised": DECENTRALISED,
        "revenue-sharing": REVENUE_SHARING,
    }
    default_scenario = "decentralised"


def delta_from_mix(theta: float, p2: float, p3: float) -> float:
    """Unit value of a returned battery from the type mix: ``theta*p2 + (1 - theta)*p3``."""
    return theta * p2 + (1 - theta) * p3
