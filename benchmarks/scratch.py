"""From-scratch code against PyTorch's own, timed in the same process at several sizes.

The ratio is from-scratch time / PyTorch time: 1 means as fast, 100 means a
hundred times slower. Both sides get the same arguments and the same warm-up, and
are timed in turns, many rounds each (:mod:`benchmarks.sampling`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch
import torch.nn.functional as F

import course_utils.nn.functional as scratch

from . import sampling


def compare(
    operation: str, size: str, mine: Callable, theirs: Callable, *args, **kwargs
) -> dict:
    """Time ``mine(*args, **kwargs)`` and ``theirs(*args, **kwargs)`` in turns; one row.

    See :func:`benchmarks.sampling.compare`: medians, quartiles, per-round ratios.
    """
    with torch.no_grad():
        timing = sampling.compare(
            partial(mine, *args, **kwargs), partial(theirs, *args, **kwargs)
        )
    row = {"operation": operation, "size": size, **timing}
    print(f"  {operation:28} {size:32} {row['ratio']:9.1f}x")
    return row


def conv_rows() -> list[dict]:
    rows = []
    generator = torch.Generator().manual_seed(0)
    for n, c, size, k in [(1, 3, 16, 8), (4, 8, 32, 16), (8, 16, 64, 32)]:
        x = torch.randn(n, c, size, size, generator=generator)
        w = torch.randn(k, c, 3, 3, generator=generator)
        shape = f"{n}x{c}x{size}x{size}, {k} 3x3 kernels"
        for name, mine in [("loops", scratch.conv2d_loops), ("unfold", scratch.conv2d)]:
            rows.append(
                compare(f"conv2d, {name}", shape, mine, F.conv2d, x, w, padding=1)
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
            ("unfold", scratch.max_pool2d),
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
    from course_utils.nn import optim as scratch_optim

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
