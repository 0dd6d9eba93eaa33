"""Adapters that give any model's attention maps one shape, for figures and the explorer.

An attention source turns a text into :class:`AttentionMaps`: the weights
(layers, heads, queries, keys) with a label for every query and key token.
Three sources come with the chapter: the date translator (cross-attention from
output to input characters), the tiny GPT (causal self-attention over
characters) and the pretrained MiniLM (self-attention over word pieces).

Example:
    >>> import torch
    >>> from course_utils.data import CharVocab
    >>> from course_utils.models import TinyGPT
    >>> vocab = CharVocab("abc\\n")
    >>> source = GPTSource(TinyGPT(len(vocab), 16, 16, 2, 3), vocab, ["abc"])
    >>> maps = source.attention("ab ca")
    >>> maps.weights.shape, maps.queries
    (torch.Size([3, 2, 5, 5]), ['a', 'b', '⏎', 'c', 'a'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

__all__ = [
    "AttentionMaps",
    "AttentionSource",
    "DateTranslatorSource",
    "GPTSource",
    "MiniLMSource",
]


@dataclass
class AttentionMaps:
    """Attention weights (layers, heads, Q, K) with token labels and a one-line caption."""

    weights: torch.Tensor
    queries: list[str]
    keys: list[str]
    caption: str = ""

    def __post_init__(self) -> None:
        shape = tuple(self.weights.shape)
        if len(shape) != 4 or shape[2:] != (len(self.queries), len(self.keys)):
            raise ValueError(
                f"AttentionMaps: weights must be (layers, heads, {len(self.queries)} "
                f"queries, {len(self.keys)} keys), got {shape}"
            )

    @property
    def layers(self) -> int:
        return self.weights.shape[0]

    @property
    def heads(self) -> int:
        return self.weights.shape[1]


class AttentionSource(Protocol):
    """What the explorer needs from a model."""

    examples: list[str]

    def attention(self, text: str) -> AttentionMaps: ...


def _shown(char: str) -> str:
    return {"\n": "⏎", " ": "␣"}.get(char, char)


class DateTranslatorSource:
    """Cross-attention of :class:`~course_utils.models.seq2seq.DateTranslator`: output -> input."""

    def __init__(self, model, source_vocab, target_vocab, examples, input_length=32):
        self.model, self.source_vocab, self.target_vocab = (
            model.eval(),
            source_vocab,
            target_vocab,
        )
        self.examples, self.input_length = list(examples), input_length

    def attention(self, text: str) -> AttentionMaps:
        text = "".join(c for c in text if c in self.source_vocab.chars)
        text = text[: self.input_length] or self.examples[0]
        source = self.source_vocab.encode(text, length=self.input_length)[None]
        device = next(self.model.parameters()).device
        start_id = self.target_vocab.start_id
        ids, weights = self.model.translate(source.to(device), start_id=start_id)
        output = self.target_vocab.decode(ids[0])
        queries = [self.target_vocab.itos[i] for i in ids[0].tolist()]
        maps = weights[0, :, : len(text)].float().cpu()[None, None]
        return AttentionMaps(
            maps, queries, [_shown(c) for c in text], f"{text} → {output}"
        )


class GPTSource:
    """Causal self-attention of :class:`~course_utils.models.gpt.TinyGPT` over characters.

    A space in the text stands for the newline that separates names.
    """

    def __init__(self, model, vocab, examples):
        self.model, self.vocab, self.examples = model.eval(), vocab, list(examples)

    def attention(self, text: str) -> AttentionMaps:
        text = text.lower().replace(" ", "\n")
        text = "".join(c for c in text if c in self.vocab.chars)
        text = text[: self.model.block_size] or self.examples[0].replace(" ", "\n")
        device = next(self.model.parameters()).device
        with torch.no_grad():
            logits = self.model(self.vocab.encode(text)[None].to(device))
        following = self.vocab.itos[int(logits[0, -1].argmax())]
        tokens = [_shown(c) for c in text]
        maps = self.model.attention_maps()[:, 0].float().cpu()
        return AttentionMaps(
            maps, tokens, tokens, f"most likely next character: {_shown(following)}"
        )


class MiniLMSource:
    """Self-attention of the pretrained MiniLM (6 layers x 12 heads) over word pieces."""

    def __init__(self, model, tokenizer, examples):
        self.model, self.tokenizer, self.examples = (
            model.eval(),
            tokenizer,
            list(examples),
        )

    def attention(self, text: str) -> AttentionMaps:
        from .pretrained import minilm_attention

        tokens, weights = minilm_attention(
            self.model, self.tokenizer, text[:400] or self.examples[0]
        )
        return AttentionMaps(weights, tokens, tokens, f"{len(tokens)} word pieces")
