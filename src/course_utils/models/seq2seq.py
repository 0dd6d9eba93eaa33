"""Sequence-to-sequence models: a GRU encoder-decoder (with or without attention) and a Transformer.

All three read a source sequence of ids (N, S), right-padded with id 0, and are
trained with **teacher forcing**: the decoder reads the true previous output
tokens (``target_in``: the start token, then all target tokens but the last) and
predicts every next token at once. To translate, :meth:`translate` feeds each
model its own greedy predictions instead.

* :class:`GRUSeq2Seq` reads the source with a bidirectional GRU (packed, so that
  padding never enters the recurrence) and writes with a GRU decoder that starts
  from a summary of the source. With ``attention=True`` every decoder step also
  queries the encoder's states with scaled dot-product attention (Luong et al.,
  2015); with ``attention=False`` the summary vector is all the decoder ever
  learns about the source: the **bottleneck** of the first neural translators
  (Sutskever et al., 2014).
* :class:`DateTranslator` is the GRU with attention that rewrites human dates as
  ISO dates (the first notebook of the attention chapter).
* :class:`TransformerTranslator` is the encoder-decoder Transformer of Vaswani et
  al. (2017): encoder blocks over the source, decoder blocks with causal
  self-attention and cross-attention to the encoder's output.

Example:
    >>> import torch
    >>> model = DateTranslator(source_vocab_size=17, target_vocab_size=14)
    >>> logits, weights = model(torch.randint(3, 17, (2, 12)), torch.randint(1, 14, (2, 10)))
    >>> logits.shape, weights.shape
    (torch.Size([2, 10, 14]), torch.Size([2, 10, 12]))
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .._validation import require_int
from ..nn.functional.attention import attention_weights
from ..nn.transformer import (
    TransformerDecoderLayer,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)

__all__ = ["GRUSeq2Seq", "DateTranslator", "TransformerTranslator"]


def _check_ids(ids: object, who: str, name: str) -> torch.Tensor:
    if not isinstance(ids, torch.Tensor):
        raise TypeError(
            f"{who}: {name} must be a tensor of ids, got {type(ids).__name__}"
        )
    if ids.dim() != 2 or ids.dtype != torch.long:
        length = "S" if name == "source" else "T"
        raise ValueError(
            f"{who}: expects {name} ids (N, {length}) of dtype int64, got shape "
            f"{tuple(ids.shape)} and {ids.dtype}"
        )
    return ids


class GRUSeq2Seq(nn.Module):
    """Bidirectional GRU encoder, GRU decoder, and optionally attention between them.

    Args:
        source_vocab_size: number of input symbols (id 0 is padding).
        target_vocab_size: number of output symbols (id 0 is padding).
        embed_dim: size of the character embeddings.
        hidden_size: size of each encoder direction; the decoder has twice this.
        attention: let every decoder step attend to the encoder's states. Without
            it, the decoder sees the source only through its first state.

    The decoder's first state is ``tanh(bridge(mean of the encoder states))``
    in both cases, so the two variants differ by attention alone.
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 64,
        attention: bool = True,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        for name, value in (
            ("source_vocab_size", source_vocab_size),
            ("target_vocab_size", target_vocab_size),
            ("embed_dim", embed_dim),
            ("hidden_size", hidden_size),
        ):
            require_int(who, name, value, minimum=1)
        width = 2 * hidden_size
        self.attention = bool(attention)
        self.source_embedding = nn.Embedding(
            source_vocab_size, embed_dim, padding_idx=0
        )
        self.encoder = nn.GRU(
            embed_dim, hidden_size, batch_first=True, bidirectional=True
        )
        self.target_embedding = nn.Embedding(
            target_vocab_size, embed_dim, padding_idx=0
        )
        self.bridge = nn.Linear(width, width)  # source summary -> first decoder state
        self.decoder = nn.GRU(embed_dim, width, batch_first=True)
        if self.attention:
            self.query = nn.Linear(width, width)
            self.key = nn.Linear(width, width)
        reads = 2 * width if self.attention else width  # [state; context] or state
        self.output = nn.Sequential(
            nn.Linear(reads, width), nn.Tanh(), nn.Linear(width, target_vocab_size)
        )

    def encode(self, source: torch.Tensor):
        """Encoder states (N, S, 2H), their keys, the padding mask and the first decoder state.

        The sequences are packed (:func:`torch.nn.utils.rnn.pack_padded_sequence`),
        so each direction of the GRU reads the real characters only: the backward
        direction starts at the last character, not at the padding after it, and
        the states do not depend on how much padding a batch needed.
        """
        _check_ids(source, type(self).__name__, "source")
        real = source != 0  # (N, S): right padding, so the real ids come first
        lengths = real.sum(1).clamp_min(1).cpu()
        packed = pack_padded_sequence(
            self.source_embedding(source),
            lengths,
            batch_first=True,
            enforce_sorted=False,
        )
        states, _ = self.encoder(packed)
        states, _ = pad_packed_sequence(
            states, batch_first=True, total_length=source.shape[1]
        )
        mean = (states * real[..., None]).sum(1) / real.sum(1, keepdim=True).clamp_min(
            1
        )
        hidden = torch.tanh(self.bridge(mean))[None]  # (1, N, 2H)
        keys = self.key(states) if self.attention else None
        return states, keys, real[:, None, :], hidden

    def _read_out(self, decoded, states, keys, mask):
        if not self.attention:
            return self.output(decoded), None
        weights = attention_weights(
            self.query(decoded), keys, attn_mask=mask
        )  # (N, T, S)
        context = weights @ states  # (N, T, 2H)
        return self.output(torch.cat([decoded, context], dim=-1)), weights

    def forward(self, source: torch.Tensor, target_in: torch.Tensor):
        """Teacher forcing: logits (N, T, V) for ``target_in``, and the attention (N, T, S) or None."""
        _check_ids(target_in, type(self).__name__, "target_in")
        states, keys, mask, hidden = self.encode(source)
        decoded, _ = self.decoder(self.target_embedding(target_in), hidden)
        return self._read_out(decoded, states, keys, mask)

    @torch.no_grad()
    def translate(self, source: torch.Tensor, length: int = 10, start_id: int = 1):
        """Greedy decoding: output ids (N, length) and alignments (N, length, S) or None.

        The decoder first reads the start token ``start_id``, then its own outputs.
        """
        require_int(type(self).__name__ + ".translate", "length", length, minimum=1)
        states, keys, mask, hidden = self.encode(source)
        token = torch.full(
            (source.shape[0], 1), start_id, dtype=torch.long, device=source.device
        )
        ids, alignments = [], []
        for _ in range(length):
            decoded, hidden = self.decoder(self.target_embedding(token), hidden)
            logits, weights = self._read_out(decoded, states, keys, mask)
            token = logits.argmax(-1)
            ids.append(token)
            alignments.append(weights)
        return torch.cat(ids, 1), (torch.cat(alignments, 1) if self.attention else None)


