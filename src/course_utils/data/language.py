"""Language-model data: random windows of a token stream, and the census-names corpus.

Example:
    >>> import torch
    >>> data = torch.arange(100)
    >>> x, y = lm_batches(data, block_size=8, batch_size=4, generator=torch.Generator().manual_seed(0))
    >>> x.shape, bool((y == x + 1).all())
    (torch.Size([4, 8]), True)
"""

from __future__ import annotations

import random

import torch

from .names import load_first_names
from .vocab import CharTokenizer

__all__ = ["lm_batches", "names_corpus"]


def lm_batches(data: torch.Tensor, block_size: int, batch_size: int, generator):
    """Random windows of a 1-D token stream: inputs (N, T) and next-token targets (N, T)."""
    starts = torch.randint(
        len(data) - block_size - 1, (batch_size,), generator=generator
    )
    offsets = torch.arange(block_size)
    x = data[starts[:, None] + offsets]
    return x, data[starts[:, None] + offsets + 1]


def names_corpus(seed: int = 0, test_fraction: float = 0.1):
    """(tokenizer, training text, test text): census first names, one per line, shuffled."""
    names = load_first_names()
    random.Random(seed).shuffle(names)
    cut = int(len(names) * test_fraction)
    train_text, test_text = "\n".join(names[cut:]) + "\n", "\n".join(names[:cut]) + "\n"
    return CharTokenizer(train_text + test_text), train_text, test_text
