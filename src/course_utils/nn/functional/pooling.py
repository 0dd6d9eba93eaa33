"""2-D max pooling, written from scratch.

Max pooling has no weights: each output is the largest value in its window,

    out[n, c, i, j] = max_{u, v} input[n, c, i*s - p + u*d, j*s - p + v*d]

over the cells of the window that fall inside the input (padding never wins).
With ``return_indices=True`` it also says *where* each maximum was, as a flat
index ``row * W + column`` into the input plane; this is where the gradient goes.

* :func:`max_pool2d` is vectorised: it looks at the padded input through a view
  that holds every window at once (``as_strided``) and picks each window's maximum.
* :func:`max_pool2d_loops` walks over the output positions one by one, to be read.

Both take the arguments of ``torch.nn.functional.max_pool2d`` and return its
numbers and indices, ties and NaN included (the unit tests check this on many
shapes and on PyTorch's own test inputs). Out of scope: complex, integer and
bool tensors (PyTorch pools integers; ``TypeError`` here).

Example:
    >>> import torch
    >>> x = torch.arange(16.0).view(1, 1, 4, 4)
    >>> max_pool2d(x, 2).squeeze().tolist()
    [[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from ..._validation import (
    IntPair,
    as_pair,
    image_batch,
    require_bool,
)

__all__ = ["max_pool2d", "max_pool2d_loops"]


# ----------------------------------------------------------------------------- max pooling


def max_pool2d(
    input: torch.Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """2-D max pooling over every window at once; agrees with ``F.max_pool2d``.

    Args:
        input: (N, C, H, W) or (C, H, W), real floating point.
        kernel_size: window size, an int or (kH, kW).
        stride: step between windows; defaults to ``kernel_size``.
        padding: implicit -inf padding on each side, at most half the kernel.
        dilation: spacing between the cells of a window.
        ceil_mode: round the output size up, so a last partial window is kept
            (it must start inside the input or its left/top padding).
        return_indices: also return where each maximum was (flat ``row * W + col``
            in the input plane; the first one on ties, the last NaN if any).

    Returns:
        The pooled (N, C, H_out, W_out) tensor (or (C, H_out, W_out)), and the
        int64 indices of the same shape when ``return_indices`` is true.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> x = torch.tensor([[[[1.0, 5.0, 2.0], [0.0, 3.0, 4.0]]]])
        >>> values, where = max_pool2d(x, 2, ceil_mode=True, return_indices=True)
        >>> values.tolist(), where.tolist()
        ([[[[5.0, 4.0]]]], [[[[1, 5]]]])
    """
    pool = _Pool(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    require_bool("max_pool2d", "return_indices", return_indices)
    (kh, kw), (sh, sw), (dh, dw) = pool.kernel, pool.stride, pool.dilation
    n, c, out_h, out_w = pool.out_shape
    x = pool.padded
    # Every window at once, as a view (no copy):
    #     windows[n, c, i, j, u, v] = x[n, c, i*sH + u*dH, j*sW + v*dW]
    # One step along an axis jumps that many elements of memory: one output row
    # down (i + 1) is sH input rows, one window row down (u + 1) is dH rows.
    batch_step, channel_step, row_step, column_step = x.stride()
    windows = x.as_strided(
        size=(n, c, out_h, out_w, kh, kw),
        stride=(
            batch_step,
            channel_step,
            sh * row_step,  # i: next output row
            sw * column_step,  # j: next output column
            dh * row_step,  # u: next window row
            dw * column_step,  # v: next window column
        ),
    )
    if not return_indices and not (input.requires_grad and torch.is_grad_enabled()):
        # Only the values are asked for: the largest number of each window.
        out = windows.amax(dim=(-2, -1))
        return out.squeeze(0) if pool.unbatched else out

    # Also *where* each maximum is: the gradient flows to that one cell, as in
    # PyTorch, and return_indices reports it.
    cells = windows.flatten(-2)  # (N, C, H_out, W_out, kH * kW)
    inside, input_index, no_cell_index = pool.cells()
    best, found = _position_of_max(cells, inside)  # which cell of each window wins
    out = cells.gather(-1, best.unsqueeze(-1)).squeeze(-1)
    if pool.unbatched:
        out, best, found = out.squeeze(0), best.squeeze(0), found.squeeze(0)
    if not return_indices:
        return out
    where = input_index.expand(*best.shape, -1).gather(-1, best.unsqueeze(-1))
    return out, torch.where(found, where.squeeze(-1), no_cell_index)


def max_pool2d_loops(
    input: torch.Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """The same as :func:`max_pool2d`, one output position at a time (slow; for reading).

    Out of scope: as for :func:`max_pool2d`.

    Example:
        >>> x = torch.arange(16.0).view(1, 1, 4, 4)
        >>> max_pool2d_loops(x, 2).squeeze().tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    pool = _Pool(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d_loops"
    )
    require_bool("max_pool2d_loops", "return_indices", return_indices)
    (kh, kw), (sh, sw), (dh, dw) = pool.kernel, pool.stride, pool.dilation
    n, c, out_h, out_w = pool.out_shape
    inside, input_index, no_cell_index = pool.cells()
    out = pool.padded.new_empty(n, c, out_h, out_w)
    indices = torch.empty(n, c, out_h, out_w, dtype=torch.long, device=out.device)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * sh, j * sw
            # The window under output (i, j): kH rows dH apart, kW columns dW apart.
            window = pool.padded[
                :,
                :,
                top : top + dh * (kh - 1) + 1 : dh,
                left : left + dw * (kw - 1) + 1 : dw,
            ].flatten(2)  # (N, C, kH * kW)
            best, found = _position_of_max(window, inside[i, j])
            out[:, :, i, j] = window.gather(-1, best[..., None])[..., 0]
            where = input_index[i, j][best]
            indices[:, :, i, j] = torch.where(found, where, no_cell_index[i, j])
    if pool.unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


