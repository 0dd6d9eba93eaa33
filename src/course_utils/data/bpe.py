"""Byte-pair encoding (BPE) from scratch, byte-level like GPT-2, Llama 3 and SmolLM2.

The idea (Sennrich et al., 2016): start from single symbols, then repeatedly find
the pair of adjacent symbols that occurs most often in the training text and
merge it into a new symbol. Each merge adds one token to the vocabulary; the
list of merges, in order, *is* the tokenizer. To encode new text, apply the
merges in the same order. Working on the 256 possible **bytes** of UTF-8 rather
than on characters means no text is ever out of vocabulary: any string, in any
language, encodes and decodes back exactly.

Three steps, as in the ``tokenizers`` library with a ``ByteLevel`` pre-tokenizer:

1. **Pre-tokenize**: split the text into words with GPT-2's regular expression
   (a word keeps the space in front of it: ``" the"``) and write each word's
   UTF-8 bytes as printable characters (GPT-2's byte-to-character table, where a
   space is ``"Ġ"``), so a token is a readable string such as ``"Ġthe"``.
2. **Train** (:func:`train_bpe`): count the words; merge the most frequent pair
   until the vocabulary has ``vocab_size`` tokens. A tie goes to the pair whose
   tokens entered the vocabulary first (smaller ids), as in ``tokenizers``; the
   initial 256 symbols are numbered in the order of their characters.
3. **Encode** (:meth:`BPETokenizer.encode`): split a word into bytes and apply the
   learned merge with the lowest rank, again and again, until none applies.

Example:
    >>> tok = train_bpe(["low lower lowest " * 20, "newer wider " * 10], vocab_size=262)
    >>> tok.merges
    [('l', 'o'), ('lo', 'w'), ('Ġ', 'low'), ('e', 'r'), ('e', 's'), ('Ġlow', 'er')]
    >>> tok.tokens("lower newest")
    ['low', 'er', 'Ġ', 'n', 'e', 'w', 'es', 't']
    >>> tok.decode(tok.encode("any text, 任何文本")) == "any text, 任何文本"
    True
"""

from __future__ import annotations

import functools
import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Iterable

import regex

from .._validation import require_int

__all__ = [
    "GPT2_PATTERN",
    "bytes_to_unicode",
    "pretokenize",
    "word_counts",
    "merge_word",
    "train_bpe",
    "BPETokenizer",
]

#: GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, whitespace.
#: It is the pattern of the ``tokenizers`` library's ``ByteLevel`` pre-tokenizer.
GPT2_PATTERN = (
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)
_SPLIT = regex.compile(GPT2_PATTERN)


@functools.lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table from the 256 byte values to 256 printable characters.

    Printable bytes stand for themselves (``"a"`` is ``"a"``); the others (space,
    newline, control bytes, ...) are shifted past 255, so a space becomes ``"Ġ"``
    and a newline ``"Ċ"``. Token strings then never contain invisible characters.

    Example:
        >>> table = bytes_to_unicode()
        >>> table[ord("a")], table[ord(" ")], table[ord("\\n")], len(set(table.values()))
        ('a', 'Ġ', 'Ċ', 256)
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + shifted)
            shifted += 1
    return dict(sorted(table.items()))


@functools.lru_cache(maxsize=1)
def _unicode_to_bytes() -> dict[str, int]:
    return {c: b for b, c in bytes_to_unicode().items()}


def pretokenize(text: str) -> list[str]:
    """Split ``text`` into words and write each one's UTF-8 bytes as characters.

    Example:
        >>> pretokenize("Hello world, 你好!")
        ['Hello', 'Ġworld', ',', 'Ġä½łå¥½', '!']
    """
    if not isinstance(text, str):
        raise TypeError(f"pretokenize: text must be a str, got {type(text).__name__}")
    table = bytes_to_unicode()
    return [
        "".join(table[b] for b in piece.encode("utf-8"))
        for piece in _SPLIT.findall(text)
    ]


