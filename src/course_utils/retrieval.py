"""Search: find the passages that answer a query, by meaning (embeddings) or by words (BM25).

Two ways to score every passage of a corpus against a query:

* **Dense**: embed query and passages with a sentence model and take the cosine
  similarity of the vectors, ``a . b / (|a| |b|)``. Paraphrases score high even when
  they share no word.
* **Sparse (BM25)**: add up, over the query's words, how rare each word is in the
  corpus (its inverse document frequency) times a saturating function of how often
  it occurs in the passage, corrected for the passage's length
  (Robertson and Zaragoza, 2009):

  ``score(q, d) = sum_t idf(t) * f(t, d) * (k1 + 1) / (f(t, d) + k1 * (1 - b + b * |d| / avgdl))``

Both return a (queries, passages) score matrix that :mod:`course_utils.metrics`
ranks (``recall_at_k``, ``ndcg_at_k``).

Example:
    >>> bm25 = BM25(["the cat sat", "the dog barked", "a cat and a dog"])
    >>> bm25.scores(["cat"]).argmax(1).tolist()  # "cat sat" is shortest among the cat passages
    [0]
    >>> import torch
    >>> cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    tensor([[1., 0.]])
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import torch

from ._validation import require_non_negative

__all__ = ["tokenize", "BM25", "cosine_similarity", "BM25_IDF"]

_WORD = re.compile(r"[a-z0-9]+")

#: The two common inverse-document-frequency formulas of BM25 (see :class:`BM25`).
BM25_IDF = ("lucene", "robertson")


def tokenize(text: str) -> list[str]:
    """Lower-case words and numbers of an English text (punctuation dropped).

    Example:
        >>> tokenize("Adam's bias-corrected steps, 2014!")
        ['adam', 's', 'bias', 'corrected', 'steps', '2014']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower())


class BM25:
    """Okapi BM25 over a fixed corpus: term frequencies counted once, any query scored fast.

    Args:
        documents: the passages, as strings (split with ``tokenizer``) or as lists of tokens.
        k1: how fast repeated occurrences of a word saturate (0: only presence counts).
        b: how much long passages are penalised (0: not at all, 1: fully).
        idf: ``"lucene"``, ``log(1 + (N - n + 0.5) / (n + 0.5))``, always positive (Lucene,
            Elasticsearch); or ``"robertson"``, ``log((N - n + 0.5) / (n + 0.5))``, the
            original, negative for words in more than half of the passages (snownlp).
            ``N`` is the number of passages and ``n`` the number that contain the word.
        tokenizer: splits strings into tokens (default :func:`tokenize`).

    Example:
        >>> bm25 = BM25([["a", "b"], ["b", "c", "c"], ["a", "a"]], idf="robertson")
        >>> [round(v, 4) for v in bm25.score(["c"]).tolist()]
        [0.0, 0.6684, 0.0]
    """

    def __init__(
        self,
        documents: Sequence[str] | Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        idf: str = "lucene",
        tokenizer: Callable[[str], list[str]] = tokenize,
    ) -> None:
        if isinstance(documents, str) or not isinstance(documents, Sequence):
            raise TypeError(
                f"BM25: documents must be a list of strings or of token lists, got "
                f"{type(documents).__name__}"
            )
        if len(documents) == 0:
            raise ValueError("BM25: the corpus is empty: give at least one document")
        require_non_negative("BM25", "k1", k1)
        if not 0 <= b <= 1:
            raise ValueError(f"BM25: b must be in [0, 1], got {b!r}")
        if idf not in BM25_IDF:
            raise ValueError(f"BM25: unknown idf {idf!r}, expected one of {BM25_IDF}")
        self.k1, self.b, self.idf_kind, self.tokenizer = k1, b, idf, tokenizer
        self.documents = [self._tokens(d) for d in documents]
        self.lengths = torch.tensor(
            [len(d) for d in self.documents], dtype=torch.float64
        )
        self.average_length = self.lengths.mean().item()
        if self.average_length == 0:
            raise ValueError("BM25: every document is empty (no tokens at all)")
        self.counts = [Counter(d) for d in self.documents]
        document_frequency = Counter(t for c in self.counts for t in c)
        n = len(self.documents)
        self.idf = {term: self._idf(n, df) for term, df in document_frequency.items()}

    def _tokens(self, document) -> list[str]:
        return self.tokenizer(document) if isinstance(document, str) else list(document)

    def _idf(self, n: int, df: int) -> float:
        ratio = (n - df + 0.5) / (df + 0.5)
        return math.log(1 + ratio) if self.idf_kind == "lucene" else math.log(ratio)

    def score(self, query: str | Sequence[str]) -> torch.Tensor:
        """(N,) BM25 score of every document for one query (a repeated word counts twice)."""
        tokens = self._tokens(query)
        scores = torch.zeros(len(self.documents), dtype=torch.float64)
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.average_length)
        for term in tokens:
            if term not in self.idf:
                continue  # a word no passage contains adds nothing
            tf = torch.tensor([c[term] for c in self.counts], dtype=torch.float64)
            scores += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
        return scores.float()

    def scores(self, queries: Sequence[str] | Sequence[Sequence[str]]) -> torch.Tensor:
        """(Q, N) scores of every document for every query."""
        if isinstance(queries, str):
            raise TypeError("BM25.scores takes a list of queries; use score() for one")
        return torch.stack([self.score(q) for q in queries])


def cosine_similarity(
    a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8
) -> torch.Tensor:
    """(A, B) matrix of cosine similarities between the rows of ``a`` (A, D) and ``b`` (B, D).

    ``cos(x, y) = x . y / (max(|x|, eps) * max(|y|, eps))``: 1 for vectors pointing the
    same way, 0 for orthogonal ones, -1 for opposite ones; a zero vector gets 0.

    Example:
        >>> cosine_similarity(torch.tensor([[3.0, 4.0]]), torch.tensor([[6.0, 8.0], [-4.0, 3.0]]))
        tensor([[1., 0.]])
    """
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"cosine_similarity: {name} must be a torch.Tensor, got {type(value).__name__}"
            )
        if value.dim() != 2:
            raise ValueError(
                f"cosine_similarity: {name} must be 2-D (rows, features), got shape "
                f"{tuple(value.shape)}"
            )
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"cosine_similarity: a and b need the same number of features, got "
            f"{a.shape[1]} and {b.shape[1]}"
        )
    a_unit = a / a.norm(dim=1, keepdim=True).clamp_min(eps)
    b_unit = b / b.norm(dim=1, keepdim=True).clamp_min(eps)
    return a_unit @ b_unit.T
