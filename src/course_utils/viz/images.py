"""Turn tensors into pictures: a grid of images for the book.

The explorers' fast encoding (PNG bytes without matplotlib, display modes) lives
in :mod:`course_utils.viz.encode`; its names are importable from here too.

Example:
    >>> import torch
    >>> fig = show_images(torch.rand(3, 8, 8), titles=["a", "b", "c"])
    >>> len(fig.axes)
    3
    >>> plt.close(fig)
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from .encode import DISPLAY_MODES, as_numpy_image, png_bytes, to_unit_range

__all__ = [
    "show_images",
    # from .encode, kept importable from here
    "as_numpy_image",
    "to_unit_range",
    "png_bytes",
    "DISPLAY_MODES",
]


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
