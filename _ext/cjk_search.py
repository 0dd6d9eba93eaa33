"""Search the book in English and in Chinese: a Sphinx search language for both.

Sphinx's English index cuts text into ``\\w+`` words. Chinese has no spaces, so a whole
run of Chinese between two punctuation marks becomes one "word" and a search for a term
inside it, such as 反向传播, finds nothing. Sphinx's own Chinese language needs the
``jieba`` package to cut words and, without it, indexes no Chinese at all.

This language (``html_search_language: en_zh`` in ``_config.yml``) indexes English
exactly as Sphinx's English does (same stemmer, same stop words), and every run of
Chinese characters both whole and as each of its pieces of 2 to 6 characters. A search
for a Chinese term of 2-6 characters (almost all technical terms) then finds every page
that uses it, and a longer term the pages where it stands between punctuation, as in
the glossary. No dictionary, no download, the same index on any machine.

>>> SearchEnglishChinese({}).split("中文：反向传播，KV缓存")
['中文', '反向传播', '反向', '反向传', '向传', '向传播', '传播', 'KV', '缓存']
"""

from __future__ import annotations

import re

from sphinx.search.en import SearchEnglish

# CJK Unified Ideographs, Extension A and the compatibility block.
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PIECES = (2, 3, 4, 5, 6)  # lengths of the pieces of a Chinese run that are indexed


def chinese_pieces(run: str) -> list[str]:
    """A run of Chinese characters, whole, then its pieces of 2-6 characters.

    >>> chinese_pieces("学习率")
    ['学习率', '学习', '习率']
    """
    pieces = [run]
    for start in range(len(run)):
        for size in PIECES:
            piece = run[start : start + size]
            if len(piece) == size and piece != run:
                pieces.append(piece)
    return pieces


class SearchEnglishChinese(SearchEnglish):
    """English search (Porter stemmer, English stop words) that also indexes Chinese."""

    lang = "en_zh"
    language_name = "English and Chinese"

    def split(self, input: str) -> list[str]:
        words: list[str] = []
        for word in super().split(input):
            if not _CHINESE.search(word):
                words.append(word)
                continue
            position = 0
            for match in _CHINESE.finditer(word):
                words += _latin(word[position : match.start()])
                words += chinese_pieces(match.group())
                position = match.end()
            words += _latin(word[position:])
        return words


def _latin(text: str) -> list[str]:
    return [text] if text else []


def setup(app):
    app.add_search_language(SearchEnglishChinese)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
