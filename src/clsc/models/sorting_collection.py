"""Model 003 ``sorting-collection``: cooperation modes in a mixed-collection reverse supply chain.

Source: seed 003_aac9ffadc21d5d04.txt, "Cooperation strategies in a mixed-collection reverse
supply chain with sorting effort" (Chinese full text; all formulas and parameter values lost;
propositions P1-P8 survive verbally). Reconstructed [RECON]: every formula and the parameter
values.

Spec section 7 (default ``sorting="scope"``) and section 8 (variant C, ``sorting="per_unit"``).
Manufacturer M leads, retailer R sets the retail price, third-party collector C collects for M
at a transfer price b; M also collects and sorts. Every formula is [RECON]. Demand and pools::

    q = a - alpha*p,   E = q + Q0,   Delta = cn - cr,   tau = tau_m + tau_c

Profits (spec 7.5, A = 0)::

    pi_R   = (p - w)*q                                                            (N, MC)
    pi_C   = b*tau_c*E - k*tau_c^2                                                (N, MR)
    pi_M   = (w - cn)*q + Delta*tau*E - b*tau_c*E - k*tau_m^2 + n*delta*s - g*s^2 (N)
    Pi_MR  = (p - cn)*q + Delta*tau*E - b*tau_c*E - k*tau_m^2 + n*delta*s - g*s^2
    Pi_MC  = (w - cn)*q + Delta*tau*E - k*tau_m^2 - k*tau_c^2 + n*delta*s - g*s^2
    Pi_MRC = (p - cn)*q + Delta*tau*E - k*tau_m^2 - k*tau_c^2 + n*delta*s - g*s^2

with sorting scope n = 1 in N and MR and n = 1 + lam in MC and MRC. Orders of moves (7.1):
N: M(w, tau_m, b, s) -> C(tau_c) -> R(p); MR: {M,R}(p, b, tau_m, s) -> C(tau_c);
MC: {M,C}(w, tau_m, tau_c, s) -> R(p); MRC: one integrated decision maker.

Variant C (``sorting="per_unit"``, spec 8): sorting adds value to each returned unit instead of
the lump ``n*delta*s - g*s^2``: M's margin on a returned unit is ``Delta + delta*s - g*s^2``.
Sorting is applied to the returned units, so the per-unit effort s is chosen by M's sorting
operation (player ``S``, objective ``(delta*s - g*s^2)*tau*E``) in the last stage, together
with the last follower; its optimum makes the unit value V = Delta + delta^2/(4g) of the spec.
``lam`` has no effect there.

Outputs (7.4): decisions w, p, tau_m, tau_c, b, s; q, E, tau; pi_M, pi_R, pi_C (where the
player exists), Pi_coal (the coalition's profit, = pi_M in N) and total.
"""

from __future__ import annotations

from clsc.game import Game, Player, Var
from clsc.game.model import GAME_METHODS, GameModel
from clsc.game.outcome import game_keys
from clsc.models.base import Variant
from clsc.models.registry import register
from clsc.params import Param, ParamSpec, Rule

DEFINITIONS = {"q": "a - alpha*p", "E": "q + Q0", "Delta": "cn - cr", "tau": "tau_m + tau_c"}
PRICE_FLAGS = ("p > cn",)
WHOLESALE_FLAGS = ("p > w", "w > cn")

# collection and sales margins shared by the modes; the sorting term is added per variant
M_N = "(w - cn)*q + {unit}*tau*E - b*tau_c*E - k*tau_m^2"
M_MR = "(p - cn)*q + {unit}*tau*E - b*tau_c*E - k*tau_m^2"
M_MC = "(w - cn)*q + {unit}*tau*E - k*tau_m^2 - k*tau_c^2"
M_MRC = "(p - cn)*q + {unit}*tau*E - k*tau_m^2 - k*tau_c^2"
R_PROFIT = "(p - w)*q"
C_PROFIT = "b*tau_c*E - k*tau_c^2"


def _vars(*names: str) -> list[Var]:
    bounds = {"tau_m": (0.0, None), "tau_c": (0.0, None), "s": (0.0, 1.0), "b": (0.0, None)}
    return [Var(n, *bounds.get(n, (None, None))) for n in names]


