"""Input checks shared by the package: fail early, saying what was expected and given.

Example:
    >>> import torch
    >>> require_dims(torch.zeros(2, 3), 2, "f", "a matrix (N, D)")
    >>> shape_of([1, 2])
    'list'
"""

from __future__ import annotations

import torch


def shape_of(value: object) -> object:
    """A tensor's shape as a tuple, or the type name of anything else (for messages)."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    return type(value).__name__


def require_dims(value: object, dims: int, who: str, expected: str) -> None:
    """Raise ValueError unless ``value`` is a tensor with ``dims`` dimensions.

    Args:
        value: what the caller passed.
        dims: the number of dimensions required.
        who: the function or class doing the check, for the message.
        expected: a description such as ``"images (N, C, H, W)"``.
    """
    if not isinstance(value, torch.Tensor) or value.dim() != dims:
        raise ValueError(f"{who} expects {expected}, got {shape_of(value)}")
