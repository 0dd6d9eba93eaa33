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

from .._validation import require_bool, require_floating, require_fraction, require_int
from .functional.attention import attention_weights, causal_mask

__all__ = ["MultiheadAttention"]


class MultiheadAttention(nn.Module):
    """Multi-head attention from scratch, with the parameters of ``nn.MultiheadAttention``.

    ``embed_dim`` is split into ``num_heads`` heads of ``embed_dim // num_heads``
    features. Each head projects queries, keys and values with its own slice of
    ``in_proj_weight``, runs scaled dot-product attention, and ``out_proj`` mixes
    the concatenated heads. Inputs are batch first: (N, L, E).

    After a forward pass, ``last_weights`` holds the per-head weights (N, H, L, S).

    Out of scope: ``batch_first=False``, ``kdim``/``vdim``, ``add_bias_kv``, ``add_zero_attn``; complex and integer inputs.

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
        require_int("MultiheadAttention", "embed_dim", embed_dim, minimum=1)
        require_int("MultiheadAttention", "num_heads", num_heads, minimum=1)
        require_fraction("MultiheadAttention", "dropout", dropout)
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
        boolean ``attn_mask`` (L, S) or (N * num_heads, L, S), **True means blocked**
        (the opposite of :func:`scaled_dot_product_attention`). Float masks are
        added to the scores. ``is_causal=True`` with ``attn_mask`` is a hint that
        the mask is causal, as in PyTorch; without one it builds the causal mask
        (PyTorch requires the mask). A query whose every key is masked gets zero
        weights, as in PyTorch's ``need_weights=False`` path (its
        ``need_weights=True`` path gives NaN there).

        Out of scope: ``batch_first=False`` layouts (inputs are (N, L, E)).
        """
        fn = "MultiheadAttention"
        self._check_inputs(query, key, value, fn)
        n, length, source = query.shape[0], query.shape[1], key.shape[1]
        require_bool(fn, "is_causal", is_causal)
        if is_causal and attn_mask is None:
            attn_mask = ~causal_mask(length, source, device=query.device)
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (
            self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        )
        q = self._split_heads(F.linear(query, w_q, b_q))
        k = self._split_heads(F.linear(key, w_k, b_k))
        v = self._split_heads(F.linear(value, w_v, b_v))

        # Both masks become one additive bias on the (N, H, L, S) scores.
        bias = torch.zeros((), dtype=q.dtype, device=q.device)
        if attn_mask is not None:
            bias = bias + self._mask_bias(attn_mask, "attn_mask", n, length, source, q)
        if key_padding_mask is not None:
            bias = bias + self._mask_bias(
                key_padding_mask, "key_padding_mask", n, length, source, q
            )
        weights = attention_weights(q, k, bias if bias.dim() else None)  # (N, H, L, S)
        self.last_weights = weights.detach()
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout)
        heads = weights @ v  # (N, H, L, E / H)
        merged = heads.transpose(1, 2).reshape(n, length, self.embed_dim)
        output = self.out_proj(merged)
        if not need_weights:
            return output, None
        return output, weights.mean(dim=1) if average_attn_weights else weights

    # ------------------------------------------------------------------ checks
    def _check_inputs(self, query, key, value, fn):
        for name, x in (("query", query), ("key", key), ("value", value)):
            require_floating(x, fn, name)
            if x.dim() != 3 or x.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"{fn}: {name} must be (N, L, {self.embed_dim}) (batch first), "
                    f"got {tuple(x.shape)}"
                )
        if key.shape[:2] != value.shape[:2] or key.shape[0] != query.shape[0]:
            raise ValueError(
                f"{fn}: query (N, L, E), key and value (N, S, E) must share N, and key "
                f"and value S; got query {tuple(query.shape)}, key {tuple(key.shape)}, "
                f"value {tuple(value.shape)}"
            )

    def _mask_bias(self, mask, name, n, length, source, q):
        """A mask as an additive bias broadcastable to (N, H, L, S); True/-inf blocks."""
        fn = "MultiheadAttention"
        if not isinstance(mask, torch.Tensor):
            raise TypeError(f"{fn}: {name} must be a tensor, got {type(mask).__name__}")
        if name == "key_padding_mask":
            shapes = {
                (n, source): (n, 1, 1, source)
            }  # the same for every head and query
            expected = f"(N, S) = {(n, source)}"
        else:
            shapes = {
                (length, source): (length, source),
                (n * self.num_heads, length, source): (
                    n,
                    self.num_heads,
                    length,
                    source,
                ),
            }
            expected = (
                f"(L, S) = {(length, source)} or (N * num_heads, L, S) = "
                f"{(n * self.num_heads, length, source)}"
            )
        if tuple(mask.shape) not in shapes:
            raise ValueError(
                f"{fn}: {name} must be {expected}, got {tuple(mask.shape)}"
            )
        mask = mask.reshape(shapes[tuple(mask.shape)])
        if mask.dtype == torch.bool:
            return torch.zeros(mask.shape, dtype=q.dtype, device=q.device).masked_fill(
                mask, float("-inf")
            )
        if mask.dtype != q.dtype:
            raise TypeError(
                f"{fn}: {name} must be bool or have the input's dtype {q.dtype}, "
                f"got {mask.dtype}"
            )
        return mask