def _games(per_unit: bool) -> dict[str, Game]:
    """The four modes; ``per_unit`` selects variant C (spec 8)."""
    unit = "(Delta + delta*s - g*s^2)" if per_unit else "Delta"
    lump1 = "" if per_unit else " + delta*s - g*s^2"
    lump2 = "" if per_unit else " + (1 + lam)*delta*s - g*s^2"
    m_vars = ("w", "tau_m", "b") if per_unit else ("w", "tau_m", "b", "s")
    mr_vars = ("p", "b", "tau_m") if per_unit else ("p", "b", "tau_m", "s")
    mc_vars = ("w", "tau_m", "tau_c") if per_unit else ("w", "tau_m", "tau_c", "s")
    mrc_vars = ("p", "tau_m", "tau_c") if per_unit else ("p", "tau_m", "tau_c", "s")
    sorter = [Player("S", vars=_vars("s"), profit="(delta*s - g*s^2)*tau*E")] if per_unit else []
    last = ["S"] if per_unit else []
    R = Player("R", vars=_vars("p"), profit=R_PROFIT)
    C = Player("C", vars=_vars("tau_c"), profit=C_PROFIT)
    common = {"definitions": DEFINITIONS}
    return {
        "N": Game(
            players=[Player("M", _vars(*m_vars), M_N.format(unit=unit) + lump1), C, R, *sorter],
            stages=[["M"], ["C"], ["R", *last]],
            outputs={"Pi_coal": "pi_M", "total": "pi_M + pi_R + pi_C"},
            flags=PRICE_FLAGS + WHOLESALE_FLAGS,
            name="N",
            **common,
        ),
        "MR": Game(
            players=[Player("MR", _vars(*mr_vars), M_MR.format(unit=unit) + lump1), C, *sorter],
            stages=[["MR"], ["C", *last]],
            outputs={"Pi_coal": "pi_MR", "total": "pi_MR + pi_C"},
            flags=PRICE_FLAGS,
            name="MR",
            **common,
        ),
        "MC": Game(
            players=[Player("MC", _vars(*mc_vars), M_MC.format(unit=unit) + lump2), R, *sorter],
            stages=[["MC"], ["R", *last]],
            outputs={"Pi_coal": "pi_MC", "total": "pi_MC + pi_R"},
            flags=PRICE_FLAGS + WHOLESALE_FLAGS,
            name="MC",
            **common,
        ),
        "MRC": Game(
            players=[Player("MRC", _vars(*mrc_vars), M_MRC.format(unit=unit) + lump2), *sorter],
            stages=[["MRC"], *([last] if last else [])],
            outputs={"Pi_coal": "pi_MRC", "total": "pi_MRC"},
            flags=PRICE_FLAGS,
            name="MRC",
            **common,
        ),
    }


SCOPE_GAMES = _games(per_unit=False)
PER_UNIT_GAMES = _games(per_unit=True)


def _unit_value(v: dict) -> float:
    """Value of a returned unit to M: Delta (scope) or V = Delta + delta^2/(4g) (per_unit)."""
    delta_ = v["cn"] - v["cr"]
    return delta_ + v["delta"] * v["delta"] / (4 * v["g"]) if v["sorting"] == "per_unit" else delta_


def _assumption4(v: dict) -> bool:
    u, a0 = _unit_value(v), v["a"] - v["alpha"] * v["cn"]
    return v["k"] > (v["alpha"] * u * u + u * (a0 + 2 * v["Q0"])) / 2


def _sorting_bound(v: dict) -> bool:
    scope = 1 + v["lam"] if v["sorting"] == "scope" else 1
    return scope * v["delta"] <= 2 * v["g"]


def _p4_bound(v: dict) -> bool:
    u, a0 = _unit_value(v), v["a"] - v["alpha"] * v["cn"]
    return v["Q0"] > 2 * a0 / (4 - 3 * v["alpha"] * u * u / v["k"])


def switch_constants(v: dict) -> tuple[float, float]:
    """(D0, T0) of the P7/P8 switch (spec 7.7), from the closed-form table of spec 7.7 at
    delta = 0 (profits without their sorting term): plain arithmetic, no game is derived::

        D0 = Pi_MC^0 - pi_C^N - Pi_MR^0 + pi_R^N,   T0 = Pi_MC^0 + pi_R^MC - Pi_MR^0 - pi_C^MR

    with q, E of each mode from spec 7.7, pi_R = q^2/alpha, pi_C = Delta^2*E^2/(16k),
    Pi_MR^0 = (p - cn)*q + 3*Delta^2*E^2/(8k), Pi_MC^0 = (w - cn)*q + Delta^2*E^2/(2k).
    The engine's value is checked against it in tests/models/test_sorting_collection.py.

    >>> d0, t0 = switch_constants(dict(SPEC.defaults()))
    >>> round(d0, 4), round(t0, 4)
    (-187.0477, -190.2662)
    """
    a, al, cn, k, Q0 = v["a"], v["alpha"], v["cn"], v["k"], v["Q0"]
    dd = (cn - v["cr"]) ** 2  # Delta^2
    a0 = a - al * cn

    def mode(n_q: float, n_e: float, den: float, per: float) -> tuple[float, float]:
        return (per * k * a0 + n_q * al * dd * Q0) / (den * k - n_q * al * dd), per * k * (
            a0 + n_e * Q0
        ) / (den * k - n_q * al * dd)

    q_n, e_n = mode(3, 4, 16, 4)
    q_mr, e_mr = mode(3, 2, 8, 4)
    q_mc, e_mc = mode(1, 4, 4, 1)
    pi_r_n, pi_c_n = q_n * q_n / al, dd * e_n * e_n / (16 * k)
    pi_c_mr = dd * e_mr * e_mr / (16 * k)
    pi_mr0 = ((a - q_mr) / al - cn) * q_mr + 3 * dd * e_mr * e_mr / (8 * k)
    pi_mc0 = ((a - 2 * q_mc) / al - cn) * q_mc + dd * e_mc * e_mc / (2 * k)
    pi_r_mc = q_mc * q_mc / al
    return pi_mc0 - pi_c_n - pi_mr0 + pi_r_n, pi_mc0 + pi_r_mc - pi_mr0 - pi_c_mr


