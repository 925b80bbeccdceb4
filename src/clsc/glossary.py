"""Glossary of result keys: one meaning and unit per key, shared by every model and method.

A result (:class:`clsc.results.Result`) sorts its numbers into ``decisions``, ``profits``,
``metrics`` and ``std_errors``; ``Result.to_frame()`` flattens them into one row whose columns
are fixed per model and scenario by :meth:`clsc.models.base.Model.schema` (the same for every
method and option; what a method does not report is NaN). Column names:

====================  ============================================================================
``model`` ...         ``model``, ``scenario``, ``method``, ``status``, ``seed`` (sampled methods)
``param.<name>``      the parameter values used
``<decision>``        decisions and definitions (``q``, ``e``, ``w``, ``p`` ...), bare names
``profit.<key>``      ``pi_<player>``, ``Pi_<coalition>``, ``total``
``metric.<key>``      every other output
``se.<key>``          standard error of a sampled estimate of ``<key>`` (NaN when exact)
``conditions_hold``   True when every second-order / interior condition holds
``failed_conditions`` names of the failed SOC / interior conditions, ``;``-separated
``flags``             FLAG-class warnings, ``;``-separated
====================  ============================================================================

Where a model's spec names a quantity its own way, the spec's name is kept and listed here as
an alias (``overstock`` in ``contracts`` is the ``leftover`` of the newsvendor).

>>> KEYS["pi_<player>"].unit
'money'
>>> describe("pi_R").meaning
"expected profit of player R (the model's players: M manufacturer, R retailer, C collector ...)"
>>> describe("se.q").meaning
'standard error of a sampled estimate of q'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    """A result key: its meaning, unit and the models where it is an alias of another key."""

    name: str
    meaning: str
    unit: str = ""
    alias_of: str = ""


def _keys(*rows: tuple[str, ...]) -> dict[str, Key]:
    return {row[0]: Key(*row) for row in rows}


KEYS: dict[str, Key] = _keys(
    ("q", "order (or production) quantity", "units"),
    ("e", "effort level", "-"),
    ("price", "retail price chosen by the decision maker", "money/unit"),
    ("sales", "expected sales E[min(D, q)]", "units"),
    ("leftover", "expected leftover E[(q - D)+]", "units"),
    ("lost_sales", "expected unmet demand E[(D - q)+]", "units"),
    ("overstock", "contracts (spec 10): expected leftover", "units", "leftover"),
    ("understock", "contracts (spec 10): expected unmet demand", "units", "lost_sales"),
    ("S", "buyback-effort (spec 9): expected leftover S(q) at the chosen q", "units", "leftover"),
    ("cost", "expected cost of the decision maker", "money"),
    ("profit", "expected profit of the decision maker", "money"),
    ("pi_<player>", "expected profit of a player", "money"),
    ("Pi_<coalition>", "expected profit of a coalition", "money"),
    ("total", "sum of the players' profits", "money"),
    ("fill_rate", "expected sales / expected demand", "-"),
    ("critical_ratio", "newsvendor fractile c_u/(c_u + c_o)", "-"),
    ("efficiency", "channel profit / integrated-channel profit", "-"),
    ("samples", "number of demand samples used", "count"),
    ("q_unconstrained", "order without the capacity / integer limits", "units"),
    ("capacity_binding", "1 when the capacity limit binds, else 0 (text: yes/no)", "yes/no"),
    ("capacity_shadow_price", "marginal profit of one more unit of capacity", "money/unit"),
    ("cvar", "conditional value-at-risk of profit at level alpha (CVaR variant)", "money"),
    ("value_at_risk", "value-at-risk (profit quantile) at level alpha (CVaR variant)", "money"),
    ("bilevel_seconds", "time of the bilevel solve (method bilevel)", "s"),
    ("nodes", "branch nodes explored by the bilevel solve (method bilevel)", "count"),
)


def describe(column: str) -> Key:
    """The glossary entry of a key or a ``to_frame`` column (``profit.pi_R``, ``se.q`` ...).

    Model-specific keys that are not in the glossary are described by their model's docstring;
    they raise KeyError here.
    """
    prefix, _, name = column.rpartition(".")
    if prefix == "se":
        return Key(column, f"standard error of a sampled estimate of {name}", describe(name).unit)
    if name in KEYS:
        return KEYS[name]
    for pattern, player in (("pi_<player>", "pi_"), ("Pi_<coalition>", "Pi_")):
        if name.startswith(player):
            who = name[len(player) :]
            what = "player" if player == "pi_" else "coalition"
            meaning = f"expected profit of {what} {who}"
            if what == "player":
                meaning += " (the model's players: M manufacturer, R retailer, C collector ...)"
            return Key(name, meaning, KEYS[pattern].unit)
    raise KeyError(f"{column!r} is not a glossary key (see the model's docstring)")
