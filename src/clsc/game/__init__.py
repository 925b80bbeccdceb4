"""Game engine: declare a Stackelberg/Nash game once, solve it in closed form or numerically.

Declarations (:mod:`clsc.game.declare`): :class:`Var`, :class:`Player`, :class:`Coalition`,
:class:`Game`, plus the extensions :class:`Ref` (a quantity of another game), :class:`Root`
(a parameter threshold output) and ``Var(flag_only=...)`` / ``Game(fixed=..., flags=...)``.

* :func:`clsc.game.symbolic.solve_game` -> :class:`~clsc.game.symbolic.SymbolicSolution`
  (sympy backward induction with SOC / interior conditions);
* :func:`clsc.game.compile.compile_solution` -> vectorised numpy evaluator;
* :func:`clsc.game.numeric.solve_numeric` -> nested scipy best responses (bounds honoured);
* :class:`clsc.game.model.GameModel`: a registered model made of declared scenarios.

Compatibility notes (vs the agreed API in /tmp/game_api.md; no name was changed):

* profits in results are keyed ``pi_<player>`` and ``Pi_<coalition>``; in outputs both
  ``pi_X`` and ``Pi_X`` refer to X's equilibrium profit; ``SymbolicSolution.profits`` is keyed by
  the bare player/coalition name as agreed, ``SymbolicSolution.expressions()`` by result keys;
* ``SymCondition`` has an extra optional field ``value`` (the raw expression evaluated
  numerically; ``expr`` is the sign-reduced form shown to users), and ``SymbolicSolution`` an
  extra ``reactions`` (each stage's best responses);
* ``solve_game(game, assumptions, fixed_vars=...)``: variables held fixed become parameters;
* the package exports the declarations only, so that importing a model file does not import
  sympy: import :func:`~clsc.game.symbolic.solve_game`, ``SymbolicSolution`` and
  ``SymCondition`` from :mod:`clsc.game.symbolic` and ``symbol`` from :mod:`clsc.game.symbols`;
* a scenario's closed forms are also kept as data (:mod:`clsc.game.fastform`, looked up by
  :func:`clsc.game.forms.closed_form`: shipped with the package, then the disk cache, then a
  derivation), so ``solve`` needs neither sympy nor ``lambdify`` once they are stored;
* ``GameModel`` lives in :mod:`clsc.game.modelbase`; import it from :mod:`clsc.game.model`
  (it is not imported here: the engine does not need the model layer).
"""

from __future__ import annotations

from clsc.game.declare import Coalition, Game, GameError, Player, Ref, Root, Var

__all__ = ["Coalition", "Game", "GameError", "Player", "Ref", "Root", "Var"]
