"""Real photographs that ship with scikit-image (no download).

Only the images stored inside the scikit-image package are listed: some other
``skimage.data`` loaders fetch files from the internet and hang offline.

Example:
    >>> from course_utils.data import load_photo
    >>> load_photo("coffee", size=32, gray=False).shape
    torch.Size([3, 32, 32])
"""

from __future__ import annotations

import numpy as np
import torch

from .._validation import require_package

__all__ = ["PHOTOS", "load_photo"]

#: Photos bundled with scikit-image, safe to load offline.
PHOTOS = (
    "camera",
    "astronaut",
    "coffee",
    "chelsea",
    "coins",
    "moon",
    "text",
    "brick",
    "grass",
    # more texture photos, for the vision chapter's texture task
    "gravel",
    "cell",
    "immunohistochemistry",
)


def load_photo(name: str, size: int | None = 256, gray: bool = True) -> torch.Tensor:
    """Load a bundled photo as a float32 tensor with values in [0, 1].

    Args:
        name: one of :data:`PHOTOS`.
        size: resize to ``size x size`` pixels (a centre square crop first), or ``None``
            to keep the original size.
        gray: return (H, W) luminance; otherwise (3, H, W) RGB (grey photos are repeated).

    Raises:
        ValueError: unknown name or a size below 8.
    """
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}: expected one of {', '.join(PHOTOS)}")
    if size is not None and (not isinstance(size, int) or size < 8):
        raise ValueError(f"size must be an int >= 8 or None, got {size!r}")
    skdata = require_package("skimage.data", "scikit-image", "load_photo")
    color = require_package("skimage.color", "scikit-image", "load_photo")
    transform = require_package("skimage.transform", "scikit-image", "load_photo")

    image = np.asarray(getattr(skdata, name)())
    image = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    if image.ndim == 3 and image.shape[2] == 4:  # drop an alpha channel
        image = image[..., :3]
    if gray and image.ndim == 3:
        image = color.rgb2gray(image).astype(np.float32)
    if not gray and image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if size is not None:
        height, width = image.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        image = image[top : top + side, left : left + side]
        image = transform.resize(image, (size, size), anti_aliasing=True).astype(
            np.float32
        )
    tensor = torch.from_numpy(np.ascontiguousarray(image))
    return tensor if gray else tensor.permute(2, 0, 1).contiguous()
