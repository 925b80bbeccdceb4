"""Phase portrait of a two-population 2x2 game, written to a PNG (matplotlib, Agg backend).

The unit square holds ``(x, y)``, the shares of strategy 0 (row, column population). Drawn:
streamlines of the replicator field, every rest point marked by its type
(:func:`clsc.evolution.rest_points`), and, when ``basins`` is true, the starting grid of
:func:`clsc.evolution.basin` shaded by the rest point each start converges to (grey:
unsettled). matplotlib is imported inside the function and used through its object API
(``Figure`` + the Agg canvas), so no global pyplot state is touched.

>>> import tempfile, pathlib
>>> from clsc.evolution import bimatrix
>>> out = pathlib.Path(tempfile.mkdtemp()) / "pennies.png"
>>> phase_portrait(bimatrix([[1, -1], [-1, 1]]), out, basins=False).read_bytes()[:4]
b'\\x89PNG'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from clsc.errors import ParameterError
from clsc.evolution.games import PopulationGame, as_game
from clsc.evolution.replicator import field

#: marker, face colour and legend label per rest-point type
MARKERS = {
    "ESS": ("o", "black", "ESS"),
    "stable": ("o", "dimgray", "stable"),
    "saddle": ("X", "tab:orange", "saddle"),
    "unstable": ("o", "white", "unstable"),
    "centre": ("D", "tab:purple", "centre"),
    "degenerate": ("^", "tab:red", "degenerate"),
}
SHADES = ("tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink")


def _two_by_two(game: Any) -> PopulationGame:
    game = as_game(getattr(game, "game", game))
    if not isinstance(game, PopulationGame) or game.sizes != (2, 2) or not game.has_tensors:
        raise ParameterError("game", "must be a 2x2 two-population game with payoffs", game)
    return game


def _shade_basins(ax, game, basin_options: dict) -> None:
    from matplotlib.colors import ListedColormap

    from clsc.evolution.basin import basin

    res = basin(game, **basin_options)
    xs, ys = res.starts[:, 0], res.starts[:, 2]
    ux, uy = np.unique(xs), np.unique(ys)
    codes = np.full((len(uy), len(ux)), -1.0)
    codes[np.searchsorted(uy, ys), np.searchsorted(ux, xs)] = res.assignment
    colours = ["lightgray"] + [SHADES[k % len(SHADES)] for k in range(len(res.targets))]
    ax.pcolormesh(ux, uy, codes, cmap=ListedColormap(colours), vmin=-1.5,
                  vmax=len(res.targets) - 0.5, alpha=0.25, shading="nearest")  # fmt: skip
    for k, (target, share) in enumerate(zip(res.targets, res.shares, strict=True)):
        if share > 0:
            where = f"({target[0]:.3g}, {target[2]:.3g})"
            ax.fill_between([], [], color=colours[k + 1], alpha=0.25,
                            label=f"basin of {where}: {share:.4f}")  # fmt: skip
    if res.unsettled > 0:
        ax.fill_between([], [], color="lightgray", label=f"unsettled: {res.unsettled:.4f}")


def phase_portrait(
    game: Any,
    path: Any,
    *,
    basins: bool = True,
    basin_options: dict | None = None,
    density: float = 1.2,
    title: str | None = None,
    labels: tuple[str, str] = ("x (row population, strategy 1)", "y (column, strategy 1)"),
) -> Path:
    """Draw the phase portrait of a 2x2 two-population game (or a formation game) to ``path``.

    ``basin_options`` go to :func:`clsc.evolution.basin` (``grid``, ``step``, ``horizon``,
    ``tol``; a formation game's default horizon is its ``890 / C_run``). Returns the path.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from clsc.evolution.rest_points import rest_points

    options = dict(basin_options or {})
    if hasattr(game, "horizon"):  # a formation game: spec 4.7's horizon 890 / C_run
        options.setdefault("horizon", game.horizon)
    game = _two_by_two(game)
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ParameterError("path", "must end in .png", str(path))
    fig = Figure(figsize=(6, 5.4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if basins:
        _shade_basins(ax, game, options)
    g = np.linspace(0.0, 1.0, 41)
    X, Y = np.meshgrid(g, g)
    flat = np.stack([X, 1 - X, Y, 1 - Y], axis=-1)
    F = field(game, flat)
    ax.streamplot(X, Y, F[..., 0], F[..., 2], density=density, color="0.35", linewidth=0.7)
    seen: set[str] = set()
    for p in rest_points(game).points:
        marker, face, label = MARKERS[p.type]
        ax.scatter(p.state[0], p.state[2], marker=marker, s=70, facecolor=face,
                   edgecolor="black", zorder=5, label=None if label in seen else label,
                   clip_on=False)  # fmt: skip
        seen.add(label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=110, bbox_inches="tight")
    return path
