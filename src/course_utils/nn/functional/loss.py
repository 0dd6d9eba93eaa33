"""Loss functions and their gradients, written by hand.

``mse_loss`` and ``cross_entropy`` agree with their ``torch.nn.functional``
namesakes (mean over the batch); each ``*_backward`` returns the gradient of
the loss with respect to ``input``, which is where backpropagation starts.

Example:
    >>> import torch
    >>> logits, target = torch.tensor([[2.0, 0.0]]), torch.tensor([0])
    >>> round(cross_entropy(logits, target).item(), 4)
    0.1269
    >>> [round(g, 4) for g in cross_entropy_backward(logits, target)[0].tolist()]  # softmax - one-hot
    [-0.1192, 0.1192]
"""

from __future__ import annotations

import torch

from ..._validation import require_dims, shape_of
from .activation import log_softmax, softmax

__all__ = [
    "mse_loss",
    "mse_loss_backward",
    "cross_entropy",
    "cross_entropy_backward",
]


def _check_same_shape(input: object, target: object, fn: str) -> None:
    if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError(
            f"{fn}: input and target must be tensors, got {shape_of(input)} and {shape_of(target)}"
        )
    if input.shape != target.shape:
        raise ValueError(
            f"{fn}: input and target must have the same shape (broadcasting them is a "
            f"classic bug), got {tuple(input.shape)} and {tuple(target.shape)}"
        )


def mse_loss(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error, mean((input - target)^2), like ``F.mse_loss``.

    Unlike ``F.mse_loss``, which only warns, different shapes raise a ValueError.
    """
    _check_same_shape(input, target, "mse_loss")
    return ((input - target) ** 2).mean()


def mse_loss_backward(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d mse_loss / d input = 2 (input - target) / number of elements."""
    _check_same_shape(input, target, "mse_loss_backward")
    return 2 * (input - target) / input.numel()


def _check_classification(input: object, target: object, fn: str) -> None:
    require_dims(input, 2, fn, "logits of shape (N, C)")
    if not isinstance(target, torch.Tensor) or target.shape != input.shape[:1]:
        raise ValueError(
            f"{fn}: expected target class indices of shape ({input.shape[0]},), "
            f"got {shape_of(target)}"
        )
    if target.dtype != torch.long:
        raise TypeError(
            f"{fn}: target must hold class indices (torch.long), got {target.dtype}"
        )
    if len(target) and (target.min() < 0 or target.max() >= input.shape[1]):
        raise ValueError(
            f"{fn}: target classes must be in [0, {input.shape[1] - 1}], "
            f"got values from {int(target.min())} to {int(target.max())}"
        )


def cross_entropy(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean of -log softmax(logits)[true class], like ``F.cross_entropy``.

    Args:
        input: logits (N, C), any real numbers.
        target: class indices (N,), dtype long.
    """
    _check_classification(input, target, "cross_entropy")
    picked = log_softmax(input, dim=1).gather(1, target[:, None])
    return -picked.mean()


def cross_entropy_backward(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d cross_entropy / d logits = (softmax(logits) - one_hot(target)) / N."""
    _check_classification(input, target, "cross_entropy_backward")
    grad = softmax(input, dim=1)
    grad[torch.arange(len(target)), target] -= 1
    return grad / len(target)
