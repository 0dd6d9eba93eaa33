"""Data augmentation for small image batches.

Example:
    >>> import torch
    >>> shift = RandomShift(max_shift=2, seed=0)
    >>> shift(torch.rand(4, 1, 28, 28)).shape
    torch.Size([4, 1, 28, 28])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .._validation import require_dims

__all__ = ["RandomShift"]


class RandomShift:
    """Move each image by a random whole number of pixels (up to ``max_shift``) in x and y.

    The image is padded with zeros and a window of the original size is cut at a
    random offset, so digits can land a little off-centre, as handwriting does.
    """

    def __init__(self, max_shift: int = 2, seed: int = 0) -> None:
        if not isinstance(max_shift, int) or max_shift < 0:
            raise ValueError(f"max_shift must be an int >= 0, got {max_shift!r}")
        self.max_shift = max_shift
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        require_dims(images, 4, "RandomShift", "a batch (N, C, H, W)")
        m = self.max_shift
        if m == 0:
            return images
        height, width = images.shape[-2:]
        padded = F.pad(images, (m, m, m, m))
        offsets = torch.randint(
            0, 2 * m + 1, (len(images), 2), generator=self.generator
        )
        crops = [
            padded[i, :, dy : dy + height, dx : dx + width]
            for i, (dy, dx) in enumerate(offsets.tolist())
        ]
        return torch.stack(crops)

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift})"
