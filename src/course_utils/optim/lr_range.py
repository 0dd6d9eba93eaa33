"""The learning-rate range test: raise the learning rate every step and watch the loss.

Train for a short while with a learning rate that grows exponentially from tiny
to huge, one mini-batch per value (Smith, "Cyclical learning rates for training
neural networks", 2017). The loss first barely moves (rate too small), then
falls quickly, then blows up (rate too large). A good rate sits on the falling
part, somewhat below the rate of the lowest loss; :attr:`LRRangeResult.suggestion`
takes a tenth of it, a common rule of thumb. The model and its weights are left
as they were.

Example:
    >>> import torch
    >>> X, y = torch.randn(256, 4), torch.randint(0, 3, (256,))
    >>> result = lr_range_test(torch.nn.Linear(4, 3), (X, y), steps=30, device="cpu")
    >>> len(result.lrs) == len(result.losses) <= 30
    True
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..device import pick_device
from ..train import Data, _loader

__all__ = ["LRRangeResult", "lr_range_test"]


@dataclass
class LRRangeResult:
    """Learning rates tried, the raw loss at each, and its smoothed version."""

    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    stopped_early: bool

    @property
    def min_loss_lr(self) -> float:
        """The learning rate where the smoothed loss was lowest."""
        best = min(range(len(self.smoothed)), key=self.smoothed.__getitem__)
        return self.lrs[best]

    @property
    def suggestion(self) -> float:
        """A tenth of :attr:`min_loss_lr`: on the falling part of the curve, safely below the blow-up."""
        return self.min_loss_lr / 10


def lr_range_test(
    model: nn.Module,
    train_data: Data,
    optimizer: type[torch.optim.Optimizer] | Callable = torch.optim.Adam,
    start_lr: float = 1e-6,
    end_lr: float = 1.0,
    steps: int = 100,
    batch_size: int = 64,
    loss_fn: Callable = F.cross_entropy,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
    device: str | torch.device = "auto",
    seed: int = 0,
    **optimizer_kwargs,
) -> LRRangeResult:
    """Run the range test on ``model`` and return the curve; the model is restored afterwards.

    Args:
        model: the network (its weights are copied back at the end).
        train_data: a Dataset or a pair ``(inputs, targets)``.
        optimizer: an optimizer class (or any ``f(params, lr=..., **kw)``); Adam by default.
        start_lr, end_lr: the first and last learning rate (0 < start_lr < end_lr).
        steps: number of mini-batches, one learning rate each, spaced evenly in log scale.
        batch_size: samples per step.
        loss_fn: ``loss_fn(outputs, targets)``.
        smoothing: in [0, 1): weight of the past in the exponential moving average of the loss.
        stop_factor: stop once the smoothed loss exceeds this many times its lowest value.
        device: ``"auto"`` or a device name.
        seed: seeds the order of the batches.
        **optimizer_kwargs: passed on to ``optimizer`` (momentum, betas, ...).
    """
    if not (0 < start_lr < end_lr):
        raise ValueError(
            f"need 0 < start_lr < end_lr, got start_lr={start_lr!r}, end_lr={end_lr!r}"
        )
    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an int >= 2, got {steps!r}")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    if not stop_factor > 1:
        raise ValueError(f"stop_factor must be > 1, got {stop_factor!r}")
    device = pick_device(device)
    saved = copy.deepcopy(model.state_dict())
    model.to(device).train()
    opt = optimizer(model.parameters(), lr=start_lr, **optimizer_kwargs)
    growth = (end_lr / start_lr) ** (
        1 / (steps - 1)
    )  # lr is multiplied by this each step
    loader = _loader(train_data, batch_size, shuffle=True, seed=seed)
    batches = iter(loader)

    lrs, losses, smoothed = [], [], []
    average, stopped_early = 0.0, False
    try:
        for step in range(steps):
            lr = start_lr * growth**step
            for group in opt.param_groups:
                group["lr"] = lr
            try:
                inputs, targets = next(batches)
            except StopIteration:  # start another pass over the data
                batches = iter(loader)
                inputs, targets = next(batches)
            inputs, targets = inputs.to(device), targets.to(device)
            loss = loss_fn(model(inputs), targets)
            opt.zero_grad()
            loss.backward()
            opt.step()

            value = loss.item()
            if not math.isfinite(value):  # blown up: nothing more to learn
                stopped_early = True
                break
            average = smoothing * average + (1 - smoothing) * value
            lrs.append(lr)
            losses.append(value)
            smoothed.append(
                average / (1 - smoothing ** (step + 1))
            )  # bias-corrected, as in Adam
            if smoothed[-1] > stop_factor * min(smoothed):
                stopped_early = True
                break
    finally:
        model.load_state_dict(saved)
    return LRRangeResult(lrs, losses, smoothed, stopped_early)
