"""A tiny GPT: a decoder-only Transformer over characters, with sampling and a KV cache.

Each block is pre-norm: ``x + attention(norm(x))`` then ``x + mlp(norm(x))``. The
attention is causal (position t sees positions 0..t). During generation, the keys
and values of past positions never change, so :class:`KVCache` keeps them and
each new token costs one position's work instead of the whole prefix's.

Example:
    >>> import torch
    >>> model = TinyGPT(vocab_size=10, block_size=16, d_model=32, n_head=4, n_layer=2)
    >>> model(torch.randint(0, 10, (3, 16))).shape
    torch.Size([3, 16, 10])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..nn.functional.attention import attention_weights

__all__ = ["TinyGPT", "KVCache", "generate"]


class KVCache:
    """The keys and values of every position seen so far, one (N, H, T, D) pair per layer."""

    def __init__(self, n_layer: int) -> None:
        self.keys: list[torch.Tensor | None] = [None] * n_layer
        self.values: list[torch.Tensor | None] = [None] * n_layer

    @property
    def length(self) -> int:
        """How many positions are cached (in the first layer)."""
        return self.length_of(0)

    def length_of(self, layer: int) -> int:
        """How many positions one layer has cached."""
        return 0 if self.keys[layer] is None else self.keys[layer].shape[2]

    def extend(self, layer: int, key: torch.Tensor, value: torch.Tensor):
        """Append new positions to one layer's cache; return all its keys and values."""
        if self.keys[layer] is not None:
            key = torch.cat([self.keys[layer], key], dim=2)
            value = torch.cat([self.values[layer], value], dim=2)
        self.keys[layer], self.values[layer] = key, value
        return key, value


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which no position sees the future."""

    def __init__(self, d_model: int, n_head: int, dropout: float) -> None:
        super().__init__()
        if d_model % n_head:
            raise ValueError(
                f"d_model ({d_model}) must be divisible by n_head ({n_head})"
            )
        self.n_head, self.head_dim = n_head, d_model // n_head
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)
        self.last_weights: torch.Tensor | None = None

    def forward(self, x, cache: KVCache | None = None, layer: int = 0):
        n, t, d = x.shape
        q, k, v = (
            part.view(n, t, self.n_head, self.head_dim).transpose(1, 2)
            for part in self.qkv(x).split(d, dim=2)
        )  # each (N, H, T, D)
        past = 0
        if cache is not None:
            past = cache.length_of(layer)
            k, v = cache.extend(layer, k, v)
        # New query i sits at absolute position past + i and may see keys 0..past + i.
        mask = torch.ones(t, past + t, dtype=torch.bool, device=x.device).tril(past)
        weights = attention_weights(q, k, attn_mask=mask)
        self.last_weights = weights.detach()
        out = (self.dropout(weights) @ v).transpose(1, 2).reshape(n, t, d)
        return self.proj(out)


class Block(nn.Module):
    """Pre-norm Transformer decoder block (no cross-attention)."""

    def __init__(self, d_model: int, n_head: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, n_head, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model),
            nn.GELU(),
            nn.Linear(4 * d_model, d_model),
            nn.Dropout(dropout),
        )

    def forward(self, x, cache=None, layer=0):
        x = x + self.attention(self.norm1(x), cache, layer)
        return x + self.mlp(self.norm2(x))


class TinyGPT(nn.Module):
    """Token and position embeddings, ``n_layer`` causal blocks, a final norm, a linear head.

    Args:
        vocab_size: number of token ids.
        block_size: the longest context (learned position embeddings).
        d_model, n_head, n_layer: width, heads per block, blocks.
        dropout: on attention weights and block outputs.
    """

    def __init__(
        self,
        vocab_size: int,
        block_size: int,
        d_model: int = 64,
        n_head: int = 4,
        n_layer: int = 2,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(block_size, d_model)
        self.blocks = nn.ModuleList(
            Block(d_model, n_head, dropout) for _ in range(n_layer)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, ids: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """Ids (N, T) -> next-token logits (N, T, vocab). With a cache, ids are new tokens only."""
        if ids.dim() != 2:
            raise ValueError(
                f"TinyGPT expects token ids (N, T), got {tuple(ids.shape)}"
            )
        start = 0 if cache is None else cache.length
        if start + ids.shape[1] > self.block_size:
            raise ValueError(
                f"context of {start + ids.shape[1]} tokens exceeds block_size {self.block_size}"
            )
        positions = torch.arange(start, start + ids.shape[1], device=ids.device)
        x = self.token_embedding(ids) + self.position_embedding(positions)
        for layer, block in enumerate(self.blocks):
            x = block(x, cache, layer)
        return self.head(self.norm(x))

    def attention_maps(self) -> torch.Tensor:
        """(layers, N, heads, T, S) weights of the last forward pass."""
        return torch.stack([block.attention.last_weights for block in self.blocks])


@torch.no_grad()
def generate(
    model: TinyGPT,
    prompt: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    use_cache: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Sample ``max_new_tokens`` after ``prompt`` (N, T0); returns (N, T0 + max_new_tokens).

    ``temperature`` divides the logits (below 1: safer, above 1: wilder; 0 is greedy);
    ``top_k`` keeps only the k most likely tokens. With ``use_cache`` the prompt is
    run once and then one token at a time; without it, the whole sequence is run
    again for every new token. Both give the same tokens.

    Example:
        >>> model = TinyGPT(5, block_size=8, d_model=8, n_head=2, n_layer=1).eval()
        >>> start = torch.zeros(2, 1, dtype=torch.long)
        >>> a = generate(model, start, 6, temperature=0)
        >>> torch.equal(a, generate(model, start, 6, temperature=0, use_cache=False))
        True
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if prompt.shape[1] + max_new_tokens > model.block_size:
        raise ValueError(
            f"prompt ({prompt.shape[1]}) + new tokens ({max_new_tokens}) exceed "
            f"block_size {model.block_size}"
        )
    model.eval()
    ids = prompt
    cache = KVCache(len(model.blocks)) if use_cache else None
    step_input = prompt
    for _ in range(max_new_tokens):
        logits = model(step_input if use_cache else ids, cache)[:, -1]
        if temperature == 0:
            token = logits.argmax(-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                kth = logits.topk(min(top_k, logits.shape[-1])).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = F.softmax(logits, dim=-1)
            token = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, token], dim=1)
        step_input = token
    return ids
