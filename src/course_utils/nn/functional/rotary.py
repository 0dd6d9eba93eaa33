"""Rotary position embeddings (RoPE) from scratch, as in Llama and SmolLM2.

Instead of adding a position vector to the token embedding, RoPE (Su et al.,
2021) *rotates* each query and key. The head dimension is cut into pairs of
coordinates, and the pair ``i`` of the vector at position ``m`` is rotated by the
angle ``m * theta_i``, with frequencies ``theta_i = base ** (-2i / d)`` running
from one radian per position down to very slow. A rotation keeps lengths, and
the dot product of a query rotated by ``m`` and a key rotated by ``n`` depends
only on ``m - n``: attention sees *relative* positions.

The layout follows Llama in ``transformers``: coordinate ``j`` of the first half
is paired with coordinate ``j`` of the second half (``rotate_half``), and
``cos``/``sin`` repeat the angles twice.

Example:
    >>> import torch
    >>> q, k = torch.randn(1, 16), torch.randn(1, 16)
    >>> def score(m, n):
    ...     cq, sq = rotary_cos_sin(torch.tensor([m]), 16)
    ...     ck, sk = rotary_cos_sin(torch.tensor([n]), 16)
    ...     return (apply_rotary_emb(q, cq, sq) @ apply_rotary_emb(k, ck, sk).T).item()
    >>> abs(score(5, 3) - score(12, 10)) < 1e-4   # only m - n matters
    True
"""

from __future__ import annotations

import torch

from ..._validation import require_int, require_positive, require_tensor

__all__ = ["rotary_frequencies", "rotary_cos_sin", "rotate_half", "apply_rotary_emb"]


def rotary_frequencies(head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """The ``head_dim // 2`` angular frequencies ``base ** (-2i / head_dim)``, in float32.

    Example:
        >>> rotary_frequencies(4, base=100.0)
        tensor([1.0000, 0.1000])
    """
    fn = "rotary_frequencies"
    require_int(fn, "head_dim", head_dim, minimum=2)
    if head_dim % 2:
        raise ValueError(
            f"{fn}: head_dim must be even (coordinates are rotated in pairs), got {head_dim}"
        )
    require_positive(fn, "base", base)
    exponents = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
    return 1.0 / (base**exponents)


def rotary_cos_sin(
    positions: torch.Tensor,
    head_dim: int,
    base: float = 10000.0,
    dtype: torch.dtype = torch.float32,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``cos`` and ``sin`` of the rotation angles, shape ``(*positions.shape, head_dim)``.

    The angles are computed in float32 whatever ``dtype`` is (as in ``transformers``),
    then cast.

    Example:
        >>> cos, sin = rotary_cos_sin(torch.arange(3), 4, base=100.0)
        >>> cos.shape, sin[1].tolist() == [sin[1, 0].item(), sin[1, 1].item()] * 2
        (torch.Size([3, 4]), True)
    """
    require_tensor(positions, "rotary_cos_sin", "positions")
    angles = positions[..., None].float() * rotary_frequencies(head_dim, base).to(
        positions.device
    )
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().to(dtype), angles.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """``(x1, x2) -> (-x2, x1)`` on the two halves of the last dimension.

    Example:
        >>> rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([-3., -4.,  1.,  2.])
    """
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def apply_rotary_emb(
    x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor
) -> torch.Tensor:
    """Rotate queries or keys ``x`` (..., T, head_dim) by the angles in ``cos``/``sin`` (T, head_dim).

    ``cos`` and ``sin`` broadcast against ``x`` (for a batch with its own positions
    per row, pass them with shape (N, 1, T, head_dim)).

    Example:
        >>> x = torch.randn(2, 3, 5, 8)
        >>> cos, sin = rotary_cos_sin(torch.arange(5), 8)
        >>> torch.allclose(apply_rotary_emb(x, cos, sin).norm(dim=-1), x.norm(dim=-1), atol=1e-5)
        True
    """
    fn = "apply_rotary_emb"
    require_tensor(x, fn, "x")
    if x.shape[-1] % 2:
        raise ValueError(
            f"{fn}: the last dimension of x must be even, got shape {tuple(x.shape)}"
        )
    if cos.shape != sin.shape or cos.shape[-1] != x.shape[-1]:
        raise ValueError(
            f"{fn}: cos {tuple(cos.shape)} and sin {tuple(sin.shape)} must have the same "
            f"shape, ending in x's head dimension {x.shape[-1]}"
        )
    return x * cos + rotate_half(x) * sin
