"""A character vocabulary: text <-> integer ids, with optional special tokens.

A network reads numbers, not letters, so every character gets an id: the index of
its row in the embedding table. Some tasks also need symbols that are not
characters of the text:

* **padding** fills the end of short sequences so that a batch is a rectangle;
* a **start** token is what a decoder reads before it has written anything;
* an **end** token is what a model writes to say "this text is over".

:class:`CharVocab` takes the characters (any text, or a list of texts) and,
optionally, these three special tokens. The special tokens get the first ids, in
the order pad, start, end; a token named twice gets one id, so the names chapter
uses a single boundary ``"."`` as padding, start and end. The characters follow,
sorted. The course uses three vocabularies, all of this one class:

* the tiny GPT: ``CharVocab(text)``, characters only (a newline ends each name);
* the names RNN: ``CharVocab(names, pad=".", start=".", end=".")``;
* the date translator: ``CharVocab(chars, pad="<pad>", start="<s>", end="</s>")``.

For next-character prediction, :meth:`CharVocab.batch` turns words into inputs and
targets shifted by one, with the targets of the padding set to ``-100``, the
value ``F.cross_entropy`` ignores.

Example:
    >>> vocab = CharVocab(["anna", "bob"], pad=".", start=".", end=".")
    >>> vocab.itos
    ['.', 'a', 'b', 'n', 'o']
    >>> vocab.encode("bob", start=True, end=True).tolist()
    [0, 2, 4, 2, 0]
    >>> vocab.decode([0, 2, 4, 2, 0, 0])
    'bob'
    >>> inputs, targets = vocab.batch(["bob", "anna"])
    >>> inputs.tolist(), targets.tolist()
    ([[0, 2, 4, 2, 0], [0, 1, 3, 3, 1]], [[2, 4, 2, 0, -100], [1, 3, 3, 1, 0]])
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import torch

from .._validation import require_int

__all__ = ["CharVocab", "IGNORE_INDEX"]

#: Targets with this value are skipped by ``F.cross_entropy`` (its default ``ignore_index``).
IGNORE_INDEX = -100


class CharVocab:
    """Characters <-> integer ids, with optional padding, start and end tokens.

    Args:
        text: a string or a list of strings; every distinct character becomes a token.
        pad, start, end: optional special tokens (strings such as ``"<pad>"``); they
            take ids 0, 1, ... in this order, and may be the same token.

    Attributes:
        itos: token of every id (the special tokens, then the sorted characters).
        stoi: id of every token.
        chars: the characters (without the special tokens), in id order.
        pad_id, start_id, end_id: ids of the special tokens (``None`` if absent).

    Example:
        >>> vocab = CharVocab("0123456789-", pad="<pad>", start="<s>", end="</s>")
        >>> len(vocab), vocab.encode("2026-11", length=9).tolist()
        (14, [6, 4, 6, 10, 3, 5, 5, 0, 0])
        >>> vocab.decode(vocab.encode("2026-11", start=True, end=True, length=12))
        '2026-11'
    """

    def __init__(
        self,
        text: str | Iterable[str],
        *,
        pad: str | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> None:
        texts = _texts(text, "CharVocab", "text")
        specials: list[str] = []
        for name, token in (("pad", pad), ("start", start), ("end", end)):
            if token is None:
                continue
            if not isinstance(token, str):
                raise TypeError(
                    f"CharVocab: {name} must be a string or None, got {token!r}"
                )
            if not token:
                raise ValueError(f"CharVocab: {name} must not be the empty string")
            if token not in specials:
                specials.append(token)
        chars = sorted(set("".join(texts)))
        if not chars:
            raise ValueError("CharVocab: text holds no characters")
        clash = [token for token in specials if token in chars]
        if clash:
            raise ValueError(
                f"CharVocab: the special token {clash[0]!r} also occurs as a character "
                "of the text; pick a symbol the text does not use"
            )
        self.itos: list[str] = specials + chars
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}
        self.chars: str = "".join(chars)
        self.pad, self.start, self.end = pad, start, end
        self.pad_id = None if pad is None else self.stoi[pad]
        self.start_id = None if start is None else self.stoi[start]
        self.end_id = None if end is None else self.stoi[end]

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        shown = self.chars if len(self.chars) <= 40 else self.chars[:37] + "..."
        specials = "".join(
            f", {name}={token!r}"
            for name, token in (
                ("pad", self.pad),
                ("start", self.start),
                ("end", self.end),
            )
            if token is not None
        )
        return f"CharVocab({len(self.chars)} characters {shown!r}{specials})"

    # ------------------------------------------------------------------ text -> ids

    def encode(
        self,
        text: str,
        *,
        start: bool = False,
        end: bool = False,
        length: int | None = None,
    ) -> torch.Tensor:
        """Ids of ``text`` (int64), optionally after a start token, before an end token,
        and right-padded with the pad token to ``length``.

        Example:
            >>> CharVocab("abc").encode("cab").tolist()
            [2, 0, 1]
        """
        who = "CharVocab.encode"
        if not isinstance(text, str):
            raise TypeError(f"{who}: text must be a string, got {type(text).__name__}")
        unknown = sorted(set(text) - set(self.chars))
        if unknown:
            raise ValueError(
                f"{who}: text {_short(text)} has characters that are not in the "
                f"vocabulary: {unknown} (known: {self.chars!r})"
            )
        ids = [self.stoi[c] for c in text]
        if start:
            ids.insert(0, self._special_id("start", who))
        if end:
            ids.append(self._special_id("end", who))
        if length is not None:
            require_int(who, "length", length, minimum=1)
            if len(ids) > length:
                raise ValueError(
                    f"{who}: text {_short(text)} needs {len(ids)} ids, more than "
                    f"length={length}"
                )
            if len(ids) < length:
                ids += [self._special_id("pad", who)] * (length - len(ids))
        return torch.tensor(ids, dtype=torch.long)

    def encode_batch(
        self,
        texts: Sequence[str],
        *,
        start: bool = False,
        end: bool = False,
        length: int | None = None,
    ) -> torch.Tensor:
        """(N, length) ids of several texts, padded; ``length`` defaults to the longest.

        Example:
            >>> CharVocab("ab", pad="_").encode_batch(["ab", "b"]).tolist()
            [[1, 2], [2, 0]]
        """
        who = "CharVocab.encode_batch"
        texts = _texts(texts, who, "texts")
        if not texts:
            raise ValueError(f"{who}: texts is empty")
        if length is None:
            length = max(len(t) for t in texts) + start + end
        return torch.stack(
            [self.encode(t, start=start, end=end, length=length) for t in texts]
        )

    def batch(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and next-character targets for training a language model on ``texts``.

        Each text is encoded with the start and end tokens the vocabulary has; the
        inputs are all its ids but the last, the targets all but the first, so
        ``targets[:, t]`` is the character that follows ``inputs[:, t]``. Short texts
        are padded: inputs with the pad token, targets with ``-100`` (ignored by
        ``F.cross_entropy``).

        Returns:
            ``inputs`` and ``targets``, both (N, L) int64, L = longest text + specials - 1.
        """
        who = "CharVocab.batch"
        texts = _texts(texts, who, "texts")
        if not texts:
            raise ValueError(f"{who}: texts is empty")
        encoded = [
            self.encode(t, start=self.start is not None, end=self.end is not None)
            for t in texts
        ]
        length = max(len(ids) for ids in encoded) - 1
        if length < 1:
            raise ValueError(
                f"{who}: every text encodes to a single id, so there is nothing to predict"
            )
        if any(len(ids) - 1 != length for ids in encoded) and self.pad_id is None:
            raise ValueError(
                f"{who}: texts of different lengths need a pad token; "
                "create the vocabulary with pad=..."
            )
        inputs = torch.full((len(texts), length), self.pad_id or 0, dtype=torch.long)
        targets = torch.full((len(texts), length), IGNORE_INDEX, dtype=torch.long)
        for row, ids in enumerate(encoded):
            inputs[row, : len(ids) - 1] = ids[:-1]
            targets[row, : len(ids) - 1] = ids[1:]
        return inputs, targets

    # ------------------------------------------------------------------ ids -> text

    def decode(self, ids: torch.Tensor | Iterable[int]) -> str:
        """The text of one sequence of ids: padding, start tokens and ``-100`` are skipped,
        and the text stops at the end token.

        When start and end are the same token (a boundary), the first one starts the
        text and the next one ends it.

        Example:
            >>> vocab = CharVocab("ab", pad="<pad>", start="<s>", end="</s>")
            >>> vocab.decode([1, 3, 4, 3, 2, 4, 0])
            'aba'
        """
        who = "CharVocab.decode"
        if isinstance(ids, torch.Tensor):
            if ids.dim() != 1:
                raise ValueError(
                    f"{who}: ids must be one sequence (1-D), got shape {tuple(ids.shape)}; "
                    "decode a batch row by row"
                )
            ids = ids.tolist()
        out: list[str] = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int):
                raise TypeError(f"{who}: ids must be ints, got {i!r}")
            if i == IGNORE_INDEX:
                continue
            if not 0 <= i < len(self.itos):
                raise ValueError(
                    f"{who}: id {i} is outside the vocabulary [0, {len(self.itos) - 1}]"
                )
            if i == self.end_id and (i != self.start_id or out):
                break
            if i in (self.pad_id, self.start_id):
                continue
            out.append(self.itos[i])
        return "".join(out)

    def _special_id(self, name: str, who: str) -> int:
        token_id = getattr(self, f"{name}_id")
        if token_id is None:
            raise ValueError(
                f"{who}: this vocabulary has no {name} token; create it with {name}=..."
            )
        return token_id


