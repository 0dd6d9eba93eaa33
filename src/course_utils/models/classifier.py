"""A Transformer text classifier: embeddings, positions, encoder blocks, pooling, a head.

Example:
    >>> import torch
    >>> model = TransformerClassifier(vocab_size=30, num_classes=2, d_model=16, nhead=2,
    ...                               num_layers=1, dim_feedforward=32)
    >>> model(torch.randint(1, 30, (4, 9))).shape
    torch.Size([4, 2])
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..nn.transformer import TransformerEncoderLayer, sinusoidal_positional_encoding

__all__ = ["TransformerClassifier"]


class TransformerClassifier(nn.Module):
    """Token embeddings + positions, a stack of encoder blocks, pooling, a linear head.

    Pooling turns the per-token vectors (N, S, d_model) into one vector per
    sequence (N, d_model): the mean over real (non-padding) tokens, or the
    first token's vector (``pooling="first"``, a [CLS] token). Without it the
    model would output one prediction per token, not per sequence.

    Args:
        vocab_size: number of token ids; id ``pad_id`` is padding.
        num_classes: outputs of the head.
        d_model, nhead, num_layers, dim_feedforward, dropout: the encoder's sizes.
        max_len: longest sequence (positions are sinusoidal, not learned).
        pooling: ``"mean"`` or ``"first"``.
        pad_id: the padding token id.

    Example:
        >>> model = TransformerClassifier(vocab_size=30, num_classes=2, d_model=16, nhead=2)
        >>> model(torch.randint(1, 30, (4, 9))).shape
        torch.Size([4, 2])
    """

    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        d_model: int = 64,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int = 128,
        dropout: float = 0.1,
        max_len: int = 64,
        pooling: str = "mean",
        pad_id: int = 0,
    ) -> None:
        super().__init__()
        if pooling not in ("mean", "first"):
            raise ValueError(f"pooling must be 'mean' or 'first', got {pooling!r}")
        self.pooling, self.pad_id = pooling, pad_id
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=pad_id)
        # Entries of size 1/sqrt(d_model), times sqrt(d_model) in encode(): vectors of
        # unit-size entries, like the positions. (PyTorch's default N(0, 1) entries,
        # times 8 for d_model = 64, would drown the positions.)
        nn.init.normal_(self.embedding.weight, std=d_model**-0.5)
        with torch.no_grad():
            self.embedding.weight[pad_id].zero_()
        self.register_buffer(
            "positions",
            sinusoidal_positional_encoding(max_len, d_model),
            persistent=False,
        )
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout)
            for _ in range(num_layers)
        )
        self.head = nn.Linear(d_model, num_classes)

    def encode(self, tokens: torch.Tensor) -> torch.Tensor:
        """Per-token vectors (N, S, d_model) after the last encoder block."""
        if tokens.dim() != 2 or tokens.shape[1] > len(self.positions):
            raise ValueError(
                f"TransformerClassifier expects token ids (N, S) with S <= "
                f"{len(self.positions)}, got {tuple(tokens.shape)}"
            )
        padding = tokens == self.pad_id
        x = self.embedding(tokens) * math.sqrt(self.embedding.embedding_dim)
        x = x + self.positions[: tokens.shape[1]]
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=padding)
        return x

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token ids (N, S) -> class logits (N, num_classes)."""
        x = self.encode(tokens)
        if self.pooling == "first":
            pooled = x[:, 0]
        else:
            real = (tokens != self.pad_id).unsqueeze(-1).to(x.dtype)
            pooled = (x * real).sum(1) / real.sum(1).clamp_min(1.0)
        return self.head(pooled)

    def attention_maps(self) -> torch.Tensor:
        """(layers, N, heads, S, S) weights of the last forward pass."""
        return torch.stack([layer.last_weights for layer in self.layers])
