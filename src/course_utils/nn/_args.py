"""Argument checks shared by the from-scratch layers.

Each function either returns a cleaned-up value or raises an error that says
what was expected and what was given, so that a student calling a layer
wrongly learns why instead of meeting a cryptic failure deep inside.
"""

from __future__ import annotations

import torch

IntPair = int | tuple[int, int]


def as_pair(value: IntPair, name: str, fn: str, minimum: int) -> tuple[int, int]:
    """Turn ``3`` or ``(3, 3)`` into ``(3, 3)`` and check both numbers are >= ``minimum``.

    Example:
        >>> as_pair(2, "stride", "conv2d", minimum=1)
        (2, 2)
    """
    if isinstance(value, bool):
        raise TypeError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        pair = (value, value)
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (value[0], value[1])
    else:
        raise TypeError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {value!r}")
    return pair


def as_image_batch(input: torch.Tensor, fn: str) -> tuple[torch.Tensor, bool]:
    """Check ``input`` is (N, C, H, W) or (C, H, W) floating point; return it 4-D.

    The second value says whether a batch dimension was added (so the caller
    can remove it again, as PyTorch does for unbatched input).

    Example:
        >>> x, added = as_image_batch(torch.zeros(3, 8, 8), "conv2d")
        >>> tuple(x.shape), added
        ((1, 3, 8, 8), True)
    """
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"{fn}: input must be a torch.Tensor, got {type(input).__name__}"
        )
    if input.dim() not in (3, 4):
        raise ValueError(
            f"{fn}: expected input of shape (N, C, H, W) or (C, H, W), "
            f"got {input.dim()}-D input of shape {tuple(input.shape)}"
        )
    if not input.is_floating_point():
        raise TypeError(
            f"{fn}: input must be a floating-point tensor, got dtype {input.dtype}"
        )
    if input.dim() == 3:
        return input.unsqueeze(0), True
    return input, False
