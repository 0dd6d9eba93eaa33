"""Look inside a model: the shape of every layer's output, and gradients through time.

* :func:`trace_shapes` prints the output shape of every layer of a model: the
  first tool to reach for when a network fails with a shape error.
* :func:`gradient_norms_through_time` measures how a gradient shrinks or grows as
  it flows back through the steps of a plain RNN.
* :func:`receptive_field` computes, layer by layer, how large a window of the input
  each unit of a convolutional network sees.
* :func:`count_flops` counts the multiply-adds of one forward pass (and the
  parameters), layer by layer; run it on the ``meta`` device to size a large
  network without memory or downloads.
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
    "receptive_field",
    "ReceptiveFieldRow",
    "count_flops",
    "FlopCount",
    "LayerFlops",
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


# ----------------------------------------------------------------------------- receptive fields and FLOPs


def _is_leaf(module: nn.Module) -> bool:
    """No child modules, apart from containers of parameters (a ``ParameterList``)."""
    return all(
        isinstance(child, (nn.ParameterList, nn.ParameterDict))
        for child in module.children()
    )


def _executed_layers(
    model: nn.Module, input_shape: tuple[int, ...], who: str
) -> list[tuple[str, nn.Module, torch.Tensor, torch.Tensor]]:
    """Run ``model`` once on zeros of ``input_shape``; every leaf call in execution order.

    The input lives on the device of the model's first parameter or buffer (the
    ``meta`` device costs no memory and no arithmetic).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{who}: model must be an nn.Module, got {type(model).__name__}"
        )
    if not isinstance(input_shape, (tuple, list, torch.Size)) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in input_shape
    ):
        raise TypeError(
            f"{who}: input_shape must be a tuple of ints such as (1, 3, 224, 224), "
            f"got {input_shape!r}"
        )
    if len(input_shape) < 2 or min(input_shape) < 1:
        raise ValueError(
            f"{who}: input_shape must be (N, C, ...) with positive sizes, got {tuple(input_shape)}"
        )
    tensors = [*model.parameters(), *model.buffers()]
    device = tensors[0].device if tensors else torch.device("cpu")
    dtype = next(
        (t.dtype for t in tensors if t.is_floating_point()), torch.get_default_dtype()
    )
    calls = []

    def record(name):
        def hook(module, args, output):
            first = args[0] if args and isinstance(args[0], torch.Tensor) else None
            calls.append((name, module, first, output))

        return hook

    hooks = [
        layer.register_forward_hook(record(name or type(layer).__name__))
        for name, layer in model.named_modules()
        if _is_leaf(layer)
    ]
    try:
        with torch.no_grad():
            model(torch.zeros(tuple(input_shape), device=device, dtype=dtype))
    finally:
        for hook in hooks:
            hook.remove()
    return calls


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


@dataclass
class ReceptiveFieldRow:
    """The receptive field of the units after one layer, per axis (height, width).

    Attributes:
        name, layer: the layer's name in the model and its type.
        kernel, stride, padding, dilation: the layer's settings (1, 1, 0, 1 for a
            layer that acts on each position separately).
        size: how many input pixels one unit sees, along each axis.
        jump: how many input pixels apart two neighbouring units' fields are.
        start: the input coordinate of the centre of unit (0, 0)'s field (pixel
            centres are 0, 1, 2, ...; negative where it hangs over the padding).
        output_shape: the layer's output shape.
    """

    name: str
    layer: str
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    size: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[float, float]
    output_shape: tuple[int, ...]

    def window(
        self, row: int, column: int
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        """The field of unit (``row``, ``column``): ((first row, last row), (first column, last column)).

        Inclusive input pixel coordinates, not clipped to the image (padding lies outside it).
        """
        rows, columns = (
            (
                self.start[axis] + index * self.jump[axis] - (self.size[axis] - 1) / 2,
                self.start[axis] + index * self.jump[axis] + (self.size[axis] - 1) / 2,
            )
            for axis, index in ((0, row), (1, column))
        )
        return rows, columns


def _spatial_settings(module: nn.Module):
    """(kernel, stride, padding, dilation) as pairs, or None for a layer without a window."""
    if not hasattr(module, "kernel_size"):
        return None
    kernel = _pair(module.kernel_size)
    stride = _pair(getattr(module, "stride", None) or kernel)
    padding = getattr(module, "padding", 0)
    if isinstance(padding, str):  # "same" keeps the size; "valid" pads nothing
        padding = (
            tuple(d * (k - 1) // 2 for d, k in zip(_pair(module.dilation), kernel))
            if padding == "same"
            else (0, 0)
        )
    dilation = _pair(getattr(module, "dilation", 1))
    return kernel, stride, _pair(padding), dilation


def _format_fields(rows: list[ReceptiveFieldRow]) -> str:
    def show(pair):
        return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"

    def show_start(pair):
        text = [f"{v:g}" for v in pair]
        return text[0] if pair[0] == pair[1] else "x".join(text)

    header = (
        "layer",
        "type",
        "kernel",
        "stride",
        "output shape",
        "field",
        "jump",
        "start",
    )
    table = [
        (r.name, r.layer, show(r.kernel), show(r.stride), str(r.output_shape),
         show(r.size), show(r.jump), show_start(r.start))
        for r in rows
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in column) for column in zip(header, *table)]
    lines = [header, tuple("-" * w for w in widths), *table]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines
    )


