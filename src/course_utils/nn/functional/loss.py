"""Loss functions and their gradients, written by hand.

* ``mse_loss``: the squared error ``(input - target)^2`` of every element, averaged.
* ``cross_entropy``: for each example, ``-sum_c q_c log softmax(input)_c`` where
  ``q`` is the target distribution over the C classes: the one-hot vector of a
  class index, or probabilities given directly. ``label_smoothing`` mixes ``q``
  with the uniform distribution; class weights ``w_c`` scale each class's term,
  and ``'mean'`` then divides by the total weight of the targets. Positions whose
  class index is ``ignore_index`` count for nothing: this is how a language
  model skips its padding tokens.
* ``distillation_loss``: knowledge distillation (Hinton et al., 2015), a
  student's logits against a teacher's, both softened by a temperature ``tau``:
  ``alpha * tau^2 * KL(softmax(teacher / tau) || softmax(input / tau))`` plus
  ``(1 - alpha)`` times the cross-entropy on the labels. PyTorch has no
  namesake; its KL part equals ``tau**2 * F.kl_div(..., reduction='batchmean')``.

Both agree with their ``torch.nn.functional`` namesakes, argument for argument
(the unit tests check this on many shapes and on PyTorch's own test inputs);
each ``*_backward`` returns the gradient of the loss with respect to ``input``,
which is where backpropagation starts.

Out of scope: complex, integer and bool inputs, and the ``size_average`` and
``reduce`` arguments that PyTorch deprecated (``reduction`` replaces them).
``mse_loss`` raises on different shapes where PyTorch only warns and broadcasts:
broadcasting a (N, 1) prediction against a (N,) target is a classic bug.

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

from ..._validation import (
    require_choice,
    require_dims,
    require_floating,
    require_int,
    require_number,
    require_positive,
    require_reduction,
    require_same_dtype,
    shape_of,
)
from .activation import log_softmax, softmax

__all__ = [
    "mse_loss",
    "mse_loss_backward",
    "cross_entropy",
    "cross_entropy_backward",
    "distillation_loss",
]


def mse_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Squared error ``(input - target)^2``, averaged (or summed, or not reduced), like ``F.mse_loss``.

    Args:
        input, target: real floating-point tensors of the same shape.
        size_average, reduce: deprecated in PyTorch; anything but None raises.
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        weight: optional per-element weights of the input's shape; ``'mean'`` then
            divides by their sum.

    Unlike ``F.mse_loss``, which only warns and broadcasts, different shapes raise
    a ValueError (a teaching choice: the broadcast is almost always a bug).

    Out of scope: ``size_average``/``reduce`` (deprecated), different shapes, complex and integer tensors.

    Example:
        >>> mse_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0])).item()
        5.0
        >>> mse_loss(torch.tensor([1.0, 3.0]), torch.zeros(2), reduction="none").tolist()
        [1.0, 9.0]
    """
    reduction = require_reduction("mse_loss", reduction, size_average, reduce)
    _check_same_shape(input, target, "mse_loss")
    squared = (input - target) ** 2
    if weight is None:
        return _reduce(squared, reduction)
    require_floating(weight, "mse_loss", "weight")
    if weight.shape != input.shape:
        raise ValueError(
            f"mse_loss: weight must have the input's shape {tuple(input.shape)}, "
            f"got {tuple(weight.shape)}"
        )
    squared = squared * weight
    return (
        squared.sum() / weight.sum()
        if reduction == "mean"
        else _reduce(squared, reduction)
    )


