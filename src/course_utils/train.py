"""One small, readable training loop for classifiers, used by every chapter.

``fit`` trains for a number of epochs, shows a tqdm progress bar while it runs,
prints one line per epoch and returns a :class:`History`. ``evaluate`` and
``predict`` run a model over a data set without gradients. On CUDA, mixed
precision (bfloat16 autocast) is used unless ``amp=False``.

The progress bar is for people watching a notebook run. Automated runs (nbval,
papermill, the book build) set ``COURSE_PROGRESS=0`` so that the stored
notebook shows the per-epoch lines rather than a frozen bar.

Example:
    >>> import torch
    >>> from torch import nn
    >>> X, y = torch.randn(64, 2), torch.randint(0, 2, (64,))
    >>> history = fit(nn.Linear(2, 2), (X, y), epochs=2, verbose=False, device="cpu")
    >>> len(history.epochs)
    2
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .data.language import lm_batches
from .device import pick_device, single_cpu_thread

__all__ = [
    "fit",
    "evaluate",
    "predict",
    "History",
    "show_progress",
    "train_gpt",
    "train_translator",
]

Data = tuple[torch.Tensor, torch.Tensor] | Dataset


@dataclass
class History:
    """What happened during training: one dict of metrics per epoch."""

    epochs: list[dict[str, float]] = field(default_factory=list)

    def __getitem__(self, metric: str) -> list[float]:
        """All values of one metric, e.g. ``history["val_accuracy"]``."""
        if not self.epochs or metric not in self.epochs[0]:
            known = ", ".join(self.epochs[0]) if self.epochs else "none yet"
            raise KeyError(f"no metric {metric!r} in this history (known: {known})")
        return [row[metric] for row in self.epochs]

    @property
    def last(self) -> dict[str, float]:
        """The metrics of the final epoch."""
        if not self.epochs:
            raise IndexError("the history is empty: no epoch has run")
        return self.epochs[-1]

    @property
    def seconds(self) -> float:
        """Total training time in seconds."""
        return sum(row["seconds"] for row in self.epochs)


def show_progress() -> bool:
    """Whether progress bars are shown: yes, unless the variable ``COURSE_PROGRESS`` is 0.

    Example:
        >>> isinstance(show_progress(), bool)
        True
    """
    return os.environ.get("COURSE_PROGRESS", "1").strip().lower() not in (
        "0",
        "false",
        "no",
    )


def _loader(
    data: Data, batch_size: int, shuffle: bool, seed: int, name: str = "data"
) -> DataLoader:
    if isinstance(data, tuple):
        if len(data) != 2 or not all(isinstance(t, torch.Tensor) for t in data):
            raise TypeError(
                "data must be a Dataset or a pair of tensors (inputs, targets)"
            )
        inputs, targets = data
        if len(inputs) != len(targets):
            raise ValueError(
                f"inputs and targets differ in length: {tuple(inputs.shape)} vs "
                f"{tuple(targets.shape)}"
            )
        data = TensorDataset(inputs, targets)
    elif not isinstance(data, Dataset):
        raise TypeError(
            f"data must be a Dataset or a pair of tensors, got {type(data).__name__}"
        )
    if len(data) == 0:
        raise ValueError(f"{name} is empty: expected at least one sample, got 0")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    generator = torch.Generator().manual_seed(seed)  # the same shuffles on every run
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


def _autocast(device: torch.device, amp: bool):
    """bfloat16 autocast on CUDA (no loss scaling needed); a no-op elsewhere."""
    enabled = amp and device.type == "cuda"
    return torch.autocast(
        device_type=device.type, dtype=torch.bfloat16, enabled=enabled
    )


SCHEDULES = ("constant", "cosine", "onecycle")


def _scheduler(optimizer: torch.optim.Optimizer, schedule: str, total_steps: int):
    """A per-batch learning-rate scheduler, or None for a constant rate."""
    if schedule == "constant":
        return None
    if schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    if schedule == "onecycle":
        max_lr = [group["lr"] for group in optimizer.param_groups]
        # One more step than we take: PyTorch's schedule reaches its minimum on its last
        # step index, and stepping *past* it (our final, unused step) would wrap around.
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr, total_steps=total_steps + 1
        )
    raise ValueError(
        f"unknown schedule {schedule!r}: expected one of {', '.join(SCHEDULES)}"
    )


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data: Data,
    loss_fn: Callable = F.cross_entropy,
    batch_size: int = 512,
    device: str | torch.device = "auto",
    amp: bool = True,
) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` on ``data`` (no gradients, eval mode).

    Example:
        >>> import torch
        >>> evaluate(torch.nn.Linear(2, 2), (torch.randn(8, 2), torch.zeros(8, dtype=torch.long)),
        ...          device="cpu").keys()
        dict_keys(['loss', 'accuracy'])
    """
    device = pick_device(device)
    model.to(device).eval()
    total_loss, correct, count = 0.0, 0, 0
    for inputs, targets in _loader(
        data, batch_size, shuffle=False, seed=0, name="evaluate: data"
    ):
        inputs, targets = inputs.to(device), targets.to(device)
        with _autocast(device, amp):
            logits = model(inputs)
        total_loss += loss_fn(logits.float(), targets).item() * len(targets)
        correct += (logits.argmax(dim=1) == targets).sum().item()
        count += len(targets)
    return {"loss": total_loss / count, "accuracy": correct / count}


