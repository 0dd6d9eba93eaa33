"""Metrics: how good are the predictions?

Example:
    >>> import torch
    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 1, 0]), 2).tolist()
    [[1, 0], [1, 1]]
    >>> exact_match(["2026-11-22", "2026-11-23"], ["2026-11-22", "2026-11-22"])
    0.5
"""

from __future__ import annotations

import torch

__all__ = ["confusion_matrix", "exact_match"]


def confusion_matrix(
    y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """Counts ``C[i, j]`` of samples of true class i predicted as class j."""
    y_true, y_pred = torch.as_tensor(y_true).long(), torch.as_tensor(y_pred).long()
    if y_true.shape != y_pred.shape or y_true.dim() != 1:
        raise ValueError(
            f"expected two 1-D label tensors of equal length, got {tuple(y_true.shape)} "
            f"and {tuple(y_pred.shape)}"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"{name} has labels outside [0, {num_classes - 1}]")
    counts = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return counts.view(num_classes, num_classes)


def exact_match(predicted: list[str], expected: list[str]) -> float:
    """Fraction of predictions that equal the expected string exactly.

    Example:
        >>> exact_match(["2026-11-22", "2026-11-23"], ["2026-11-22", "2026-11-22"])
        0.5
    """
    if len(predicted) != len(expected) or not expected:
        raise ValueError(
            f"need two non-empty lists of equal length, got {len(predicted)} and {len(expected)}"
        )
    return sum(p == e for p, e in zip(predicted, expected)) / len(expected)
