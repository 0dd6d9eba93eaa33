"""Look inside a trained CNN: its filters and the feature maps they produce.

Example:
    >>> import torch
    >>> from course_utils.nn import LeNet
    >>> maps = feature_maps(LeNet(), torch.rand(1, 28, 28))
    >>> list(maps)[:2]
    ['features.0 (Conv2d)', 'features.1 (ReLU)']
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .images import show_images, to_unit_range

__all__ = ["feature_maps", "tile_channels", "plot_filters", "plot_feature_maps"]


@torch.no_grad()
def feature_maps(model: nn.Module, image: torch.Tensor) -> dict[str, torch.Tensor]:
    """Output of every image-shaped layer of ``model.features`` for one image.

    Args:
        model: a network with a ``features`` ``nn.Sequential`` (like :class:`~course_utils.nn.LeNet`).
        image: (C, H, W) for one image.

    Returns:
        ``{"features.0 (Conv2d)": (C_out, H', W') tensor, ...}`` in layer order, on the CPU.
    """
    features = getattr(model, "features", None)
    if not isinstance(features, nn.Sequential):
        raise TypeError(
            "feature_maps expects a model with a `features` nn.Sequential (e.g. LeNet)"
        )
    if not isinstance(image, torch.Tensor) or image.dim() != 3:
        shape = (
            tuple(image.shape)
            if isinstance(image, torch.Tensor)
            else type(image).__name__
        )
        raise ValueError(
            f"feature_maps expects one image of shape (C, H, W), got {shape}"
        )
    model.eval()
    device = next(model.parameters()).device
    x = image[None].to(device)
    if hasattr(model, "mean") and hasattr(
        model, "std"
    ):  # LeNet standardizes its own input
        x = (x - model.mean) / model.std
    maps = {}
    for index, layer in enumerate(features):
        x = layer(x)
        maps[f"features.{index} ({type(layer).__name__})"] = x[0].float().cpu()
    return maps


def plot_filters(weight: torch.Tensor, title: str = "first-layer filters"):
    """Show every (in-channel 0) kernel of a conv weight (C_out, C_in, k, k), blue-white-red."""
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4:
        shape = (
            tuple(weight.shape)
            if isinstance(weight, torch.Tensor)
            else type(weight).__name__
        )
        raise ValueError(
            f"plot_filters expects a weight of shape (C_out, C_in, k, k), got {shape}"
        )
    kernels = weight.detach().cpu()[:, 0]
    peak = kernels.abs().max().clamp_min(1e-12)
    shown = [0.5 + 0.5 * k / peak for k in kernels]  # 0 -> white, sign -> colour
    titles = [f"#{i}" for i in range(len(kernels))]
    return show_images(shown, titles, ncols=8, cmap="bwr", size=1.1, suptitle=title)


def plot_feature_maps(maps: torch.Tensor, title: str = "", max_channels: int = 32):
    """Show the channels of one layer's output (C, H, W) side by side, each rescaled."""
    if not isinstance(maps, torch.Tensor) or maps.dim() != 3:
        shape = (
            tuple(maps.shape) if isinstance(maps, torch.Tensor) else type(maps).__name__
        )
        raise ValueError(f"plot_feature_maps expects (C, H, W), got {shape}")
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

    Gaps between tiles are NaN-free zeros. Used by the feature-map explorer, which
    must redraw fast, so this builds one array instead of a matplotlib figure.

    Example:
        >>> tile_channels(torch.rand(16, 5, 5), ncols=8, gap=1).shape
        (11, 47)
    """
    if not isinstance(maps, torch.Tensor) or maps.dim() != 3:
        shape = (
            tuple(maps.shape) if isinstance(maps, torch.Tensor) else type(maps).__name__
        )
        raise ValueError(f"tile_channels expects (C, H, W), got {shape}")
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
