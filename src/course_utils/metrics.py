"""Metrics: how good are the predictions?

Classification: a confusion matrix; generation: exact match; ranking (search
and recommendation): recall@k and NDCG@k, computed from a score matrix with one
row per query (or user) and one column per item of the catalogue.

Example:
    >>> import torch
    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 1, 0]), 2).tolist()
    [[1, 0], [1, 1]]
    >>> exact_match(["2026-11-22", "2026-11-23"], ["2026-11-22", "2026-11-22"])
    0.5
    >>> scores = torch.tensor([[0.9, 0.1, 0.5, 0.3]])  # one query, four items
    >>> top_k_items(scores, 2).tolist()  # best first
    [[0, 2]]
    >>> recall_at_k(scores, [{2, 3}], k=2)  # item 2 found, item 3 missed
    0.5
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import torch

from ._validation import require_int, shape_of

__all__ = [
    "confusion_matrix",
    "exact_match",
    "top_k_items",
    "recall_at_k",
    "ndcg_at_k",
]


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


# ----------------------------------------------------------------------------- ranking


def top_k_items(
    scores: torch.Tensor,
    k: int,
    exclude: Sequence[Collection[int]] | None = None,
) -> torch.Tensor:
    """Indices (Q, k) of the ``k`` best-scored items of each row, best first.

    Ties go to the lower index (a stable sort), so the result never depends on
    the machine. ``exclude[q]`` lists items row ``q`` must not recommend (for a
    user, the movies already seen); they never appear in the result.

    Example:
        >>> top_k_items(torch.tensor([[1.0, 3.0, 2.0]]), 2, exclude=[{1}]).tolist()
        [[2, 0]]
    """
    scores, _ = _check_ranking("top_k_items", scores, None, k, exclude)
    if exclude is not None:
        scores = scores.clone()
        for row, items in enumerate(exclude):
            if items:
                scores[row, list(items)] = -math.inf
        left = torch.isfinite(scores).sum(1).min().item()
        if left < k:
            raise ValueError(
                f"top_k_items: k={k} but a row has only {left} items left after "
                f"excluding the ones it has already seen"
            )
    return torch.sort(scores, dim=1, descending=True, stable=True).indices[:, :k]


def recall_at_k(
    scores: torch.Tensor,
    relevant: Sequence[Collection[int]],
    k: int,
    exclude: Sequence[Collection[int]] | None = None,
    reduction: str = "mean",
) -> float | torch.Tensor:
    """Fraction of each row's relevant items found among its top ``k``, averaged over rows.

    ``recall@k = |top-k ∩ relevant| / |relevant|``: 1 when every relevant item is
    in the top ``k``, 0 when none is.

    Args:
        scores: (Q, N) float scores, one row per query or user, one column per item.
        relevant: for each row, the indices of its relevant items (at least one).
        k: how many items are shown, 1 <= k <= N.
        exclude: for each row, items that may not be shown (see :func:`top_k_items`).
        reduction: ``"mean"`` (a float) or ``"none"`` (a tensor (Q,) of per-row values).

    Example:
        >>> recall_at_k(torch.tensor([[0.9, 0.1, 0.5, 0.3]]), [{2, 3}], k=2)
        0.5
    """
    hits, relevant_sets = _hits("recall_at_k", scores, relevant, k, exclude)
    values = hits.sum(1) / torch.tensor([float(len(r)) for r in relevant_sets])
    return _reduce("recall_at_k", values, reduction)


def ndcg_at_k(
    scores: torch.Tensor,
    relevant: Sequence[Collection[int]],
    k: int,
    exclude: Sequence[Collection[int]] | None = None,
    reduction: str = "mean",
) -> float | torch.Tensor:
    """Normalised discounted cumulative gain: hits near the top count more, 1 is a perfect list.

    With binary relevance, a hit at rank ``r`` (1-based) is worth ``1 / log2(r + 1)``:
    1 at rank 1, 0.63 at rank 2, 0.5 at rank 3... DCG is the sum over the top
    ``k``; NDCG divides it by the best possible DCG, that of a list starting with
    ``min(k, |relevant|)`` hits.

    Args: as :func:`recall_at_k`.

    Example:
        >>> round(ndcg_at_k(torch.tensor([[0.9, 0.1, 0.5, 0.3]]), [{2, 3}], k=2), 4)
        0.3869
    """
    hits, relevant_sets = _hits("ndcg_at_k", scores, relevant, k, exclude)
    discounts = 1.0 / torch.log2(torch.arange(2, k + 2, dtype=torch.float64))
    dcg = (hits.double() * discounts).sum(1)
    ideal = torch.tensor(
        [discounts[: min(k, len(r))].sum().item() for r in relevant_sets],
        dtype=torch.float64,
    )
    return _reduce("ndcg_at_k", (dcg / ideal).float(), reduction)


def _hits(who, scores, relevant, k, exclude):
    """(Q, k) boolean tensor: is the item at each rank relevant? And the relevant sets."""
    scores, relevant_sets = _check_ranking(who, scores, relevant, k, exclude)
    ranked = top_k_items(scores, k, exclude)
    hits = torch.tensor(
        [
            [item in rel for item in row]
            for row, rel in zip(ranked.tolist(), relevant_sets)
        ],
        dtype=torch.bool,
    ).view(len(ranked), k)
    return hits, relevant_sets


def _reduce(who: str, values: torch.Tensor, reduction: str):
    if reduction == "mean":
        return values.mean().item()
    if reduction == "none":
        return values
    raise ValueError(f"{who}: reduction must be 'mean' or 'none', got {reduction!r}")


def _check_ranking(who, scores, relevant, k, exclude):
    """Check the arguments of the ranking metrics; return scores and relevant sets."""
    if not isinstance(scores, torch.Tensor):
        raise TypeError(
            f"{who}: scores must be a torch.Tensor (queries, items), got {type(scores).__name__}"
        )
    if scores.dim() != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
        raise ValueError(
            f"{who}: scores must be a non-empty 2-D tensor (queries, items), got shape "
            f"{tuple(scores.shape)}"
        )
    if not scores.is_floating_point():
        scores = scores.float()
    queries, items = scores.shape
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{who}: k must be an int, got {k!r}")
    if k < 1:
        raise ValueError(f"{who}: k must be >= 1, got {k}")
    if k > items:
        raise ValueError(
            f"{who}: k={k} is larger than the catalogue, which has {items} items"
        )
    for name, lists in (("relevant", relevant), ("exclude", exclude)):
        if lists is None:
            continue
        if isinstance(lists, (str, torch.Tensor)) or len(lists) != queries:
            raise ValueError(
                f"{who}: {name} must hold one collection of item indices per row of "
                f"scores ({queries}), got {len(lists) if hasattr(lists, '__len__') else lists!r}"
            )
        for row, items_of_row in enumerate(lists):
            bad = [i for i in items_of_row if not 0 <= int(i) < items]
            if bad:
                raise ValueError(
                    f"{who}: {name}[{row}] holds item indices outside [0, {items - 1}]: {bad[:5]}"
                )
    relevant_sets = None
    if relevant is not None:
        relevant_sets = [{int(i) for i in r} for r in relevant]
        empty = [row for row, r in enumerate(relevant_sets) if not r]
        if empty:
            raise ValueError(
                f"{who}: every row needs at least one relevant item; rows {empty[:5]} have none"
            )
    return scores, relevant_sets
