"""Sharded data parallelism (FSDP2, ``fully_shard``) of the tiny GPT, checked against one process.

Plain data parallelism keeps a full copy of the weights, gradients and optimizer
state on every rank. Fully sharded data parallelism (FSDP, ZeRO stage 3) keeps
only ``1/n`` of each on each rank: before a block computes, its weights are
gathered from all ranks (all-gather) and freed right after; its gradients are
summed and scattered so that each rank keeps the share of the parameters it owns
(reduce-scatter); each rank's optimizer updates only its own share.

Run it: ``python -m torch.distributed.run --nproc-per-node 2 --standalone -m
course_utils.distributed.fsdp_tiny_gpt [--steps S] [--batch B]``. The ranks train
as in :mod:`.ddp_tiny_gpt`; each reports what it stores; rank 0 gathers the full
weights and compares them with one process trained on the combined batches.
"""

from __future__ import annotations

import argparse
import time
import warnings

import torch.distributed as dist

from ..data import names_corpus
from . import init, report, say
from .ddp_tiny_gpt import (
    add_model_arguments,
    build,
    global_batches,
    optimizer_for,
    train,
)

__all__ = ["main", "local_bytes"]


def local_bytes(tensors) -> int:
    """Bytes this rank stores for these tensors (its shard, for a sharded DTensor)."""
    total = 0
    for tensor in tensors:
        local = tensor.to_local() if hasattr(tensor, "to_local") else tensor
        total += local.numel() * local.element_size()
    return total


def main(argv: list[str] | None = None) -> None:
    from torch.distributed.fsdp import fully_shard

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_arguments(parser)
    args = parser.parse_args(argv)
    # FSDP warns that the model returns a view; nothing here writes to it in place.
    warnings.filterwarnings("ignore", message=".*returned a view tensor.*")
    rank, world, device = init()
    vocab_size = len(names_corpus(seed=0)[0])
    shape = (args.seed, args.d_model, args.layers, vocab_size, args.block)

    model = build(*shape).to(device)
    full_bytes = local_bytes(model.parameters())
    for block in model.blocks:  # each block is gathered, used and freed on its own
        fully_shard(block)
    fully_shard(model)  # the embeddings, the final norm and the head
    shard_bytes = local_bytes(model.parameters())
    optimizer = optimizer_for(model)
    start = time.perf_counter()
    losses = train(model, optimizer, global_batches(args.steps, args.batch, args.block,
                                                    args.seed), rank, world, device)  # fmt: skip
    seconds = time.perf_counter() - start
    state_bytes = local_bytes(
        v for s in optimizer.state.values() for k, v in s.items() if k != "step"
    )
    say(rank, f"holds {shard_bytes / 1e3:.0f} kB of the {full_bytes / 1e3:.0f} kB of weights "
              f"and {state_bytes / 1e3:.0f} kB of Adam state; loss {losses[0]:.3f} -> "
              f"{losses[-1]:.3f}")  # fmt: skip

    full = {name: p.full_tensor() for name, p in model.named_parameters()}  # all-gather
    if rank == 0:
        reference = build(*shape).to(device)
        train(reference, optimizer_for(reference),
              global_batches(args.steps, args.batch, args.block, args.seed), device=device)  # fmt: skip
        difference = max(
            (full[name].detach() - p.detach()).abs().max().item()
            for name, p in reference.named_parameters()
        )
        say(0, f"gathered weights vs one process on the whole batches: largest difference "
               f"{difference:.1e}")  # fmt: skip
        report({
            "world": world, "backend": dist.get_backend(), "steps": args.steps,
            "full_bytes": full_bytes, "shard_bytes": shard_bytes,
            "adam_state_bytes": state_bytes, "first_loss": losses[0],
            "last_loss": losses[-1], "max_weight_difference": difference,
            "train_seconds": seconds,
        })  # fmt: skip
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
