"""A linear (fully connected) layer as functions: the forward pass and, by hand, the backward pass.

:func:`linear` is ``input @ weight.T + bias``, like ``torch.nn.functional.linear``:
every leading dimension of the input is a batch dimension, so the same layer
maps a (N, in) batch, a (N, L, in) batch of sequences or a single (in,) vector.
:func:`linear_backward` is backpropagation through it for a (N, in) batch,
written out (the unit tests compare it with autograd).

Out of scope: complex, integer and bool tensors, and a 1-D ``weight`` (PyTorch
accepts one; ``ValueError`` here).

Example:
    >>> import torch
    >>> x, w, b = torch.randn(4, 3), torch.randn(2, 3), torch.randn(2)
    >>> torch.allclose(linear(x, w, b), torch.nn.functional.linear(x, w, b))
    True
"""

from __future__ import annotations

import torch

from ..._validation import require_dims, require_floating, require_same_dtype, shape_of

__all__ = ["linear", "linear_backward"]


def linear(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None
) -> torch.Tensor:
    """``input @ weight.T + bias``, like ``F.linear``.

    Args:
        input: (*, in_features): any number of leading dimensions, even none.
        weight: (out_features, in_features).
        bias: optional (out_features,).

    Returns:
        (*, out_features).

    Out of scope: complex, integer and bool tensors; a 1-D ``weight``; a ``bias``
    of any shape but (out_features,) (PyTorch broadcasts one).

    Example:
        >>> linear(torch.ones(2, 5, 3), torch.ones(4, 3), torch.zeros(4)).shape
        torch.Size([2, 5, 4])
        >>> linear(torch.tensor([1.0, 2.0]), torch.tensor([[3.0, 4.0]])).tolist()
        [11.0]
    """
    require_floating(input, "linear")
    if input.dim() == 0:
        raise ValueError("linear: expected input of shape (*, in_features), got ()")
    require_dims(weight, 2, "linear", "weight of shape (out_features, in_features)")
    require_same_dtype("linear", "weight", weight, input.dtype)
    if input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input has {input.shape[-1]} features but weight expects "
            f"{weight.shape[1]} (input {tuple(input.shape)}, weight {tuple(weight.shape)})"
        )
    out = input @ weight.T
    if bias is None:
        return out
    if not isinstance(bias, torch.Tensor) or bias.shape != weight.shape[:1]:
        raise ValueError(
            f"linear: expected bias of shape ({weight.shape[0]},), got {shape_of(bias)}"
        )
    require_same_dtype("linear", "bias", bias, input.dtype)
    return out + bias


def linear_backward(
    grad_output: torch.Tensor, input: torch.Tensor, weight: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backpropagate through ``out = input @ weight.T + bias``.

    Args:
        grad_output: d loss / d out, shape (N, out).
        input: the layer's input in the forward pass, (N, in).
        weight: (out, in).

    Returns:
        ``(grad_input, grad_weight, grad_bias)``: ``grad_output @ weight`` (N, in),
        ``grad_output.T @ input`` (out, in) and ``grad_output`` summed over the batch (out,).

    Out of scope: more than one leading dimension (flatten the input to (N, in) first).

    Example:
        >>> g, x, w = torch.ones(3, 2), torch.ones(3, 4), torch.ones(2, 4)
        >>> [tuple(t.shape) for t in linear_backward(g, x, w)]
        [(3, 4), (2, 4), (2,)]
    """
    require_dims(
        grad_output, 2, "linear_backward", "grad_output of shape (N, out_features)"
    )
    require_dims(input, 2, "linear_backward", "input of shape (N, in_features)")
    require_dims(
        weight, 2, "linear_backward", "weight of shape (out_features, in_features)"
    )
    if grad_output.shape[0] != input.shape[0] or weight.shape != (
        grad_output.shape[1],
        input.shape[1],
    ):
        raise ValueError(
            f"linear_backward: shapes do not fit together: grad_output {tuple(grad_output.shape)}, "
            f"input {tuple(input.shape)}, weight {tuple(weight.shape)} "
            "(expected (N, out), (N, in), (out, in))"
        )
    grad_input = grad_output @ weight  # each input feeds every output through W
    grad_weight = grad_output.T @ input  # sum over the batch of outer products
    grad_bias = grad_output.sum(dim=0)  # the bias is added to every example
    return grad_input, grad_weight, grad_bias
