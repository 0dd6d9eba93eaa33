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

from ._validation import require_int, shape_of

__all__ = ["confusion_matrix", "exact_match"]


def confusion_matrix(
    y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """Counts ``C[i, j]`` of samples of true class i predicted as class j.

    The diagonal holds the correct predictions; row i shows where class i went.

    Example:
        >>> confusion_matrix(torch.tensor([2, 2, 0]), torch.tensor([2, 1, 0]), 3).tolist()
        [[1, 0, 0], [0, 0, 0], [0, 1, 1]]
    """
    who = "confusion_matrix"
    require_int(who, "num_classes", num_classes, minimum=1)
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(labels, torch.Tensor):
            raise TypeError(
                f"{who}: {name} must be a tensor of labels, got {shape_of(labels)}"
            )
        if (
            labels.is_floating_point()
            or labels.is_complex()
            or labels.dtype == torch.bool
        ):
            raise TypeError(
                f"{who}: {name} must hold integer labels, got dtype {labels.dtype}"
            )
    if y_true.shape != y_pred.shape or y_true.dim() != 1:
        raise ValueError(
            f"{who}: expected two 1-D label tensors of equal length, got y_true "
            f"{tuple(y_true.shape)} and y_pred {tuple(y_pred.shape)}"
        )
    y_true, y_pred = y_true.long().cpu(), y_pred.long().cpu()
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"{who}: {name} has labels outside [0, {num_classes - 1}] "
                f"(min {int(labels.min())}, max {int(labels.max())})"
            )
    counts = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return counts.view(num_classes, num_classes)


def exact_match(predicted: list[str], expected: list[str]) -> float:
    """Fraction of predictions that equal the expected string exactly.

    Example:
        >>> exact_match(["2026-11-22", "2026-11-23"], ["2026-11-22", "2026-11-22"])
        0.5
    """
    for name, values in (("predicted", predicted), ("expected", expected)):
        if isinstance(values, str) or not isinstance(values, (list, tuple)):
            raise TypeError(
                f"exact_match: {name} must be a list of strings, got {type(values).__name__}"
            )
    if len(predicted) != len(expected) or not expected:
        raise ValueError(
            "exact_match: need two non-empty lists of equal length, got "
            f"{len(predicted)} predicted and {len(expected)} expected"
        )
    return sum(p == e for p, e in zip(predicted, expected)) / len(expected)
