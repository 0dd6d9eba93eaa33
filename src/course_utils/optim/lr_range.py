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
from torch import nn

from .._validation import require_fraction, require_int, require_number
from ..device import pick_device
from ..train import Data, _batches, _check_data, _forward, cross_entropy_loss

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
        if not self.smoothed:
            raise ValueError(
                "LRRangeResult: no loss was recorded, so there is no minimum"
            )
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
    loss_fn: Callable = cross_entropy_loss,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
    device: str | torch.device = "auto",
    seed: int = 0,
    **optimizer_kwargs,
) -> LRRangeResult:
    """Run the range test on ``model`` and return the curve; the model is restored afterwards.

    Args:
        model: the network (its weights are copied back at the end).
        train_data: a Dataset or a tuple ``(inputs, targets)``, as for
            :func:`course_utils.train.fit`.
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

    Raises:
        ValueError: bad arguments, or a loss that is not finite at the very first
            step (at the smallest learning rate the model and data are at fault).
    """
    who = "lr_range_test"
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{who}: model must be an nn.Module, got {type(model).__name__}"
        )
    train_data = _check_data(train_data, who, "train_data")
    start, end = (
        require_number(who, n, v)
        for n, v in (("start_lr", start_lr), ("end_lr", end_lr))
    )
    if not (0 < start < end):
        raise ValueError(
            f"{who}: need 0 < start_lr < end_lr, got start_lr={start_lr!r}, end_lr={end_lr!r}"
        )
    require_int(who, "steps", steps, minimum=2)
    require_int(who, "batch_size", batch_size, minimum=1)
    require_fraction(who, "smoothing", smoothing)
    if not require_number(who, "stop_factor", stop_factor) > 1:
        raise ValueError(f"{who}: stop_factor must be > 1, got {stop_factor!r}")
    require_int(who, "seed", seed, minimum=0)
    device = pick_device(device)
    saved = copy.deepcopy(model.state_dict())
    model.to(device).train()
    opt = optimizer(model.parameters(), lr=start_lr, **optimizer_kwargs)
    growth = (end_lr / start_lr) ** (
        1 / (steps - 1)
    )  # lr is multiplied by this each step
    generator = torch.Generator().manual_seed(seed)

    def endless():  # pass after pass over the data, each in a new order
        while True:
            yield from _batches(train_data, batch_size, generator)

    batches = endless()

    lrs, losses, smoothed = [], [], []
    average, stopped_early = 0.0, False
    try:
        for step in range(steps):
            lr = start_lr * growth**step
            for group in opt.param_groups:
                group["lr"] = lr
            logits, targets = _forward(model, next(batches), device, amp=False)
            loss = loss_fn(logits, targets)
            opt.zero_grad()
            loss.backward()
            opt.step()

            value = loss.item()
            if not math.isfinite(value) and step == 0:
                raise ValueError(
                    f"{who}: the loss is {value} at the first step, with the smallest "
                    f"learning rate start_lr={start_lr:g}: the model or the data are at "
                    "fault (NaN or infinite inputs? a loss_fn that fails on these targets?)"
                )
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
