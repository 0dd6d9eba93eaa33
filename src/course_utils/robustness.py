"""Adversarial examples: the fast gradient sign method (FGSM) and its random baseline.

A classifier's loss rises fastest, among all changes of at most ``epsilon`` per
pixel, in the direction of the *sign* of its gradient with respect to the input
(to first order). FGSM (Goodfellow, Shlens & Szegedy, 2015) takes one step of size
``epsilon`` in that direction:

    x_adv = clip(x + epsilon * sign(grad_x loss(model(x), y)), 0, 1)

Random noise of the same size, ``epsilon * (random signs)``, is the baseline that
shows it is the direction, not the size, that fools the model.

Example:
    >>> import torch
    >>> model = torch.nn.Linear(4, 3)
    >>> x, y = torch.rand(2, 4), torch.tensor([0, 2])
    >>> x_adv = fgsm(model, x, y, epsilon=0.1)
    >>> x_adv.shape, bool((x_adv - x).abs().max() <= 0.1 + 1e-6)
    (torch.Size([2, 4]), True)
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ._validation import require_floating, require_non_negative, shape_of

__all__ = ["fgsm", "random_sign_noise"]


def fgsm(
    model: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    epsilon: float,
    bounds: tuple[float, float] | None = (0.0, 1.0),
) -> torch.Tensor:
    """One FGSM step: ``x + epsilon * sign(d loss / d x)``, clipped to ``bounds``.

    Args:
        model: maps a batch ``x`` (N, ...) to logits (N, classes); its parameters
            are not changed and get no gradient.
        x: the inputs, a floating-point batch (N, ...), for images in [0, 1].
        y: the true classes, integers (N,). The loss is the summed cross-entropy.
        epsilon: the largest change of any input value (>= 0).
        bounds: the valid range of the inputs, or ``None`` not to clip.

    Returns:
        The adversarial batch, detached, of the shape and dtype of ``x``.

    Example:
        >>> model = torch.nn.Linear(2, 2)
        >>> with torch.no_grad():
        ...     _ = model.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        ...     _ = model.bias.zero_()
        >>> fgsm(model, torch.tensor([[0.5, 0.5]]), torch.tensor([0]), 0.25)
        tensor([[0.2500, 0.7500]])
    """
    who = "fgsm"
    x = require_floating(x, who, "x")
    epsilon = require_non_negative(who, "epsilon", epsilon)
    _check_labels(y, x, who)
    if not callable(model):
        raise TypeError(f"{who}: model must be callable, got {type(model).__name__}")
    low, high = _check_bounds(bounds, who)
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        logits = model(x)
        if not isinstance(logits, torch.Tensor) or logits.shape[:1] != x.shape[:1]:
            raise ValueError(
                f"{who}: model must return logits (N, classes) for N = {len(x)}, "
                f"got {shape_of(logits)}"
            )
        loss = F.cross_entropy(logits, y.to(logits.device), reduction="sum")
        (gradient,) = torch.autograd.grad(loss, x)
    adversarial = x.detach() + epsilon * gradient.sign()
    if bounds is not None:
        adversarial = adversarial.clamp(low, high)
    return adversarial


def random_sign_noise(
    x: torch.Tensor,
    epsilon: float,
    generator: torch.Generator | None = None,
    bounds: tuple[float, float] | None = (0.0, 1.0),
) -> torch.Tensor:
    """``x + epsilon * s`` with independent random signs ``s = +-1``: FGSM's baseline.

    The same size of change as :func:`fgsm` in every pixel, in a random direction.

    Example:
        >>> noisy = random_sign_noise(torch.full((1, 3), 0.5), 0.1,
        ...                           generator=torch.Generator().manual_seed(0))
        >>> sorted(set(round(v, 3) for v in noisy.flatten().tolist())) <= [0.4, 0.6]
        True
    """
    who = "random_sign_noise"
    x = require_floating(x, who, "x")
    epsilon = require_non_negative(who, "epsilon", epsilon)
    low, high = _check_bounds(bounds, who)
    signs = torch.randint(0, 2, x.shape, generator=generator).to(x) * 2 - 1
    noisy = x.detach() + epsilon * signs
    return noisy.clamp(low, high) if bounds is not None else noisy


# Argument checks -----------------------------------------------------------


def _check_labels(y: object, x: torch.Tensor, who: str) -> None:
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{who}: y must be a torch.Tensor, got {type(y).__name__}")
    if y.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"{who}: y must hold integer classes, got dtype {y.dtype}")
    if x.dim() < 2 or y.shape != x.shape[:1]:
        raise ValueError(
            f"{who}: x must be a batch (N, ...) and y its N classes, "
            f"got x {shape_of(x)} and y {shape_of(y)}"
        )


def _check_bounds(bounds: object, who: str) -> tuple[float, float]:
    if bounds is None:
        return (float("-inf"), float("inf"))
    if (
        not isinstance(bounds, (tuple, list))
        or len(bounds) != 2
        or not all(isinstance(b, (int, float)) for b in bounds)
        or not bounds[0] < bounds[1]
    ):
        raise ValueError(
            f"{who}: bounds must be (low, high) with low < high, got {bounds!r}"
        )
    return float(bounds[0]), float(bounds[1])