def _texts(value: object, who: str, name: str) -> list[str]:
    """A list of strings from one string or an iterable of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, torch.Tensor) or not isinstance(value, Iterable):
        raise TypeError(
            f"{who}: {name} must be a string or a list of strings, got "
            f"{type(value).__name__}"
        )
    texts = list(value)
    for item in texts:
        if not isinstance(item, str):
            raise TypeError(
                f"{who}: {name} must hold strings only, got {type(item).__name__} {item!r}"
            )
    return texts


def _short(text: str) -> str:
    return repr(text) if len(text) <= 30 else repr(text[:27] + "...")


# ----------------------------------------------------------------------------- deprecated


def _padded_char_vocab(characters) -> CharVocab:
    return CharVocab(characters, pad="<pad>", start="<s>", end="</s>")


def _char_tokenizer(text: str) -> CharVocab:
    return CharVocab(text)


_DEPRECATED = {
    "PaddedCharVocab": (
        _padded_char_vocab,
        "CharVocab(characters, pad='<pad>', start='<s>', end='</s>')",
    ),
    "CharTokenizer": (_char_tokenizer, "CharVocab(text)"),
}


def deprecated_name(name: str, module: str):
    """The stand-in for a vocabulary class removed in 0.2, with a DeprecationWarning."""
    if name not in _DEPRECATED:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    factory, replacement = _DEPRECATED[name]
    warnings.warn(
        f"{module}.{name} is deprecated and will be removed in course_utils 0.3: "
        f"use {replacement}",
        DeprecationWarning,
        stacklevel=3,
    )
    return factory


def __getattr__(name: str):
    return deprecated_name(name, __name__)
