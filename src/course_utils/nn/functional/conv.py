"""2-D convolution (really cross-correlation), written from scratch.

Like PyTorch, the "convolution" of deep learning does not flip the kernel. With
stride ``s``, dilation ``d`` and ``groups = 1``:

    out[n, o, i, j] = bias[o] + sum_{c, u, v} input[n, c, i*s + u*d, j*s + v*d] * weight[o, c, u, v]

(after zero padding). With ``groups = g`` the channels are cut into ``g`` equal
blocks and output block ``k`` only sees input block ``k``; ``groups = C_in``
is the *depthwise* convolution of MobileNet and EfficientNet.

* :func:`conv2d` is vectorised: it looks at the padded input through a view
  that holds every window at once (``as_strided``, no copy), lays the windows
  out as columns ("im2col") and does one (batched) matrix multiplication.
* :func:`conv2d_loops` walks over the output positions one by one. It is slow
  and exists to be read, and to be benchmarked against the vectorised version.

Both take the arguments of ``torch.nn.functional.conv2d`` and return its numbers
(the unit tests check this on many random shapes and on PyTorch's own test
inputs). Out of scope: complex, integer and bool tensors (``TypeError``), inputs
with zero channels (PyTorch returns an empty tensor there; ``ValueError``).

Example:
    >>> import torch
    >>> x, w = torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3)
    >>> torch.allclose(conv2d(x, w, padding=1), torch.nn.functional.conv2d(x, w, padding=1),
    ...                atol=1e-5)
    True
"""

from __future__ import annotations

import functools

import torch

from ..._validation import (
    OUT_OF_SCOPE,
    IntPair,
    as_pair,
    image_batch,
    require_int,
    require_tensor,
)