def word_counts(texts: Iterable[str]) -> Counter:
    """How often each pre-tokenized word occurs in ``texts`` (each text split on its own).

    Example:
        >>> word_counts(["the cat", "the dog"]).most_common(2)
        [('the', 2), ('Ġcat', 1)]
    """
    if isinstance(texts, str):
        texts = [texts]
    counts: Counter = Counter()
    for text in texts:
        counts.update(pretokenize(text))
    return counts


def merge_word(
    word: list[int], pair: tuple[int, int], new: int
) -> list[tuple[tuple[int, int], int]]:
    """Merge every occurrence of ``pair`` in ``word`` (in place, left to right).

    Returns the changes to the word's pair counts, as ``(pair, +1 or -1)``:
    the pairs that disappear around each merge and the new pairs with ``new``.

    Example:
        >>> word = [1, 1, 1]
        >>> merge_word(word, (1, 1), 9), word
        ([((1, 1), -1), ((9, 1), 1)], [9, 1])
    """
    first, second = pair
    changes = []
    i = 0
    while i < len(word) - 1:
        if word[i] == first and word[i + 1] == second:
            if i > 0:
                changes.append(((word[i - 1], first), -1))
                changes.append(((word[i - 1], new), 1))
            word[i : i + 2] = [new]
            if i < len(word) - 1:
                changes.append(((second, word[i + 1]), -1))
                changes.append(((new, word[i + 1]), 1))
        i += 1
    return changes


def train_bpe(texts: Iterable[str] | Counter, vocab_size: int) -> BPETokenizer:
    """Learn byte-level BPE merges until the vocabulary holds ``vocab_size`` tokens.

    Args:
        texts: the training texts (each is pre-tokenized on its own), or word counts
            from :func:`word_counts`.
        vocab_size: at least 256 (the byte symbols); training stops earlier if no
            pair is left to merge.

    The bookkeeping is that of the ``tokenizers`` library, so the result is the
    same: pair counts are updated only in the words that contain the merged pair,
    and a heap holds the candidates, recounted lazily when they reach its top.

    Example:
        >>> tok = train_bpe(["aaa aaa aaa"], vocab_size=258)
        >>> tok.merges
        [('a', 'a'), ('aa', 'a')]
    """
    require_int("train_bpe", "vocab_size", vocab_size, minimum=256)
    counts = texts if isinstance(texts, Counter) else word_counts(texts)
    vocab = sorted(
        bytes_to_unicode().values()
    )  # the initial symbols, in character order
    ids = {token: i for i, token in enumerate(vocab)}
    words = [[ids[c] for c in word] for word in counts]
    frequency = list(counts.values())

    pair_counts: dict[tuple[int, int], int] = defaultdict(int)
    where: dict[tuple[int, int], set[int]] = defaultdict(set)
    for index, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += frequency[index]
            where[pair].add(index)
    # A max-heap through negated counts; ties go to the smallest pair of ids.
    heap = [
        (-pair_counts[pair], pair, order, words_of)
        for order, (pair, words_of) in enumerate(where.items())
    ]
    heapq.heapify(heap)
    pushed = len(heap)

    merges: list[tuple[int, int]] = []
    while len(vocab) < vocab_size and heap:
        count, pair, order, words_of = heapq.heappop(heap)
        if -count != pair_counts[pair]:  # stale: recount and put it back
            heapq.heappush(heap, (-pair_counts[pair], pair, order, words_of))
            continue
        if -count < 1:
            break
        token = vocab[pair[0]] + vocab[pair[1]]
        if token not in ids:  # two different pairs can spell the same string
            ids[token] = len(vocab)
            vocab.append(token)
        new = ids[token]
        merges.append(pair)
        changed: dict[tuple[int, int], set[int]] = defaultdict(set)
        for index in sorted(words_of):
            for other, sign in merge_word(words[index], pair, new):
                pair_counts[other] += sign * frequency[index]
                if sign > 0:
                    changed[other].add(index)
        for other, words_with in changed.items():
            if pair_counts[other] > 0:
                heapq.heappush(heap, (-pair_counts[other], other, pushed, words_with))
                pushed += 1
    ranked: dict[tuple[str, str], int] = {}
    for rank, (a, b) in enumerate(merges):  # a pair merged twice keeps its later rank
        ranked.pop((vocab[a], vocab[b]), None)
        ranked[(vocab[a], vocab[b])] = rank
    return BPETokenizer(vocab, list(ranked))


