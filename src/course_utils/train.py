"""Two training loops with the same options: ``fit`` for classifiers, ``train_steps`` for sequence models.

Every training step does the same five things: **forward** a mini-batch, compute
the **loss**, **zero** the old gradients, **backpropagate**, let the optimizer take
a **step** (then move the learning-rate schedule on). The two loops differ only in
how they count and what they record:

* :func:`fit` makes passes over the data (epochs) and records the loss and
  accuracy of every epoch: the loop for classifiers.
* :func:`train_steps` takes a fixed number of optimizer steps and records the
  loss of every step: the loop for language models and sequence-to-sequence
  models, which are trained by the step, not by the epoch.

Both take the same options, with the same meaning:

* ``device="auto"``: CUDA, then Apple MPS, then the CPU
  (:func:`course_utils.device.pick_device`; ``COURSE_DEVICE`` overrides it).
* ``verbose``: a progress bar while training (unless the environment variable
  ``COURSE_PROGRESS`` is 0, as in automated runs) and **one summary line** at the
  end; ``verbose=False`` is silent. The numbers of every epoch or step are in the
  returned :class:`History`.
* ``time_limit``: stop after this many seconds of **CPU time** of this process
  (``time.process_time()``), checked after every step. CPU time does not grow
  when other programs load the machine, so the same limit gives the same amount
  of work on a busy laptop and an idle one; with several threads it runs faster
  than the wall clock.
* ``val_data`` and ``eval_every``: validation data evaluated every
  ``eval_every`` epochs (``fit``) or steps (``train_steps``), and always at the end.
* ``seed``: the order of the mini-batches. (The initial weights and dropout use
  PyTorch's global generator: seed it before building the model.)
* ``optimizer`` (Adam with learning rate ``lr`` by default) and ``schedule``.
* ``loss_fn(logits, targets)``: by default :func:`cross_entropy_loss`, the
  cross-entropy over the last dimension that ignores targets equal to ``-100``.

**Learning-rate schedules**, stepped after every mini-batch and planned over all
the steps the loop will take (a time limit stops them part way):

* ``"constant"``: the optimizer's learning rate throughout.
* ``"cosine"``: from the learning rate down to zero along half a cosine,
  fast in the middle and slow at both ends.
* ``"onecycle"`` (Smith and Topin's one-cycle policy, PyTorch's ``OneCycleLR``):
  the rate starts at a 25th of the learning rate, climbs along a cosine to the
  full rate over the first 30% of the steps, then falls along a cosine to almost
  zero (a 10,000th of where it started). The slow start lets the weights settle
  before large steps, the large steps in the middle travel fast, and the long
  decay lets the weights settle into a minimum. Like ``OneCycleLR``, it also moves
  the momentum (Adam's ``beta1``) the other way, from 0.95 down to 0.85 and back.

**Data** is a pair of tensors ``(inputs, targets)`` whose first dimensions are the
samples, or a longer tuple ``(x1, x2, ..., targets)`` whose tensors before the
last are all passed to the model, ``model(x1, x2, ...)``, or a ``Dataset``
yielding such tuples. A model may return a tuple (``(logits, state)`` from an
RNN, ``(logits, attention)`` from a translator): its first element is used.

Example:
    >>> import torch
    >>> from torch import nn
    >>> X, y = torch.randn(64, 2), torch.randint(0, 2, (64,))
    >>> history = fit(nn.Linear(2, 2), (X, y), epochs=2, verbose=False, device="cpu")
    >>> len(history.rows), sorted(history.last)
    (2, ['accuracy', 'epoch', 'loss'])
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ._validation import require_choice, require_int, require_positive
from .data.vocab import IGNORE_INDEX
from .device import pick_device, single_cpu_thread

__all__ = [
    "fit",
    "train_steps",
    "evaluate",
    "predict",
    "History",
    "cross_entropy_loss",
    "show_progress",
    "SCHEDULES",
]

Data = tuple[torch.Tensor, ...] | Dataset

#: The learning-rate schedules both loops offer (see the module's docstring).
SCHEDULES = ("constant", "cosine", "onecycle")


@dataclass
class History:
    """What happened during training.

    Attributes:
        rows: one dict of numbers per epoch (:func:`fit`) or per step
            (:func:`train_steps`); validation numbers (``val_loss``, ...) appear in
            the rows where validation ran.
        seconds: wall-clock time of the whole run.
        cpu_seconds: CPU time of the whole run (the unit of ``time_limit``).
        stopped_early: True if the time limit ended the run.
    """

    rows: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    stopped_early: bool = False

    def __getitem__(self, metric: str) -> list[float]:
        """Every recorded value of one metric, e.g. ``history["val_accuracy"]``."""
        values = [row[metric] for row in self.rows if metric in row]
        if not values:
            known = sorted({key for row in self.rows for key in row}) or ["none yet"]
            raise KeyError(
                f"no metric {metric!r} in this history (known: {', '.join(known)})"
            )
        return values

    def series(self, metric: str) -> tuple[list[float], list[float]]:
        """``(x, values)``: the epochs or steps at which ``metric`` was recorded, and its values."""
        values = self[metric]
        x = [row.get("epoch", row.get("step")) for row in self.rows if metric in row]
        return x, values

    @property
    def last(self) -> dict[str, float]:
        """The numbers of the final epoch or step."""
        if not self.rows:
            raise IndexError("the history is empty: no epoch or step has run")
        return self.rows[-1]


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


def cross_entropy_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the last dimension; targets equal to ``-100`` are skipped.

    Works for a classifier's (N, C) logits with (N,) labels and for a sequence
    model's (N, T, V) logits with (N, T) next-token targets alike.

    Example:
        >>> logits = torch.zeros(2, 3, 4)
        >>> round(cross_entropy_loss(logits, torch.tensor([[1, 2, -100], [0, 3, 1]])).item(), 4)
        1.3863
    """
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
    )