def receptive_field(
    model: nn.Module, input_shape: tuple[int, ...], verbose: bool = False
) -> list[ReceptiveFieldRow]:
    """The receptive field after every layer of a convolutional network, computed layer by layer.

    A layer with kernel ``k``, stride ``s``, padding ``p`` and dilation ``d`` spans
    ``k' = d (k - 1) + 1`` of its input's units. If one unit of its input sees
    ``r`` input pixels and neighbouring units are ``j`` pixels apart, one of its
    own units sees ``r + (k' - 1) j`` pixels, and its units are ``j s`` apart; the
    centre of unit 0's field moves by ``((k' - 1) / 2 - p) j``. Starting from
    ``r = j = 1`` at the input, these three recurrences give every layer's field.

    The model runs once on zeros of ``input_shape`` (on the model's device: build
    large models on ``meta``), and its layers are followed in the order they run.
    Layers with a ``kernel_size`` (convolutions, pooling, or your own layer that
    sets ``kernel_size``, ``stride`` and ``padding``) grow the field; layers
    without one must keep the height and width (ReLU, batch norm, ...) and do not
    change it. The computation stops at the first layer whose output is not an
    image (``Flatten``, ``Linear``) or that pools globally (``AdaptiveAvgPool2d``):
    from there on every unit sees the whole input.

    Args:
        model: a network whose image layers form one chain (each takes the
            previous one's output). A branching network (a residual shortcut with
            its own layers, an Inception block) is rejected with a ValueError:
            the field of a branching network is the largest over its paths, which
            a gradient measures (see chapter 3).
        input_shape: (N, C, H, W) of an example input.
        verbose: print the table.

    Returns:
        One :class:`ReceptiveFieldRow` per image layer, in execution order.

    Example:
        >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3))
        >>> [(row.layer, row.size[0], row.jump[0]) for row in receptive_field(net, (1, 1, 16, 16))]
        [('Conv2d', 3, 1), ('ReLU', 3, 1), ('MaxPool2d', 4, 2), ('Conv2d', 8, 2)]
    """
    who = "receptive_field"
    if isinstance(input_shape, (tuple, list)) and len(input_shape) != 4:
        raise ValueError(
            f"{who}: input_shape must be (N, C, H, W), got {tuple(input_shape)}"
        )
    calls = _executed_layers(model, input_shape, who)
    size, jump, start = [1, 1], [1, 1], [0.0, 0.0]
    rows: list[ReceptiveFieldRow] = []
    previous = tuple(input_shape)
    for name, module, given, output in calls:
        if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
            break
        if not isinstance(output, torch.Tensor) or output.dim() != 4:
            break
        received = tuple(given.shape) if given is not None else None
        if received != previous:
            raise ValueError(
                f"{who}: layer '{name}' ({type(module).__name__}) takes an input of shape "
                f"{received}, not the previous layer's output {previous}: the network "
                "branches here (a shortcut with its own layers?). receptive_field follows "
                "one chain of layers; measure a branching network's field with a gradient"
            )
        settings = _spatial_settings(module)
        if settings is None:
            if tuple(output.shape[2:]) != tuple(previous[2:]):
                raise ValueError(
                    f"{who}: layer '{name}' ({type(module).__name__}) changes the image size "
                    f"from {previous[2:]} to {tuple(output.shape[2:])} but has no kernel_size; "
                    "give it kernel_size, stride and padding attributes"
                )
            settings = ((1, 1), (1, 1), (0, 0), (1, 1))
        kernel, stride, padding, dilation = settings
        for axis in (0, 1):
            span = dilation[axis] * (kernel[axis] - 1) + 1
            start[axis] += ((span - 1) / 2 - padding[axis]) * jump[axis]
            size[axis] += (span - 1) * jump[axis]
            jump[axis] *= stride[axis]
        rows.append(
            ReceptiveFieldRow(
                name, type(module).__name__, kernel, stride, padding, dilation,
                tuple(size), tuple(jump), tuple(start), tuple(output.shape),
            )
        )  # fmt: skip
        previous = tuple(output.shape)
    if verbose:
        print(_format_fields(rows))
    return rows


