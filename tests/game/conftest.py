"""Fixtures of the game tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def count_calls(monkeypatch):
    """``count_calls(module, name) -> calls``: wrap the game function ``module.name`` so each
    call appends its game's name to the returned list (the wrapper is undone after the test)."""

    def install(module, name: str) -> list[str]:
        calls: list[str] = []
        real = getattr(module, name)

        def counting(game, *args, **kwargs):
            calls.append(game.name)
            return real(game, *args, **kwargs)

        monkeypatch.setattr(module, name, counting)
        return calls

    return install