__all__ = ["conv2d", "conv2d_loops", "conv_output_size"]


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Length of one output side: ``floor((size + 2*padding - dilation*(kernel-1) - 1) / stride) + 1``.

    Out of scope: ``padding='same'`` (the output then keeps the input's size).

    Example:
        >>> conv_output_size(28, kernel=5, padding=2)
        28
        >>> conv_output_size(28, kernel=2, stride=2)
        14
    """
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# ----------------------------------------------------------------------------- conv2d


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D cross-correlation as one matrix multiplication; agrees with ``F.conv2d``.

    Args:
        input: (N, C_in, H, W) or (C_in, H, W), real floating point.
        weight: (C_out, C_in / groups, kH, kW) kernels.
        bias: optional (C_out,) tensor added to every output position.
        stride: step between windows, an int or (sH, sW).
        padding: zeros added on each side, an int, (pH, pW), ``"valid"`` or ``"same"``.
        dilation: spacing between kernel taps, an int or (dH, dW).
        groups: split the channels into this many independent blocks.

    Returns:
        (N, C_out, H_out, W_out), or (C_out, H_out, W_out) for unbatched input.

    Out of scope: complex, integer and bool tensors; zero input channels.

    Example:
        >>> conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3)).squeeze().tolist()
        [[9.0, 9.0], [9.0, 9.0]]
        >>> depthwise = conv2d(torch.ones(1, 2, 5, 5), torch.ones(2, 1, 3, 3), groups=2)
        >>> tuple(depthwise.shape)
        (1, 2, 3, 3)
    """
    x, unbatched, stride, dilation = _conv_arguments(
        input, weight, bias, stride, padding, dilation, groups, "conv2d"
    )
    n, channels, height, width = x.shape  # x is already zero padded
    out_channels, group_channels, kh, kw = weight.shape
    out_h = (height - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (width - dilation[1] * (kw - 1) - 1) // stride[1] + 1

    # Every window at once, as a view of x's memory (nothing is copied):
    #     windows[n, c, u, v, i, j] = x[n, c, i*sH + u*dH, j*sW + v*dW]
    # as_strided takes, for each axis, how many steps there are and how many
    # elements of memory one step jumps. One row down in x jumps row_step
    # elements, so one kernel tap down (u + 1) jumps dH rows and one output
    # row down (i + 1) jumps sH rows; the same holds for columns.
    batch_step, channel_step, row_step, column_step = x.stride()
    windows = x.as_strided(
        (n, channels, kh, kw, out_h, out_w),  # sizes
        (  # strides: elements of memory between neighbours along each axis
            batch_step,
            channel_step,
            dilation[0] * row_step,  # u: next kernel row
            dilation[1] * column_step,  # v: next kernel column
            stride[0] * row_step,  # i: next output row
            stride[1] * column_step,  # j: next output column
        ),
    )
    # im2col: for every (sample, group) pair, a matrix with one column of
    # C_in/groups * kH * kW input values per output position. Besides the
    # padding, this reshape is the only copy of the input.
    columns = windows.reshape(n * groups, group_channels * kh * kw, out_h * out_w)
    # Each group's kernels flattened the same way, one row per kernel, and the
    # same for every sample (expand copies nothing):
    # (N * groups, C_out/groups, C_in/groups * kH * kW).
    kernels = weight.reshape(1, groups, out_channels // groups, -1)
    kernels = kernels.expand(n, -1, -1, -1).reshape(
        n * groups, out_channels // groups, group_channels * kh * kw
    )
    # One batched matrix product: every kernel (row) times every window (column).
    out = torch.bmm(kernels, columns).view(n, out_channels, out_h, out_w)
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
    groups: int = 1,
) -> torch.Tensor:
    """The same as :func:`conv2d`, one output position and one group at a time (slow; for reading).

    Out of scope: as for :func:`conv2d`.

    Example:
        >>> conv2d_loops(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3)).squeeze().tolist()
        [[9.0, 9.0], [9.0, 9.0]]
    """
    x, unbatched, stride, dilation = _conv_arguments(
        input, weight, bias, stride, padding, dilation, groups, "conv2d_loops"
    )
    out_channels, group_channels, kh, kw = weight.shape
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    out_h = (x.shape[2] - span_h) // stride[0] + 1
    out_w = (x.shape[3] - span_w) // stride[1] + 1
    group_out = out_channels // groups
    out = x.new_zeros(x.shape[0], out_channels, out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride[0], j * stride[1]
            # The window under output (i, j): every dH-th row, every dW-th column.
            patch = x[
                :,
                :,
                top : top + span_h : dilation[0],
                left : left + span_w : dilation[1],
            ]
            for g in range(groups):  # group g: its input channels, its kernels
                inputs = patch[:, g * group_channels : (g + 1) * group_channels]
                kernels = weight[g * group_out : (g + 1) * group_out]
                # (N, C, kH, kW) against (C_out, C, kH, kW): one number per (sample, kernel).
                out[:, g * group_out : (g + 1) * group_out, i, j] = torch.einsum(
                    "nchw,ochw->no", inputs, kernels
                )
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


# ----------------------------------------------------------------------------- checks


def _conv_arguments(input, weight, bias, stride, padding, dilation, groups, fn):
    """Check every argument of a convolution; return the zero-padded 4-D input and settings.

    The checks depend only on shapes, dtypes and settings, so their outcome is
    cached per configuration (:func:`_conv_settings`): a training loop pays
    for them once, not at every call.
    """
    x, unbatched = image_batch(input, fn)
    if require_tensor(weight, fn, "weight").device != x.device:
        raise ValueError(
            f"{fn}: input is on {x.device} but weight is on {weight.device}"
        )
    bias_meta = None
    if bias is not None:
        bias_meta = (tuple(require_tensor(bias, fn, "bias").shape), bias.dtype)
    key = (fn, input.shape, x.dtype, weight.shape, weight.dtype, bias_meta)
    try:
        pads, stride, dilation = _conv_settings(*key, stride, padding, dilation, groups)
    except TypeError:  # unhashable settings (a list): the same checks, uncached
        pads, stride, dilation = _conv_settings.__wrapped__(
            *key, stride, padding, dilation, groups
        )
    if pads != (0, 0, 0, 0):
        # Zero padding: what F.pad(x, pads) does, minus a layer of dispatch that
        # costs a tenth of a small convolution.
        x = torch.constant_pad_nd(x, pads)
    return x, unbatched, stride, dilation


@functools.lru_cache(maxsize=256, typed=True)  # typed: True is not taken for 1
def _conv_settings(
    fn,
    input_shape,
    dtype,
    weight_shape,
    weight_dtype,
    bias_meta,
    stride,
    padding,
    dilation,
    groups,
):
    """Check a convolution's shapes and settings; return (pads, stride, dilation)."""
    shapes = f"(input shape {tuple(input_shape)}, weight shape {tuple(weight_shape)})"
    if len(weight_shape) != 4:
        raise ValueError(
            f"{fn} expects weight of shape (C_out, C_in / groups, kH, kW), "
            f"got {tuple(weight_shape)}"
        )
    if weight_dtype != dtype:
        raise TypeError(
            f"{fn}: weight has dtype {weight_dtype} but input has dtype {dtype}"
        )
    groups = require_int(fn, "groups", groups, minimum=1)
    channels, height, width = input_shape[-3:]
    out_channels, group_channels, kh, kw = weight_shape
    if kh == 0 or kw == 0:
        raise ValueError(f"{fn}: kernels must be at least 1x1, got {shapes}")
    if channels == 0:
        raise ValueError(
            f"{fn}: input with zero channels is {OUT_OF_SCOPE} (PyTorch returns an "
            f"empty tensor there, not the bias) {shapes}"
        )
    if out_channels == 0 or out_channels % groups:
        raise ValueError(
            f"{fn}: weight must have a positive number of kernels divisible by "
            f"groups={groups}, got {out_channels} {shapes}"
        )
    if channels != group_channels * groups:
        per_group = (
            f" ({group_channels} per group x {groups} groups)" if groups > 1 else ""
        )
        raise ValueError(
            f"{fn}: input has {channels} channels but weight expects "
            f"{group_channels * groups}{per_group} {shapes}"
        )
    if bias_meta is not None:
        if bias_meta[0] != (out_channels,):
            raise ValueError(
                f"{fn}: expected bias of shape ({out_channels},), got {bias_meta[0]}"
            )
        if bias_meta[1] != dtype:
            raise TypeError(
                f"{fn}: bias has dtype {bias_meta[1]} but input has dtype {dtype}"
            )

    stride = as_pair(stride, "stride", fn, minimum=1)
    dilation = as_pair(dilation, "dilation", fn, minimum=1)
    span = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)  # effective size
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"{fn}: padding='same' needs stride 1, got stride {stride}"
                )
            # Total padding span-1 per side pair; an odd total puts the extra
            # row/column at the bottom/right, exactly as PyTorch does.
            top, left = (span[0] - 1) // 2, (span[1] - 1) // 2
            pads = (left, span[1] - 1 - left, top, span[0] - 1 - top)
        else:
            raise ValueError(
                f"{fn}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
            )
    else:
        ph, pw = as_pair(padding, "padding", fn, minimum=0)
        pads = (pw, pw, ph, ph)  # F.pad order: left, right, top, bottom

    padded_size = (height + pads[2] + pads[3], width + pads[0] + pads[1])
    if span[0] > padded_size[0] or span[1] > padded_size[1]:
        raise ValueError(
            f"{fn}: kernel of size {(kh, kw)} with dilation {dilation} spans {span}, "
            f"larger than the padded input {padded_size} {shapes}"
        )
    return pads, stride, dilation