@dataclass
class LayerFlops:
    """One layer's share of a forward pass: its multiply-adds and parameters."""

    name: str
    layer: str
    output_shape: tuple[int, ...]
    multiply_adds: int
    parameters: int
    has_bias: bool


@dataclass
class FlopCount:
    """The multiply-adds of one forward pass, per layer and in total.

    ``multiply_adds`` is what papers usually call "FLOPs" (He et al. 2016: "3.8
    billion FLOPs (multiply-adds)" for ResNet-50); ``flops`` counts a multiply
    and an add as two operations, twice as many.
    """

    rows: list[LayerFlops]
    parameters: int

    @property
    def multiply_adds(self) -> int:
        return sum(row.multiply_adds for row in self.rows)

    @property
    def flops(self) -> int:
        return 2 * self.multiply_adds

    def table(self, top: int | None = None) -> str:
        """The layers that compute (most multiply-adds first if ``top`` is given), as text."""
        rows = [r for r in self.rows if r.multiply_adds]
        if top is not None:
            rows = sorted(rows, key=lambda r: -r.multiply_adds)[:top]
        total = max(self.multiply_adds, 1)
        header = ("layer", "type", "output shape", "multiply-adds", "share", "params")
        table = [
            (r.name, r.layer, str(r.output_shape), f"{r.multiply_adds:,}",
             f"{r.multiply_adds / total:.1%}", f"{r.parameters:,}")
            for r in rows
        ]  # fmt: skip
        widths = [max(len(str(x)) for x in column) for column in zip(header, *table)]
        lines = [header, tuple("-" * w for w in widths), *table]
        return "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip()
            for line in lines
        )


def _multiply_adds(module: nn.Module, given, output) -> int:
    if hasattr(module, "flops") and callable(module.flops):
        return int(module.flops(given, output))
    if isinstance(
        module, nn.modules.conv._ConvTransposeNd
    ):  # every input scatters a kernel
        per_input = module.out_channels // module.groups * math.prod(module.kernel_size)
        return given.numel() * per_input
    if isinstance(module, nn.modules.conv._ConvNd):
        per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
        return output.numel() * per_output
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def count_flops(model: nn.Module, input_shape: tuple[int, ...]) -> FlopCount:
    """Multiply-adds of one forward pass on an input of ``input_shape``, layer by layer.

    Counted, as in the papers' tables: every multiply-add of a convolution
    (``output size x C_in / groups x kh x kw``; for a transposed convolution
    ``input size x C_out / groups x kh x kw``) and of a linear layer (``output size x in_features``), plus any layer of your
    own that has a method ``flops(input, output) -> int``. Not counted: biases,
    activations, pooling, normalization and the additions of residual shortcuts,
    a few percent of the total in a CNN. The count is for the whole batch: use
    N = 1 to compare with the per-image numbers that papers publish.

    The model runs once on zeros, on its own device. Built on the ``meta`` device
    (``with torch.device("meta"): model = ...``), even a network of a hundred
    million parameters is counted in milliseconds without allocating its weights.

    Args:
        model: any ``nn.Module`` that takes one tensor.
        input_shape: (N, C, ...) of an example input.

    Example:
        >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
        >>> count = count_flops(net, (1, 3, 4, 4))
        >>> count.multiply_adds == 8 * 4 * 4 * (3 * 3 * 3) + 10 * 128, count.parameters
        (True, 1514)
    """
    calls = _executed_layers(model, input_shape, "count_flops")
    rows = []
    for name, module, given, output in calls:
        shape = tuple(output.shape) if isinstance(output, torch.Tensor) else ()
        own = sum(p.numel() for p in module.parameters(recurse=True))
        bias = getattr(module, "bias", None)
        rows.append(
            LayerFlops(
                name, type(module).__name__, shape,
                _multiply_adds(module, given, output), own,
                isinstance(bias, torch.Tensor),
            )
        )  # fmt: skip
    return FlopCount(rows, sum(p.numel() for p in model.parameters()))


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
