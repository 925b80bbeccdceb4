"""Model 002 ``process-innovation``: collection modes with process innovation (spec section 6).

Source: seed 002_5d016a0a4bbfb29e.txt, "Recycling modes of a power-battery reverse supply
chain from a process-innovation perspective" (Chinese full text; formulas and the values of
Table 4 lost; existence conditions, parameter values and theta thresholds survive).
Reconstructed [RECON]: the profit functions below.

The battery producer PB (leader) sets the battery price ``w`` and the innovation level ``x``;
the NEV maker (follower) sets output ``q``; the retail price is ``p = a - q``. PB collects the
share ``theta`` of the used batteries and the NEV maker ``1 - theta`` (selling them to PB at b).

    pi_PB  = (w - cr + r*x)*q - b*(1 - theta)*q - h*x^2/2 - k*(theta*q)^2/2
    pi_NEV = (a - q - c0 - w)*q + b*(1 - theta)*q - k*((1 - theta)*q)^2/2

Scenarios: ``PM`` (both collect), ``P`` (PM with theta = 1: PB collects), ``M`` (PM with
theta = 0: the NEV maker collects). ``cr - r*x >= 0`` is a FLAG only: it fails at the source's
parameters (the defaults), where cr - r*x = -0.391 in P (x = 85/23) and -1.831 in PM
(x = 340/77); it holds with 2.526 in M (x = 85/38). A constraint would change the source's
Table 4, so the equilibrium is reported with the flag. No equilibrium formula is written here:
the game engine derives them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from clsc.game import Game, Player, Var
from clsc.game.model import GameModel
from clsc.models.registry import register
from clsc.params import Param, ParamSpec, Rule

PM = Game(
    players=[
        Player(
            "PB",
            vars=[Var("w", start=50.0), Var("x", lower=0, start=1.0)],
            profit="(w - cr + r*x)*q - b*(1 - theta)*q - h*x^2/2 - k*(theta*q)^2/2",
        ),
        Player(
            "NEV",
            vars=[Var("q", lower=0, start=1.0)],
            profit="(p - c0 - w)*q + b*(1 - theta)*q - k*((1 - theta)*q)^2/2",
        ),
    ],
    stages=[["PB"], ["NEV"]],
    definitions={"p": "a - q"},
    outputs={"total": "pi_PB + pi_NEV"},
    flags=("cr - r*x >= 0",),
    name="PM",
)


def _positive(name: str, default: float, doc: str) -> Param:
    return Param(name, default, doc, lower=0.0, strict=True)


@register
class ProcessInnovation(GameModel):
    name = "process-innovation"
    summary = "Power-battery collection modes P, M, PM with process innovation (seed 002)"
    spec = ParamSpec(
        params=(
            _positive("a", 100.0, "choke price of the inverse demand p = a - q"),
            _positive("c0", 8.0, "NEV unit production cost excluding the battery"),
            _positive("cr", 7.0, "pre-innovation unit remanufacturing cost"),
            _positive("h", 5.0, "innovation cost coefficient (cost h*x^2/2)"),
            _positive("r", 2.0, "remanufacturing cost reduction per unit of innovation"),
            _positive("k", 6.0, "collection difficulty (cost k*Q^2/2)"),
            Param("b", 2.0, "price PB pays the NEV maker per collected battery", lower=0.0),
            Param("theta", 0.5, "PB's share of collection in PM", symbol="θ", lower=0.0, upper=1.0),
        ),
        rules=(
            Rule(
                ("a", "c0", "cr"),
                "must satisfy A = a - c0 - cr > 0",
                lambda v: v["a"] - v["c0"] - v["cr"] > 0,
            ),
        ),
    )
    games: ClassVar[dict[str, Game]] = {
        "P": replace(PM.with_fixed(theta=1), name="P"),
        "M": replace(PM.with_fixed(theta=0), name="M"),
        "PM": PM,
    }
    default_scenario = "PM"
