"""Figures of optimizers on 2-D loss surfaces: contours, paths and loss curves.

The static counterpart of :class:`course_utils.widgets.LossSurfaceExplorer` is
:func:`plot_optimizer_paths`: every optimizer on every surface, with the loss
curves underneath.

Example:
    >>> from course_utils.optim.surfaces import SURFACES
    >>> levels = contour_levels(SURFACES["quadratic"])
    >>> bool((levels[1:] > levels[:-1]).all())
    True
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..optim.surfaces import (
    PATH_OPTIMIZERS,
    SURFACES,
    OptimizerPath,
    Surface,
    optimizer_path,
)
from .style import COLORS

__all__ = [
    "OPTIMIZER_COLORS",
    "contour_levels",
    "draw_surface",
    "draw_paths",
    "plot_optimizer_paths",
]

#: One colour per optimizer, shared by every figure of the optimizers chapter and the
#: explorer: Okabe-Ito colours (:data:`course_utils.viz.COLORS`), safe for the common
#: forms of colour blindness. "GD" (the 2-D playground) and "SGD" (the network) are
#: the same method and share black; AdamW shares Adam's family but gets its own colour
#: (draw it dashed where its curve lies on Adam's).
OPTIMIZER_COLORS = {
    "GD": COLORS["black"],
    "SGD": COLORS["black"],
    "Momentum": COLORS["blue"],
    "Nesterov": COLORS["sky"],
    "AdaGrad": COLORS["green"],
    "RMSprop": COLORS["purple"],
    "Adam": COLORS["orange"],
    "AdamW": COLORS["vermillion"],
}

#: Losses closer than this to the minimum are drawn at this height on log axes.
LOSS_FLOOR = 1e-10


def contour_levels(
    surface: Surface, count: int = 24, resolution: int = 200
) -> np.ndarray:
    """Contour levels spaced evenly in log(loss - minimum), so valleys show their detail."""
    _, _, Z = surface.grid(resolution)
    gap = (Z - surface.min_value).numpy()
    low = max(float(np.percentile(gap, 0.5)), 1e-3)
    high = float(np.percentile(gap, 99))
    return surface.min_value + np.geomspace(low, high, count)


def draw_surface(
    ax, surface: Surface, resolution: int = 200, filled: bool = True
) -> None:
    """Contours of ``surface`` on ``ax``, its minima as stars, axes labelled."""
    X, Y, Z = surface.grid(resolution)
    levels = contour_levels(surface, resolution=resolution)
    if filled:
        ax.contourf(X, Y, Z, levels=levels, cmap="Greys_r", alpha=0.3, extend="both")
    ax.contour(X, Y, Z, levels=levels, colors="0.35", linewidths=0.5)
    for x, y in surface.minima:
        ax.plot(x, y, "*", color="gold", markersize=13, markeredgecolor="k", zorder=5)
    ax.set(xlim=surface.xlim, ylim=surface.ylim, xlabel="x", ylabel="y")
    ax.set_title(f"{surface.name}: {surface.description}", fontsize=9)


def draw_paths(ax, paths: Sequence[OptimizerPath]) -> None:
    """Each path as a line with dots, starting at a black circle; diverged ones end with 'x'."""
    for path in paths:
        points = path.points.numpy()
        color = OPTIMIZER_COLORS.get(path.name, None)
        ax.plot(
            points[:, 0],
            points[:, 1],
            ".-",
            color=color,
            lw=1.2,
            ms=2.5,
            label=path.name,
        )
        if path.diverged:
            ax.plot(*points[-1], "x", color=color, ms=9, mew=2)
    if paths:
        ax.plot(*paths[0].points[0].numpy(), "o", color="k", ms=6, zorder=6)


def _loss_gap(path: OptimizerPath, surface: Surface) -> np.ndarray:
    """loss - minimum, floored at :data:`LOSS_FLOOR` for log axes."""
    return np.maximum((path.losses - surface.min_value).numpy(), LOSS_FLOOR)


def plot_optimizer_paths(
    surfaces: Sequence[str] = tuple(SURFACES),
    optimizers: Sequence[str] = tuple(PATH_OPTIMIZERS),
    steps: int = 200,
):
    """Static playground: every optimizer on every surface (paths above, loss curves below).

    Each optimizer uses the surface's suggested learning rate (``Surface.lrs``),
    momentum 0.9 and Adam's default betas.

    Returns the figure and the paths, ``paths[surface][optimizer]``.
    """
    fig, axes = plt.subplots(
        2,
        len(surfaces),
        figsize=(4.1 * len(surfaces), 7.4),
        squeeze=False,
        gridspec_kw={"height_ratios": [1.35, 1]},
    )
    all_paths: dict[str, dict[str, OptimizerPath]] = {}
    for column, name in enumerate(surfaces):
        surface = SURFACES[name]
        paths = {opt: optimizer_path(surface, opt, steps=steps) for opt in optimizers}
        all_paths[name] = paths
        draw_surface(axes[0, column], surface)
        draw_paths(axes[0, column], list(paths.values()))
        ax = axes[1, column]
        for opt, path in paths.items():
            ax.plot(
                _loss_gap(path, surface),
                color=OPTIMIZER_COLORS.get(opt),
                lw=1.3,
                label=f"{opt} (lr {surface.lrs[opt]:g})",
            )
        lowest = min(float(_loss_gap(path, surface).min()) for path in paths.values())
        ax.set(
            yscale="log",
            xlabel="step",
            ylabel="loss - minimum",
            xlim=(0, steps),
            ylim=(max(LOSS_FLOOR, lowest / 3), None),
        )
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle(f"{len(optimizers)} optimizers, {steps} steps on each surface")
    fig.tight_layout()
    return fig, all_paths
