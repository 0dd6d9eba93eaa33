"""Batch, layer and RMS normalization as functions, mirroring ``torch.nn.functional``.

All three rescale activations to a standard size, and differ in *what they average over*:

- :func:`batch_norm` normalizes each channel (dimension 1) over the batch and every
  other dimension: ``(x - mean) / sqrt(var + eps)`` with the batch's mean and
  (biased) variance while training, and with the running estimates at evaluation.
  While training it also updates those running estimates in place,
  ``running = (1 - momentum) * running + momentum * batch_statistic``, using the
  *unbiased* variance (divided by ``n - 1``), as PyTorch does.
- :func:`layer_norm` normalizes each example over its last dimensions
  (``normalized_shape``): no batch statistics, so training and evaluation agree.
- :func:`rms_norm` divides by the root mean square over the last dimensions,
  without subtracting the mean (used by Llama-style language models).

Same names, arguments and defaults as PyTorch; the unit tests compare the three
with ``torch.nn.functional`` on many random shapes, in training and evaluation.

Example:
    >>> import torch
    >>> import torch.nn.functional as F
    >>> x = torch.randn(8, 3)
    >>> mean, var = torch.zeros(3), torch.ones(3)
    >>> ours = batch_norm(x, mean, var, training=True)
    >>> torch.allclose(ours, F.batch_norm(x, torch.zeros(3), torch.ones(3), training=True), atol=1e-5)
    True
    >>> torch.allclose(mean, 0.1 * x.mean(0))  # the running mean moved 10% of the way
    True
    >>> torch.allclose(layer_norm(x, [3]), F.layer_norm(x, [3]), atol=1e-5)
    True
    >>> torch.allclose(rms_norm(x, [3]), F.rms_norm(x, [3]), atol=1e-5)
    True
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..._validation import require_number, require_positive, require_tensor

__all__ = ["batch_norm", "layer_norm", "rms_norm"]


def batch_norm(
    input: torch.Tensor,
    running_mean: torch.Tensor | None,
    running_var: torch.Tensor | None,
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Batch normalization, like ``F.batch_norm``: per channel (dim 1), over all other dims.

    Args:
        input: (N, C) or (N, C, *), floating point.
        running_mean, running_var: (C,) running estimates, or ``None``. Used to
            normalize when ``training=False``; updated in place when ``training=True``.
        weight, bias: optional (C,) scale (gamma) and shift (beta).
        training: normalize with the batch's statistics (and update the running ones).
        momentum: the weight of the new batch in the running estimates.
        eps: added to the variance before the square root.

    Returns:
        A tensor of the input's shape.

    Example:
        >>> x = torch.tensor([[1.0], [3.0]])
        >>> y = batch_norm(x, None, None, training=True)  # mean 2, variance 1
        >>> [round(v, 4) for v in y.flatten().tolist()]
        [-1.0, 1.0]
    """
    x = _check_float_tensor(input, "batch_norm")
    if x.dim() < 2:
        raise ValueError(
            "batch_norm: input must have shape (N, C) or (N, C, *), "
            f"got {x.dim()}-D input of shape {tuple(x.shape)}"
        )
    channels = x.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        _check_vector(t, channels, name, "batch_norm")
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "batch_norm: pass both running_mean and running_var, or neither "
            f"(got running_mean={_kind(running_mean)}, running_var={_kind(running_var)})"
        )
    momentum = _check_momentum(momentum)
    eps = require_positive("batch_norm", "eps", eps)

    # Every dimension except the channel one is "the batch" for this channel.
    dims = [0, *range(2, x.dim())]
    shape = [1, channels] + [1] * (x.dim() - 2)  # (C,) -> broadcastable to input
    if training:
        n = x.numel() // channels
        if n <= 1:
            raise ValueError(
                "batch_norm: expected more than 1 value per channel when training, "
                f"got input of shape {tuple(x.shape)}"
            )
        var, mean = torch.var_mean(x, dim=dims, correction=0)  # biased: divide by n
        if running_mean is not None:
            with (
                torch.no_grad()
            ):  # the running estimates are buffers, not part of the graph
                running_mean.mul_(1 - momentum).add_(momentum * mean.detach())
                unbiased = var.detach() * n / (n - 1)  # ... the unbiased one is tracked
                running_var.mul_(1 - momentum).add_(momentum * unbiased)
    else:
        if running_mean is None:
            raise ValueError(
                "batch_norm: running_mean and running_var are needed when training=False"
            )
        mean, var = running_mean, running_var
    out = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return _affine(out, weight, bias, shape)