class DateTranslator(GRUSeq2Seq):
    """The GRU encoder-decoder with attention that rewrites dates ("22 Nov 2026" -> "2026-11-22").

    :class:`GRUSeq2Seq` with ``attention=True``; ``translate`` writes the ten
    characters of an ISO date by default.
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 64,
    ) -> None:
        super().__init__(
            source_vocab_size, target_vocab_size, embed_dim, hidden_size, attention=True
        )


class TransformerTranslator(nn.Module):
    """An encoder-decoder Transformer: the architecture of "Attention is all you need".

    Source and target ids are embedded (scaled by sqrt(d_model)) and given
    sinusoidal positions; ``num_encoder_layers`` encoder blocks read the source;
    ``num_decoder_layers`` decoder blocks read the target written so far (causal
    self-attention) and the encoder's output (cross-attention); a linear head
    gives the next-token logits. Blocks are the course's
    :class:`~course_utils.nn.TransformerEncoderLayer` and
    :class:`~course_utils.nn.TransformerDecoderLayer` (PyTorch's parameter names).

    Args:
        source_vocab_size, target_vocab_size: number of symbols (id 0 is padding).
        d_model, nhead, dim_feedforward, dropout, norm_first: as in the blocks.
        num_encoder_layers, num_decoder_layers: how many blocks of each kind.
        max_len: the longest source or target sequence.

    Example:
        >>> model = TransformerTranslator(17, 14, d_model=16, nhead=2)
        >>> logits, cross = model(torch.randint(1, 17, (3, 12)), torch.randint(1, 14, (3, 10)))
        >>> logits.shape, cross.shape  # cross-attention (N, layers, heads, T, S)
        (torch.Size([3, 10, 14]), torch.Size([3, 2, 2, 10, 12]))
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        d_model: int = 64,
        nhead: int = 4,
        num_encoder_layers: int = 2,
        num_decoder_layers: int = 2,
        dim_feedforward: int = 128,
        dropout: float = 0.1,
        max_len: int = 64,
        norm_first: bool = False,
    ) -> None:
        super().__init__()
        who = "TransformerTranslator"
        for name, value in (
            ("source_vocab_size", source_vocab_size),
            ("target_vocab_size", target_vocab_size),
            ("num_encoder_layers", num_encoder_layers),
            ("num_decoder_layers", num_decoder_layers),
            ("max_len", max_len),
        ):
            require_int(who, name, value, minimum=1)
        self.d_model, self.max_len = d_model, max_len
        self.source_embedding = nn.Embedding(source_vocab_size, d_model, padding_idx=0)
        self.target_embedding = nn.Embedding(target_vocab_size, d_model, padding_idx=0)
        for embedding in (self.source_embedding, self.target_embedding):
            # Entries of size 1/sqrt(d_model), times sqrt(d_model) in forward: unit
            # size, like the positions (N(0, 1) entries times 8 would drown them).
            nn.init.normal_(embedding.weight, std=d_model**-0.5)
            embedding.weight.data[0] = 0.0
        self.register_buffer(
            "positions",
            sinusoidal_positional_encoding(max_len, d_model),
            persistent=False,
        )
        block = {
            "d_model": d_model,
            "nhead": nhead,
            "dim_feedforward": dim_feedforward,
            "dropout": dropout,
            "norm_first": norm_first,
        }
        self.encoder_layers = nn.ModuleList(
            TransformerEncoderLayer(**block) for _ in range(num_encoder_layers)
        )
        self.decoder_layers = nn.ModuleList(
            TransformerDecoderLayer(**block) for _ in range(num_decoder_layers)
        )
        # Pre-norm stacks end with a layer norm (post-norm blocks end normalized).
        self.encoder_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.decoder_norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(d_model, target_vocab_size)

    def _embed(
        self, ids: torch.Tensor, embedding: nn.Embedding, who: str
    ) -> torch.Tensor:
        if ids.shape[1] > self.max_len:
            raise ValueError(
                f"TransformerTranslator: {who} has {ids.shape[1]} positions, more than "
                f"max_len={self.max_len}"
            )
        x = embedding(ids) * math.sqrt(self.d_model) + self.positions[: ids.shape[1]]
        return self.dropout(x)

    def encode(self, source: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The encoder's output, the "memory" (N, S, d_model), and its padding mask (N, S)."""
        _check_ids(source, "TransformerTranslator", "source")
        padding = source == 0
        x = self._embed(source, self.source_embedding, "source")
        for layer in self.encoder_layers:
            x = layer(x, src_key_padding_mask=padding)
        return self.encoder_norm(x), padding

    def decode(
        self,
        target_in: torch.Tensor,
        memory: torch.Tensor,
        memory_padding: torch.Tensor,
    ) -> torch.Tensor:
        """Next-token logits (N, T, V) for every position of ``target_in``."""
        _check_ids(target_in, "TransformerTranslator", "target_in")
        length = target_in.shape[1]
        causal = torch.ones(
            length, length, dtype=torch.bool, device=target_in.device
        ).triu(1)
        x = self._embed(target_in, self.target_embedding, "target_in")
        for layer in self.decoder_layers:
            x = layer(
                x,
                memory,
                tgt_mask=causal,  # True above the diagonal: the future is blocked
                tgt_key_padding_mask=target_in == 0,
                memory_key_padding_mask=memory_padding,
            )
        return self.head(self.decoder_norm(x))

    def cross_attention(self) -> torch.Tensor:
        """Cross-attention weights of the last forward pass: (N, layers, heads, T, S)."""
        return torch.stack(
            [layer.cross_attention_weights for layer in self.decoder_layers], 1
        )

    def forward(self, source: torch.Tensor, target_in: torch.Tensor):
        """Teacher forcing: logits (N, T, V) and cross-attention (N, layers, heads, T, S)."""
        memory, padding = self.encode(source)
        return self.decode(target_in, memory, padding), self.cross_attention()

    @torch.no_grad()
    def translate(self, source: torch.Tensor, length: int = 10, start_id: int = 1):
        """Greedy decoding: ids (N, length) and cross-attention (N, layers, heads, length, S).

        The source is encoded once; the decoder then runs on the growing output,
        one more token per step (without a cache: the outputs here are short).
        """
        require_int("TransformerTranslator.translate", "length", length, minimum=1)
        memory, padding = self.encode(source)
        written = torch.full(
            (source.shape[0], 1), start_id, dtype=torch.long, device=source.device
        )
        for _ in range(length):
            logits = self.decode(written, memory, padding)[:, -1]
            written = torch.cat([written, logits.argmax(-1, keepdim=True)], dim=1)
        # The last step's pass read the start token and every output but the last:
        # its cross-attention is the alignment of each output token.
        return written[:, 1:], self.cross_attention()
