"""Regenerate the forms shipped with the package: ``python -m clsc.game.ship``.

Every scenario of every registered :class:`~clsc.game.modelbase.GameModel` (and of the game
model classes behind their variants, e.g. ``sorting-collection``'s per-unit sorting) is derived
with sympy and written as a :class:`~clsc.game.fastform.ClosedForm` record to
:data:`clsc.game.forms.SHIPPED_DIR`, and its numeric method's functions (and those of
the games it references) as a :class:`~clsc.game.numform.NumericForm` record to
:data:`clsc.game.numform.SHIPPED_DIR`;
records no scenario uses any more are removed. Run it after changing a game declaration or the
derivation engine (a test fails until the shipped forms equal a fresh derivation).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from clsc.game import numform
from clsc.game.cache import ENV
from clsc.game.declare import Game
from clsc.game.forms import SHIPPED_DIR, ship
from clsc.game.modelbase import GameModel
from clsc.game.outcome import spec_assumptions


def game_model_classes() -> list[type[GameModel]]:
    """The registered game models and their game-model subclasses (variants), in order."""
    from clsc.models.registry import get_model, model_names

    out: list[type[GameModel]] = []

    def add(cls: type) -> None:
        if issubclass(cls, GameModel) and cls.__dict__.get("games") and cls not in out:
            out.append(cls)
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("clsc."):
                add(sub)

    for name in model_names():
        add(type(get_model(name)))
    return out


def shipped_entries() -> list[tuple[str, Game, Mapping[str, str]]]:
    """``(label, game, assumptions)`` of every scenario whose form is shipped."""
    out = []
    for cls in game_model_classes():
        asm = spec_assumptions(cls.spec)
        label = cls.name if "name" in cls.__dict__ else f"{cls.name} ({cls.__name__})"
        out += [(f"{label}/{s}", game, asm) for s, game in cls.games.items()]
    return out


def with_references(entries: list[tuple[str, Game]]) -> list[tuple[str, Game]]:
    """``entries`` and every game their games reference (``Game.references``, recursively),
    each once: the numeric method solves a referenced game with its own numeric form."""
    out: list[tuple[str, Game]] = []
    seen: set[Game] = set()

    def add(label: str, game: Game) -> None:
        if game in seen:
            return
        seen.add(game)
        out.append((label, game))
        for name, ref in game.references:
            add(f"{label} -> {name}", ref.game)

    for label, game in entries:
        add(label, game)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clsc.game.ship", description=__doc__)
    parser.add_argument("--directory", type=Path, default=SHIPPED_DIR)
    args = parser.parse_args(argv)
    os.environ[ENV] = "off"  # derive every form afresh, not from an older disk cache
    args.directory.mkdir(parents=True, exist_ok=True)
    entries = shipped_entries()
    for label, path in ship(entries, args.directory).items():
        print(f"{label}: {path.name} ({path.stat().st_size:,} bytes)")
    numeric = args.directory / numform.SHIPPED_DIR.name
    games = with_references([(e[0], e[1]) for e in entries])
    for label, path in numform.ship(games, numeric).items():
        print(f"{label} (numeric): {path.name} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
