"""Print the output shape of every layer of a model: the first tool to reach for
when a network fails with a shape error.

Example:
    >>> import torch.nn as nn
    >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    >>> rows = trace_shapes(model, (1, 1, 8, 8), verbose=False)
    >>> [row.output_shape for row in rows]
    [(1, 4, 6, 6), (1, 144), (1, 2)]
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["trace_shapes", "LayerShape", "ShapeTraceError"]


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