def layer_norm(
    input: torch.Tensor,
    normalized_shape: Sequence[int],
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Layer normalization, like ``F.layer_norm``: each example over its last dimensions.

    Args:
        input: (*, *normalized_shape), floating point.
        normalized_shape: the sizes of the last dimensions to normalize over, e.g. ``[D]``.
        weight, bias: optional scale and shift of shape ``normalized_shape``.
        eps: added to the (biased) variance before the square root.

    Example:
        >>> y = layer_norm(torch.tensor([[1.0, 2.0, 3.0]]), [3])
        >>> [round(v, 4) for v in y.flatten().tolist()]
        [-1.2247, 0.0, 1.2247]
    """
    x = _check_float_tensor(input, "layer_norm")
    shape = _check_normalized_shape(x, normalized_shape, "layer_norm")
    eps = require_positive("layer_norm", "eps", eps)
    for name, t in (("weight", weight), ("bias", bias)):
        _check_like(t, shape, name, "layer_norm")
    dims = tuple(range(-len(shape), 0))
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    out = (x - mean) / torch.sqrt(var + eps)
    return _affine(out, weight, bias, shape)


def rms_norm(
    input: torch.Tensor,
    normalized_shape: Sequence[int],
    weight: torch.Tensor | None = None,
    eps: float | None = None,
) -> torch.Tensor:
    """RMS normalization, like ``F.rms_norm``: ``x / sqrt(mean(x**2) + eps) * weight``.

    The mean of the squares is taken over the last dimensions (``normalized_shape``);
    nothing is subtracted and there is no bias. ``eps=None`` means the machine
    epsilon of the input's dtype, as in PyTorch.

    Example:
        >>> y = rms_norm(torch.tensor([[3.0, 4.0]]), [2])  # rms = sqrt((9 + 16) / 2)
        >>> [round(v, 4) for v in y.flatten().tolist()]
        [0.8485, 1.1314]
    """
    x = _check_float_tensor(input, "rms_norm")
    shape = _check_normalized_shape(x, normalized_shape, "rms_norm")
    _check_like(weight, shape, "weight", "rms_norm")
    if eps is None:
        eps = torch.finfo(x.dtype).eps
    else:
        eps = require_positive("rms_norm", "eps", eps)
    dims = tuple(range(-len(shape), 0))
    out = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
    return out if weight is None else out * weight


# ------------------------------------------------------------------ checks
def _affine(
    out: torch.Tensor,
    weight: torch.Tensor | None,
    bias: torch.Tensor | None,
    shape: Sequence[int],
) -> torch.Tensor:
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _kind(t: object) -> str:
    return "None" if t is None else "a tensor"


def _check_float_tensor(input: object, fn: str) -> torch.Tensor:
    x = require_tensor(input, fn)
    if not x.is_floating_point():
        raise TypeError(
            f"{fn}: input must be a floating-point tensor, got dtype {x.dtype}"
        )
    return x


def _check_vector(t: object, size: int, name: str, fn: str) -> None:
    if t is None:
        return
    require_tensor(t, fn, name)
    if tuple(t.shape) != (size,):
        raise ValueError(
            f"{fn}: {name} must have shape ({size},), one value per channel of the "
            f"input, got {tuple(t.shape)}"
        )


def _check_like(t: object, shape: tuple[int, ...], name: str, fn: str) -> None:
    if t is None:
        return
    require_tensor(t, fn, name)
    if tuple(t.shape) != shape:
        raise ValueError(
            f"{fn}: {name} must have shape normalized_shape={shape}, got {tuple(t.shape)}"
        )


def _check_momentum(momentum: object) -> float:
    if momentum is None:
        raise TypeError(
            "batch_norm: momentum must be a number, got None (the modules' "
            "momentum=None, a cumulative average, is passed to this function as "
            "1 / num_batches_tracked)"
        )
    return require_number("batch_norm", "momentum", momentum)


def _check_normalized_shape(
    x: torch.Tensor, normalized_shape: object, fn: str
) -> tuple[int, ...]:
    if (
        isinstance(normalized_shape, (str, bytes))
        or not isinstance(normalized_shape, Sequence)
        or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in normalized_shape
        )
    ):
        raise TypeError(
            f"{fn}: normalized_shape must be a list or tuple of ints such as [D], "
            f"got {normalized_shape!r}"
        )
    shape = tuple(normalized_shape)
    if not shape or min(shape) < 1:
        raise ValueError(
            f"{fn}: normalized_shape must hold at least one positive size, got {normalized_shape!r}"
        )
    if x.dim() < len(shape) or tuple(x.shape[-len(shape) :]) != shape:
        raise ValueError(
            f"{fn}: the input's last dimensions must be normalized_shape={shape}, "
            f"got input of shape {tuple(x.shape)}"
        )
    return shape
