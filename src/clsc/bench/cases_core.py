"""Built-in bilevel group: single-level reformulations against a grid search, on published
linear bilevel problems with known optima.

The problems (BASBLib, Paulavičius, Kleniati & Adjiman, Zenodo 897966, and the original
papers): Moore & Bard (1990) continuous, F* = -18 at (x, y) = (8, 1); Clark & Westerberg
(1988), F* = -37 at (19, 14); Liu & Hart (1994), F* = -16 at (4, 4); Anandalingam & White
(1990), F* = -49 at (16, 11). Each case solves all of them; the accuracy is the largest
``|F - F*|`` (the grid search is exact only where the optimum lies on its grid).
"""

from __future__ import annotations

from types import SimpleNamespace

from clsc.bench.harness import Case, Group, counted, register


def _box(name: str, lo: float, hi: float) -> list[str]:
    return [f"{name} >= {lo}", f"{name} <= {hi}"]


def _problem(lobj: str, lcons: list[str], fobj: str, fcons: list[str]) -> dict:
    return {
        "leader": {"vars": ["x"], "sense": "min", "objective": lobj, "constraints": lcons},
        "follower": {"vars": ["y"], "sense": "min", "objective": fobj, "constraints": fcons},
    }


#: (name, problem, published optimal leader objective F*)
PROBLEMS: tuple[tuple[str, dict, float], ...] = (
    ("moore_bard_1990", _problem("-x - 10*y", [], "y", [
        "-25*x + 20*y <= 30", "x + 2*y <= 10", "2*x - y <= 15", "2*x + 10*y >= 15",
        "x >= 0", "y >= 0"]), -18.0),
    ("cw_1988_01", _problem("x - 4*y", _box("x", 0, 30), "y", [
        "-2*x + y <= 0", "2*x + 5*y <= 108", "2*x - 3*y <= -4", *_box("y", 0, 30)]), -37.0),
    ("lh_1994_01", _problem("-x - 3*y", _box("x", 0, 10), "y", [
        "-x + y <= 3", "x + 2*y <= 12", "4*x - y <= 12", *_box("y", 0, 10)]), -16.0),
    ("aw_1990_01", _problem("-x - 3*y", _box("x", 0, 50), "-x + 3*y", [
        "-x - 2*y <= -10", "x - 2*y <= 6", "2*x - y <= 21", "x + 2*y <= 38",
        "-x + 2*y <= 18", *_box("y", 0, 50)]), -49.0),
)  # fmt: skip


def _setup(quick: bool):
    from clsc.bilevel import BilevelProblem

    chosen = PROBLEMS[:2] if quick else PROBLEMS
    return SimpleNamespace(
        problems=[BilevelProblem.from_dict(p) for _, p, _ in chosen],
        expected=[f for _, _, f in chosen],
        names=[n for n, _, _ in chosen],
        points=61 if quick else 241,
    )


def _bilevel(reformulation: str):
    def run(s):
        from clsc.bilevel import solve

        return [solve(p, reformulation).F for p in s.problems]

    return run


def _grid(s):
    from clsc.bilevel.grid import grid_search

    return [grid_search(p, s.points)[0] for p in s.problems]


def _f_error(s, out) -> float:
    return max(abs(f - e) for f, e in zip(out, s.expected, strict=True))


register(
    Group(
        "bilevel-literature",
        setup=_setup,
        cases=(
            Case(
                "grid search",
                _grid,
                _f_error,
                **counted("problems"),
                note=lambda s: f"{s.points} leader points; " + ", ".join(s.names),
            ),
            Case("kkt-bigm", _bilevel("kkt-bigm"), _f_error, **counted("problems")),
            Case("kkt-branch", _bilevel("kkt-branch"), _f_error, **counted("problems")),
        ),
        baseline="grid search",
        accuracy="max |F - F*| over the published problems",
        doc="published linear bilevel problems (BASBLib)",
        goal="reformulations exact (|F - F*| < 1e-6) and faster than the grid",
        tolerance=1e-6,
    )
)
