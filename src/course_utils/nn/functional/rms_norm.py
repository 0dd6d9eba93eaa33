"""RMSNorm from scratch: layer normalization without the mean, as in Llama and SmolLM2.

Layer normalization subtracts each vector's mean and divides by its standard
deviation. RMSNorm (Zhang and Sennrich, 2019) only divides by the root mean
square, which is cheaper and works as well in practice:

    rms_norm(x) = x / sqrt(mean(x ** 2) + eps) * weight

The mean is taken over the last ``len(normalized_shape)`` dimensions. The
function takes the arguments of ``torch.nn.functional.rms_norm`` and returns the
same numbers.

Example:
    >>> import torch
    >>> x, w = torch.randn(2, 5, 8), torch.randn(8)
    >>> torch.allclose(rms_norm(x, (8,), w, 1e-6), torch.nn.functional.rms_norm(x, (8,), w, 1e-6), atol=1e-6)
    True
"""

from __future__ import annotations

import torch

from ..._validation import require_tensor

__all__ = ["rms_norm"]


def rms_norm(
    input: torch.Tensor,
    normalized_shape: int | list[int] | tuple[int, ...] | torch.Size,
    weight: torch.Tensor | None = None,
    eps: float | None = None,
) -> torch.Tensor:
    """Root-mean-square normalization over the last dimensions; agrees with ``F.rms_norm``.

    Args:
        input: (..., *normalized_shape).
        normalized_shape: the trailing shape to normalize over (an int for one dimension).
        weight: a learned gain of shape ``normalized_shape`` (none: 1).
        eps: added to the mean square; ``None`` means ``torch.finfo(input.dtype).eps``,
            as in PyTorch.

    Example:
        >>> rms_norm(torch.tensor([3.0, 4.0]), 2, eps=0.0)
        tensor([0.8485, 1.1314])
    """
    fn = "rms_norm"
    require_tensor(input, fn)
    if not input.is_floating_point():
        raise TypeError(f"{fn}: input must be floating point, got dtype {input.dtype}")
    shape = (
        (normalized_shape,)
        if isinstance(normalized_shape, int)
        else tuple(normalized_shape)
    )
    if (
        not shape
        or len(shape) > input.dim()
        or tuple(input.shape[-len(shape) :]) != shape
    ):
        raise ValueError(
            f"{fn}: normalized_shape {shape} must match the last dimensions of the input, "
            f"got input of shape {tuple(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise ValueError(
            f"{fn}: weight must have shape {shape}, got {tuple(weight.shape)}"
        )
    eps = torch.finfo(input.dtype).eps if eps is None else eps
    dims = tuple(range(-len(shape), 0))
    output = input * torch.rsqrt(input.pow(2).mean(dims, keepdim=True) + eps)
    return output if weight is None else output * weight
