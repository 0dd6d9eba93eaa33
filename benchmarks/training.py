"""Training throughput (samples per second) of each chapter's main model.

Each workload builds a model on a device and one batch of realistic inputs, and
returns a function that computes that batch's loss. :func:`throughput` times full
training steps (forward, loss, backward, Adam step). On CUDA the speed-up over
the CPU is reported too.

On the CPU each model is timed with the threads the course trains it with: the
models trained by ``fit`` (and the notebooks' own loops) use PyTorch's default,
one thread per core; the small sequence models trained by ``train_steps``
run on one thread (:func:`course_utils.device.single_cpu_thread`),
which is faster for models that small. The unit tests check that the two agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

import course_utils.models as course_models
from course_utils.device import single_cpu_thread
from course_utils.timing import synchronize

from . import sampling


@dataclass
class Workload:
    model: nn.Module
    loss: Callable[[], torch.Tensor]  # the loss of one fixed batch
    batch_size: int
    one_thread: bool = False  # trained on one CPU thread (train_steps' default)


def _lenet(device: torch.device) -> Workload:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(64, 1, 28, 28, generator=generator).to(device)
    labels = torch.randint(0, 10, (64,), generator=generator).to(device)
    model = course_models.LeNet().to(device)
    return Workload(model, lambda: F.cross_entropy(model(images), labels), 64)


def _char_rnn(device: torch.device) -> Workload:
    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 28, (64, 13), generator=generator).to(device)
    model = course_models.CharRNN(28, hidden_size=64, cell="gru").to(device)

    def loss() -> torch.Tensor:
        logits, _ = model(tokens[:, :-1])  # predict every next character
        return F.cross_entropy(logits.reshape(-1, 28), tokens[:, 1:].reshape(-1))

    return Workload(model, loss, 64)


def _mlp(device: torch.device) -> Workload:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(64, 784, generator=generator).to(device)
    labels = torch.randint(0, 10, (64,), generator=generator).to(device)
    model = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    ).to(device)
    return Workload(model, lambda: F.cross_entropy(model(images), labels), 64)


def _tiny_gpt(device: torch.device) -> Workload:
    generator = torch.Generator().manual_seed(0)
    vocab, block = 28, 32
    ids = torch.randint(0, vocab, (64, block + 1), generator=generator).to(device)
    model = course_models.TinyGPT(
        vocab, block_size=block, d_model=64, n_head=4, n_layer=2
    )
    model = model.to(device)

    def loss() -> torch.Tensor:
        logits = model(ids[:, :-1])  # every position predicts the next token
        return F.cross_entropy(logits.reshape(-1, vocab), ids[:, 1:].reshape(-1))

    return Workload(model, loss, 64, one_thread=True)  # trained by train_steps


WORKLOADS: dict[str, Callable[[torch.device], Workload]] = {
    "Foundations, optimizers: MLP 784-128-64-10, batch 64": _mlp,
    "CNN: LeNet, 28x28 digits, batch 64": _lenet,
    "RNN: character-level GRU, 12 characters, batch 64": _char_rnn,
    "Attention: tiny GPT, 2 layers, 32 tokens, batch 64": _tiny_gpt,
}


def threads(workload: Workload, device: torch.device):
    """The thread setting the course trains ``workload`` with (a context manager)."""
    return (
        single_cpu_thread(device) if workload.one_thread else contextlib.nullcontext()
    )


def throughput(
    name: str, device: torch.device, rounds: int = 30, warmup: int = 3
) -> dict:
    """Training samples per second of workload ``name`` on ``device``.

    Times ``rounds`` single training steps after ``warmup`` untimed ones. Returns
    ``samples_per_s`` (the median), ``spread`` (:class:`benchmarks.sampling.Spread`
    as a dict) and ``threads``, the CPU threads PyTorch used.
    """
    torch.manual_seed(0)
    workload = WORKLOADS[name](device)
    optimizer = torch.optim.Adam(workload.model.parameters(), lr=1e-3)

    def step() -> None:
        optimizer.zero_grad()
        workload.loss().backward()
        optimizer.step()

    with threads(workload, device):
        used = torch.get_num_threads()
        for _ in range(warmup):
            step()
        sync = partial(synchronize, device)
        seconds = sampling.interleaved({name: step}, rounds, sync=sync)[name]
    spread = sampling.Spread.of(seconds).inverted(workload.batch_size)
    return {"samples_per_s": spread.median, "spread": spread.as_dict(), "threads": used}


def training_rows(devices: list[torch.device]) -> list[dict]:
    rows = []
    for name in WORKLOADS:
        row = {"model": name}
        for device in devices:
            result = throughput(name, device)
            row[f"{device.type}_samples_per_s"] = result["samples_per_s"]
            row[f"{device.type}_spread"] = result["spread"]
            if device.type == "cpu":
                row["cpu_threads"] = result["threads"]
        if "cuda_samples_per_s" in row:
            row["speedup"] = row["cuda_samples_per_s"] / row["cpu_samples_per_s"]
        print(
            f"  {name}: {row['cpu_samples_per_s']:,.0f} samples/s on the CPU "
            f"({row['cpu_threads']} CPU threads)"
        )
        rows.append(row)
    return rows
