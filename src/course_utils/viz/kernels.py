"""Classic 3x3 image kernels and what they do to a photo.

Example:
    >>> import torch
    >>> apply_kernel(torch.ones(5, 5), PRESET_KERNELS["box blur"]).shape
    torch.Size([5, 5])
"""

from __future__ import annotations

import torch

from .._validation import require_dims, shape_of
from ..nn.functional.conv import conv2d
from .images import show_images, to_unit_range

__all__ = ["PRESET_KERNELS", "apply_kernel", "display_mode_for", "plot_kernel_gallery"]


def _kernel(rows: list[list[float]], scale: float = 1.0) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float32) * scale


#: Hand-designed 3x3 kernels, the kind a CNN's first layer learns by itself.
PRESET_KERNELS: dict[str, torch.Tensor] = {
    "identity": _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box blur": _kernel([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9),
    "gaussian blur": _kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "edges (Laplacian)": _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "outline": _kernel([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "Sobel x (vertical edges)": _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "Sobel y (horizontal edges)": _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "emboss": _kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
}


def apply_kernel(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Cross-correlate a grey (H, W) image with a (k, k) kernel, keeping the size (zero padding).

    Uses the course's own :func:`course_utils.nn.functional.conv2d`.
    """
    require_dims(image, 2, "apply_kernel", "a grey image of shape (H, W)")
    kernel = torch.as_tensor(kernel, dtype=image.dtype)
    if (
        kernel.dim() != 2
        or kernel.shape[0] != kernel.shape[1]
        or kernel.shape[0] % 2 == 0
    ):
        raise ValueError(
            f"apply_kernel expects an odd square kernel (k, k), got {shape_of(kernel)}"
        )
    out = conv2d(image[None, None], kernel[None, None], padding=kernel.shape[0] // 2)
    return out[0, 0]


def display_mode_for(kernel: torch.Tensor) -> str:
    """'clip' for kernels that keep brightness (weights sum to about 1), else 'abs'.

    A kernel whose weights sum to 0 answers "how much does the image change here?":
    its output is signed and centred on 0, so we show its magnitude.
    """
    return "clip" if abs(float(torch.as_tensor(kernel).sum()) - 1.0) < 0.25 else "abs"


def plot_kernel_gallery(
    image: torch.Tensor, kernels: dict[str, torch.Tensor] | None = None
):
    """Every kernel applied to one photo, original first: the static twin of the kernel explorer."""
    kernels = PRESET_KERNELS if kernels is None else kernels
    outputs = [image] + [apply_kernel(image, k) for k in kernels.values()]
    modes = ["clip"] + [display_mode_for(k) for k in kernels.values()]
    shown = [to_unit_range(out, mode) for out, mode in zip(outputs, modes)]
    return show_images(shown, ["original", *kernels], ncols=5, size=2.4)
