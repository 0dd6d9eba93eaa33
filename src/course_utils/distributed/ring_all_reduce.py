"""All-reduce written by hand: a ring of point-to-point sends, checked against ``dist.all_reduce``.

Every rank holds a tensor; afterwards every rank must hold their sum. In a ring,
rank ``r`` only ever talks to its neighbours: it sends to ``r + 1`` and receives
from ``r - 1``. The tensor is cut into one chunk per rank, and

1. **reduce-scatter** (``n - 1`` steps): rank ``r`` sends chunk ``r - s`` and adds
   the chunk that arrives; afterwards it owns the complete sum of chunk ``r + 1``;
2. **all-gather** (``n - 1`` steps): the complete chunks go once around the ring.

Each rank sends ``2 (n - 1) / n`` times the tensor's size, whatever ``n`` is: this
is why data-parallel training scales to thousands of GPUs (Patarasuk and Yuan,
2009; NCCL uses rings and trees).

Run it: ``python -m torch.distributed.run --nproc-per-node 2 --standalone -m
course_utils.distributed.ring_all_reduce [--numel N] [--repeats R]``. Each rank
checks the ring against ``dist.all_reduce`` on random tensors of many sizes, then
times both on a tensor of ``numel`` float32 numbers. Rank 0 reports the results.
"""

from __future__ import annotations

import argparse

import torch
import torch.distributed as dist

from . import init, median_seconds, report, say

__all__ = ["ring_all_reduce", "main"]


def ring_all_reduce(tensor: torch.Tensor, group=None) -> torch.Tensor:
    """Sum ``tensor`` over all ranks, in place, with neighbour-to-neighbour sends only."""
    if not tensor.is_contiguous():
        raise ValueError(
            "ring_all_reduce: the tensor must be contiguous (it is summed in place)"
        )
    world = dist.get_world_size(group)
    rank = dist.get_rank(group)
    if world == 1:
        return tensor
    right = (
        dist.get_global_rank(group, (rank + 1) % world) if group else (rank + 1) % world
    )
    left = (
        dist.get_global_rank(group, (rank - 1) % world) if group else (rank - 1) % world
    )
    chunks = tensor.view(-1).tensor_split(
        world
    )  # views: writing them writes the tensor

    def exchange(send_index: int, receive_index: int) -> torch.Tensor | None:
        # With fewer numbers than ranks some chunks are empty: nothing travels for them
        # (the neighbour computes the same chunk sizes, so both sides agree).
        outgoing, incoming = chunks[send_index], torch.empty_like(chunks[receive_index])
        requests = []
        if outgoing.numel():
            requests.append(dist.isend(outgoing.clone(), right, group=group))
        if incoming.numel():
            requests.append(dist.irecv(incoming, left, group=group))
        for request in requests:
            request.wait()
        return incoming if incoming.numel() else None

    for step in range(world - 1):  # reduce-scatter
        receive_index = (rank - step - 1) % world
        incoming = exchange((rank - step) % world, receive_index)
        if incoming is not None:
            chunks[receive_index].add_(incoming)
    for step in range(world - 1):  # all-gather
        receive_index = (rank - step) % world
        incoming = exchange((rank + 1 - step) % world, receive_index)
        if incoming is not None:
            chunks[receive_index].copy_(incoming)
    return tensor


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--numel", type=int, default=2**22, help="numbers in the timed tensor"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", type=int, default=50, help="random tensors checked")
    args = parser.parse_args(argv)
    rank, world, device = init()

    generator = torch.Generator().manual_seed(1000 + rank)  # each rank its own numbers
    worst, checked = 0.0, 0
    sizes = [1, world - 1, world, world + 1] + [
        int(torch.randint(1, 5000, (1,), generator=torch.Generator().manual_seed(c)))
        for c in range(args.cases)
    ]
    for numel in sizes:
        if numel < 1:
            continue
        mine = torch.randn(numel, generator=generator).to(device)
        ours, theirs = mine.clone(), mine.clone()
        ring_all_reduce(ours)
        dist.all_reduce(theirs)
        worst = max(worst, (ours - theirs).abs().max().item())
        checked += 1
    say(rank, f"ring == dist.all_reduce on {checked} random tensors "
          f"(largest difference {worst:.1e})")  # fmt: skip

    big = torch.randn(args.numel, generator=generator).to(device)
    ring_time = median_seconds(lambda: ring_all_reduce(big.clone()), args.repeats)
    torch_time = median_seconds(lambda: dist.all_reduce(big.clone()), args.repeats)
    copy_time = median_seconds(lambda: big.clone(), args.repeats)
    ring_time, torch_time = ring_time - copy_time, torch_time - copy_time
    n_bytes = big.numel() * big.element_size()
    sent = 2 * (world - 1) / world * n_bytes
    worst_all = torch.tensor([worst], device=device)
    dist.all_reduce(worst_all, op=dist.ReduceOp.MAX)
    if rank == 0:
        say(0, f"{n_bytes / 1e6:.1f} MB summed over {world} ranks: ring "
              f"{ring_time * 1000:.1f} ms, dist.all_reduce {torch_time * 1000:.1f} ms "
              f"({dist.get_backend()})")  # fmt: skip
        report({
            "world": world, "backend": dist.get_backend(), "cases": checked,
            "max_difference": worst_all.item(), "bytes": n_bytes,
            "bytes_sent_per_rank": sent, "ring_seconds": ring_time,
            "all_reduce_seconds": torch_time,
        })  # fmt: skip
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