# ----------------------------------------------------------------------------- the loops


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
    loss_fn: Callable = cross_entropy_loss,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    device: str | torch.device = "auto",
    amp: bool = True,
    seed: int = 0,
    time_limit: float | None = None,
    eval_every: int = 1,
    single_thread: bool = False,
    verbose: bool = True,
) -> History:
    """Train a classifier for some epochs; return a :class:`History` with one row per epoch.

    Args:
        model: the network; it is moved to ``device`` and left in eval mode.
        train_data, val_data: ``(inputs, targets)`` tensors or a Dataset (see the module).
        epochs: passes over the training data.
        lr: learning rate of the default optimizer, Adam.
        batch_size: samples per step.
        optimizer: use this optimizer instead of Adam(lr).
        schedule: ``"constant"``, ``"cosine"`` or ``"onecycle"`` (see the module).
        loss_fn: ``loss_fn(logits, targets)``.
        augment: applied to each training batch of inputs (on the device) before the model.
        device: ``"auto"`` or a device name.
        amp: bfloat16 mixed precision on CUDA (nothing elsewhere).
        seed: seeds the shuffling of the batches.
        time_limit: stop after this many seconds of CPU time (the epoch under way
            is recorded as far as it got).
        eval_every: evaluate ``val_data`` every this many epochs (and after the last).
        single_thread: train on one CPU thread (fastest for very small models).
        verbose: a progress bar and one summary line; False is silent.

    Each row holds ``epoch``, ``loss`` and ``accuracy`` (the means over the epoch's
    batches, measured while the weights changed), and ``val_loss`` and
    ``val_accuracy`` when validation ran.
    """
    who = "fit"
    train_data = _check_data(train_data, who, "train_data")
    val_data = None if val_data is None else _check_data(val_data, who, "val_data")
    require_int(who, "epochs", epochs, minimum=1)
    require_int(who, "batch_size", batch_size, minimum=1)
    require_int(who, "eval_every", eval_every, minimum=1)
    steps_per_epoch = math.ceil(_length(train_data) / batch_size)
    run = _Run(
        who,
        model,
        epochs * steps_per_epoch,
        optimizer=optimizer,
        lr=lr,
        schedule=schedule,
        loss_fn=loss_fn,
        device=device,
        amp=amp,
        seed=seed,
        time_limit=time_limit,
        single_thread=single_thread,
        verbose=verbose,
    )
    with run:
        for epoch in range(1, epochs + 1):
            tally = _Tally()
            for batch in _batches(train_data, batch_size, run.generator):
                tally.add(*run.step(batch, augment))
                if run.out_of_time():
                    break
            row = {"epoch": epoch, **tally.metrics()}
            if val_data is not None and (
                epoch % eval_every == 0 or epoch == epochs or run.stopped_early
            ):
                row.update(run.validate(val_data))
            run.record(row)
            if run.stopped_early:
                break
    return run.history


