"""A sequence-to-sequence model with attention that rewrites human dates as ISO dates.

The encoder reads the characters of the input with a bidirectional GRU. The
decoder is a GRU over the output characters produced so far; at every output
step its state is the **query** of a scaled dot-product attention over the
encoder's states (the **keys** and **values**), in the style of Luong et al.
(2015). The attention weights form an alignment between output and input
characters: the heatmaps of the chapter.

Example:
    >>> import torch
    >>> from course_utils.data import CharVocab
    >>> special = {"pad": "<pad>", "start": "<s>", "end": "</s>"}
    >>> source, target = CharVocab("0123456789 abc", **special), CharVocab("0123456789-", **special)
    >>> model = DateTranslator(len(source), len(target))
    >>> logits, weights = model(torch.randint(3, 17, (2, 12)), torch.randint(1, 14, (2, 10)))
    >>> logits.shape, weights.shape
    (torch.Size([2, 10, 14]), torch.Size([2, 10, 12]))
"""

from __future__ import annotations

import torch
from torch import nn

from ..nn.functional.attention import attention_weights

__all__ = ["DateTranslator"]


class DateTranslator(nn.Module):
    """Bidirectional GRU encoder, GRU decoder, dot-product attention between them.

    Args:
        source_vocab_size: number of input symbols (id 0 is padding).
        target_vocab_size: number of output symbols (ids 0, 1, 2: padding, start, end).
        embed_dim: size of the character embeddings.
        hidden_size: size of each encoder direction; the decoder has twice this.
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 64,
    ) -> None:
        super().__init__()
        width = 2 * hidden_size
        self.source_embedding = nn.Embedding(
            source_vocab_size, embed_dim, padding_idx=0
        )
        self.encoder = nn.GRU(
            embed_dim, hidden_size, batch_first=True, bidirectional=True
        )
        self.target_embedding = nn.Embedding(
            target_vocab_size, embed_dim, padding_idx=0
        )
        self.bridge = nn.Linear(
            width, width
        )  # encoder summary -> decoder's first state
        self.decoder = nn.GRU(embed_dim, width, batch_first=True)
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(width, width)
        self.output = nn.Sequential(
            nn.Linear(2 * width, width), nn.Tanh(), nn.Linear(width, target_vocab_size)
        )

    def encode(self, source: torch.Tensor):
        """Encoder states (N, S, 2H), their keys, the padding mask and the first decoder state."""
        if source.dim() != 2:
            raise ValueError(
                f"DateTranslator expects source ids (N, S), got {tuple(source.shape)}"
            )
        real = source != 0  # (N, S)
        states, _ = self.encoder(self.source_embedding(source))
        mean = (states * real[..., None]).sum(1) / real.sum(1, keepdim=True).clamp_min(
            1
        )
        hidden = torch.tanh(self.bridge(mean))[None]  # (1, N, 2H)
        return states, self.key(states), real[:, None, :], hidden

    def _attend(self, decoded, states, keys, mask):
        weights = attention_weights(
            self.query(decoded), keys, attn_mask=mask
        )  # (N, T, S)
        context = weights @ states  # (N, T, 2H)
        return self.output(torch.cat([decoded, context], dim=-1)), weights

    def forward(self, source: torch.Tensor, target_in: torch.Tensor):
        """Teacher forcing: logits (N, T, V) for ``target_in`` (start + all but the last)."""
        states, keys, mask, hidden = self.encode(source)
        decoded, _ = self.decoder(self.target_embedding(target_in), hidden)
        return self._attend(decoded, states, keys, mask)

    @torch.no_grad()
    def translate(self, source: torch.Tensor, length: int = 10, start_id: int = 1):
        """Greedy decoding: output ids (N, length) and alignments (N, length, S).

        The decoder first reads the start token ``start_id``, then its own outputs.
        """
        states, keys, mask, hidden = self.encode(source)
        token = torch.full(
            (source.shape[0], 1), start_id, dtype=torch.long, device=source.device
        )
        ids, alignments = [], []
        for _ in range(length):
            decoded, hidden = self.decoder(self.target_embedding(token), hidden)
            logits, weights = self._attend(decoded, states, keys, mask)
            token = logits.argmax(-1)
            ids.append(token)
            alignments.append(weights)
        return torch.cat(ids, 1), torch.cat(alignments, 1)