@torch.no_grad()
def predict(
    model: nn.Module,
    inputs: torch.Tensor,
    batch_size: int = 512,
    device: str | torch.device = "auto",
) -> torch.Tensor:
    """Logits of ``model`` for every input, returned on the CPU as float32.

    Example:
        >>> import torch
        >>> predict(torch.nn.Linear(3, 2), torch.randn(5, 3), device="cpu").shape
        torch.Size([5, 2])
    """
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"inputs must be a tensor, got {type(inputs).__name__}")
    device = pick_device(device)
    model.to(device).eval()
    outputs = [
        model(batch.to(device)).float().cpu() for batch in inputs.split(batch_size)
    ]
    return torch.cat(outputs)


def fit(
    model: nn.Module,
    train_data: Data,
    val_data: Data | None = None,
    *,
    epochs: int = 5,
    lr: float = 1e-3,
    batch_size: int = 64,
    optimizer: torch.optim.Optimizer | None = None,
    schedule: str = "constant",
    loss_fn: Callable = F.cross_entropy,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    device: str | torch.device = "auto",
    amp: bool = True,
    seed: int = 0,
    verbose: bool = True,
) -> History:
    """Train a classifier and return its :class:`History`.

    Args:
        model: the network; it is moved to ``device``.
        train_data, val_data: a Dataset or a pair ``(inputs, targets)``.
        epochs: passes over the training data.
        lr: learning rate of the default optimizer, Adam.
        batch_size: samples per step.
        optimizer: use this optimizer instead of Adam(lr).
        schedule: ``"constant"`` learning rate, ``"cosine"`` decay to zero, or ``"onecycle"``
            (warm up to ``lr`` over the first 30% of the steps, then cosine decay), stepped
            after every batch.
        loss_fn: ``loss_fn(logits, targets)``, cross-entropy by default.
        augment: applied to each training batch of inputs (on the device) before the model.
        device: ``"auto"`` (CUDA > MPS > CPU, or ``COURSE_DEVICE``) or a device name.
        amp: bfloat16 mixed precision on CUDA.
        seed: seeds the shuffling of the batches.
        verbose: print one line per epoch and show the progress bar; False is silent.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if optimizer is None and not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    device = pick_device(device)
    model.to(device)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loader = _loader(
        train_data, batch_size, shuffle=True, seed=seed, name="fit: train_data"
    )
    scheduler = _scheduler(optimizer, schedule, total_steps=epochs * len(loader))
    history = History()

    from tqdm.auto import (
        tqdm,
    )  # imported here: the notebook flavour needs a running kernel

    bar = tqdm(
        total=epochs * len(loader),
        disable=not (verbose and show_progress()),
        leave=False,
    )
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        total_loss, correct, count = 0.0, 0, 0
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            if augment is not None:
                inputs = augment(inputs)
            with _autocast(device, amp):
                logits = model(inputs)
            loss = loss_fn(logits.float(), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total_loss += loss.item() * len(targets)
            correct += (logits.argmax(dim=1) == targets).sum().item()
            count += len(targets)
            bar.update()
            bar.set_postfix(epoch=epoch, loss=f"{loss.item():.3f}")
        row = {"epoch": epoch, "loss": total_loss / count, "accuracy": correct / count}
        if val_data is not None:
            metrics = evaluate(model, val_data, loss_fn, device=device, amp=amp)
            row.update(val_loss=metrics["loss"], val_accuracy=metrics["accuracy"])
        row["seconds"] = time.perf_counter() - start
        history.epochs.append(row)
        if verbose:
            line = f"epoch {epoch:>2}/{epochs}  loss {row['loss']:.4f}  acc {row['accuracy']:.2%}"
            if val_data is not None:
                line += f"  val_loss {row['val_loss']:.4f}  val_acc {row['val_accuracy']:.2%}"
            print(line + f"  ({row['seconds']:.1f} s)")
    bar.close()
    return history


# ----------------------------------------------------------------------------- sequence models


def train_gpt(
    model: nn.Module,
    data: torch.Tensor,
    steps: int = 1000,
    batch_size: int = 32,
    lr: float = 3e-3,
    device: str | torch.device = "cpu",
    seed: int = 0,
    log_every: int = 0,
) -> list[float]:
    """Next-character training on random windows of ``data``; returns the loss of every step.

    On the CPU it runs on one thread (fastest for a model this small).
    """
    with single_cpu_thread(device):
        return _train_gpt(model, data, steps, batch_size, lr, device, seed, log_every)


def _train_gpt(model, data, steps, batch_size, lr, device, seed, log_every):
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps + 1)
    generator = torch.Generator().manual_seed(seed)
    losses, started = [], time.perf_counter()
    for step in range(1, steps + 1):
        x, y = lm_batches(data, model.block_size, batch_size, generator)
        logits = model(x.to(device))
        loss = F.cross_entropy(logits.flatten(0, 1), y.to(device).flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if log_every and step % log_every == 0:
            recent = sum(losses[-log_every:]) / log_every
            print(
                f"step {step:>5}/{steps}  loss {recent:.3f}  ({time.perf_counter() - started:.1f} s)"
            )
    model.eval()
    return losses


def train_translator(
    model: nn.Module,
    source: torch.Tensor,
    target: torch.Tensor,
    epochs: int = 10,
    batch_size: int = 128,
    lr: float = 3e-3,
    max_seconds: float | None = None,
    device: str | torch.device = "cpu",
    seed: int = 0,
    verbose: bool = True,
) -> list[float]:
    """Train with teacher forcing and cross-entropy; return the mean loss of each epoch.

    ``target`` holds the output ids without the start symbol; the decoder input is
    the start symbol followed by all but the last target id. Training stops early
    once ``max_seconds`` have passed. The learning rate decays along a cosine.
    On the CPU it runs on one thread (fastest for a model this small).
    """
    with single_cpu_thread(device):
        return _train_translator(
            model,
            source,
            target,
            epochs,
            batch_size,
            lr,
            max_seconds,
            device,
            seed,
            verbose,
        )


def _train_translator(
    model, source, target, epochs, batch_size, lr, max_seconds, device, seed, verbose
):
    model.to(device).train()
    source, target = source.to(device), target.to(device)
    start_ids = torch.ones(len(target), 1, dtype=torch.long, device=device)
    target_in = torch.cat([start_ids, target[:, :-1]], dim=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(source) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed)
    losses, started = [], time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(source), generator=generator).to(device)
        total = 0.0
        for batch in order.split(batch_size):
            logits, _ = model(source[batch], target_in[batch])
            loss = F.cross_entropy(logits.flatten(0, 1), target[batch].flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / len(source))
        elapsed = time.perf_counter() - started
        if verbose:
            print(
                f"epoch {epoch:>2}/{epochs}  loss {losses[-1]:.4f}  ({elapsed:.1f} s)"
            )
        if max_seconds is not None and elapsed > max_seconds:
            break
    model.eval()
    return losses
