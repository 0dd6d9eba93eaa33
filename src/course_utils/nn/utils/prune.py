"""Magnitude pruning from scratch, mirroring ``torch.nn.utils.prune``.

Pruning sets weights to zero. **Magnitude** pruning (Han et al., 2015) removes
the weights of smallest absolute value, on the bet that they matter least:

* :func:`magnitude_mask` prunes ``round(amount * numel)`` weights of ONE tensor
  (``prune.l1_unstructured``): every layer loses the same share;
* :func:`global_magnitude_masks` ranks the weights of SEVERAL tensors together
  (``prune.global_unstructured`` with ``L1Unstructured``): a large layer full of
  small weights loses more than a small layer whose weights all matter.

A mask holds 1 where a weight is kept and 0 where it is pruned; the pruned
weight is ``weight * mask``. Ties are broken by position (the first of equal
magnitudes goes first), PyTorch's order on ties is unspecified.

Example:
    >>> import torch
    >>> w = torch.tensor([[0.1, -2.0], [0.5, -0.05]])
    >>> magnitude_mask(w, 0.5)
    tensor([[0., 1.],
            [1., 0.]])
    >>> [m.tolist() for m in global_magnitude_masks([w, torch.tensor([3.0, 0.2])], 0.5)]
    [[[0.0, 1.0], [1.0, 0.0]], [1.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..._validation import require_floating, require_number

__all__ = ["magnitude_mask", "global_magnitude_masks", "sparsity"]


def magnitude_mask(weight: torch.Tensor, amount: float | int) -> torch.Tensor:
    """The mask that prunes the ``amount`` smallest magnitudes of ``weight``.

    Args:
        weight: any floating-point tensor.
        amount: a share in [0, 1] (``round(amount * numel)`` weights are pruned) or a
            number of weights (an int from 0 to ``numel``), as in PyTorch.

    Returns a tensor of ``weight``'s shape and dtype, 1 where a weight is kept.

    Example:
        >>> magnitude_mask(torch.tensor([3.0, -1.0, 0.5, 2.0]), 2).tolist()
        [1.0, 0.0, 0.0, 1.0]
    """
    require_floating(weight, "magnitude_mask", "weight")
    k = _count(amount, weight.numel(), "magnitude_mask")
    return _masks_from_scores([weight.detach().abs()], k)[0].to(weight.dtype)


def global_magnitude_masks(
    weights: Sequence[torch.Tensor], amount: float | int
) -> list[torch.Tensor]:
    """Masks that prune the ``amount`` smallest magnitudes of all ``weights`` together.

    ``amount`` is a share of all their numbers together (or a count), as in
    ``prune.global_unstructured(..., pruning_method=prune.L1Unstructured, amount=...)``.

    Example:
        >>> big, small = torch.full((4,), 0.1), torch.tensor([1.0, 2.0])
        >>> [m.tolist() for m in global_magnitude_masks([big, small], 0.5)]  # 3 of 6
        [[0.0, 0.0, 0.0, 1.0], [1.0, 1.0]]
    """
    who = "global_magnitude_masks"
    if isinstance(weights, torch.Tensor) or not isinstance(weights, Sequence):
        raise TypeError(
            f"{who}: weights must be a list of tensors, got {type(weights).__name__}"
        )
    if not weights:
        raise ValueError(f"{who}: weights must hold at least one tensor, got none")
    for i, w in enumerate(weights):
        require_floating(w, who, f"weights[{i}]")
    k = _count(amount, sum(w.numel() for w in weights), who)
    masks = _masks_from_scores([w.detach().abs() for w in weights], k)
    return [m.to(w.dtype) for m, w in zip(masks, weights)]


def sparsity(tensors: torch.Tensor | Sequence[torch.Tensor]) -> float:
    """The share of exact zeros in a tensor or in several tensors together.

    Example:
        >>> sparsity([torch.tensor([0.0, 1.0]), torch.tensor([0.0, 0.0])])
        0.75
    """
    if isinstance(tensors, torch.Tensor):
        tensors = [tensors]
    total = sum(t.numel() for t in tensors)
    if total == 0:
        raise ValueError("sparsity: the tensors hold no numbers")
    return sum(int((t == 0).sum()) for t in tensors) / total


# ----------------------------------------------------------------------------- helpers


def _masks_from_scores(scores: list[torch.Tensor], k: int) -> list[torch.Tensor]:
    """Zero the k smallest scores of all tensors together (ties: the first goes first)."""
    flat = torch.cat([s.reshape(-1) for s in scores])
    keep = torch.ones_like(flat, dtype=torch.bool)
    if k > 0:
        # The k-th smallest score is the threshold: everything below it goes, and as
        # many of the scores equal to it as are needed to make k, first ones first.
        # (A full sort gives the same mask, several times slower on large layers.)
        threshold = flat.kthvalue(k).values
        below = flat < threshold
        keep &= ~below
        ties = (flat == threshold).nonzero().flatten()
        keep[ties[: k - int(below.sum())]] = False
    masks, start = [], 0
    for s in scores:
        masks.append(keep[start : start + s.numel()].view(s.shape))
        start += s.numel()
    return masks


def _count(amount: object, numel: int, who: str) -> int:
    """The number of weights to prune, from a share (float) or a count (int)."""
    if isinstance(amount, int) and not isinstance(amount, bool):
        if not 0 <= amount <= numel:
            raise ValueError(
                f"{who}: amount as a count must be in [0, {numel}] (the number of "
                f"weights), got {amount}"
            )
        return amount
    share = require_number(who, "amount", amount)
    if not 0.0 <= share <= 1.0:
        raise ValueError(
            f"{who}: amount as a share must be in [0, 1], got {amount!r} "
            "(pass an int to prune a number of weights)"
        )
    return round(share * numel)
