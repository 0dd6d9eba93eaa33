"""Character vocabularies: characters <-> integer ids.

Example:
    >>> vocab = CharVocab.from_words(["ab", "ba"])
    >>> vocab.encode("ab")
    [0, 1, 2, 0]
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["CharVocab", "PaddedCharVocab", "CharTokenizer"]


@dataclass(frozen=True)
class CharVocab:
    """Characters <-> integer ids, with a boundary token ``"."`` that starts and ends a word.

    Example:
        >>> vocab = CharVocab.from_words(["ab", "ba"])
        >>> vocab.chars, vocab.encode("ab"), vocab.decode([1, 2])
        ('.ab', [0, 1, 2, 0], 'ab')
    """

    chars: str
    boundary: str = "."

    @classmethod
    def from_words(cls, words: list[str], boundary: str = ".") -> CharVocab:
        letters = sorted(set("".join(words)))
        if boundary in letters:
            raise ValueError(f"the boundary token {boundary!r} occurs inside the words")
        return cls(boundary + "".join(letters), boundary)

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, word: str) -> list[int]:
        """Ids of ``.word.``: the boundary, every character, the boundary again."""
        unknown = sorted(set(word) - set(self.chars[1:]))
        if unknown:
            raise ValueError(
                f"characters {unknown} of {word!r} are not in the vocabulary"
            )
        return [0, *(self.chars.index(ch) for ch in word), 0]

    def decode(self, ids) -> str:
        """Characters of ``ids``, stopping at the first boundary after the start."""
        out = []
        for i in [int(i) for i in ids]:
            if i == 0:
                if out:
                    break
                continue
            out.append(self.chars[i])
        return "".join(out)

    def batch(self, words: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded inputs and next-character targets for a list of words.

        Returns:
            ``inputs`` (N, L) starting with the boundary, ``targets`` (N, L) shifted by
            one, where padding is ``-100`` (ignored by ``F.cross_entropy``).
        """
        encoded = [self.encode(w) for w in words]
        length = max(len(e) for e in encoded) - 1
        inputs = torch.zeros(len(words), length, dtype=torch.long)
        targets = torch.full((len(words), length), -100, dtype=torch.long)
        for row, ids in enumerate(encoded):
            inputs[row, : len(ids) - 1] = torch.tensor(ids[:-1])
            targets[row, : len(ids) - 1] = torch.tensor(ids[1:])
        return inputs, targets


class PaddedCharVocab:
    """Characters <-> ids, with padding (0), start (1) and end (2) symbols.

    Example:
        >>> vocab = PaddedCharVocab("0123456789-")
        >>> vocab.encode("2026-11", length=9).tolist()
        [6, 4, 6, 10, 3, 5, 5, 0, 0]
        >>> vocab.decode(vocab.encode("2026-11"))
        '2026-11'
    """

    PAD, START, END = "<pad>", "<s>", "</s>"

    def __init__(self, characters) -> None:
        chars = sorted(set("".join(characters)))
        self.itos = [self.PAD, self.START, self.END, *chars]
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str, length: int | None = None) -> torch.Tensor:
        """Ids of the characters of ``text``, right-padded with 0 to ``length``."""
        unknown = sorted(set(text) - set(self.stoi))
        if unknown:
            raise ValueError(
                f"characters not in the vocabulary: {unknown} (in {text!r})"
            )
        ids = [self.stoi[c] for c in text]
        length = len(ids) if length is None else length
        if len(ids) > length:
            raise ValueError(f"{text!r} has {len(ids)} characters, more than {length}")
        return torch.tensor(ids + [0] * (length - len(ids)), dtype=torch.long)

    def encode_batch(self, texts: list[str], length: int | None = None) -> torch.Tensor:
        """(N, length) ids; ``length`` defaults to the longest text."""
        length = max(len(t) for t in texts) if length is None else length
        return torch.stack([self.encode(t, length) for t in texts])

    def decode(self, ids) -> str:
        """Characters of ``ids``, stopping at the end symbol, skipping padding and start."""
        out = []
        for i in torch.as_tensor(ids).tolist():
            if i == 2:
                break
            if i > 2:
                out.append(self.itos[i])
        return "".join(out)


class CharTokenizer:
    """One id per character of a text corpus.

    Example:
        >>> tok = CharTokenizer("hello\\n")
        >>> tok.encode("hole").tolist(), tok.decode(tok.encode("hole"))
        ([2, 4, 3, 1], 'hole')
    """

    def __init__(self, text: str) -> None:
        self.itos = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> torch.Tensor:
        unknown = sorted(set(text) - set(self.stoi))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown}")
        return torch.tensor([self.stoi[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.itos[i] for i in torch.as_tensor(ids).tolist())