def train_steps(
    model: nn.Module,
    train_data: Data,
    val_data: Data | None = None,
    *,
    steps: int = 1000,
    lr: float = 1e-3,
    batch_size: int = 32,
    optimizer: torch.optim.Optimizer | None = None,
    schedule: str = "constant",
    loss_fn: Callable = cross_entropy_loss,
    device: str | torch.device = "auto",
    amp: bool = False,
    seed: int = 0,
    time_limit: float | None = None,
    eval_every: int | None = None,
    single_thread: bool = True,
    verbose: bool = True,
) -> History:
    """Train a language or sequence-to-sequence model for ``steps`` optimizer steps.

    The mini-batches are drawn from ``train_data`` in a new random order on every
    pass. For a language model, ``train_data`` is
    :func:`course_utils.data.lm_windows` of a token stream; for a translator with
    teacher forcing, ``(source, decoder_input, target)`` (see
    :func:`course_utils.data.encode_pairs`).

    Args:
        steps: optimizer steps (mini-batches) to take.
        eval_every: evaluate ``val_data`` every this many steps; None: only after the
            last step.
        amp: bfloat16 mixed precision on CUDA; off by default, because recurrent
            layers accept bfloat16 only with recent cuDNN versions and models this
            small gain nothing from it.
        single_thread: on the CPU, train on one thread (on by default: for models
            this small, one thread is faster than several that wait for each other).

    The other arguments are those of :func:`fit`. Each row of the returned
    :class:`History` holds ``step``, ``loss`` (of that step's batch) and ``lr``
    (the learning rate used), plus ``val_loss`` and ``val_accuracy`` (per token)
    where validation ran. The model is left in eval mode.

    Example:
        >>> from course_utils.data import lm_windows
        >>> from course_utils.models import TinyGPT
        >>> ids = torch.arange(200) % 5  # 0 1 2 3 4 0 1 2 ...: easy to predict
        >>> model = TinyGPT(5, block_size=8, d_model=16, n_head=2, n_layer=1)
        >>> history = train_steps(model, lm_windows(ids, 8), steps=60, lr=1e-2,
        ...                       device="cpu", verbose=False)
        >>> history["loss"][-1] < 0.5 < history["loss"][0]
        True
    """
    who = "train_steps"
    train_data = _check_data(train_data, who, "train_data")
    val_data = None if val_data is None else _check_data(val_data, who, "val_data")
    require_int(who, "steps", steps, minimum=1)
    require_int(who, "batch_size", batch_size, minimum=1)
    if eval_every is not None:
        require_int(who, "eval_every", eval_every, minimum=1)
    run = _Run(
        who,
        model,
        steps,
        optimizer=optimizer,
        lr=lr,
        schedule=schedule,
        loss_fn=loss_fn,
        device=device,
        amp=amp,
        seed=seed,
        time_limit=time_limit,
        single_thread=single_thread,
        verbose=verbose,
    )

    def endless() -> Iterator[tuple[torch.Tensor, ...]]:
        while True:  # pass after pass, each in a new order
            yield from _batches(train_data, batch_size, run.generator)

    with run:
        for step, batch in zip(range(1, steps + 1), endless()):
            lr_used = run.optimizer.param_groups[0]["lr"]
            loss, _, _ = run.step(batch)
            row = {"step": step, "loss": loss, "lr": lr_used}
            last = step == steps or run.out_of_time()
            if val_data is not None and (
                last or (eval_every is not None and step % eval_every == 0)
            ):
                row.update(run.validate(val_data))
            run.record(row)
            if last:
                break
    return run.history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data: Data,
    loss_fn: Callable = cross_entropy_loss,
    batch_size: int = 512,
    device: str | torch.device = "auto",
    amp: bool = True,
) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` on ``data`` (no gradients, eval mode).

    For sequence models the accuracy is per token, over the targets that are not -100.
    It is left out when the targets are not class ids (a regression, say).

    Example:
        >>> import torch
        >>> evaluate(torch.nn.Linear(2, 2), (torch.randn(8, 2), torch.zeros(8, dtype=torch.long)),
        ...          device="cpu").keys()
        dict_keys(['loss', 'accuracy'])
    """
    who = "evaluate"
    data = _check_data(data, who, "data")
    require_int(who, "batch_size", batch_size, minimum=1)
    device = pick_device(device)
    model.to(device).eval()
    tally = _Tally()
    for batch in _batches(data, batch_size, generator=None):
        logits, targets = _forward(model, batch, device, amp)
        tally.add(loss_fn(logits, targets).item(), logits, targets)
    return tally.metrics()


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
        raise TypeError(
            f"predict: inputs must be a tensor, got {type(inputs).__name__}"
        )
    require_int("predict", "batch_size", batch_size, minimum=1)
    device = pick_device(device)
    model.to(device).eval()
    outputs = []
    for batch in inputs.split(batch_size):
        output = model(batch.to(device))
        outputs.append(
            (output[0] if isinstance(output, tuple) else output).float().cpu()
        )
    return torch.cat(outputs)


# ----------------------------------------------------------------------------- the machinery


class _Run:
    """What both loops share: device, optimizer, schedule, one step, timing, progress, summary."""

    def __init__(
        self,
        who,
        model,
        total_steps,
        *,
        optimizer,
        lr,
        schedule,
        loss_fn,
        device,
        amp,
        seed,
        time_limit,
        single_thread,
        verbose,
    ):
        if not isinstance(model, nn.Module):
            raise TypeError(
                f"{who}: model must be an nn.Module, got {type(model).__name__}"
            )
        if optimizer is None:
            require_positive(who, "lr", lr)
        elif not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"{who}: optimizer must be a torch.optim.Optimizer (or None for Adam), "
                f"got {type(optimizer).__name__}"
            )
        require_choice(who, "schedule", schedule, SCHEDULES)
        if not callable(loss_fn):
            raise TypeError(f"{who}: loss_fn must be callable, got {loss_fn!r}")
        require_int(who, "seed", seed, minimum=0)
        if time_limit is not None:
            require_positive(who, "time_limit", time_limit)
        self.who, self.model, self.total_steps = who, model, total_steps
        self.loss_fn, self.amp, self.time_limit = loss_fn, amp, time_limit
        self.single_thread, self.verbose = single_thread, verbose
        self.device = pick_device(device)
        model.to(self.device)
        self.optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
        self.scheduler = _scheduler(self.optimizer, schedule, total_steps)
        self.generator = torch.Generator().manual_seed(seed)
        self.history = History()
        self.steps_done = 0
        self._stack = contextlib.ExitStack()

    @property
    def stopped_early(self) -> bool:
        return self.history.stopped_early

    def __enter__(self) -> _Run:
        if self.single_thread:
            self._stack.enter_context(single_cpu_thread(self.device))
        from tqdm.auto import tqdm  # here: the notebook flavour needs a running kernel

        self.bar = self._stack.enter_context(
            tqdm(
                total=self.total_steps,
                disable=not (self.verbose and show_progress()),
                leave=False,
            )
        )
        self.model.train()
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        return self

    def step(self, batch, augment=None) -> tuple[float, torch.Tensor, torch.Tensor]:
        """One optimizer step on ``batch``; returns its loss, logits and targets."""
        logits, targets = _forward(self.model, batch, self.device, self.amp, augment)
        loss = self.loss_fn(logits, targets)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(
                f"{self.who}: the loss became {value} at step {self.steps_done + 1}: "
                "the learning rate is probably too high (or the data hold NaN)"
            )
        self.steps_done += 1
        self.bar.update()
        self.bar.set_postfix(loss=f"{value:.3f}", refresh=False)
        return value, logits.detach(), targets

    def out_of_time(self) -> bool:
        if self.time_limit is not None and not self.history.stopped_early:
            if time.process_time() - self.cpu_started > self.time_limit:
                self.history.stopped_early = True
        return self.history.stopped_early

    def validate(self, val_data) -> dict[str, float]:
        metrics = evaluate(
            self.model, val_data, self.loss_fn, device=self.device, amp=self.amp
        )
        self.model.train()
        return {f"val_{name}": value for name, value in metrics.items()}

    def record(self, row: dict[str, float]) -> None:
        self.history.rows.append(row)

    def __exit__(self, *exc_info) -> None:
        self._stack.close()
        if self.steps_done == self.total_steps:  # the limit struck after the last step
            self.history.stopped_early = False
        self.model.eval()
        self.history.seconds = time.perf_counter() - self.started
        self.history.cpu_seconds = time.process_time() - self.cpu_started
        if self.verbose and exc_info[0] is None:
            print(self.summary())

    def summary(self) -> str:
        """One line: how far training got, the final numbers, and the time it took."""
        history, last = self.history, self.history.last
        if "epoch" in last:
            done = f"{last['epoch']} epochs"
            numbers = {k: v for k, v in last.items() if k != "epoch"}
        else:  # the loss of one batch is noisy: average the last tenth of the steps
            recent = history["loss"][-max(1, len(history.rows) // 10) :]
            done = f"{last['step']} steps"
            numbers = {
                f"loss (mean of the last {len(recent)})": sum(recent) / len(recent)
            }
            numbers.update({k: v for k, v in last.items() if k.startswith("val_")})
        shown = ", ".join(
            f"{name} {value:.2%}" if "accuracy" in name else f"{name} {value:.4f}"
            for name, value in numbers.items()
        )
        stopped = (
            f" (stopped by time_limit={self.time_limit:g} s of CPU time)"
            if history.stopped_early
            else ""
        )
        return (
            f"{self.who}: {done}{stopped}; {shown}; "
            f"{history.seconds:.1f} s ({history.cpu_seconds:.1f} s of CPU time)"
        )


class _Tally:
    """Running sums for a mean loss and an accuracy over batches of different sizes."""

    def __init__(self) -> None:
        self.loss, self.correct, self.count, self.classified = 0.0, 0, 0, True

    def add(self, loss: float, logits: torch.Tensor, targets: torch.Tensor) -> None:
        classes = not targets.is_floating_point() and logits.shape[:-1] == targets.shape
        if classes:
            counted = targets != IGNORE_INDEX
            count = int(counted.sum())
            self.correct += int(((logits.argmax(-1) == targets) & counted).sum())
        else:
            count = len(targets)
        self.classified &= classes
        if count:  # a batch of padding only has no loss (its mean over nothing is NaN)
            self.loss += loss * count
            self.count += count

    def metrics(self) -> dict[str, float]:
        if self.count == 0:
            return {"loss": math.nan}
        metrics = {"loss": self.loss / self.count}
        if self.classified:
            metrics["accuracy"] = self.correct / self.count
        return metrics


def _forward(model, batch, device, amp, augment=None):
    """Logits (float32) and targets of one batch: ``model(*inputs)``, first output if a tuple."""
    *inputs, targets = (t.to(device) for t in batch)
    if augment is not None:
        inputs[0] = augment(inputs[0])
    with _autocast(device, amp):
        outputs = model(*inputs)
    logits = outputs[0] if isinstance(outputs, tuple) else outputs
    return logits.float(), targets


def _autocast(device: torch.device, amp: bool):
    """bfloat16 autocast on CUDA (no loss scaling needed); a no-op elsewhere."""
    enabled = amp and device.type == "cuda"
    return torch.autocast(
        device_type=device.type, dtype=torch.bfloat16, enabled=enabled
    )


def _scheduler(optimizer: torch.optim.Optimizer, schedule: str, total_steps: int):
    """A per-batch learning-rate scheduler, or None for a constant rate."""
    if schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    if schedule == "onecycle":
        max_lr = [group["lr"] for group in optimizer.param_groups]
        # One more step than we take: PyTorch's schedule reaches its minimum on its last
        # step index, and stepping *past* it (our final, unused step) would wrap around.
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr, total_steps=total_steps + 1
        )
    return None


def _check_data(data: object, who: str, name: str) -> Data:
    """A non-empty tuple of tensors of equal length (>= 2 of them), or a non-empty Dataset."""
    if isinstance(data, tuple):
        if len(data) < 2 or not all(isinstance(t, torch.Tensor) for t in data):
            kinds = ", ".join(type(t).__name__ for t in data)
            raise TypeError(
                f"{who}: {name} must be a Dataset or a tuple of tensors (inputs, targets), "
                f"got a tuple of {len(data)} ({kinds})"
            )
        if any(t.dim() == 0 for t in data):
            raise ValueError(
                f"{who}: {name} tensors need a first dimension of samples, got shapes "
                f"{[tuple(t.shape) for t in data]}"
            )
        lengths = {len(t) for t in data}
        if len(lengths) > 1:
            raise ValueError(
                f"{who}: the tensors of {name} differ in length: "
                f"{[tuple(t.shape) for t in data]}"
            )
    elif not isinstance(data, Dataset):
        raise TypeError(
            f"{who}: {name} must be a Dataset or a tuple of tensors (inputs, targets), "
            f"got {type(data).__name__}"
        )
    if _length(data) == 0:
        raise ValueError(f"{who}: {name} is empty: expected at least one sample, got 0")
    return data


def _length(data: Data) -> int:
    return len(data[0]) if isinstance(data, tuple) else len(data)


def _batches(
    data: Data, batch_size: int, generator: torch.Generator | None
) -> Iterator[tuple[torch.Tensor, ...]]:
    """One pass over ``data`` in mini-batches; in a random order if a generator is given."""
    if isinstance(data, tuple):
        n = len(data[0])
        order = (
            torch.randperm(n, generator=generator) if generator is not None else None
        )
        for start in range(0, n, batch_size):
            if order is None:
                yield tuple(t[start : start + batch_size] for t in data)
            else:
                rows = order[start : start + batch_size]
                yield tuple(t[rows] for t in data)
    else:
        yield from DataLoader(
            data,
            batch_size=batch_size,
            shuffle=generator is not None,
            generator=generator,
        )


# ----------------------------------------------------------------------------- deprecated


def _train_gpt(
    model, data, steps=1000, batch_size=32, lr=3e-3, device="cpu", seed=0, log_every=0
):
    from .data.language import lm_windows

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    windows = lm_windows(data, model.block_size)
    history = train_steps(
        model,
        windows,
        steps=steps,
        batch_size=batch_size,
        optimizer=optimizer,
        schedule="onecycle",
        device=device,
        seed=seed,
        verbose=bool(log_every),
    )
    return history["loss"]


def _train_translator(
    model,
    source,
    target,
    epochs=10,
    batch_size=128,
    lr=3e-3,
    max_seconds=None,
    device="cpu",
    seed=0,
    verbose=True,
):
    start = torch.ones(len(target), 1, dtype=torch.long)  # id 1: the start token
    decoder_input = torch.cat([start, target[:, :-1]], dim=1)
    steps_per_epoch = math.ceil(len(source) / batch_size)
    history = train_steps(
        model,
        (source, decoder_input, target),
        steps=epochs * steps_per_epoch,
        batch_size=batch_size,
        lr=lr,
        schedule="cosine",
        device=device,
        seed=seed,
        time_limit=max_seconds,
        verbose=verbose,
    )
    losses = history["loss"]
    return [
        sum(losses[i : i + steps_per_epoch]) / len(losses[i : i + steps_per_epoch])
        for i in range(0, len(losses), steps_per_epoch)
    ]


_DEPRECATED = {
    "train_gpt": (_train_gpt, "train_steps(model, lm_windows(ids, block_size), ...)"),
    "train_translator": (
        _train_translator,
        "train_steps(model, encode_pairs(...), schedule='cosine', ...)",
    ),
}


def __getattr__(name: str):
    """``train_gpt`` and ``train_translator`` (before 0.2) still work, with a warning."""
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    function, replacement = _DEPRECATED[name]
    warnings.warn(
        f"course_utils.train.{name} is deprecated and will be removed in course_utils "
        f"0.3: use {replacement}",
        DeprecationWarning,
        stacklevel=2,
    )
    return function


# ----------------------------------------------------------------------------- large batches


def accumulate_gradients(
    model: nn.Module,
    micro_batches: list[tuple[torch.Tensor, torch.Tensor]],
    loss_fn: Callable = cross_entropy_loss,
) -> float:
    """Backpropagate a large batch in pieces: the gradients add up to the whole batch's.

    Each micro-batch ``(inputs, targets)`` is run forward and backward on its own,
    so only its activations are in memory at a time. Its mean loss is weighted by
    its share of the examples, ``n_i / N``, so that the gradients, which
    ``backward`` adds into ``.grad``, sum to the gradient of the mean loss over all
    ``N`` examples: what one pass over the whole batch would give. (Dividing
    every micro-batch by their count instead is right only if they are the same
    size.) Zero the gradients before, step the optimizer after.

    Returns the mean loss over all the examples.

    Example:
        >>> model = nn.Linear(3, 2)
        >>> x, y = torch.randn(10, 3), torch.randint(0, 2, (10,))
        >>> loss = accumulate_gradients(model, [(x[:4], y[:4]), (x[4:], y[4:])])
        >>> whole = torch.autograd.grad(cross_entropy_loss(model(x), y), model.weight)[0]
        >>> torch.allclose(model.weight.grad, whole, atol=1e-6)
        True
    """
    who = "accumulate_gradients"
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{who}: model must be an nn.Module, got {type(model).__name__}"
        )
    batches = list(micro_batches)
    if not batches:
        raise ValueError(f"{who}: micro_batches is empty")
    for index, batch in enumerate(batches):
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise TypeError(
                f"{who}: micro-batch {index} must be a pair (inputs, targets)"
            )
    total = sum(len(inputs) for inputs, _ in batches)
    if total == 0:
        raise ValueError(f"{who}: the micro-batches hold no examples")
    mean = 0.0
    for inputs, targets in batches:
        if len(inputs) == 0:
            continue
        output = model(inputs)
        output = output[0] if isinstance(output, tuple) else output
        loss = loss_fn(output, targets) * (len(inputs) / total)
        loss.backward()
        mean += loss.item()
    return mean


__all__ += ["accumulate_gradients"]
