"""The text corpora: the King James Bible without verse numbers, Chinese text."""

import re

import pytest

from course_utils.data import (
    KJV_LICENCE,
    kjv_books,
    load_chinese_reviews,
    load_kjv,
    load_kjv_verses,
    parallel_genesis,
)


def test_the_whole_bible_without_verse_numbers():
    verses = load_kjv_verses()
    assert len(verses) == 24408 and verses[-1].book == "Revelation"
    text = load_kjv()
    assert not re.search(r"\d+:\d+", text), "a verse number was left in the text"
    assert 780_000 < len(text.split()) < 800_000
    assert text.count("\n") == len(verses)
    assert "public domain" in KJV_LICENCE


def test_books_and_selection():
    books = kjv_books()
    assert len(books) == 66 and books[39] == "Matthew"
    ruth = load_kjv(["Ruth"])
    assert ruth.startswith("Now it came to pass in the days when the judges ruled")
    entries = [v for v in load_kjv_verses() if v.book == "Ruth"]
    assert len(ruth.splitlines()) == len(entries) and entries[-1].chapter == 4
    # the database joins some verses into one entry; the text keeps all 85 of Ruth
    assert "And Obed begat Jesse, and Jesse begat David." in ruth


def test_bad_book_names():
    with pytest.raises(ValueError, match="unknown book"):
        load_kjv(["Hezekiah"])
    with pytest.raises(TypeError, match="list of book names"):
        load_kjv("Genesis")


def test_chinese_text():
    pairs = parallel_genesis()
    assert len(pairs) == 5 and pairs[2][0].startswith(
        "And God said, Let there be light"
    )
    assert all(re.search(r"[\u4e00-\u9fff]", chinese) for _, chinese in pairs)
    reviews = load_chinese_reviews().texts[:50]
    assert len(reviews) == 50
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", r)) for r in reviews) > 45
