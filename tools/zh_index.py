"""Write the Chinese-to-English index of the glossary (``zh_index.md``), sorted by pinyin.

Every entry of ``glossary.md`` opens its definition with one line giving its Chinese
name, the usual term first and common alternatives after a full-width slash::

    Token
    Tokenizer
      中文：词元／标记／令牌／分词器\\
      The unit a language model reads and writes ...

This script reads those lines and writes ``zh_index.md``: every Chinese term, with its
pinyin, linked to its glossary entry, sorted by pinyin (Hanyu Pinyin, letter by letter,
then by tone), in sections by first letter. The pinyin comes from ``pypinyin``.

    python tools/zh_index.py          # rewrite zh_index.md
    python tools/zh_index.py --check  # exit 1 if zh_index.md is not what it would write
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "glossary.md"
INDEX = ROOT / "zh_index.md"

ZH_PREFIX = "中文："  # the first line of every definition: "  中文：TERM／TERM\"
ALTERNATIVES = "／"  # full-width slash between the usual term and its alternatives
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ZH_LINE = re.compile(r"^  中文：(?P<terms>[^\\]+)\\$")


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its English terms (the first is its name) and Chinese terms."""

    terms: tuple[str, ...]
    chinese: tuple[str, ...]  # empty when the entry has no Chinese line
    chinese_line: str  # the first line of the definition, as written


def glossary_entries(text: str) -> list[Entry]:
    """The entries of the ``{glossary}`` block of ``glossary.md``'s text, in file order.

    >>> text = "```{glossary}\\nToken\\nTokenizer\\n  中文：词元／标记\\\\\\n  A unit.\\n```"
    >>> glossary_entries(text)[0].chinese
    ('词元', '标记')
    """
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    if block is None:
        raise ValueError("glossary.md has no {glossary} block")
    entries = []
    for chunk in re.split(r"\n\s*\n", block.group(1)):
        lines = [line for line in chunk.splitlines() if not line.startswith(":")]
        terms = tuple(line.strip() for line in lines if line and not line[0].isspace())
        definition = [line for line in lines if line[:1].isspace()]
        if not terms:
            continue
        first = definition[0] if definition else ""
        match = ZH_LINE.match(first)
        chinese = (
            tuple(t.strip() for t in match.group("terms").split(ALTERNATIVES))
            if match
            else ()
        )
        entries.append(Entry(terms, chinese, first))
    return entries


def problems(entries: list[Entry]) -> list[str]:
    """What is wrong with the Chinese lines of the glossary (empty when all is well)."""
    found, seen = [], {}
    for entry in entries:
        name = entry.terms[0]
        if not entry.chinese:
            found.append(
                f"glossary entry {name!r} has no Chinese term: its definition must start "
                f"with a line '  {ZH_PREFIX}中文术语／其他说法\\' (two spaces, 中文 and a "
                f"full-width colon, terms separated by ／, a backslash at the end); "
                f"its first definition line is {entry.chinese_line!r}"
            )
            continue
        for term in entry.chinese:
            if not CHINESE.search(term):
                found.append(
                    f"glossary entry {name!r}: {term!r} has no Chinese character"
                )
            elif term in seen and seen[term] != name:
                found.append(
                    f"the Chinese term {term!r} names two entries: {seen[term]!r} and {name!r}"
                )
            seen[term] = name
    return found


def _pinyin():
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - depends on the environment
        sys.exit("tools/zh_index.py needs pypinyin: pip install pypinyin")
    return Style, lazy_pinyin


def sort_key(term: str) -> tuple[str, str, str]:
    """Pinyin letters first, then tones, then the characters (a stable total order).

    >>> sorted(["学习率", "反向传播", "KV 缓存"], key=sort_key)
    ['反向传播', 'KV 缓存', '学习率']
    """
    style, lazy_pinyin = _pinyin()
    letters = " ".join(s.strip() for s in lazy_pinyin(term) if s.strip()).lower()
    tones = " ".join(lazy_pinyin(term, style=style.TONE3))
    return letters, tones, term


def pinyin(term: str) -> str:
    """The pinyin of a term with tone marks; Latin letters and digits as written.

    >>> pinyin("KV 缓存")
    'KV huǎn cún'
    """
    style, lazy_pinyin = _pinyin()
    return " ".join(s.strip() for s in lazy_pinyin(term, style=style.TONE) if s.strip())


def render(entries: list[Entry]) -> str:
    """The text of ``zh_index.md`` for these glossary entries."""
    rows = sorted(
        ((term, entry.terms[0]) for entry in entries for term in entry.chinese),
        key=lambda row: sort_key(row[0]),
    )
    out = [
        "# 中文术语索引 (Chinese–English index)",
        "",
        "<!-- Written by tools/zh_index.py from glossary.md: do not edit by hand. -->",
        "",
        "本页按汉语拼音排序列出{doc}`术语表 <glossary>`中的全部中文术语，"
        "每个术语都链接到对应的英文词条；同一概念的常见译名也一并列出。"
        "也可以直接在页面顶部的搜索框中输入中文术语。",
        "",
        "Every Chinese term of the {doc}`glossary`, sorted by pinyin (letter by letter, "
        "then by tone), with a link to its English entry. Common alternative "
        "translations are listed too.",
    ]
    group = None
    for term, english in rows:
        first = sort_key(term)[0][:1].upper()
        heading = first if first.isalpha() else "0–9"
        if heading != group:
            group = heading
            out += [
                "",
                f"## {heading}",
                "",
                "| 中文 | 拼音 | English |",
                "|---|---|---|",
            ]
        out.append(f"| {term} | {pinyin(term)} | {{term}}`{english}` |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if zh_index.md is out of date"
    )
    args = parser.parse_args(argv)
    entries = glossary_entries(GLOSSARY.read_text(encoding="utf-8"))
    found = problems(entries)
    if found:
        print("\n".join(found), file=sys.stderr)
        return 1
    text = render(entries)
    if args.check:
        if not INDEX.exists() or INDEX.read_text(encoding="utf-8") != text:
            print(
                f"{INDEX.name} is out of date with glossary.md: "
                "run `python tools/zh_index.py`",
                file=sys.stderr,
            )
            return 1
        print(f"{INDEX.name} is up to date ({text.count('{term}')} terms)")
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX.name} ({text.count('{term}')} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
