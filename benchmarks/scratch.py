"""From-scratch code against PyTorch's own, timed in the same process at several sizes.

The ratio is from-scratch time / PyTorch time: 1 means as fast, 100 means a
hundred times slower. Both sides get the same arguments and the same warm-up,
and their calls are *interleaved* (ours, PyTorch's, ours, PyTorch's...), each
call timed on its own: a burst of load from other processes then hits both
sides alike instead of one whole block. Each row gives the median of each side
and the spread of the paired ratios (25th to 75th percentile), at a stated
number of CPU threads. On a machine shared with other jobs, a run on more
threads than are free is dominated by threads waiting for each other: compare
one-thread rows there.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from functools import partial

import torch
import torch.nn.functional as F

import course_utils.nn.functional as scratch
from course_utils.timing import percentile

#: Seconds of timed calls per row (both sides together), at least MIN_PAIRS pairs.
BUDGET_S = 2.0
MIN_PAIRS, MAX_PAIRS = 7, 3000


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


def _call_seconds(fn: Callable, args, kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def compare(
    operation: str,
    size: str,
    mine: Callable,
    theirs: Callable,
    *args,
    threads_used: int | None = None,
    **kwargs,
) -> dict:
    """Time ``mine(*args, **kwargs)`` against ``theirs(...)``, interleaved; one table row.

    Two warm-up calls each, then pairs (mine, theirs) until about ``BUDGET_S``
    seconds are spent (between ``MIN_PAIRS`` and ``MAX_PAIRS`` pairs).
    """
    with torch.no_grad(), threads(threads_used):
        for _ in range(2):
            first_mine = _call_seconds(mine, args, kwargs)
            first_theirs = _call_seconds(theirs, args, kwargs)
        pairs = int(BUDGET_S / max(first_mine + first_theirs, 1e-7))
        pairs = min(MAX_PAIRS, max(MIN_PAIRS, pairs))
        mine_s, theirs_s = [], []
        for _ in range(pairs):
            mine_s.append(_call_seconds(mine, args, kwargs))
            theirs_s.append(_call_seconds(theirs, args, kwargs))
        used = torch.get_num_threads()
    ratios = [a / b for a, b in zip(mine_s, theirs_s)]
    row = {
        "operation": operation,
        "size": size,
        "threads": used,
        "pairs": pairs,
        "scratch_ms": statistics.median(mine_s) * 1e3,
        "torch_ms": statistics.median(theirs_s) * 1e3,
        "scratch_iqr_ms": [percentile(mine_s, q) * 1e3 for q in (25, 75)],
        "torch_iqr_ms": [percentile(theirs_s, q) * 1e3 for q in (25, 75)],
        "ratio_of_pairs": statistics.median(ratios),
        "ratio_iqr": [percentile(ratios, q) for q in (25, 75)],
    }
    row["ratio"] = row["scratch_ms"] / row["torch_ms"]
    low, high = row["ratio_iqr"]
    print(
        f"  {operation:30} {size:34} {used} thr  {row['scratch_ms']:9.3f} ms vs "
        f"{row['torch_ms']:9.3f} ms  {row['ratio']:7.2f}x  (pairs: median "
        f"{row['ratio_of_pairs']:.2f}, {low:.2f}-{high:.2f}, n={pairs})"
    )
    return row


CONV_SIZES = [(1, 3, 16, 8), (4, 8, 32, 16), (8, 16, 64, 32)]


def conv_rows(thread_counts: tuple[int, ...] = (1, 2)) -> list[dict]:
    """conv2d, 3x3 kernels with padding 1: the loop version on one thread, the
    vectorised one on each of ``thread_counts``."""
    rows = []
    generator = torch.Generator().manual_seed(0)
    for n, c, size, k in CONV_SIZES:
        x = torch.randn(n, c, size, size, generator=generator)
        w = torch.randn(k, c, 3, 3, generator=generator)
        shape = f"{n}x{c}x{size}x{size}, {k} 3x3 kernels"
        rows.append(
            compare(
                "conv2d, loops",
                shape,
                scratch.conv2d_loops,
                F.conv2d,
                x,
                w,
                padding=1,
                threads_used=1,
            )
        )
        for count in thread_counts:
            rows.append(
                compare(
                    "conv2d, as_strided + matmul",
                    shape,
                    scratch.conv2d,
                    F.conv2d,
                    x,
                    w,
                    padding=1,
                    threads_used=count,
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
