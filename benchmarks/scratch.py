"""From-scratch code against PyTorch's own, timed in the same process at several sizes.

The ratio is from-scratch time / PyTorch time: 1 means as fast, 100 means a
hundred times slower. Both sides get the same arguments and the same warm-up, and
are timed in turns, many rounds each (:mod:`benchmarks.sampling`), at a stated
number of CPU threads. On a machine shared with other jobs, a run on more
threads than are free is dominated by threads waiting for each other: compare
the one-thread rows there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial

import torch
import torch.nn.functional as F

import course_utils.nn.functional as scratch

from . import sampling


@contextlib.contextmanager
def threads(count: int | None) -> Iterator[None]:
    """Within the block, PyTorch uses ``count`` CPU threads (None: leave it alone)."""
    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def compare(
    operation: str,
    size: str,
    mine: Callable,
    theirs: Callable,
    *args,
    threads_used: int | None = None,
    **kwargs,
) -> dict:
    """Time ``mine(*args, **kwargs)`` and ``theirs(*args, **kwargs)`` in turns; one row.

    See :func:`benchmarks.sampling.compare`: medians, quartiles, per-round ratios.
    ``threads_used``: the number of CPU threads for both sides (default: as set).
    """
    with torch.no_grad(), threads(threads_used):
        timing = sampling.compare(
            partial(mine, *args, **kwargs), partial(theirs, *args, **kwargs)
        )
        used = torch.get_num_threads()
    row = {"operation": operation, "size": size, "threads": used, **timing}
    print(f"  {operation:36} {size:32} {row['ratio']:9.2f}x")
    return row


CONV_SIZES = [(1, 3, 16, 8), (4, 8, 32, 16), (8, 16, 64, 32)]


def conv_rows(thread_counts: tuple[int, ...] = (1, 2)) -> list[dict]:
    """conv2d, 3x3 kernels with padding 1: the loop version on one thread, the
    vectorised one (as_strided windows, one batched matmul) on each of ``thread_counts``."""
    rows = []
    generator = torch.Generator().manual_seed(0)
    for n, c, size, k in CONV_SIZES:
        x = torch.randn(n, c, size, size, generator=generator)
        w = torch.randn(k, c, 3, 3, generator=generator)
        shape = f"{n}x{c}x{size}x{size}, {k} 3x3 kernels"
        runs = [("loops", scratch.conv2d_loops, 1)] + [
            ("as_strided + bmm", scratch.conv2d, count) for count in thread_counts
        ]
        for name, mine, count in runs:
            label = f"conv2d, {name}, {count} thread" + ("s" if count > 1 else "")
            rows.append(
                compare(
                    label, shape, mine, F.conv2d, x, w, padding=1, threads_used=count
                )
            )
    return rows


def pool_rows() -> list[dict]:
    rows = []
    generator = torch.Generator().manual_seed(0)
    for n, c, size in [(1, 3, 16), (4, 16, 32), (8, 32, 64)]:
        x = torch.randn(n, c, size, size, generator=generator)
        shape = f"{n}x{c}x{size}x{size}, 2x2 windows"
        for name, mine in [
            ("loops", scratch.max_pool2d_loops),
            ("as_strided", scratch.max_pool2d),
        ]:
            rows.append(compare(f"max_pool2d, {name}", shape, mine, F.max_pool2d, x, 2))
    return rows


def attention_rows() -> list[dict]:
    rows = []
    generator = torch.Generator().manual_seed(0)
    for batch, heads, length, dim in [(1, 2, 16, 16), (4, 4, 64, 32), (8, 8, 256, 64)]:
        q, k, v = (
            torch.randn(batch, heads, length, dim, generator=generator)
            for _ in range(3)
        )
        shape = f"{batch}x{heads} heads, {length} tokens, d={dim}"
        rows.append(
            compare(
                "attention, causal",
                shape,
                scratch.scaled_dot_product_attention,
                F.scaled_dot_product_attention,
                q,
                k,
                v,
                is_causal=True,
            )
        )
    return rows


def recurrent_rows() -> list[dict]:
    rows = []
    generator = torch.Generator().manual_seed(0)
    for batch, inputs, hidden in [(1, 8, 16), (32, 64, 128), (128, 256, 512)]:
        x = torch.randn(batch, inputs, generator=generator)
        h, c = torch.randn(2, batch, hidden, generator=generator)
        shape = f"batch {batch}, {inputs} inputs, {hidden} units"
        for name, mine, layer in [
            ("rnn_cell", scratch.rnn_cell, torch.nn.RNNCell(inputs, hidden)),
            ("lstm_cell", scratch.lstm_cell, torch.nn.LSTMCell(inputs, hidden)),
            ("gru_cell", scratch.gru_cell, torch.nn.GRUCell(inputs, hidden)),
        ]:
            weights = (layer.weight_ih, layer.weight_hh, layer.bias_ih, layer.bias_hh)
            state = (h, c) if name == "lstm_cell" else h
            rows.append(
                compare(
                    name,
                    shape,
                    partial(mine, x, state, *weights),
                    partial(layer, x, state),
                )
            )
    return rows


def optimizer_rows() -> list[dict]:
    """One optimizer step on parameters of growing size (4 tensors, gradients fixed)."""
    from course_utils import optim as scratch_optim

    rows = []
    settings = {
        "SGD": {"lr": 0.01, "momentum": 0.9},
        "Adagrad": {"lr": 0.01},
        "RMSprop": {"lr": 0.01},
        "Adam": {"lr": 0.001},
        "AdamW": {"lr": 0.001, "weight_decay": 0.01},
    }
    for numel in (1_000, 100_000, 1_000_000):
        for name, kwargs in settings.items():
            optimizers = []
            for module in (scratch_optim, torch.optim):
                params = [torch.randn(numel // 4, requires_grad=True) for _ in range(4)]
                for p in params:
                    p.grad = torch.randn_like(p)
                optimizers.append(getattr(module, name)(params, **kwargs))
            mine, theirs = optimizers
            rows.append(
                compare(f"{name} step", f"{numel:,} parameters", mine.step, theirs.step)
            )
    return rows


def all_rows() -> list[dict]:
    """Every comparison, smallest size first within each operation."""
    return (
        conv_rows()
        + pool_rows()
        + attention_rows()
        + recurrent_rows()
        + optimizer_rows()
    )