def _switch_exists(v: dict) -> bool:
    """P7/P8 switch (spec 7.8): D0 < 0 and T0 < 0 (scope model only)."""
    if v["sorting"] != "scope":
        return True
    d0, t0 = switch_constants(v)
    return bool(d0 < 0 and t0 < 0)


SPEC = ParamSpec(
    params=(
        Param("a", 100.0, "market size; demand q = a - alpha*p", lower=0, strict=True),
        Param("alpha", 1.0, "price sensitivity [alpha]", lower=0, strict=True),
        Param("cn", 50.0, "unit cost with new parts [c_n]", lower=0, strict=True),
        Param("cr", 30.0, "unit cost with recovered parts [c_r]", lower=0, strict=True),
        Param("k", 2000.0, "collection investment coefficient, k*tau_i^2", lower=0, strict=True),
        Param("Q0", 50.0, "legacy end-of-life stock; E = q + Q0", lower=0),
        Param("g", 500.0, "sorting cost coefficient, g*s^2", lower=0, strict=True),
        Param("delta", 100.0, "sorting revenue coefficient [delta]", lower=0),
        Param(
            "lam",
            1.0,
            "extra sorting scope under M-C cooperation [lambda]",
            lower=0,
            upper=1,
            strict=False,
        ),
        Param(
            "sorting",
            "scope",
            "sorting model: scope (spec 7) or per_unit (variant C, spec 8)",
            kind="choice",
            choices=("scope", "per_unit"),
        ),
    ),
    rules=(
        Rule(("lam",), "must satisfy 0 < lam <= 1", lambda v: v["lam"] > 0),
        Rule(("cn", "cr"), "must satisfy cn > cr (Delta > 0)", lambda v: v["cn"] > v["cr"]),
        Rule(
            ("a", "alpha", "cn"),
            "must satisfy A0 = a - alpha*cn > 0",
            lambda v: v["a"] - v["alpha"] * v["cn"] > 0,
        ),
        Rule(
            ("k", "alpha", "cn", "cr", "a", "Q0", "delta", "g", "sorting"),
            "must satisfy Assumption 4: k > [alpha*U^2 + U*(A0 + 2*Q0)]/2 with U = Delta "
            "(scope) or Delta + delta^2/(4g) (per_unit), so that tau < 1",
            _assumption4,
        ),
        Rule(
            ("delta", "lam", "g", "sorting"),
            "must satisfy s <= 1: (1 + lam)*delta <= 2*g (scope) or delta <= 2*g (per_unit)",
            _sorting_bound,
        ),
        Rule(
            ("Q0", "a", "alpha", "cn", "k"),
            "should exceed 2*A0/(4 - 3*alpha*U^2/k) for P4 (tau_MC > tau_MR)",
            _p4_bound,
            cls="FLAG",
        ),
        Rule(
            ("Q0", "delta", "lam", "g"),
            "should give D0 < 0 and T0 < 0 for the P7/P8 switch in delta",
            _switch_exists,
            cls="FLAG",
        ),
    ),
)


@register
class SortingCollection(GameModel):
    """Seed 003: manufacturer, retailer and third-party collector; modes N, MR, MC, MRC."""

    name = "sorting-collection"
    summary = (
        "Mixed collection with sorting effort: M (leader), retailer R and collector C under "
        "no cooperation (N) or the coalitions MR, MC, MRC; sorting = scope | per_unit."
    )
    spec = SPEC
    games = SCOPE_GAMES

    @classmethod
    def result_keys(cls, scenario: str | None = None) -> dict[str, tuple[str, ...]]:
        """The union over the two sorting variants (``sorting`` is a parameter)."""
        scenario = scenario or cls.default_scenario
        return game_keys([SCOPE_GAMES[scenario], PER_UNIT_GAMES[scenario]])

    @classmethod
    def variant(cls, params: dict | None = None) -> type[GameModel]:
        """The model class whose games match ``params['sorting']`` (default ``scope``)."""
        sorting = (params or {}).get("sorting", cls.spec["sorting"].default)
        return _PerUnit if sorting == "per_unit" else SortingCollection


class _PerUnit(SortingCollection):
    """Variant C (spec 8) games; reached through ``sorting="per_unit"``, not registered."""

    games = PER_UNIT_GAMES


def _per_unit(method: str):
    """The game method ``method`` on the variant C games."""

    def solve(model: GameModel, req):
        return GAME_METHODS[method](_PerUnit(), req)

    solve.__name__ = f"solve_per_unit_{method.replace('-', '_')}"
    return solve


SortingCollection.variants = (
    Variant(
        "per-unit sorting",
        "variant C (spec 8): sorting adds value per returned unit; the sorter S moves last",
        selects=("sorting=per_unit",),
        solvers={method: _per_unit(method) for method in GAME_METHODS},
    ),
)
