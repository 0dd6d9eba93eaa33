"""Small models of the attention chapter trained in seconds with a seed, for the explorer demo.

The notebooks train the same models longer; these quick versions are good
enough to show meaningful attention maps (and to test the explorer).

Example:
    >>> source = quick_date_translator(train_pairs=300, epochs=1)
    >>> source.attention("22 Nov 2026").keys[:3]
    ['2', '2', '␣']
"""

from __future__ import annotations

import math

import torch

from ..data.dates import date_vocabularies, encode_pairs, split_dates
from ..data.language import lm_windows, names_corpus
from ..train import train_steps
from .attention_maps import DateTranslatorSource, GPTSource, MiniLMSource
from .gpt import TinyGPT
from .seq2seq import DateTranslator

__all__ = [
    "DATE_EXAMPLES",
    "NAME_EXAMPLES",
    "SENTENCE_EXAMPLES",
    "quick_date_translator",
    "quick_names_gpt",
    "demo_sources",
]

DATE_EXAMPLES = [
    "22 Nov 2026",
    "2026年11月22日",
    "Sunday, November 22, 2026",
    "the 3rd of July 1969",
    "二〇二六年十一月二十二日",
    "07/04/1976",
    "1999年12月31日 星期五",
]
NAME_EXAMPLES = ["emma olivia sophia", "james john robert", "christopher", "annabelle"]
SENTENCE_EXAMPLES = [
    "The cat sat on the mat because it was warm.",
    "The animal didn't cross the street because it was too tired.",
    "Attention is all you need.",
    "She gave the book to her brother, who read it in one night.",
]


def quick_date_translator(train_pairs: int = 5000, epochs: int = 2, seed: int = 0):
    """A :class:`DateTranslatorSource` over a date translator trained for a few seconds."""
    torch.manual_seed(seed)
    source_vocab, target_vocab = date_vocabularies()
    pairs = split_dates(train_pairs, 10, seed=seed)
    model = DateTranslator(len(source_vocab), len(target_vocab), hidden_size=48)
    train_steps(
        model,
        encode_pairs(pairs.train, source_vocab, target_vocab),
        steps=epochs * math.ceil(train_pairs / 64),
        batch_size=64,
        lr=4e-3,
        schedule="cosine",
        device="cpu",
        seed=seed,
        verbose=False,
    )
    return DateTranslatorSource(model, source_vocab, target_vocab, DATE_EXAMPLES)


def quick_names_gpt(steps: int = 150, seed: int = 0):
    """A :class:`GPTSource` over a tiny GPT trained on census first names for a few seconds."""
    torch.manual_seed(seed)
    vocab, train_text, _ = names_corpus(seed)
    model = TinyGPT(len(vocab), block_size=32, d_model=64, n_head=4, n_layer=2)
    train_steps(
        model,
        lm_windows(vocab.encode(train_text), block_size=32),
        steps=steps,
        batch_size=32,
        optimizer=torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01),
        schedule="onecycle",
        device="cpu",
        seed=seed,
        verbose=False,
    )
    return GPTSource(model, vocab, NAME_EXAMPLES)


def demo_sources(seed: int = 0, minilm: bool = True) -> dict:
    """name -> attention source for the three models (MiniLM only if its package is installed)."""
    sources = {
        "date translator": quick_date_translator(seed=seed),
        "tiny GPT (names)": quick_names_gpt(seed=seed),
    }
    if minilm:
        from .pretrained import load_minilm

        model, tokenizer = load_minilm()
        sources["MiniLM (pretrained)"] = MiniLMSource(
            model, tokenizer, SENTENCE_EXAMPLES
        )
    return sources
