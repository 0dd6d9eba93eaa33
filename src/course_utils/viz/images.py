"""Turn tensors into pictures: a grid of images for the book, PNG bytes for the explorers.

Example:
    >>> import torch
    >>> png_bytes(torch.rand(8, 8))[:4]
    b'\\x89PNG'
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

__all__ = [
    "as_numpy_image",
    "to_unit_range",
    "png_bytes",
    "show_images",
    "DISPLAY_MODES",
]

#: How a signed array becomes a picture: clip to [0, 1], rescale min..max, or |x| rescaled.
DISPLAY_MODES = ("clip", "rescale", "abs")


def as_numpy_image(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """(H, W) or (3, H, W) tensor/array -> NumPy (H, W) or (H, W, 3) float array."""
    array = (
        image.detach().cpu().float().numpy()
        if isinstance(image, torch.Tensor)
        else image
    )
    array = np.asarray(array, dtype=np.float32)
    if array.ndim == 3 and array.shape[0] in (1, 3):
        array = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise ValueError(
            f"expected an image of shape (H, W), (1, H, W) or (3, H, W), got {image.shape}"
        )
    return array


def to_unit_range(image: torch.Tensor | np.ndarray, mode: str = "clip") -> np.ndarray:
    """Map an image to [0, 1] for display, following one of :data:`DISPLAY_MODES`.

    Example:
        >>> to_unit_range(np.array([[-1.0, 0.0, 3.0]]), "rescale").tolist()
        [[0.0, 0.25, 1.0]]
    """
    array = as_numpy_image(image)
    if mode == "clip":
        return np.clip(array, 0.0, 1.0)
    if mode == "abs":
        # Scale by a high percentile rather than the maximum: a few very strong
        # responses would otherwise leave every other edge nearly black.
        array = np.abs(array)
        peak = np.percentile(array, 99.5)
        return np.clip(array / peak, 0.0, 1.0) if peak > 0 else array
    if mode == "rescale":
        low, high = array.min(), array.max()
        return (array - low) / (high - low) if high > low else np.zeros_like(array)
    raise ValueError(
        f"unknown display mode {mode!r}: expected one of {', '.join(DISPLAY_MODES)}"
    )


def png_bytes(
    image: torch.Tensor | np.ndarray,
    mode: str = "clip",
    scale: int = 1,
    cmap: str | None = None,
) -> bytes:
    """Encode an image as PNG bytes (for ``ipywidgets.Image``), fast: no matplotlib figure.

    Args:
        image: (H, W) or (3, H, W).
        mode: one of :data:`DISPLAY_MODES`.
        scale: enlarge by this whole factor with nearest-neighbour (keeps pixels sharp).
        cmap: a matplotlib colormap name for single-channel images; grey if None.
    """
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive int, got {scale!r}")
    array = to_unit_range(image, mode)
    if cmap is not None and array.ndim == 2:
        array = matplotlib.colormaps[cmap](array)[..., :3]
    pixels = (array * 255).round().astype(np.uint8)
    if scale > 1:
        pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def show_images(
    images,
    titles: list[str] | None = None,
    ncols: int = 8,
    mode: str = "clip",
    cmap: str = "gray",
    size: float = 1.6,
    suptitle: str | None = None,
):
    """Plot images in a grid (one matplotlib figure) and return the figure.

    Args:
        images: a sequence of (H, W) / (3, H, W) images, or a tensor (N, H, W) / (N, C, H, W).
        titles: one title per image.
        ncols: images per row.
        mode: one of :data:`DISPLAY_MODES`.
        cmap: colormap for single-channel images.
        size: inches per image.
        suptitle: a title above the grid.
    """
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles")
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(to_unit_range(images[index], mode), cmap=cmap, vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(titles[index], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
