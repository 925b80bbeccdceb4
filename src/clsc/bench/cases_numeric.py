"""The numeric method per point (issue #12): gradient-based nesting against the derivative-free
outer search it replaced.

For cascade-epr (decentralised), process-innovation (PM) and sorting-collection (N, three
stages) the same K points (one parameter swept over a range around its default; quick: fewer) are
solved by :class:`~clsc.game.numeric.NumericGame` with ``gradient=False`` (the baseline:
multi-start bounded Nelder-Mead for every earlier-stage mover, as the method was) and with the
default gradient method (Newton ascent on each leader's reduced profit, the followers' slopes
from the implicit-function theorem). Both are built before timing (their compiled functions are
shared), so the rows time the solves only. Units are points. Accuracy: the largest relative
difference of the decisions from the closed form (``model.solve``) at the K points; the
old search is held to 1e-6 (its Nelder-Mead tolerances reach ~1e-7 on sorting-collection N).
"""

from __future__ import annotations

from types import SimpleNamespace

from clsc.bench.harness import Case, Group, counted, register, worst_relative

#: (group, model, scenario, swept parameter, its range as factors of the default, goal x)
GAMES = (
    ("numeric-cascade-epr", "cascade-epr", "decentralised", "k", (0.8, 1.2), 10),
    ("numeric-innovation", "process-innovation", "PM", "h", (0.8, 1.2), 10),
    ("numeric-sorting", "sorting-collection", "N", "k", (1.0, 1.4), 5),  # (Assumption 4: k large)
)


def _setup(model_name: str, scenario: str, param: str, span: tuple[float, float], quick: bool):
    from clsc.game.numeric import NumericGame
    from clsc.models import get_model

    model = get_model(model_name)
    k = 4 if quick else 20
    base = model.solve(scenario)
    values = {n: v for n, v in base.params.items() if isinstance(v, int | float)}
    lo, hi = span
    points = [{**values, param: values[param] * (lo + (hi - lo) * i / (k - 1))} for i in range(k)]
    refs = [model.solve(scenario, params=p).decisions for p in points]
    game = model.games[scenario]
    return SimpleNamespace(points=points, refs=refs, k=k, old=NumericGame(game, gradient=False),
                           new=NumericGame(game))  # fmt: skip


def _solver(attr: str):
    def run(s):
        solver = getattr(s, attr)
        return [solver.solve(p) for p in s.points]

    return run


def _error(s, out) -> float:
    return worst_relative(zip(out, s.refs, strict=True))


OLD = "derivative-free outer search (old)"
NEW = "gradient (implicit-function theorem)"

for group, model_name, scenario, param, span, goal in GAMES:
    register(
        Group(
            group,
            setup=lambda quick, a=(model_name, scenario, param, span): _setup(*a, quick),
            cases=(
                Case(OLD, _solver("old"), _error, tolerance=1e-6, **counted("k", "points")),
                Case(NEW, _solver("new"), _error, **counted("k", "points")),
            ),
            baseline=OLD,
            accuracy="max rel. diff of the decisions vs the closed form",
            doc=f"numeric method, {model_name} {scenario}, {param} swept, per point",
            goal=f"gradient >= {goal}x faster per point; equal to the closed form to 1e-8",
            tolerance=1e-8,
        )
    )
