"""Multi-head attention from scratch, with the parameters of ``nn.MultiheadAttention``.

``embed_dim`` is split into ``num_heads`` heads; each projects queries, keys and
values with its own slice of one input projection, attends with
:func:`course_utils.nn.functional.scaled_dot_product_attention`, and an output
projection mixes the heads. The parameter names are PyTorch's
(``batch_first=True``), so weights copy across with ``load_state_dict`` and the
two modules give the same outputs (the unit tests check this).

Example:
    >>> import torch
    >>> ours = MultiheadAttention(16, 4)
    >>> theirs = torch.nn.MultiheadAttention(16, 4, batch_first=True)
    >>> _ = theirs.load_state_dict(ours.state_dict())
    >>> x = torch.randn(2, 5, 16)
    >>> torch.allclose(ours(x, x, x)[0], theirs(x, x, x)[0], atol=1e-5)
    True
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .functional.attention import attention_weights, causal_mask

__all__ = ["MultiheadAttention"]


class MultiheadAttention(nn.Module):
    """Multi-head attention from scratch, with the parameters of ``nn.MultiheadAttention``.

    ``embed_dim`` is split into ``num_heads`` heads of ``embed_dim // num_heads``
    features. Each head projects queries, keys and values with its own slice of
    ``in_proj_weight``, runs scaled dot-product attention, and ``out_proj`` mixes
    the concatenated heads. Inputs are batch first: (N, L, E).

    After a forward pass, ``last_weights`` holds the per-head weights (N, H, L, S).

    Example:
        >>> _ = torch.manual_seed(0)
        >>> ours = MultiheadAttention(8, 2)
        >>> theirs = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> _ = theirs.load_state_dict(ours.state_dict())
        >>> x = torch.randn(3, 5, 8)
        >>> torch.allclose(ours(x, x, x)[0], theirs(x, x, x)[0], atol=1e-6)
        True
    """

    def __init__(
        self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True
    ) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                f"num_heads ({num_heads})"
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.batch_first = True
        # Same names and shapes as nn.MultiheadAttention: [W_q; W_k; W_v] stacked.
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim)) if bias else None
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.out_proj.bias)
        self.last_weights: torch.Tensor | None = None

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        n, length, _ = x.shape  # (N, L, E) -> (N, H, L, E / H)
        return x.view(n, length, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        need_weights: bool = True,
        attn_mask: torch.Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend; returns (output (N, L, E), weights or None).

        Masks follow ``nn.MultiheadAttention``: in ``key_padding_mask`` (N, S) and a
        boolean ``attn_mask`` (L, S), **True means blocked** (the opposite of
        :func:`scaled_dot_product_attention`). Float masks are added to the scores.
        """
        fn = "MultiheadAttention"
        for name, x in (("query", query), ("key", key), ("value", value)):
            if (
                not isinstance(x, torch.Tensor)
                or x.dim() != 3
                or x.shape[-1] != self.embed_dim
            ):
                got = (
                    tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
                )
                raise ValueError(
                    f"{fn}: {name} must be (N, L, {self.embed_dim}) (batch first), got {got}"
                )
        if is_causal and attn_mask is None:
            attn_mask = ~causal_mask(query.shape[1], key.shape[1], device=query.device)
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (
            self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        )
        q = self._split_heads(F.linear(query, w_q, b_q))
        k = self._split_heads(F.linear(key, w_k, b_k))
        v = self._split_heads(F.linear(value, w_v, b_v))

        bias = torch.zeros((), dtype=q.dtype, device=q.device)
        for mask in (attn_mask, key_padding_mask):
            if mask is None:
                continue
            if mask is key_padding_mask:
                if mask.shape != (query.shape[0], key.shape[1]):
                    raise ValueError(
                        f"{fn}: key_padding_mask must be (N, S) = "
                        f"{(query.shape[0], key.shape[1])}, got {tuple(mask.shape)}"
                    )
                mask = mask[
                    :, None, None, :
                ]  # (N, 1, 1, S): same for all heads, queries
            elif mask.dim() == 3:  # (N * H, L, S) as in PyTorch
                mask = mask.view(query.shape[0], self.num_heads, *mask.shape[1:])
            if mask.dtype == torch.bool:
                mask = torch.zeros(
                    mask.shape, dtype=q.dtype, device=q.device
                ).masked_fill(mask, float("-inf"))
            bias = bias + mask
        weights = attention_weights(q, k, bias if bias.dim() else None)  # (N, H, L, S)
        self.last_weights = weights.detach()
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout)
        heads = weights @ v  # (N, H, L, E / H)
        merged = heads.transpose(1, 2).reshape(
            query.shape[0], query.shape[1], self.embed_dim
        )
        output = self.out_proj(merged)
        if not need_weights:
            return output, None
        return output, weights.mean(dim=1) if average_attn_weights else weights
