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

from collections.abc import Mapping, Sequence
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

    def head_scores(
        self, marks: Mapping[str, Sequence[str]] | None = None
    ) -> dict[str, torch.Tensor]:
        """How much of its attention each head puts on a few patterns: (layers, heads) each.

        For self-attention maps (queries and keys are the same tokens), the mean
        over queries of the weight given to ``"previous"`` (the token just before,
        over the queries that have one), ``"self"`` (the query itself) and ``"next"``
        (the token just after), and for each ``marks`` entry ``name: tokens`` the
        total weight on keys whose label is one of ``tokens`` (such as
        ``{"[CLS]/[SEP]": ["[CLS]", "[SEP]"]}``).

        Example:
            >>> shift = torch.eye(4).roll(1, dims=1)[None, None]  # query i -> key i+1
            >>> maps = AttentionMaps(shift, list("abcd"), list("abcd"))
            >>> {name: round(float(s), 2) for name, s in maps.head_scores().items()}
            {'previous': 0.0, 'self': 0.0, 'next': 1.0}
        """
        who = "AttentionMaps.head_scores"
        if self.queries != self.keys:
            raise ValueError(
                f"{who}: needs self-attention maps (the same query and key tokens), "
                f"got {len(self.queries)} queries and {len(self.keys)} keys"
            )
        w = self.weights.float()
        count = w.shape[-1]
        scores = {
            "previous": w.diagonal(offset=-1, dim1=-2, dim2=-1).mean(-1)
            if count > 1
            else torch.zeros(w.shape[:2]),
            "self": w.diagonal(dim1=-2, dim2=-1).mean(-1),
            "next": w.diagonal(offset=1, dim1=-2, dim2=-1).mean(-1)
            if count > 1
            else torch.zeros(w.shape[:2]),
        }
        for name, tokens in (marks or {}).items():
            if isinstance(tokens, str):
                raise TypeError(
                    f"{who}: marks[{name!r}] must be a list of token labels, got the string {tokens!r}"
                )
            chosen = [i for i, key in enumerate(self.keys) if key in set(tokens)]
            scores[name] = w[..., chosen].sum(-1).mean(-1)
        return scores

    def head_roles(
        self,
        marks: Mapping[str, Sequence[str]] | None = None,
        threshold: float = 0.5,
    ) -> dict[tuple[int, int], str]:
        """(layer, head) -> the pattern of :meth:`head_scores` that takes at least
        ``threshold`` of the head's attention (the largest one), or ``"mixed"``.

        A reading of a grid of heads that the reader can check on the figure:
        pass it as ``notes`` to :func:`course_utils.viz.plot_attention_grid`.

        Example:
            >>> maps = AttentionMaps(torch.eye(3)[None, None], list("abc"), list("abc"))
            >>> maps.head_roles()
            {(0, 0): 'self'}
        """
        if not 0 < float(threshold) <= 1:
            raise ValueError(
                f"AttentionMaps.head_roles: threshold must be in (0, 1], got {threshold!r}"
            )
        scores = self.head_scores(marks)
        names = list(scores)
        stacked = torch.stack([scores[n] for n in names], -1)  # (layers, heads, P)
        best, index = stacked.max(-1)
        return {
            (layer, head): names[int(index[layer, head])]
            if float(best[layer, head]) >= threshold
            else "mixed"
            for layer in range(self.layers)
            for head in range(self.heads)
        }


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