# ----------------------------------------------------------------------------- helpers


def _position_of_max(
    windows: torch.Tensor, inside: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Index of the winning cell along the last axis, chosen exactly as PyTorch does.

    The first maximum wins ties; a window holding NaN returns its last NaN (the
    value is NaN either way); a cell of the padding never wins, even when every
    real cell is -inf. The second result is False for a window with no cell in
    the input at all (possible with dilation): its value is -inf.
    """
    best = windows.amax(-1, keepdim=True)  # NaN if the window holds one
    wins = ((windows == best) | windows.isnan()) & inside
    cells = windows.shape[-1]
    first = wins.to(torch.uint8).argmax(-1)  # argmax returns the first maximum
    last = cells - 1 - wins.flip(-1).to(torch.uint8).argmax(-1)
    return torch.where(best.squeeze(-1).isnan(), last, first), wins.any(-1)


class _Pool:
    """Checked pooling arguments and the -inf padded input."""

    def __init__(self, input, kernel_size, stride, padding, dilation, ceil_mode, fn):
        x, self.unbatched = image_batch(input, fn)
        n, c, height, width = x.shape
        if c == 0 or height == 0 or width == 0:
            raise ValueError(
                f"{fn}: expected non-empty channels, height and width (PyTorch refuses "
                f"them too), got input of shape {tuple(input.shape)}"
            )
        self.kernel = as_pair(kernel_size, "kernel_size", fn, minimum=1)
        if stride is None:
            self.stride = self.kernel
        else:
            self.stride = as_pair(stride, "stride", fn, minimum=1)
        pad = as_pair(padding, "padding", fn, minimum=0)
        self.dilation = as_pair(dilation, "dilation", fn, minimum=1)
        require_bool(fn, "ceil_mode", ceil_mode)
        if pad[0] > self.kernel[0] // 2 or pad[1] > self.kernel[1] // 2:
            raise ValueError(
                f"{fn}: padding {pad} must be at most half the kernel size "
                f"{self.kernel} (otherwise a window could hold nothing but padding)"
            )
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        sizes = (
            _output_size(height, kh, sh, pad[0], dh, ceil_mode),
            _output_size(width, kw, sw, pad[1], dw, ceil_mode),
        )
        if min(sizes) < 1:
            raise ValueError(
                f"{fn}: kernel_size {self.kernel} with dilation {self.dilation} does not "
                f"fit in the padded input {(height + 2 * pad[0], width + 2 * pad[1])} "
                f"(input shape {tuple(input.shape)})"
            )
        out_h, out_w = sizes
        self.out_shape = (n, c, out_h, out_w)

        # Pad with -inf, not 0: a padded cell must never win the max. With ceil_mode
        # the last window may run past the bottom/right edge: pad enough for it.
        bottom = max(pad[0], (out_h - 1) * sh + dh * (kh - 1) + 1 - height - pad[0])
        right = max(pad[1], (out_w - 1) * sw + dw * (kw - 1) + 1 - width - pad[1])
        pads = (pad[1], right, pad[0], bottom)  # F.pad order: left, right, top, bottom
        self.padded = F.pad(x, pads, value=float("-inf")) if any(pads) else x

        self._geometry = (height, width, self.kernel, self.stride, pad, self.dilation)
        self._geometry += (out_h, out_w, x.device)

    def cells(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(inside, input_index, no_cell_index) of every window; see :func:`_window_cells`."""
        return _window_cells(*self._geometry)


@functools.lru_cache(maxsize=64)
def _window_cells(height, width, kernel, stride, pad, dilation, out_h, out_w, device):
    """Where the cells of every window fall in the input; cached per geometry.

    Returns ``inside`` (H_out, W_out, kH*kW), True where a window cell lies in the
    input; ``input_index`` (H_out, W_out, kH*kW), that cell's flat index
    ``row * W + column``; and ``no_cell_index`` (H_out, W_out), the index PyTorch
    reports for a window with no cell in the input (dilation can skip over it):
    its first row and column at or after 0.
    """
    # Input row of window cell (i, u) and column of cell (j, v).
    rows = (
        torch.arange(out_h, device=device)[:, None] * stride[0]
        - pad[0]
        + torch.arange(kernel[0], device=device) * dilation[0]
    )  # (H_out, kH)
    cols = (
        torch.arange(out_w, device=device)[:, None] * stride[1]
        - pad[1]
        + torch.arange(kernel[1], device=device) * dilation[1]
    )  # (W_out, kW)
    row_inside = (rows >= 0) & (rows < height)
    col_inside = (cols >= 0) & (cols < width)
    inside = row_inside[:, None, :, None] & col_inside[None, :, None, :]
    index = rows[:, None, :, None] * width + cols[None, :, None, :]
    big = height * width + height + width
    first_row = rows.masked_fill(rows < 0, big).amin(-1)
    first_col = cols.masked_fill(cols < 0, big).amin(-1)
    no_cell_index = first_row[:, None] * width + first_col[None, :]
    return inside.flatten(-2), index.flatten(-2), no_cell_index


def _output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling output length (``pooling_output_shape``)."""
    span = dilation * (kernel - 1) + 1
    numerator = size + 2 * padding - span + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    # With ceil_mode, the last window must start inside the input or left padding.
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out
