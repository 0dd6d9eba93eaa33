"""Decision boundaries of two-class models in the plane, drawn the Playground way.

The background of each picture is the model's probability of class 1 over a grid
(orange for class 0, blue for class 1, paler where the model is unsure); the
data points are drawn on top. :func:`decision_rgb` makes the picture as an array
(fast: the Playground explorer encodes it as PNG on every step);
:func:`plot_decision_boundaries` puts several models side by side for the book.

Example:
    >>> import torch
    >>> grid = decision_grid(extent=1.0, resolution=3)
    >>> grid.shape
    torch.Size([9, 2])
    >>> rgb = decision_rgb(torch.full((3, 3), 0.5), torch.zeros(0, 2), torch.zeros(0), extent=1.0)
    >>> rgb.shape, float(rgb.min())  # unsure everywhere: white
    ((3, 3, 3), 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._validation import require_dims

__all__ = [
    "CLASS_COLORS",
    "decision_grid",
    "decision_rgb",
    "plot_decision_boundaries",
]

#: RGB in [0, 1] of class 0 (orange) and class 1 (blue).
CLASS_COLORS = np.array([[0.96, 0.58, 0.13], [0.03, 0.47, 0.74]], dtype=np.float32)


def decision_grid(extent: float = 1.3, resolution: int = 80) -> torch.Tensor:
    """(resolution^2, 2) points covering [-extent, extent]^2, row by row from the top.

    Row ``i`` of the picture has x2 = +extent at the top down to -extent at the bottom,
    so that the picture is oriented like a plot (x2 upwards).
    """
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    if extent <= 0:
        raise ValueError(f"extent must be positive, got {extent!r}")
    ticks = torch.linspace(-extent, extent, resolution)
    x2, x1 = torch.meshgrid(ticks.flip(0), ticks, indexing="ij")
    return torch.stack([x1.flatten(), x2.flatten()], dim=1)


def decision_rgb(
    probability: torch.Tensor,
    X: torch.Tensor,
    y: torch.Tensor,
    extent: float = 1.3,
    scale: int = 1,
    point_size: int = 2,
) -> np.ndarray:
    """An (H, W, 3) float image in [0, 1]: P(class 1) as colour, then the points.

    Args:
        probability: (R, R) probabilities of class 1 on :func:`decision_grid`'s grid.
        X: (N, 2) points to draw; y: (N,) their labels 0/1.
        extent: the half-width of the grid, to place the points.
        scale: enlarge the grid by this whole factor before drawing the points.
        point_size: half-width in pixels of each point's square.
    """
    require_dims(probability, 2, "decision_rgb", "probabilities of shape (R, R)")
    require_dims(X, 2, "decision_rgb", "points of shape (N, 2)")
    p = probability.detach().cpu().float().numpy()
    if scale > 1:
        p = p.repeat(scale, axis=0).repeat(scale, axis=1)
    # Colour by the winning class, paler where the model is unsure (p near 0.5).
    confidence = (np.abs(p - 0.5) * 2)[..., None] * 0.65
    colour = np.where((p > 0.5)[..., None], CLASS_COLORS[1], CLASS_COLORS[0])
    image = 1 - confidence * (1 - colour)
    size = image.shape[0]
    pixels = ((X.detach().cpu().numpy() + extent) / (2 * extent) * (size - 1)).round()
    cols = pixels[:, 0].astype(int)
    rows = (size - 1 - pixels[:, 1]).astype(int)
    labels = np.asarray(y.detach().cpu()).astype(int)
    inside = (rows >= 0) & (rows < size) & (cols >= 0) & (cols < size)
    r = point_size
    for dr in range(-r, r + 1):
        for dc in range(-r, r + 1):
            rr = np.clip(rows[inside] + dr, 0, size - 1)
            cc = np.clip(cols[inside] + dc, 0, size - 1)
            edge = max(abs(dr), abs(dc)) == r  # a dark outline around each point
            image[rr, cc] = 0.2 if edge else CLASS_COLORS[labels[inside]]
    return image


def plot_decision_boundaries(
    panels: Sequence[tuple],
    X: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
    extent: float = 1.3,
    resolution: int = 120,
    ncols: int = 4,
    size: float = 2.6,
    suptitle: str | None = None,
):
    """Small multiples: one panel per ``(title, predict_proba)``; returns the figure.

    ``predict_proba`` maps (M, 2) points to (M,) probabilities of class 1. The points
    ``X`` (N, 2) with labels ``y`` are drawn on every panel; a panel given as
    ``(title, predict_proba, X, y)`` draws its own points instead.
    """
    if not panels:
        raise ValueError("plot_decision_boundaries needs at least one panel")
    grid = decision_grid(extent, resolution)
    ncols = max(1, min(ncols, len(panels)))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False
    )
    for ax in axes.flat[len(panels) :]:
        ax.axis("off")
    for ax, panel in zip(axes.flat, panels):
        if len(panel) not in (2, 4):
            raise ValueError(
                "each panel must be (title, predict_proba) or (title, predict_proba, X, y), "
                f"got a tuple of {len(panel)} items"
            )
        title, predict = panel[:2]
        points, labels = panel[2:] if len(panel) == 4 else (X, y)
        if points is None or labels is None:
            raise ValueError(f"panel {title!r}: no points to draw (pass X and y)")
        with torch.no_grad():
            probability = predict(grid).reshape(resolution, resolution)
        rgb = decision_rgb(probability, points, labels, extent, scale=2, point_size=2)
        ax.imshow(rgb, extent=(-extent, extent, -extent, extent))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("$x_1$", fontsize=8)
        ax.set_ylabel("$x_2$", fontsize=8)
        ax.tick_params(labelsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
