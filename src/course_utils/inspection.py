"""Look inside a model: the shape of every layer's output, and gradients through time.

* :func:`trace_shapes` prints the output shape of every layer of a model: the
  first tool to reach for when a network fails with a shape error.
* :func:`gradient_norms_through_time` measures how a gradient shrinks or grows as
  it flows back through the steps of a plain RNN.
* :func:`saved_tensor_bytes` and :func:`peak_memory` measure the memory of a
  training step: the activations kept for the backward pass, and the peak.

Example:
    >>> import torch.nn as nn
    >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    >>> rows = trace_shapes(model, (1, 1, 8, 8), verbose=False)
    >>> [row.output_shape for row in rows]
    [(1, 4, 6, 6), (1, 144), (1, 2)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .nn.functional.recurrent import NONLINEARITIES

__all__ = [
    "trace_shapes",
    "LayerShape",
    "ShapeTraceError",
    "gradient_norms_through_time",
    "saved_tensor_bytes",
    "peak_memory",
]


@dataclass
class LayerShape:
    """One row of a shape trace."""

    name: str
    layer: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    parameters: int


class ShapeTraceError(RuntimeError):
    """A layer failed during the trace; the message names the layer and its input shape."""


def _leaf_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, m) for name, m in model.named_modules() if not list(m.children())]


def _format(rows: list[LayerShape]) -> str:
    header = ("layer", "type", "output shape", "params")
    table = [(r.name, r.layer, str(r.output_shape), f"{r.parameters:,}") for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *table)]
    lines = [header, tuple("-" * w for w in widths), *table]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines
    )


def trace_shapes(
    model: nn.Module,
    input: torch.Tensor | tuple[int, ...],
    verbose: bool = True,
) -> list[LayerShape]:
    """Run ``model`` once and record every leaf layer's input and output shape.

    Args:
        model: any ``nn.Module``; its leaf layers (those without children) are traced.
        input: an example batch, or its shape (then a zero tensor on the model's device is used).
        verbose: print the table (and, on failure, the rows up to the failing layer).

    Raises:
        ShapeTraceError: a layer failed; the message names it and the shape it received.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"trace_shapes expects an nn.Module, got {type(model).__name__}"
        )
    if isinstance(input, (tuple, list, torch.Size)):
        if not all(isinstance(n, int) and n > 0 for n in input):
            raise ValueError(
                f"trace_shapes: a shape must be positive ints, got {tuple(input)}"
            )
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
        input = torch.zeros(tuple(input), device=device)
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"trace_shapes expects a tensor or a shape, got {type(input).__name__}"
        )

    rows: list[LayerShape] = []
    failing: list[tuple[str, nn.Module, tuple[int, ...]]] = []
    hooks = []

    def watch(name: str, layer: nn.Module):
        def before(module, args):
            shape = (
                tuple(args[0].shape)
                if args and isinstance(args[0], torch.Tensor)
                else ()
            )
            failing.append((name, module, shape))  # popped again if the layer succeeds

        def after(module, args, output):
            _, _, in_shape = failing.pop()
            out_shape = tuple(output.shape) if isinstance(output, torch.Tensor) else ()
            n_params = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(
                LayerShape(name, type(module).__name__, in_shape, out_shape, n_params)
            )

        return before, after

    for name, layer in _leaf_modules(model):
        before, after = watch(name, layer)
        hooks.append(layer.register_forward_pre_hook(before))
        hooks.append(layer.register_forward_hook(after))
    try:
        with torch.no_grad():
            model(input)
    except Exception as error:
        if verbose and rows:
            print(_format(rows))
        if failing:
            name, layer, shape = failing[-1]
            raise ShapeTraceError(
                f"layer '{name}' ({layer}) failed on an input of shape {shape}: {error}"
            ) from error
        raise
    finally:
        for hook in hooks:
            hook.remove()
    if verbose:
        print(_format(rows))
        total = sum(p.numel() for p in model.parameters())
        print(f"total parameters: {total:,}")
    return rows


