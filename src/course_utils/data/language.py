"""Language-model data: windows of a token stream, and the census-names corpus.

A language model learns to predict the next token. Any window of ``block_size``
consecutive tokens is a training example, and its targets are the same window
shifted by one token: one window holds ``block_size`` predictions at once.
:func:`lm_windows` gives every window of a stream (views, no copy), ready for
:func:`course_utils.train.train_steps`; :func:`lm_batches` draws a few at random.

Example:
    >>> import torch
    >>> inputs, targets = lm_windows(torch.arange(6), block_size=3)
    >>> inputs.tolist(), targets.tolist()
    ([[0, 1, 2], [1, 2, 3], [2, 3, 4]], [[1, 2, 3], [2, 3, 4], [3, 4, 5]])
"""

from __future__ import annotations

import random

import torch

from .._validation import require_int, require_number, shape_of
from .names import load_first_names
from .vocab import CharVocab

__all__ = ["lm_windows", "lm_batches", "names_corpus"]


def lm_windows(
    data: torch.Tensor, block_size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every window of ``block_size`` tokens of a 1-D stream, and its next-token targets.

    Returns:
        ``inputs`` and ``targets`` of shape (len(data) - block_size, block_size), with
        ``targets[i, t] == data[i + t + 1]``. They are views of ``data`` (no copy).
    """
    _check_stream(data, block_size, "lm_windows")
    windows = data.unfold(0, block_size + 1, 1)  # (N, block_size + 1)
    return windows[:, :-1], windows[:, 1:]


def lm_batches(
    data: torch.Tensor,
    block_size: int,
    batch_size: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` windows of the stream drawn at random (with replacement).

    Returns:
        ``inputs`` and ``targets``, both (batch_size, block_size).

    Example:
        >>> data = torch.arange(100)
        >>> x, y = lm_batches(data, 8, 4, generator=torch.Generator().manual_seed(0))
        >>> x.shape, bool((y == x + 1).all())
        (torch.Size([4, 8]), True)
    """
    require_int("lm_batches", "batch_size", batch_size, minimum=1)
    _check_stream(data, block_size, "lm_batches")
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    offsets = torch.arange(block_size)
    return data[starts[:, None] + offsets], data[starts[:, None] + offsets + 1]


def _check_stream(data: object, block_size: int, who: str) -> None:
    if not isinstance(data, torch.Tensor):
        raise TypeError(
            f"{who}: data must be a 1-D tensor of token ids, got {shape_of(data)}"
        )
    if data.dim() != 1:
        raise ValueError(
            f"{who}: data must be a 1-D tensor of token ids, got shape {tuple(data.shape)}"
        )
    require_int(who, "block_size", block_size, minimum=1)
    if len(data) < block_size + 1:
        raise ValueError(
            f"{who}: data holds {len(data)} tokens, too few for one window of "
            f"block_size={block_size} and its target (needs at least {block_size + 1})"
        )


def names_corpus(seed: int = 0, test_fraction: float = 0.1):
    """(vocabulary, training text, test text): census first names, one per line, shuffled.

    The vocabulary is a :class:`CharVocab` of the 26 letters and the newline that
    ends every name (no special tokens).

    Example:
        >>> vocab, train_text, test_text = names_corpus()
        >>> len(vocab), train_text.count("\\n") > 9 * test_text.count("\\n")
        (27, True)
    """
    if not 0 < require_number("names_corpus", "test_fraction", test_fraction) < 1:
        raise ValueError(
            f"names_corpus: test_fraction must be in (0, 1), got {test_fraction!r}"
        )
    names = load_first_names()
    random.Random(seed).shuffle(names)
    cut = int(len(names) * test_fraction)
    train_text, test_text = "\n".join(names[cut:]) + "\n", "\n".join(names[:cut]) + "\n"
    return CharVocab(train_text + test_text), train_text, test_text
