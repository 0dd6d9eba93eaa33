"""The SwiGLU feed-forward block of Llama and SmolLM2, from scratch.

A Transformer's feed-forward block used to be ``down(relu(up(x)))``. Gated linear
units (Shazeer, 2020) multiply two projections instead, one of them passed
through an activation that acts as a soft gate; with the SiLU ("swish")
activation, ``silu(z) = z * sigmoid(z)``, this is SwiGLU:

    swiglu(x) = down( silu(gate(x)) * up(x) )

It has three weight matrices instead of two, so models using it make the hidden
layer about 2/3 as wide to keep the parameter count.

Example:
    >>> import torch
    >>> x = torch.randn(2, 3, 8)
    >>> gate, up, down = torch.randn(16, 8), torch.randn(16, 8), torch.randn(8, 16)
    >>> swiglu(x, gate, up, down).shape
    torch.Size([2, 3, 8])
"""

from __future__ import annotations

import torch

from ..._validation import require_tensor
from .activation import silu

__all__ = ["swiglu"]


def swiglu(
    input: torch.Tensor,
    gate_weight: torch.Tensor,
    up_weight: torch.Tensor,
    down_weight: torch.Tensor,
) -> torch.Tensor:
    """``down(silu(gate(x)) * up(x))`` with bias-free linear maps given by their weights.

    Args:
        input: (..., d).
        gate_weight, up_weight: (hidden, d), as ``nn.Linear(d, hidden).weight``.
        down_weight: (d_out, hidden), as ``nn.Linear(hidden, d_out).weight``.

    Example:
        >>> x = torch.ones(1, 2)
        >>> round(swiglu(x, torch.ones(3, 2), torch.ones(3, 2), torch.ones(1, 3)).item(), 3)
        10.57
    """
    fn = "swiglu"
    for name, value in (
        ("input", input),
        ("gate_weight", gate_weight),
        ("up_weight", up_weight),
        ("down_weight", down_weight),
    ):
        require_tensor(value, fn, name)
    d = input.shape[-1]
    if (
        gate_weight.shape != up_weight.shape
        or gate_weight.dim() != 2
        or gate_weight.shape[1] != d
    ):
        raise ValueError(
            f"{fn}: gate_weight {tuple(gate_weight.shape)} and up_weight {tuple(up_weight.shape)} "
            f"must both be (hidden, {d}) for input of shape {tuple(input.shape)}"
        )
    if down_weight.dim() != 2 or down_weight.shape[1] != gate_weight.shape[0]:
        raise ValueError(
            f"{fn}: down_weight must be (d_out, {gate_weight.shape[0]}), got {tuple(down_weight.shape)}"
        )
    return (silu(input @ gate_weight.T) * (input @ up_weight.T)) @ down_weight.T
