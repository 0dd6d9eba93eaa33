"""Data-parallel training of the tiny GPT on several processes, checked against one process.

Each rank holds a full copy of the model and takes its share of every global
batch. ``DistributedDataParallel`` (DDP) all-reduces the gradients during the
backward pass (in buckets, overlapping with the computation) and divides them
by the number of ranks, so every rank applies the same averaged gradient: the
gradient of the mean loss over the whole batch. The ranks stay identical, and
the training equals that of one process on the combined batch.

Run it: ``python -m torch.distributed.run --nproc-per-node 2 --standalone -m
course_utils.distributed.ddp_tiny_gpt [--steps S] [--batch B]``. The ranks train
for ``S`` steps on global batches of ``B`` windows of the census first names;
rank 0 then trains a plain copy on the same global batches in one process and
compares the weights. Last, it measures what the communication costs: a
training step with DDP against the same step on one rank's share without any
communication, and one all-reduce of all the gradients.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from ..data import lm_windows, names_corpus
from ..models import TinyGPT
from . import init, median_seconds, report, say

__all__ = ["build", "global_batches", "train", "main"]


def build(seed: int, d_model: int, n_layer: int, vocab_size: int, block_size: int):
    """The same TinyGPT and AdamW on every rank (same seed, same initial weights)."""
    torch.manual_seed(seed)
    model = TinyGPT(vocab_size, block_size, d_model=d_model, n_head=4, n_layer=n_layer)
    return model


def optimizer_for(model: torch.nn.Module) -> torch.optim.Optimizer:
    return torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)


def global_batches(steps: int, batch: int, block_size: int, seed: int):
    """``steps`` global batches of (inputs, targets), identical on every rank."""
    vocab, train_text, _ = names_corpus(seed=0)
    inputs, targets = lm_windows(vocab.encode(train_text), block_size)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        rows = torch.randint(0, len(inputs), (batch,), generator=generator)
        yield inputs[rows], targets[rows]


def loss_of(model, x, y) -> torch.Tensor:
    logits = model(x)
    return F.cross_entropy(logits.flatten(0, 1), y.flatten())


def train(model, optimizer, batches, rank: int = 0, world: int = 1, device="cpu"):
    """Train on each global batch; each rank uses rows ``rank::world`` of it."""
    losses = []
    for x, y in batches:
        x, y = x[rank::world].to(device), y[rank::world].to(device)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(model, x, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The options shared by the DDP and FSDP scripts: steps, batch and the model's size."""
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--batch", type=int, default=32, help="global batch (all ranks)"
    )
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--block", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_arguments(parser)
    parser.add_argument("--repeats", type=int, default=5, help="timed steps")
    args = parser.parse_args(argv)
    rank, world, device = init()
    if args.batch % world:
        raise SystemExit(f"--batch {args.batch} must be divisible by the {world} ranks")
    vocab_size = len(names_corpus(seed=0)[0])
    shape = (args.seed, args.d_model, args.layers, vocab_size, args.block)

    model = build(*shape).to(device)
    initial = [p.detach().clone() for p in model.parameters()]
    ddp = DistributedDataParallel(model)

    # One backward pass first: DDP's averaged gradient against the full batch's gradient.
    x, y = next(global_batches(1, args.batch, args.block, args.seed + 2))
    loss_of(ddp, x[rank::world].to(device), y[rank::world].to(device)).backward()
    gradient_difference = 0.0
    if rank == 0:
        single = build(*shape).to(device)
        loss_of(single, x.to(device), y.to(device)).backward()
        gradient_difference = max(
            (a.grad - b.grad).abs().max().item()
            for a, b in zip(model.parameters(), single.parameters())
        )
    ddp.zero_grad(set_to_none=True)

    optimizer = optimizer_for(ddp)
    start = time.perf_counter()
    losses = train(ddp, optimizer, global_batches(args.steps, args.batch, args.block,
                                                  args.seed), rank, world, device)  # fmt: skip
    seconds = time.perf_counter() - start
    say(rank, f"{args.steps} DDP steps on {args.batch // world} of every "
          f"{args.batch} windows: loss {losses[0]:.3f} -> {losses[-1]:.3f}")  # fmt: skip

    # Are the ranks still identical? Gather every rank's weights on rank 0.
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    gathered = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    ranks_differ = max((g - gathered[0]).abs().max().item() for g in gathered)

    # Measure the communication: a DDP step, the same step with no gradient
    # all-reduce (``no_sync``) and one all-reduce of every gradient.
    x, y = next(global_batches(1, args.batch, args.block, args.seed + 1))
    x, y = x[rank::world].to(device), y[rank::world].to(device)

    def step(sync: bool) -> None:
        ddp.zero_grad(set_to_none=True)
        if sync:
            loss_of(ddp, x, y).backward()
        else:
            with ddp.no_sync():
                loss_of(ddp, x, y).backward()

    step(True)
    with_sync = median_seconds(lambda: step(True), args.repeats)
    without = median_seconds(lambda: step(False), args.repeats)
    gradients = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    all_reduce = median_seconds(
        lambda: dist.all_reduce(gradients.clone()), args.repeats
    )

    if rank == 0:
        reference = build(*shape).to(device)
        reference_losses = train(
            reference, optimizer_for(reference),
            global_batches(args.steps, args.batch, args.block, args.seed), device=device,
        )  # fmt: skip
        difference = max(
            (a.detach() - b.detach()).abs().max().item()
            for a, b in zip(model.parameters(), reference.parameters())
        )
        moved = max(
            (a.detach() - b).abs().max().item()
            for a, b in zip(model.parameters(), initial)
        )
        n_bytes = gradients.numel() * gradients.element_size()
        say(0, f"first step: DDP's averaged gradient vs the whole batch's gradient: "
              f"largest difference {gradient_difference:.1e}")  # fmt: skip
        say(0, f"one process on the whole batches: loss {reference_losses[0]:.3f} -> "
              f"{reference_losses[-1]:.3f}; largest weight difference from DDP "
              f"{difference:.1e}")  # fmt: skip
        say(0, f"step with gradient all-reduce {with_sync * 1000:.1f} ms, without "
              f"{without * 1000:.1f} ms; all-reduce of {n_bytes / 1e6:.2f} MB of gradients "
              f"{all_reduce * 1000:.1f} ms ({dist.get_backend()})")  # fmt: skip
        report({
            "world": world, "backend": dist.get_backend(), "steps": args.steps,
            "global_batch": args.batch, "parameters": gradients.numel(),
            "gradient_bytes": n_bytes, "train_seconds": seconds,
            "first_loss": losses[0], "last_loss": losses[-1],
            "reference_last_loss": reference_losses[-1],
            "max_weight_difference": difference, "ranks_differ": ranks_differ,
            "max_gradient_difference": gradient_difference, "max_weight_change": moved,
            "step_seconds": with_sync, "step_seconds_no_sync": without,
            "all_reduce_seconds": all_reduce,
        })  # fmt: skip
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
