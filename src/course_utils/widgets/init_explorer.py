"""Initialization explorer: per-layer histograms of a deep MLP's activations and gradients, live.

Choose the depth, width, initialization, activation and normalization; the
explorer pushes a random batch through the freshly initialized network and a
random gradient back, and shows one histogram row per layer (layer 1 at the
top) for the activations and for the gradients. The computation and the
pictures are the pure functions of :mod:`course_utils.viz.initialization`;
standard-normal weights for the largest network are drawn once and rescaled,
and the pictures are drawn with NumPy, not matplotlib, so a change redraws in
a few tens of milliseconds on a laptop CPU. Works with ipywidgets 7.7 and 8.

Example:
    >>> explorer = InitExplorer(max_depth=10, widths=(16, 32))
    >>> explorer.init.value = "naive_small"
    >>> explorer.stats.activation_std[-1] < 1e-6
    True
    >>> explorer.init.value = "kaiming"
    >>> "stable" in explorer.info.value
    True
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch

from .._validation import require_int
from ..viz.encode import encode_pixels
from ..viz.initialization import (
    INIT_ACTIVATIONS,
    INITIALIZATIONS,
    NORMALIZATIONS,
    LayerStatistics,
    deep_mlp_statistics,
    histogram_image,
)
from .base import Explorer

__all__ = ["InitExplorer"]


def _trend(stds: list[float], first: int, last: int) -> str:
    """'stable', 'vanishing' or 'exploding', comparing layer ``last`` with layer ``first``."""
    a, b = stds[first], stds[last]
    if not np.isfinite(a) or not np.isfinite(b):
        return "<b style='color:#c0392b'>overflows (inf)</b>"
    if b == 0 or b < 1e-3 * a:
        return "<b style='color:#c0392b'>vanishing</b>"
    if b > 1e3 * a:
        return "<b style='color:#c0392b'>exploding</b>"
    return "<b style='color:#1e8449'>stable</b>"


class InitExplorer(Explorer):
    """Explore initialization and normalization in a deep MLP. Display it by putting it last in a cell.

    Args:
        max_depth: the largest depth on the slider.
        widths: the widths to choose from.
        batch: examples in the random batch.
        seed: seeds the weights, the batch and the gradient from the top.
    """

    def __init__(
        self,
        max_depth: int = 50,
        widths: tuple[int, ...] = (32, 64, 128, 256),
        batch: int = 32,
        seed: int = 0,
    ) -> None:
        require_int("InitExplorer", "max_depth", max_depth, minimum=2)
        require_int("InitExplorer", "batch", batch, minimum=2)
        if not widths or any(
            isinstance(w, bool) or not isinstance(w, int) or w < 2 for w in widths
        ):
            raise ValueError(f"InitExplorer: widths must be ints >= 2, got {widths!r}")
        self.batch = batch
        generator = torch.Generator().manual_seed(seed)
        widest = max(widths)
        # Drawn once: every setting rescales (a slice of) the same standard-normal weights.
        self.weights = torch.randn(max_depth, widest, widest, generator=generator)
        self.inputs = torch.randn(batch, widest, generator=generator)
        self.seed = seed

        self.depth = widgets.IntSlider(
            value=min(30, max_depth), min=2, max=max_depth, description="depth"
        )
        default_width = 128 if 128 in widths else widths[len(widths) // 2]
        self.width = widgets.Dropdown(
            options=list(widths), value=default_width, description="width"
        )
        self.init = widgets.Dropdown(
            options=[(label, key) for key, label in INITIALIZATIONS.items()],
            value="kaiming",
            description="init",
        )
        self.activation = widgets.Dropdown(
            options=list(INIT_ACTIVATIONS), value="relu", description="activation"
        )
        self.normalization = widgets.Dropdown(
            options=list(NORMALIZATIONS), value="none", description="norm"
        )
        self.info = widgets.HTML()
        self.activation_view = widgets.Image(format="png")
        self.gradient_view = widgets.Image(format="png")
        self.activation_title = widgets.HTML()
        self.gradient_title = widgets.HTML()
        self.stats: LayerStatistics | None = None

        self.on_change(
            self.depth, self.width, self.init, self.activation, self.normalization
        )
        controls = widgets.VBox(
            [
                self.depth,
                self.width,
                self.init,
                self.activation,
                self.normalization,
                self.info,
            ]
        )
        pictures = widgets.HBox(
            [
                widgets.VBox([self.activation_title, self.activation_view]),
                widgets.VBox([self.gradient_title, self.gradient_view]),
            ]
        )
        self.widget = widgets.HBox([controls, pictures])
        self.redraw()

    def redraw(self) -> None:
        """Recompute the statistics for the current settings and redraw both pictures."""
        depth = self.depth.value
        stats = self.stats = deep_mlp_statistics(
            depth,
            self.width.value,
            self.init.value,
            self.activation.value,
            self.normalization.value,
            batch=self.batch,
            seed=self.seed,
            weights=self.weights,
            inputs=self.inputs,
        )
        row = max(2, 200 // depth)
        for view, hist in (
            (self.activation_view, stats.activation_hist),
            (self.gradient_view, stats.gradient_hist),
        ):
            view.value = encode_pixels(histogram_image(hist, row), "png")
        low, high = stats.activation_range
        spread = stats.gradient_range[1]
        self.activation_title.value = (
            f"<b>activations</b>, layer 1 (top) to {depth}<br>"
            f"values from {low:g} to {high:g}"
        )
        self.gradient_title.value = (
            f"<b>gradients</b> d loss / d activation<br>"
            f"values within ±{spread:.2g} (3 std at the top)"
        )
        middle = depth // 2

        def row_of(stds: list[float]) -> str:
            return " → ".join(f"{stds[k]:.2g}" for k in (0, middle, depth - 1))

        overflow = (
            f"<br>activations overflow to inf from layer {stats.first_nonfinite}"
            if stats.first_nonfinite
            else ""
        )
        self.info.value = (
            f"std per layer (1 → {middle + 1} → {depth}):<br>"
            f"activations {row_of(stats.activation_std)}: "
            f"{_trend(stats.activation_std, 0, depth - 1)}<br>"
            f"gradients {row_of(stats.gradient_std)}: "
            f"{_trend(stats.gradient_std, depth - 1, 0)} going back{overflow}"
        )
