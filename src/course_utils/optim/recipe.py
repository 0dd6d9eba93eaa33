"""The recipe large language models are trained with: warmup then cosine decay, and no decay on norms.

- **Warmup then cosine decay.** The learning rate climbs linearly from almost 0
  to its peak over the first ``warmup_steps`` (Adam's second-moment estimates
  start from a handful of gradients, and large early steps can wreck a fresh
  Transformer), then falls along half a cosine to ``min_ratio`` of the peak
  (Loshchilov and Hutter, 2017; GPT-3 and LLaMA decay to 10%).
- **Weight decay only on matrices.** Decay pulls weights towards 0. That is
  regularization for the weight matrices (and embeddings), but for a norm's gain
  it pulls the scale of every feature towards 0 and for a bias towards 0 as
  well, which nothing asks for: they get no decay.

The rest of the recipe is in the optimizer's arguments: AdamW with
``betas=(0.9, 0.95)`` (a shorter memory for the squared gradients reacts faster
to a sudden spike) and gradient clipping at a norm of 1.0
(``torch.nn.utils.clip_grad_norm_``).

Example:
    >>> [round(warmup_cosine(s, warmup_steps=2, total_steps=6, min_ratio=0.1), 3)
    ...  for s in range(6)]
    [0.5, 1.0, 1.0, 0.775, 0.325, 0.1]
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import require_fraction, require_int, require_non_negative

__all__ = ["warmup_cosine", "warmup_cosine_scheduler", "decay_parameter_groups"]


def warmup_cosine(
    step: int, warmup_steps: int, total_steps: int, min_ratio: float = 0.1
) -> float:
    """The learning-rate multiplier at ``step`` (counting from 0).

    Linear warmup ``(step + 1) / warmup_steps`` for the first ``warmup_steps``
    steps, then half a cosine from 1 to ``min_ratio`` at the last step
    ``total_steps - 1``; ``min_ratio`` after that.
    """
    who = "warmup_cosine"
    require_int(who, "step", step, minimum=0)
    require_int(who, "warmup_steps", warmup_steps, minimum=0)
    require_int(who, "total_steps", total_steps, minimum=1)
    require_fraction(who, "min_ratio", min_ratio)
    if warmup_steps >= total_steps:
        raise ValueError(
            f"{who}: warmup_steps ({warmup_steps}) must be less than total_steps ({total_steps})"
        )
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    decay_steps = total_steps - warmup_steps - 1
    progress = min(1.0, (step - warmup_steps) / decay_steps) if decay_steps else 1.0
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_cosine_scheduler(
    optimizer: torch.optim.Optimizer,
    warmup_steps: int,
    total_steps: int,
    min_ratio: float = 0.1,
) -> torch.optim.lr_scheduler.LambdaLR:
    """A PyTorch scheduler for :func:`warmup_cosine`: call ``scheduler.step()`` after each step.

    Example:
        >>> w = nn.Parameter(torch.zeros(1))
        >>> optimizer = torch.optim.AdamW([w], lr=1e-3)
        >>> scheduler = warmup_cosine_scheduler(optimizer, 10, 100)
        >>> optimizer.param_groups[0]["lr"]  # the first step uses a tenth of the peak
        0.0001
    """
    warmup_cosine(0, warmup_steps, total_steps, min_ratio)  # checks the arguments
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: warmup_cosine(step, warmup_steps, total_steps, min_ratio),
    )


def decay_parameter_groups(model: nn.Module, weight_decay: float = 0.1) -> list[dict]:
    """Two optimizer parameter groups: matrices decay, vectors (biases, norm gains) do not.

    A parameter with two or more dimensions (a weight matrix, an embedding table)
    gets ``weight_decay``; one with fewer (a bias, a LayerNorm or RMSNorm gain)
    gets 0. Shared parameters are listed once.

    Example:
        >>> model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
        >>> groups = decay_parameter_groups(model, 0.1)
        >>> [len(g["params"]) for g in groups], [g["weight_decay"] for g in groups]
        ([1, 3], [0.1, 0.0])
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"decay_parameter_groups: model must be an nn.Module, got {type(model).__name__}"
        )
    decay = require_non_negative("decay_parameter_groups", "weight_decay", weight_decay)
    matrices, vectors = [], []
    for parameter in model.parameters():  # each shared parameter once
        if parameter.requires_grad:
            (matrices if parameter.dim() >= 2 else vectors).append(parameter)
    return [
        {"params": matrices, "weight_decay": decay},
        {"params": vectors, "weight_decay": 0.0},
    ]
