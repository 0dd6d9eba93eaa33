"""Training throughput (samples per second) of each chapter's main model.

Each entry builds the model, one batch of realistic inputs and targets, and the
loss; :func:`throughput` times full training steps (forward, loss, backward,
optimizer step) on a device. On CUDA the speed-up over the CPU is reported.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.nn import LeNet
from course_utils.timing import measure

# name -> (build: () -> (model, inputs, targets), loss)
Workload = tuple[Callable[[], tuple[nn.Module, torch.Tensor, torch.Tensor]], Callable]


def _lenet() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(64, 1, 28, 28, generator=generator)
    return LeNet(), images, torch.randint(0, 10, (64,), generator=generator)


WORKLOADS: dict[str, Workload] = {
    "CNN: LeNet on 28x28 digits, batch 64": (_lenet, F.cross_entropy),
}


def throughput(name: str, device: torch.device, repeat: int = 20) -> float:
    """Training samples per second of workload ``name`` on ``device``."""
    build, loss_fn = WORKLOADS[name]
    torch.manual_seed(0)
    model, inputs, targets = build()
    model, inputs, targets = model.to(device), inputs.to(device), targets.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()

    timing = measure(step, repeat=repeat, warmup=3, device=device)
    return len(inputs) / timing.median


def training_rows(devices: list[torch.device]) -> list[dict]:
    rows = []
    for name in WORKLOADS:
        row = {"model": name}
        for device in devices:
            row[f"{device.type}_samples_per_s"] = throughput(name, device)
        if "cuda_samples_per_s" in row:
            row["speedup"] = row["cuda_samples_per_s"] / row["cpu_samples_per_s"]
        print(f"  {name}: {row['cpu_samples_per_s']:,.0f} samples/s on the CPU")
        rows.append(row)
    return rows
