"""A Transformer encoder block, sinusoidal positions and a Transformer text classifier.

:class:`TransformerEncoderLayer` has the sub-modules and parameter names of
``nn.TransformerEncoderLayer`` (``batch_first=True``), so a state dict copies
across and the two give the same outputs (the unit tests check this, post-norm
and pre-norm, ReLU and GELU, with masks).

Example:
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> ours = TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0)
    >>> theirs = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    >>> _ = theirs.load_state_dict(ours.state_dict())
    >>> x = torch.randn(2, 7, 16)
    >>> torch.allclose(ours(x), theirs(x), atol=1e-5)
    True
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .attention import MultiheadAttention

__all__ = [
    "sinusoidal_positional_encoding",
    "TransformerEncoderLayer",
    "TransformerClassifier",
]

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def sinusoidal_positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """The (length, d_model) table of "Attention is all you need".

    Column pair (2i, 2i + 1) holds sin and cos of ``position / 10000^(2i / d_model)``:
    fast waves in the first columns, slow ones in the last.

    Example:
        >>> pe = sinusoidal_positional_encoding(4, 6)
        >>> pe.shape, pe[0].tolist()
        (torch.Size([4, 6]), [0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    """
    if length < 1 or d_model < 2 or d_model % 2:
        raise ValueError(
            f"sinusoidal_positional_encoding: need length >= 1 and an even d_model >= 2, "
            f"got length={length}, d_model={d_model}"
        )
    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(
        torch.arange(0, d_model, 2, dtype=torch.float32)
        * (-math.log(10000.0) / d_model)
    )
    table = torch.zeros(length, d_model)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table


class TransformerEncoderLayer(nn.Module):
    """One encoder block: self-attention and a feed-forward network, each with a residual.

    Post-norm (the original, and PyTorch's default)::

        x = norm1(x + dropout(self_attn(x)))
        x = norm2(x + dropout(linear2(dropout(activation(linear1(x))))))

    Pre-norm (``norm_first=True``, as in GPT-2 and most recent models) normalises
    the input of each branch instead: ``x = x + dropout(self_attn(norm1(x)))``, ...

    Args and forward arguments as in ``nn.TransformerEncoderLayer`` with
    ``batch_first=True``; ``src_key_padding_mask`` (N, S) is True on padding.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = False,
    ) -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"TransformerEncoderLayer: activation must be one of "
                f"{', '.join(_ACTIVATIONS)}, got {activation!r}"
            )
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = _ACTIVATIONS[activation]
        self.norm_first = norm_first

    def _attention(self, x, mask, padding, is_causal):
        out, _ = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=padding,
            need_weights=False,
            is_causal=is_causal,
        )
        return self.dropout1(out)

    def _feed_forward(self, x):
        return self.dropout2(
            self.linear2(self.dropout(self.activation(self.linear1(x))))
        )

    def forward(
        self,
        src: torch.Tensor,
        src_mask: torch.Tensor | None = None,
        src_key_padding_mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        """(N, S, d_model) -> (N, S, d_model)."""
        x = src
        if self.norm_first:
            x = x + self._attention(
                self.norm1(x), src_mask, src_key_padding_mask, is_causal
            )
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(
            x + self._attention(x, src_mask, src_key_padding_mask, is_causal)
        )
        return self.norm2(x + self._feed_forward(x))

    @property
    def last_weights(self) -> torch.Tensor | None:
        """Per-head attention weights (N, H, S, S) of the last forward pass."""
        return self.self_attn.last_weights


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
