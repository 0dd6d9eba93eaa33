"""2-D convolution (really cross-correlation), written from scratch.

The functions take the arguments of their ``torch.nn.functional`` namesakes
and return the same numbers (the unit tests check this on many shapes):

* :func:`conv2d` is vectorised: it cuts the padded input into every window at
  once with ``Tensor.unfold`` (the "im2col" trick) and then does one ``einsum``.
* :func:`conv2d_loops` walks over the output positions one by one. It is slow and
  exists to be read, and to be benchmarked against the vectorised version.

Like PyTorch, the "convolution" here does not flip the kernel:

    out[n, o, i, j] = bias[o] + sum_{c, u, v} input[n, c, i*s + u*d, j*s + v*d] * weight[o, c, u, v]

Example:
    >>> import torch
    >>> x, w = torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3)
    >>> torch.allclose(conv2d(x, w, padding=1), torch.nn.functional.conv2d(x, w, padding=1),
    ...                atol=1e-5)
    True
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..._validation import IntPair, as_image_batch, as_pair, require_dims, shape_of

__all__ = ["conv2d", "conv2d_loops", "conv_output_size"]


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
):
    """Length of one output side: ``floor((size + 2*padding - dilation*(kernel-1) - 1) / stride) + 1``.

    Example:
        >>> conv_output_size(28, kernel=5, padding=2)
        28
        >>> conv_output_size(28, kernel=2, stride=2)
        14
    """
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# ----------------------------------------------------------------------------- conv2d


def _conv_arguments(input, weight, bias, stride, padding, dilation, fn):
    """Check every argument of a convolution; return the padded 4-D input and the settings."""
    x, unbatched = as_image_batch(input, fn)
    require_dims(weight, 4, fn, "weight of shape (C_out, C_in, kH, kW)")
    if weight.dtype != x.dtype:
        raise TypeError(
            f"{fn}: input has dtype {x.dtype} but weight has dtype {weight.dtype}"
        )
    out_channels, in_channels = weight.shape[:2]
    if x.shape[1] != in_channels:
        raise ValueError(
            f"{fn}: input has {x.shape[1]} channels but weight expects {in_channels} "
            f"(input shape {tuple(input.shape)}, weight shape {tuple(weight.shape)})"
        )
    if bias is not None and (
        not isinstance(bias, torch.Tensor) or bias.shape != (out_channels,)
    ):
        raise ValueError(
            f"{fn}: expected bias of shape ({out_channels},), got {shape_of(bias)}"
        )

    stride = as_pair(stride, "stride", fn, minimum=1)
    dilation = as_pair(dilation, "dilation", fn, minimum=1)
    kernel = tuple(weight.shape[2:])
    span = tuple(
        d * (k - 1) + 1 for k, d in zip(kernel, dilation)
    )  # effective kernel size
    if padding == "valid":
        pads = (0, 0, 0, 0)
    elif padding == "same":
        if stride != (1, 1):
            raise ValueError(
                f"{fn}: padding='same' needs stride 1, got stride {stride}"
            )
        # Total padding span-1 per side pair; an odd total puts the extra row/column
        # at the bottom/right, exactly as PyTorch does.
        top, left = (span[0] - 1) // 2, (span[1] - 1) // 2
        pads = (left, span[1] - 1 - left, top, span[0] - 1 - top)
    elif isinstance(padding, str):
        raise ValueError(
            f"{fn}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
        )
    else:
        ph, pw = as_pair(padding, "padding", fn, minimum=0)
        pads = (pw, pw, ph, ph)  # F.pad order: left, right, top, bottom

    padded_size = (x.shape[2] + pads[2] + pads[3], x.shape[3] + pads[0] + pads[1])
    if span[0] > padded_size[0] or span[1] > padded_size[1]:
        raise ValueError(
            f"{fn}: kernel of size {kernel} with dilation {dilation} spans {span}, "
            f"larger than the padded input {padded_size} "
            f"(input shape {tuple(input.shape)}, weight shape {tuple(weight.shape)})"
        )
    x = F.pad(x, pads)  # zero padding
    return x, unbatched, stride, dilation, span


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
) -> torch.Tensor:
    """2-D cross-correlation, vectorised with ``unfold``; agrees with ``F.conv2d``.

    Args:
        input: (N, C_in, H, W) or (C_in, H, W) floating-point tensor.
        weight: (C_out, C_in, kH, kW) kernels.
        bias: optional (C_out,) tensor added to every output position.
        stride: step between windows, an int or (sH, sW).
        padding: zeros added on each side, an int, (pH, pW), ``"valid"`` or ``"same"``.
        dilation: spacing between kernel taps, an int or (dH, dW).

    Returns:
        (N, C_out, H_out, W_out), or (C_out, H_out, W_out) for unbatched input.

    Example:
        >>> conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3)).squeeze().tolist()
        [[9.0, 9.0], [9.0, 9.0]]
    """
    x, unbatched, stride, dilation, span = _conv_arguments(
        input, weight, bias, stride, padding, dilation, "conv2d"
    )
    # windows[n, c, i, j, u, v] = x[n, c, i*sH + u, j*sW + v] for u < span_H, v < span_W:
    # every window of the padded input, as a view (no copy yet).
    windows = x.unfold(2, span[0], stride[0]).unfold(3, span[1], stride[1])
    # Dilation keeps every d-th tap of each window.
    windows = windows[..., :: dilation[0], :: dilation[1]]
    # Multiply each window by each kernel and sum over (channel, row, column).
    out = torch.einsum("ncijuv,ocuv->noij", windows, weight)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv2d_loops(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
) -> torch.Tensor:
    """The same as :func:`conv2d`, one output position at a time (slow; for reading).

    Example:
        >>> conv2d_loops(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3)).squeeze().tolist()
        [[9.0, 9.0], [9.0, 9.0]]
    """
    x, unbatched, stride, dilation, span = _conv_arguments(
        input, weight, bias, stride, padding, dilation, "conv2d_loops"
    )
    out_h = (x.shape[2] - span[0]) // stride[0] + 1
    out_w = (x.shape[3] - span[1]) // stride[1] + 1
    out = x.new_zeros(x.shape[0], weight.shape[0], out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride[0], j * stride[1]
            patch = x[
                :,
                :,
                top : top + span[0] : dilation[0],
                left : left + span[1] : dilation[1],
            ]
            # (N, C, kH, kW) against (C_out, C, kH, kW): one number per (sample, kernel).
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", patch, weight)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out