def mse_loss_backward(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d mse_loss / d input = 2 (input - target) / number of elements.

    Out of scope: reductions other than ``'mean'`` and weights (use autograd on :func:`mse_loss`).

    Example:
        >>> mse_loss_backward(torch.tensor([1.0, 3.0]), torch.zeros(2)).tolist()
        [1.0, 3.0]
    """
    _check_same_shape(input, target, "mse_loss_backward")
    return 2 * (input - target) / input.numel()


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross-entropy of the softmax of logits against a target, like ``F.cross_entropy``.

    Args:
        input: logits (N, C), (N, C, d1, d2, ...) or one example (C,).
        target: class indices of shape (N,), (N, d1, ...) or () (dtype long), or
            class probabilities of the input's shape (floating point).
        weight: optional (C,) weight of each class.
        size_average, reduce: deprecated in PyTorch; anything but None raises.
        ignore_index: positions whose class index equals it contribute nothing
            (class-index targets only).
        reduction: ``'mean'`` (weighted mean over positions), ``'sum'`` or ``'none'``.
        label_smoothing: in [0, 1]; the target becomes ``(1 - s) q + s / C``.

    Out of scope: ``size_average``/``reduce`` (deprecated), complex and integer logits.

    Example:
        >>> logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> round(cross_entropy(logits, torch.tensor([0, -100])).item(), 4)  # 2nd ignored
        0.1269
        >>> round(cross_entropy(logits, torch.tensor([[1.0, 0.0], [0.0, 1.0]])).item(), 4)
        0.1269
    """
    reduction = require_reduction("cross_entropy", reduction, size_average, reduce)
    probabilities = _check_cross_entropy(
        input, target, weight, ignore_index, label_smoothing
    )
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    log_p = log_softmax(input, dim=class_dim)
    # Class weights lined up with the class axis: (C,) -> (C, 1, ..., 1).
    class_weight = None
    if weight is not None:
        class_weight = weight.view(-1, *[1] * (input.dim() - class_dim - 1))

    if probabilities:
        q = target
        if label_smoothing > 0:
            q = target * (1 - label_smoothing) + label_smoothing / classes
        terms = log_p * q if class_weight is None else log_p * q * class_weight
        loss = -terms.sum(class_dim)
        if reduction == "mean":  # over positions; 0 positions give NaN, as in PyTorch
            return loss.sum() / (input.numel() // classes)
        return _reduce(loss, reduction)

    # Class indices: q is one-hot, so the sum picks -log p of the true class.
    keep = target != ignore_index
    safe = target.masked_fill(~keep, 0)  # any valid class; ignored positions are zeroed
    picked = log_p.gather(class_dim, safe.unsqueeze(class_dim)).squeeze(class_dim)
    if weight is None:
        target_weight = keep.to(input.dtype)
    else:
        target_weight = weight[safe].masked_fill(~keep, 0)
    zero = input.new_zeros(())
    loss = torch.where(keep, -target_weight * picked, zero)
    if label_smoothing > 0:
        # The uniform part of the target: -sum_c w_c log p_c / C at every kept position.
        uniform = log_p if class_weight is None else log_p * class_weight
        smooth = torch.where(keep, -uniform.sum(class_dim), zero)
        loss = (1 - label_smoothing) * loss + label_smoothing / classes * smooth
    if reduction == "mean":  # divided by the total weight of the kept targets
        return loss.sum() / target_weight.sum()
    return _reduce(loss, reduction)


def cross_entropy_backward(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d cross_entropy / d logits = (softmax(logits) - one_hot(target)) / N.

    For logits (N, C) and class indices (N,), with the default ``reduction='mean'``.

    Out of scope: (N, C, d1, ...) inputs, class probabilities, ``weight``, ``ignore_index``, label smoothing (use autograd on :func:`cross_entropy`).

    Example:
        >>> g = cross_entropy_backward(torch.zeros(1, 2), torch.tensor([1]))
        >>> g.tolist()
        [[0.5, -0.5]]
    """
    _check_classification(input, target, "cross_entropy_backward")
    grad = softmax(input, dim=1)
    grad[torch.arange(len(target)), target] -= 1
    return grad / len(target)


def distillation_loss(
    input: torch.Tensor,
    teacher: torch.Tensor,
    target: torch.Tensor | None = None,
    temperature: float = 2.0,
    alpha: float = 0.5,
    reduction: str = "mean",
) -> torch.Tensor:
    """Knowledge-distillation loss: soft targets from a teacher, mixed with the labels.

    ``alpha * tau**2 * KL(p_t || p_s) + (1 - alpha) * cross_entropy(input, target)``
    with ``p_t = softmax(teacher / tau)`` and ``p_s = softmax(input / tau)``. The
    ``tau**2`` keeps the soft part's gradients the same size whatever ``tau`` is
    (they shrink as ``1 / tau**2`` otherwise), so ``alpha`` means the same thing at
    every temperature (Hinton et al., 2015).

    Args:
        input: the student's logits (N, C).
        teacher: the teacher's logits (N, C), same dtype; no gradient flows into them.
        target: class indices (N,) (dtype long), or None for soft targets only
            (then ``alpha`` must be 1).
        temperature: ``tau > 0``; larger values soften both distributions.
        alpha: weight of the soft part, in [0, 1].
        reduction: ``'mean'`` over the N examples (the KL summed over classes: PyTorch's
            ``'batchmean'``), ``'sum'``, or ``'none'`` for one loss per example.

    Example:
        >>> student, teacher = torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 0.0]])
        >>> round(distillation_loss(student, teacher, temperature=1.0, alpha=1.0).item(), 4)
        0.0671
        >>> round(distillation_loss(teacher, teacher, torch.tensor([0])).item(), 4)  # 0.5 x CE
        0.0635
    """
    tau, alpha = _check_distillation(
        input, teacher, target, temperature, alpha, reduction
    )
    log_student = log_softmax(input / tau, dim=1)
    log_teacher = log_softmax(teacher.detach() / tau, dim=1)
    kl = (log_teacher.exp() * (log_teacher - log_student)).sum(1)  # one per example
    loss = alpha * tau**2 * kl
    if alpha < 1:
        picked = log_softmax(input, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
        loss = loss - (1 - alpha) * picked
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- checks


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_same_shape(input: object, target: object, fn: str) -> None:
    if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError(
            f"{fn}: input and target must be tensors, got {shape_of(input)} and {shape_of(target)}"
        )
    require_floating(input, fn)
    require_floating(target, fn, "target")
    if input.shape != target.shape:
        raise ValueError(
            f"{fn}: input and target must have the same shape (broadcasting them is a "
            f"classic bug), got {tuple(input.shape)} and {tuple(target.shape)}"
        )


def _check_cross_entropy(input, target, weight, ignore_index, label_smoothing) -> bool:
    """Check cross_entropy's arguments; return True for class-probability targets."""
    fn = "cross_entropy"
    require_floating(input, fn)
    if input.dim() == 0:
        raise ValueError(
            f"{fn}: expected logits of shape (N, C), (N, C, d1, ...) or (C,), got ()"
        )
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    if classes == 0:
        raise ValueError(
            f"{fn}: expected at least one class, got logits of shape {tuple(input.shape)}"
        )
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"{fn}: target must be a torch.Tensor, got {shape_of(target)}")
    require_int(fn, "ignore_index", ignore_index)
    smoothing = require_number(fn, "label_smoothing", label_smoothing)
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be in [0, 1], got {smoothing!r}")
    if weight is not None:
        require_floating(weight, fn, "weight")
        require_same_dtype(fn, "weight", weight, input.dtype)
        if weight.shape != (classes,):
            raise ValueError(
                f"{fn}: expected weight of shape ({classes},) (one per class), "
                f"got {tuple(weight.shape)}"
            )

    if target.shape == input.shape:  # class probabilities, as PyTorch decides it
        require_floating(target, fn, "target (class probabilities)")
        if ignore_index >= 0:
            raise ValueError(
                f"{fn}: ignore_index ({ignore_index}) only applies to class-index "
                "targets, not to class probabilities"
            )
        return True

    expected = tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1 :])
    if target.shape != expected:
        raise ValueError(
            f"{fn}: expected target class indices of shape {expected} or class "
            f"probabilities of shape {tuple(input.shape)}, got {tuple(target.shape)}"
        )
    if target.dtype != torch.long:
        raise TypeError(
            f"{fn}: target must hold class indices (torch.long), got {target.dtype}"
        )
    bad = ((target < 0) | (target >= classes)) & (target != ignore_index)
    if bad.any():
        raise ValueError(
            f"{fn}: target classes must be in [0, {classes - 1}] (or ignore_index="
            f"{ignore_index}), got {sorted(set(target[bad].tolist()))[:5]}"
        )
    return False


def _check_classification(input: object, target: object, fn: str) -> None:
    require_dims(input, 2, fn, "logits of shape (N, C)")
    require_floating(input, fn)
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


def _check_distillation(input, teacher, target, temperature, alpha, reduction):
    fn = "distillation_loss"
    require_dims(input, 2, fn, "student logits of shape (N, C)")
    require_floating(input, fn)
    require_floating(teacher, fn, "teacher")
    if teacher.shape != input.shape:
        raise ValueError(
            f"{fn}: teacher logits must have the student's shape {tuple(input.shape)}, "
            f"got {tuple(teacher.shape)}"
        )
    require_same_dtype(fn, "teacher", teacher, input.dtype)
    tau = require_positive(fn, "temperature", temperature)
    weight = require_number(fn, "alpha", alpha)
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"{fn}: alpha must be in [0, 1], got {alpha!r}")
    require_choice(fn, "reduction", reduction, ("none", "mean", "sum"))
    if target is None:
        if weight < 1:
            raise ValueError(
                f"{fn}: without labels (target=None) alpha must be 1, got {alpha!r}"
            )
    else:
        _check_classification(input, target, fn)
    return tau, weight
