"""2-D max pooling, written from scratch.

Max pooling has no weights: each output is the largest value in its window.

* :func:`max_pool2d` is vectorised: it cuts the padded input into every window at
  once with ``Tensor.unfold`` and takes one ``amax``.
* :func:`max_pool2d_loops` walks over the output positions one by one, to be read.

Both take the arguments of ``torch.nn.functional.max_pool2d`` and return the same
numbers (the unit tests check this on many shapes).

Example:
    >>> import torch
    >>> x = torch.arange(16.0).view(1, 1, 4, 4)
    >>> max_pool2d(x, 2).squeeze().tolist()
    [[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..._validation import IntPair, as_image_batch, as_pair

__all__ = ["max_pool2d", "max_pool2d_loops"]


# ----------------------------------------------------------------------------- max pooling


def _pool_arguments(input, kernel_size, stride, padding, fn):
    x, unbatched = as_image_batch(input, fn)
    kernel = as_pair(kernel_size, "kernel_size", fn, minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", fn, minimum=1)
    padding = as_pair(padding, "padding", fn, minimum=0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"{fn}: padding {padding} must be at most half the kernel size {kernel} "
            "(otherwise a window could hold nothing but padding)"
        )
    padded_size = (x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])
    if kernel[0] > padded_size[0] or kernel[1] > padded_size[1]:
        raise ValueError(
            f"{fn}: kernel_size {kernel} is larger than the padded input {padded_size} "
            f"(input shape {tuple(input.shape)})"
        )
    # Pad with -inf, not 0: a padded cell must never win the max.
    x = F.pad(x, (padding[1], padding[1], padding[0], padding[0]), value=float("-inf"))
    return x, unbatched, kernel, stride


def max_pool2d(
    input: torch.Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
) -> torch.Tensor:
    """2-D max pooling, vectorised with ``unfold``; agrees with ``F.max_pool2d``.

    There are no weights: each output is the largest value in its window.

    Args:
        input: (N, C, H, W) or (C, H, W) floating-point tensor.
        kernel_size: window size, an int or (kH, kW).
        stride: step between windows; defaults to ``kernel_size``.
        padding: implicit -inf padding on each side, at most half the kernel.

    Example:
        >>> x = torch.arange(16.0).view(1, 1, 4, 4)
        >>> max_pool2d(x, 2).squeeze().tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    x, unbatched, kernel, stride = _pool_arguments(
        input, kernel_size, stride, padding, "max_pool2d"
    )
    windows = x.unfold(2, kernel[0], stride[0]).unfold(3, kernel[1], stride[1])
    out = windows.amax(dim=(-2, -1))
    return out.squeeze(0) if unbatched else out


def max_pool2d_loops(
    input: torch.Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
) -> torch.Tensor:
    """The same as :func:`max_pool2d`, one output position at a time (slow; for reading).

    Example:
        >>> x = torch.arange(16.0).view(1, 1, 4, 4)
        >>> max_pool2d_loops(x, 2).squeeze().tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    x, unbatched, kernel, stride = _pool_arguments(
        input, kernel_size, stride, padding, "max_pool2d_loops"
    )
    out_h = (x.shape[2] - kernel[0]) // stride[0] + 1
    out_w = (x.shape[3] - kernel[1]) // stride[1] + 1
    out = x.new_empty(x.shape[0], x.shape[1], out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride[0], j * stride[1]
            window = x[:, :, top : top + kernel[0], left : left + kernel[1]]
            out[:, :, i, j] = window.amax(dim=(-2, -1))
    return out.squeeze(0) if unbatched else out
