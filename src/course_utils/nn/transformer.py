"""Transformer encoder and decoder blocks, and sinusoidal position encodings.

:class:`TransformerEncoderLayer` and :class:`TransformerDecoderLayer` have the
sub-modules and parameter names of ``nn.TransformerEncoderLayer`` and
``nn.TransformerDecoderLayer`` (``batch_first=True``), so a state dict copies
across and the two give the same outputs (the unit tests check this, post-norm
and pre-norm, ReLU and GELU, with masks).

A decoder block differs from an encoder block by one sub-layer: between its
(causal) self-attention and its feed-forward network sits **cross-attention**,
whose queries come from the decoder and whose keys and values come from the
encoder's output (the "memory").

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
    "TransformerDecoderLayer",
]

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _pick_activation(name: str, who: str):
    """The activation function called ``name``, or a ValueError naming the choices."""
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"{who}: activation must be one of {', '.join(_ACTIVATIONS)}, got {name!r}"
        )
    return _ACTIVATIONS[name]


def _attend(attention, x, source, mask, padding, is_causal) -> torch.Tensor:
    """``x`` attends to ``source`` (itself for self-attention); the weights are not returned."""
    out, _ = attention(
        x,
        source,
        source,
        attn_mask=mask,
        key_padding_mask=padding,
        need_weights=False,
        is_causal=is_causal,
    )
    return out


def _position_wise(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The feed-forward network of a block: linear2(dropout(activation(linear1(x))))."""
    return layer.linear2(layer.dropout(layer.activation(layer.linear1(x))))


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
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = _pick_activation(activation, "TransformerEncoderLayer")
        self.norm_first = norm_first

    def _attention(self, x, mask, padding, is_causal):
        return self.dropout1(_attend(self.self_attn, x, x, mask, padding, is_causal))

    def _feed_forward(self, x):
        return self.dropout2(_position_wise(self, x))

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


class TransformerDecoderLayer(nn.Module):
    """One decoder block: causal self-attention, cross-attention to the encoder, feed-forward.

    Post-norm (the original, and PyTorch's default)::

        x = norm1(x + dropout1(self_attn(x, x, x)))            # tokens written so far
        x = norm2(x + dropout2(multihead_attn(x, memory, memory)))  # the source
        x = norm3(x + dropout3(linear2(dropout(activation(linear1(x))))))

    Pre-norm (``norm_first=True``) normalizes the input of each branch instead:
    ``x = x + dropout1(self_attn(norm1(x)))``, and so on.

    Args and forward arguments as in ``nn.TransformerDecoderLayer`` with
    ``batch_first=True``: ``tgt`` (N, T, d_model), ``memory`` (N, S, d_model);
    boolean masks are True where attention is **blocked** (``tgt_mask`` (T, T),
    ``memory_mask`` (T, S), ``tgt_key_padding_mask`` (N, T),
    ``memory_key_padding_mask`` (N, S)); float masks are added to the scores.
    ``tgt_is_causal=True`` without a ``tgt_mask`` builds the causal mask (PyTorch
    wants the mask itself and treats the flag as a hint).

    After a forward pass, :attr:`self_attention_weights` (N, H, T, T) and
    :attr:`cross_attention_weights` (N, H, T, S) hold the per-head weights.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> ours = TransformerDecoderLayer(16, 4, dim_feedforward=32, dropout=0.0)
        >>> theirs = torch.nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
        >>> _ = theirs.load_state_dict(ours.state_dict())
        >>> tgt, memory = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
        >>> causal = torch.nn.Transformer.generate_square_subsequent_mask(5)
        >>> torch.allclose(ours(tgt, memory, tgt_mask=causal),
        ...                theirs(tgt, memory, tgt_mask=causal), atol=1e-5)
        True
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
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.activation = _pick_activation(activation, "TransformerDecoderLayer")
        self.norm_first = norm_first

    def _self_attention(self, x, mask, padding, is_causal):
        return self.dropout1(_attend(self.self_attn, x, x, mask, padding, is_causal))

    def _cross_attention(self, x, memory, mask, padding, is_causal):
        attended = _attend(self.multihead_attn, x, memory, mask, padding, is_causal)
        return self.dropout2(attended)

    def _feed_forward(self, x):
        return self.dropout3(_position_wise(self, x))

    def forward(
        self,
        tgt: torch.Tensor,
        memory: torch.Tensor,
        tgt_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
        tgt_key_padding_mask: torch.Tensor | None = None,
        memory_key_padding_mask: torch.Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> torch.Tensor:
        """(N, T, d_model) and memory (N, S, d_model) -> (N, T, d_model)."""
        for name, value in (("tgt", tgt), ("memory", memory)):
            if not isinstance(value, torch.Tensor):
                raise TypeError(
                    f"TransformerDecoderLayer: {name} must be a tensor, "
                    f"got {type(value).__name__}"
                )
        if tgt.dim() != 3 or memory.dim() != 3 or tgt.shape[0] != memory.shape[0]:
            raise ValueError(
                "TransformerDecoderLayer: tgt (N, T, d_model) and memory (N, S, d_model) "
                f"must be batch first with the same N, got tgt {tuple(tgt.shape)} and "
                f"memory {tuple(memory.shape)}"
            )
        x = tgt
        if self.norm_first:
            x = x + self._self_attention(
                self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal
            )
            x = x + self._cross_attention(
                self.norm2(x),
                memory,
                memory_mask,
                memory_key_padding_mask,
                memory_is_causal,
            )
            return x + self._feed_forward(self.norm3(x))
        x = self.norm1(
            x + self._self_attention(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        )
        x = self.norm2(
            x
            + self._cross_attention(
                x, memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
        )
        return self.norm3(x + self._feed_forward(x))

    @property
    def self_attention_weights(self) -> torch.Tensor | None:
        """Per-head self-attention weights (N, H, T, T) of the last forward pass."""
        return self.self_attn.last_weights

    @property
    def cross_attention_weights(self) -> torch.Tensor | None:
        """Per-head cross-attention weights (N, H, T, S) of the last forward pass."""
        return self.multihead_attn.last_weights