def gradient_norms_through_time(
    radius: float,
    nonlinearity: str = "tanh",
    length: int = 50,
    hidden_size: int = 32,
    input_scale: float = 1.0,
    seed: int = 0,
) -> torch.Tensor:
    """How large the gradient of the last hidden state is at every earlier step.

    Runs a random plain RNN ``h_t = f(W h_{t-1} + x_t)`` whose recurrent matrix ``W``
    has spectral radius ``radius`` (its largest absolute eigenvalue) over ``length``
    steps of random input, backpropagates a random unit vector from the last state
    ``h_T``, and returns ``||dL/dh_{T-k}||`` for ``k = 0, 1, ..., T``: entry ``k`` is
    the gradient norm ``k`` steps back in time (entry 0 is 1). Computed in float64
    so that exploding values do not overflow.

    Args:
        radius: spectral radius of the recurrent matrix (> 0).
        nonlinearity: ``"tanh"``, ``"relu"`` or ``"linear"`` (no nonlinearity).
        length: number of time steps T.
        hidden_size: size of the hidden state.
        input_scale: standard deviation of the random inputs.
        seed: seeds the matrix, the inputs and the direction.

    Example:
        >>> norms = gradient_norms_through_time(0.5, "linear", length=10)
        >>> norms.shape, round(float(norms[0]), 6), bool(norms[10] < 1e-2)
        (torch.Size([11]), 1.0, True)
    """
    kinds = (*NONLINEARITIES, "linear")
    if nonlinearity not in kinds:
        raise ValueError(
            f"unknown nonlinearity {nonlinearity!r}, expected one of {kinds}"
        )
    if not (isinstance(radius, (int, float)) and radius > 0):
        raise ValueError(f"radius must be a number > 0, got {radius!r}")
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be a positive int, got {length!r}")
    generator = torch.Generator().manual_seed(seed)
    options = {"generator": generator, "dtype": torch.float64}
    matrix = torch.randn(hidden_size, hidden_size, **options) / math.sqrt(hidden_size)
    w_hh = radius * matrix / torch.linalg.eigvals(matrix).abs().max()
    inputs = input_scale * torch.randn(length, hidden_size, **options)
    direction = torch.randn(hidden_size, **options)
    activation = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}[
        nonlinearity
    ]
    with torch.enable_grad():
        h = torch.zeros(hidden_size, dtype=torch.float64, requires_grad=True)
        states = [h]
        for x_t in inputs:  # the unrolled graph: h_0 -> h_1 -> ... -> h_T
            h = activation(w_hh @ h + x_t)
            h.retain_grad()  # keep dL/dh_t, not only the gradients of leaves
            states.append(h)
        loss = h @ (direction / direction.norm())
        loss.backward()
    return torch.stack([state.grad.norm() for state in reversed(states)])


# ----------------------------------------------------------------------------- memory


def saved_tensor_bytes(fn) -> int:
    """Bytes of the tensors autograd saves for the backward pass while ``fn()`` runs.

    Counted with ``torch.autograd.graph.saved_tensors_hooks``: every tensor an
    operation keeps for its gradient (inputs of a matrix product, outputs of a
    softmax, ...), each storage once. These are the activations that training
    must hold in memory between the forward and the backward pass. (Inside
    ``torch.utils.checkpoint`` the checkpoint saves nothing and keeps only its
    inputs, which this count does not see.)

    Example:
        >>> w = torch.randn(100, 100, requires_grad=True)
        >>> saved_tensor_bytes(lambda: (torch.randn(10, 100) @ w).relu().sum())  # x and relu's output
        8000
    """
    if not callable(fn):
        raise TypeError(
            f"saved_tensor_bytes: expected a function, got {type(fn).__name__}"
        )
    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        fn()
    return sum(storages.values())


def peak_memory(fn, device: torch.device | str = "cpu") -> int:
    """The peak of memory allocated by PyTorch while ``fn()`` runs, above what was there before.

    On CUDA, ``torch.cuda.max_memory_allocated``. On the CPU, PyTorch's profiler
    records every allocation and release (``profile_memory=True``); the peak is the
    largest running total, in the order they happened. The profiler slows ``fn``
    down: time it separately.
    """
    if not callable(fn):
        raise TypeError(f"peak_memory: expected a function, got {type(fn).__name__}")
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        before = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        fn()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - before
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as profiler:
        fn()
    events = sorted(
        (event.time_range.start, event.self_cpu_memory_usage)
        for event in profiler.events()
        if event.self_cpu_memory_usage
    )
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak
