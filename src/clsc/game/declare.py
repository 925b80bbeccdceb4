"""Declarations of a game: variables, players, coalitions, and the order of moves.

A :class:`Game` is frozen and hashable (dicts are stored as tuples of pairs), so solutions can be
cached per declaration. Profits, definitions and outputs are text (parsed safely by
:func:`clsc.expr.parse_expr`; ``^`` is a power) or sympy expressions.

Extensions beyond the agreed API (all optional):

* ``Var(..., flag_only=("upper",))``: a bound that is reported as a FLAG and never enforced
  (e.g. a return rate ``tau <= 1`` that a model must not cap);
* ``Game(fixed={"theta": 1})``: parameters fixed for this scenario (numbers or parameter
  expressions, substituted first), e.g. mode ``P`` of a model is mode ``PM`` with ``theta = 1``;
* ``Game(references={"tau_C": Ref(other_game, "tau")})``: a symbol that stands for an
  equilibrium quantity of another game at the same parameters (e.g. a contract term computed
  from the centralised solution);
* ``outputs={"phi_low": Root("pi_R - pi_R_D", "phi", (0, 1))}``: the parameter value at which
  an expression (at equilibrium) is zero;
* ``Game(flags=("w > p2",))``: relations checked at equilibrium and recorded as FLAG conditions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from clsc.errors import SpecError

if TYPE_CHECKING:  # declarations are text: sympy is imported only where they are parsed
    import sympy as sp

Text: TypeAlias = "str | sp.Expr | int | float"


class GameError(SpecError):
    """A malformed game declaration (unknown symbol, player, stage, unbounded follower...)."""

    def __init__(self, message: str, *, token: str | None = None):
        super().__init__(message, token=token or "game")


def _pairs(mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> tuple:
    if mapping is None:
        return ()
    items = mapping.items() if isinstance(mapping, Mapping) else mapping
    return tuple((str(k), v) for k, v in items)


@dataclass(frozen=True)
class Var:
    """A decision variable with optional bounds (``None`` = unbounded).

    ``flag_only`` lists the bounds (``"lower"``/``"upper"``) that are only reported (FLAG) and
    never enforced; ``start`` is an optional starting point for the numeric method.
    """

    name: str
    lower: float | None = None
    upper: float | None = None
    flag_only: tuple[str, ...] = ()
    start: float | None = None

    def __post_init__(self) -> None:
        if not str(self.name).isidentifier():
            raise GameError(f"variable name {self.name!r} is not an identifier", token=self.name)
        object.__setattr__(self, "flag_only", tuple(self.flag_only))
        for side in self.flag_only:
            if side not in ("lower", "upper"):
                raise GameError(f"Var {self.name}: flag_only entries are 'lower'/'upper'")
        lo, hi = self.lower, self.upper
        if lo is not None and hi is not None and not lo < hi:
            raise GameError(f"Var {self.name}: lower bound {lo} must be below upper {hi}")

    def enforced(self, side: str) -> float | None:
        """The bound on ``side`` if it is enforced (not flag-only), else None."""
        value = self.lower if side == "lower" else self.upper
        return None if side in self.flag_only else value


def _as_var(v: Var | str) -> Var:
    return v if isinstance(v, Var) else Var(str(v))


@dataclass(frozen=True)
class Player:
    """A player: its decision variables and its profit (text or sympy expression)."""

    name: str
    vars: tuple[Var, ...] = ()
    profit: Text = 0

    def __post_init__(self) -> None:
        if not str(self.name).isidentifier():
            raise GameError(f"player name {self.name!r} is not an identifier", token=self.name)
        object.__setattr__(self, "vars", tuple(_as_var(v) for v in self.vars))


@dataclass(frozen=True)
class Coalition:
    """A merged player: owns all members' variables and maximises the sum of their profits."""

    name: str
    members: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))
        if len(self.members) < 1:
            raise GameError(f"coalition {self.name} has no members", token=self.name)


@dataclass(frozen=True)
class Ref:
    """An equilibrium quantity (decision, definition, output, ``pi_X``) of another game."""

    game: Game
    quantity: str


@dataclass(frozen=True)
class Root:
    """The value of parameter ``param`` at which ``expr`` (at equilibrium) is zero.

    ``bracket`` is the search interval of the numeric method.
    """

    expr: Text
    param: str
    bracket: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class Game:
    """Players, order of moves (stages), definitions and reported outputs of one scenario."""

    players: tuple[Player | Coalition, ...]
    stages: tuple[tuple[str, ...], ...]
    definitions: tuple[tuple[str, Text], ...] = ()
    outputs: tuple[tuple[str, Text | Root], ...] = ()
    fixed: tuple[tuple[str, Text], ...] = ()
    references: tuple[tuple[str, Ref], ...] = ()
    flags: tuple[str, ...] = ()
    name: str = ""
    doc: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "players", tuple(self.players))
        stages = tuple(
            (s,) if isinstance(s, str) else tuple(str(n) for n in s) for s in self.stages
        )
        object.__setattr__(self, "stages", stages)
        for attr in ("definitions", "outputs", "fixed", "references"):
            object.__setattr__(self, attr, _pairs(getattr(self, attr)))
        object.__setattr__(self, "flags", tuple(self.flags))
        self._validate()

    # -- look-ups ------------------------------------------------------------------------------
    @property
    def by_name(self) -> dict[str, Player | Coalition]:
        return {p.name: p for p in self.players}

    def members(self, name: str) -> tuple[Player, ...]:
        """The individual players behind a player or coalition name."""
        obj = self.by_name[name]
        if isinstance(obj, Player):
            return (obj,)
        return tuple(m for n in obj.members for m in self.members(n))

    def vars_of(self, name: str) -> tuple[Var, ...]:
        return tuple(v for p in self.members(name) for v in p.vars)

    @property
    def movers(self) -> tuple[str, ...]:
        return tuple(n for stage in self.stages for n in stage)

    @property
    def all_vars(self) -> dict[str, Var]:
        return {v.name: v for p in self.players if isinstance(p, Player) for v in p.vars}

    def with_fixed(self, **values: Text) -> Game:
        """A copy with more parameters fixed (e.g. ``PM.with_fixed(theta=1)``)."""
        from dataclasses import replace

        return replace(self, fixed=(*self.fixed, *_pairs(values)))

    # -- validation ----------------------------------------------------------------------------
    def _validate(self) -> None:
        names = [p.name for p in self.players]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise GameError(f"player declared twice: {', '.join(sorted(dup))}", token=min(dup))
        known = set(names)
        for p in self.players:
            if isinstance(p, Coalition):
                for m in p.members:
                    if m not in known:
                        raise GameError(f"coalition {p.name}: unknown member '{m}'", token=m)
        owners: dict[str, str] = {}
        for p in self.players:
            if isinstance(p, Player):
                for v in p.vars:
                    if v.name in owners:
                        raise GameError(
                            f"variable '{v.name}' declared by {owners[v.name]} and {p.name}",
                            token=v.name,
                        )
                    owners[v.name] = p.name
        if not self.stages:
            raise GameError("a game needs at least one stage")
        seen: set[str] = set()
        for stage in self.stages:
            if not stage:
                raise GameError("empty stage in the order of moves")
            for n in stage:
                if n not in known:
                    raise GameError(
                        f"stage names unknown player '{n}'; players: {', '.join(names)}", token=n
                    )
                covered = {m.name for m in self.members(n)}
                if n in seen or covered & seen:
                    raise GameError(f"player '{n}' moves twice in the order of moves", token=n)
                seen |= covered | {n}
        for p in self.players:
            if isinstance(p, Player) and p.vars and p.name not in seen:
                raise GameError(
                    f"player {p.name} has variables but is in no stage (nor in a moving coalition)",
                    token=p.name,
                )
        for name, _ in self.definitions:
            if name in owners:
                raise GameError(f"definition '{name}' shadows a variable", token=name)


def game(
    players: Sequence[Player | Coalition],
    stages: Sequence[Sequence[str] | str],
    **kwargs: Any,
) -> Game:
    """Convenience constructor (same as :class:`Game`)."""
    return Game(players=tuple(players), stages=tuple(stages), **kwargs)
