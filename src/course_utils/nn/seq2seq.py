"""A sequence-to-sequence model with attention that rewrites human dates as ISO dates.

The encoder reads the characters of the input with a bidirectional GRU. The
decoder is a GRU over the output characters produced so far; at every output
step its state is the **query** of a scaled dot-product attention over the
encoder's states (the **keys** and **values**), in the style of Luong et al.
(2015). The attention weights form an alignment between output and input
characters: the heatmaps of the chapter.

Example:
    >>> import torch
    >>> from course_utils.data.dates import PaddedCharVocab
    >>> source, target = PaddedCharVocab("0123456789 abc"), PaddedCharVocab("0123456789-")
    >>> model = DateTranslator(len(source), len(target))
    >>> logits, weights = model(torch.randint(3, 17, (2, 12)), torch.randint(1, 14, (2, 10)))
    >>> logits.shape, weights.shape
    (torch.Size([2, 10, 14]), torch.Size([2, 10, 12]))
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn

from ._threads import single_cpu_thread
from .attention import attention_weights

__all__ = ["DateTranslator", "train_translator", "exact_match"]


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
    def translate(self, source: torch.Tensor, length: int = 10):
        """Greedy decoding: output ids (N, length) and alignments (N, length, S)."""
        states, keys, mask, hidden = self.encode(source)
        token = torch.ones(source.shape[0], 1, dtype=torch.long, device=source.device)
        ids, alignments = [], []
        for _ in range(length):
            decoded, hidden = self.decoder(self.target_embedding(token), hidden)
            logits, weights = self._attend(decoded, states, keys, mask)
            token = logits.argmax(-1)
            ids.append(token)
            alignments.append(weights)
        return torch.cat(ids, 1), torch.cat(alignments, 1)


def exact_match(predicted: list[str], expected: list[str]) -> float:
    """Fraction of predictions that equal the expected string exactly.

    Example:
        >>> exact_match(["2026-11-22", "2026-11-23"], ["2026-11-22", "2026-11-22"])
        0.5
    """
    if len(predicted) != len(expected) or not expected:
        raise ValueError(
            f"need two non-empty lists of equal length, got {len(predicted)} and {len(expected)}"
        )
    return sum(p == e for p, e in zip(predicted, expected)) / len(expected)


def train_translator(
    model: DateTranslator,
    source: torch.Tensor,
    target: torch.Tensor,
    epochs: int = 10,
    batch_size: int = 128,
    lr: float = 3e-3,
    max_seconds: float | None = None,
    device: str | torch.device = "cpu",
    seed: int = 0,
    verbose: bool = True,
) -> list[float]:
    """Train with teacher forcing and cross-entropy; return the mean loss of each epoch.

    ``target`` holds the output ids without the start symbol; the decoder input is
    the start symbol followed by all but the last target id. Training stops early
    once ``max_seconds`` have passed. The learning rate decays along a cosine.
    On the CPU it runs on one thread (fastest for a model this small).
    """
    with single_cpu_thread(device):
        return _train_translator(
            model,
            source,
            target,
            epochs,
            batch_size,
            lr,
            max_seconds,
            device,
            seed,
            verbose,
        )


def _train_translator(
    model, source, target, epochs, batch_size, lr, max_seconds, device, seed, verbose
):
    model.to(device).train()
    source, target = source.to(device), target.to(device)
    start_ids = torch.ones(len(target), 1, dtype=torch.long, device=device)
    target_in = torch.cat([start_ids, target[:, :-1]], dim=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(source) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed)
    losses, started = [], time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(source), generator=generator).to(device)
        total = 0.0
        for batch in order.split(batch_size):
            logits, _ = model(source[batch], target_in[batch])
            loss = F.cross_entropy(logits.flatten(0, 1), target[batch].flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / len(source))
        elapsed = time.perf_counter() - started
        if verbose:
            print(
                f"epoch {epoch:>2}/{epochs}  loss {losses[-1]:.4f}  ({elapsed:.1f} s)"
            )
        if max_seconds is not None and elapsed > max_seconds:
            break
    model.eval()
    return losses