class BPETokenizer:
    """A byte-level BPE tokenizer: a vocabulary (token strings) and ranked merges.

    Args:
        vocab: token strings; a token's id is its position.
        merges: pairs of token strings, in the order they were learned.

    Example:
        >>> tok = BPETokenizer(sorted(bytes_to_unicode().values()) + ["hi"], [("h", "i")])
        >>> tok.tokens("hi there"), tok.encode("hi")
        (['hi', 'Ġ', 't', 'h', 'e', 'r', 'e'], [256])
    """

    def __init__(self, vocab: list[str], merges: list[tuple[str, str]]) -> None:
        self.vocab = list(vocab)
        self.token_to_id = {token: i for i, token in enumerate(self.vocab)}
        if len(self.token_to_id) != len(self.vocab):
            raise ValueError("BPETokenizer: the vocabulary has duplicate tokens")
        missing = set(bytes_to_unicode().values()) - set(self.token_to_id)
        if missing:
            raise ValueError(
                f"BPETokenizer: the vocabulary lacks {len(missing)} of the 256 byte "
                "symbols, so some texts could not be encoded"
            )
        self.merges = [tuple(m) for m in merges]
        for a, b in self.merges:
            if a + b not in self.token_to_id:
                raise ValueError(
                    f"BPETokenizer: merge {(a, b)} makes {a + b!r}, not in the vocabulary"
                )
        self.ranks = {pair: rank for rank, pair in enumerate(self.merges)}
        self._cache: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.vocab)

    def __repr__(self) -> str:
        return f"BPETokenizer({len(self.vocab):,} tokens, {len(self.merges):,} merges)"

    def _bpe(self, word: str) -> tuple[str, ...]:
        """The tokens of one pre-tokenized word: apply the lowest-ranked merge until none is left."""
        if word in self._cache:
            return self._cache[word]
        parts = list(word)
        while len(parts) > 1:
            ranked = [
                (self.ranks.get(pair, -1), i)
                for i, pair in enumerate(zip(parts, parts[1:]))
            ]
            ranked = [(rank, i) for rank, i in ranked if rank >= 0]
            if not ranked:
                break
            best = self.merges[min(ranked)[0]]
            merged, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        self._cache[word] = tuple(parts)
        return self._cache[word]

    def tokens(self, text: str) -> list[str]:
        """The token strings of ``text``."""
        return [token for word in pretokenize(text) for token in self._bpe(word)]

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``."""
        return [self.token_to_id[token] for token in self.tokens(text)]

    def decode(self, ids: Iterable[int]) -> str:
        """The text of token ids (bytes that are not valid UTF-8 become U+FFFD)."""
        table = _unicode_to_bytes()
        try:
            characters = "".join(self.vocab[i] for i in ids)
        except (IndexError, TypeError) as error:
            raise ValueError(
                f"BPETokenizer.decode: ids must be ints in [0, {len(self.vocab)}): {error}"
            ) from None
        return bytes(table[c] for c in characters).decode("utf-8", errors="replace")

    # --- the same tokenizer in the ``tokenizers`` library --------------------------
    def to_tokenizers(self):
        """This tokenizer as a ``tokenizers.Tokenizer`` (byte-level BPE, same ids)."""
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        model = models.BPE(vocab=self.token_to_id, merges=list(self.merges))
        tokenizer = Tokenizer(model)
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = decoders.ByteLevel()
        return tokenizer

    @classmethod
    def from_tokenizers(cls, tokenizer) -> BPETokenizer:
        """Read vocabulary and merges from a trained ``tokenizers.Tokenizer`` with a BPE model."""
        state = json.loads(tokenizer.to_str())["model"]
        if state.get("type") != "BPE":
            raise ValueError(f"expected a BPE model, got {state.get('type')!r}")
        vocab = sorted(state["vocab"], key=state["vocab"].get)
        merges = [
            tuple(m) if isinstance(m, list) else tuple(m.split(" "))
            for m in state["merges"]
        ]
        return cls(vocab, merges)
