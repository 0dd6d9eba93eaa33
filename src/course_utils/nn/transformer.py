"""A Transformer encoder block and sinusoidal position encodings.

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
