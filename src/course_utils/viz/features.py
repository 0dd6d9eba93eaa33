"""Look inside a trained CNN: its filters and the feature maps they produce.

Example:
    >>> import torch
    >>> from course_utils.models import LeNet
    >>> maps = feature_maps(LeNet(), torch.rand(1, 28, 28))
    >>> list(maps)[:2]
    ['features.0 (Conv2d)', 'features.1 (ReLU)']
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from torch import nn

from .._validation import require_dims
from .images import show_images, to_unit_range

__all__ = ["feature_maps", "tile_channels", "plot_filters", "plot_feature_maps"]


@torch.no_grad()
def feature_maps(model: nn.Module, image: torch.Tensor) -> dict[str, torch.Tensor]:
    """Output of every image-shaped layer of ``model.features`` for one image.

    Args:
        model: a network with a ``features`` ``nn.Sequential`` (like :class:`~course_utils.models.LeNet`).
        image: (C, H, W) for one image.

    Returns:
        ``{"features.0 (Conv2d)": (C_out, H', W') tensor, ...}`` in layer order, on the CPU.
    """
    features = getattr(model, "features", None)
    if not isinstance(features, nn.Sequential):
        raise TypeError(
            "feature_maps expects a model with a `features` nn.Sequential (e.g. LeNet)"
        )
    require_dims(image, 3, "feature_maps", "one image of shape (C, H, W)")
    model.eval()
    device = next(model.parameters()).device
    x = image[None].to(device)
    if hasattr(model, "mean") and hasattr(model, "std"):
        x = (x - model.mean) / model.std  # LeNet standardizes its own input
    maps = {}
    for index, layer in enumerate(features):
        x = layer(x)
        maps[f"features.{index} ({type(layer).__name__})"] = x[0].float().cpu()
    return maps


def plot_filters(weight: torch.Tensor, title: str = "first-layer filters"):
    """Show every (in-channel 0) kernel of a conv weight (C_out, C_in, k, k) on one colour scale.

    Blue is negative, white zero, red positive (a diverging map that stays
    readable with the common colour-vision deficiencies); the colour bar gives
    the weights' values, the same for every kernel.
    """
    require_dims(weight, 4, "plot_filters", "a weight of shape (C_out, C_in, k, k)")
    kernels = weight.detach().cpu().float()[:, 0]
    peak = float(kernels.abs().max().clamp_min(1e-12))
    shown = [0.5 + 0.5 * k / peak for k in kernels]  # 0 -> white, sign -> colour
    titles = [f"#{i}" for i in range(len(kernels))]
    fig = show_images(shown, titles, ncols=8, cmap="RdBu_r", size=1.1, suptitle=title)
    scale = ScalarMappable(norm=Normalize(-peak, peak), cmap="RdBu_r")
    fig.colorbar(scale, ax=fig.axes, shrink=0.8, label="weight")
    return fig


def plot_feature_maps(maps: torch.Tensor, title: str = "", max_channels: int = 32):
    """Show the channels of one layer's output (C, H, W) side by side, each rescaled."""
    require_dims(maps, 3, "plot_feature_maps", "(C, H, W)")
    channels = maps[:max_channels]
    titles = [f"ch {i}" for i in range(len(channels))]
    return show_images(
        list(channels),
        titles,
        ncols=8,
        mode="rescale",
        cmap="viridis",
        size=1.1,
        suptitle=title,
    )


def tile_channels(maps: torch.Tensor, ncols: int = 8, gap: int = 1) -> np.ndarray:
    """Lay the channels of (C, H, W) out in one grid image, each rescaled to [0, 1].

    Gaps between tiles are zeros. Used by the feature-map explorer, which
    must redraw fast, so this builds one array instead of a matplotlib figure.

    Example:
        >>> tile_channels(torch.rand(16, 5, 5), ncols=8, gap=1).shape
        (11, 47)
    """
    require_dims(maps, 3, "tile_channels", "(C, H, W)")
    channels, height, width = maps.shape
    ncols = max(1, min(ncols, channels))
    nrows = -(-channels // ncols)
    grid = np.zeros(
        (nrows * (height + gap) - gap, ncols * (width + gap) - gap), np.float32
    )
    for index in range(channels):
        row, col = divmod(index, ncols)
        top, left = row * (height + gap), col * (width + gap)
        grid[top : top + height, left : left + width] = to_unit_range(
            maps[index], "rescale"
        )
    return grid
