"""The book for Chinese readers: Chinese glossary terms, their index, chapter summaries, search.

- every glossary entry opens its definition with ``  中文：术语／其他说法\\`` (one form);
- ``zh_index.md`` is what ``tools/zh_index.py`` writes from the glossary (never drifts);
- every chapter's ``index.md`` opens, right after its title, with a ``中文导读`` box;
- the search index cuts Chinese into words (``_ext/cjk_search.py``), so a search for
  反向传播 finds the glossary (the browser test checks it on the built book).
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


zh_index = _load("zh_index", ROOT / "tools" / "zh_index.py")
cjk_search = _load("cjk_search", ROOT / "_ext" / "cjk_search.py")


@pytest.fixture(scope="module")
def entries():
    return zh_index.glossary_entries((ROOT / "glossary.md").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- glossary


def test_every_glossary_entry_has_a_chinese_term(entries):
    assert len(entries) > 100
    found = zh_index.problems(entries)
    assert not found, (
        f"{len(found)} glossary problem(s) (format: the first line of the definition is "
        "'  中文：常用译名／其他译名\\'):\n" + "\n".join(found)
    )


def test_the_checker_names_an_entry_without_chinese():
    text = (
        "```{glossary}\nWidget\n  中文：部件\\\n  A part.\n\n"
        "Sprocket\n  A wheel with teeth.\n\nGear\n  中文：Gear\\\n  A wheel.\n```"
    )
    found = zh_index.problems(zh_index.glossary_entries(text))
    assert len(found) == 2
    assert "'Sprocket' has no Chinese term" in found[0]
    assert "'Gear': 'Gear' has no Chinese character" in found[1]


def test_a_chinese_term_names_one_entry_only():
    text = "```{glossary}\nA\n  中文：甲\\\n  x.\n\nB\n  中文：乙／甲\\\n  y.\n```"
    (found,) = zh_index.problems(zh_index.glossary_entries(text))
    assert "'甲' names two entries" in found


def test_the_book_corpus_leaves_the_chinese_line_out():
    from course_utils.data.book_corpus import build_book_corpus

    glossary = [p for p in build_book_corpus(ROOT) if p.kind == "glossary"]
    assert len(glossary) > 100
    assert not [p.id for p in glossary if CHINESE.search(p.text)]


# ----------------------------------------------------------------------------- the index


def test_the_chinese_index_lists_every_glossary_term(entries):
    index = (ROOT / "zh_index.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (.+?) \| .*? \| \{term\}`(.+?)` \|$", index, re.M))
    expected = {(term, e.terms[0]) for e in entries for term in e.chinese}
    assert rows == expected, (
        "zh_index.md is out of date with glossary.md: run `python tools/zh_index.py`; "
        f"missing {sorted(expected - rows)}, extra {sorted(rows - expected)}"
    )


def test_the_chinese_index_is_exactly_what_the_script_writes(entries):
    pytest.importorskip("pypinyin", reason="tools/zh_index.py sorts with pypinyin")
    assert zh_index.main(["--check"]) == 0, (
        "zh_index.md is out of date: run `python tools/zh_index.py`"
    )
    assert doctest.testmod(zh_index).failed == 0


def test_the_chinese_index_is_in_the_back_matter_next_to_the_glossary():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    back = next(p for p in toc["parts"] if p["caption"] == "Back matter")
    files = [c["file"] for c in back["chapters"]]
    assert files.index("zh_index") == files.index("glossary") + 1, files


# ----------------------------------------------------------------------------- chapters


def _chapter_indexes() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [
        chapter["file"]
        for part in toc["parts"]
        for chapter in part["chapters"]
        if chapter["file"].endswith("/index")
    ]


def test_every_chapter_has_an_index_page():
    assert len(_chapter_indexes()) >= 9


ZH_SUMMARY = ":::{admonition} 中文导读"  # a box, not a "## " section: see the docstring


@pytest.mark.parametrize("docname", _chapter_indexes())
def test_chapter_index_opens_with_a_chinese_summary(docname, entries):
    """The first thing under the title is the 中文导读 box, in Chinese, 4-8 sentences.

    A box and not a ``## 中文导读`` section: a section of a numbered chapter's index
    page takes a section number, and every notebook of the chapter would be renumbered
    (3.1 would become 3.2).
    """
    lines = (ROOT / f"{docname}.md").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# "), f"{docname}: the title comes first"
    body = [line for line in lines[1:] if line.strip()]
    assert body and body[0] == ZH_SUMMARY, (
        f"{docname}: right after the title must come the box '{ZH_SUMMARY}' "
        f"(':class: note', the Chinese summary, ':::'); found {body[:1]}"
    )
    assert not any(line.startswith("## ") for line in lines), (
        f"{docname}: a '## ' section on a chapter's index page renumbers its notebooks"
    )
    start = lines.index(ZH_SUMMARY) + 1
    summary = lines[start : lines.index(":::", start)]
    text = "\n".join(summary)
    sentences = len(re.findall(r"[。！？]", text))
    assert len(CHINESE.findall(text)) >= 150 and 4 <= sentences <= 12, (
        f"{docname}: the 中文导读 has {len(CHINESE.findall(text))} Chinese characters "
        f"and {sentences} sentences; write 4-8 sentences for a Chinese reader"
    )
    for above, below in zip(summary, summary[1:]):
        assert not (CHINESE.search(above) and CHINESE.search(below)), (
            f"{docname}: write each Chinese paragraph on one line (a line break inside "
            f"it shows as a space between two characters): {above[-20:]!r}"
        )
    terms = {t for e in entries for t in e.chinese}
    used = sorted(t for t in terms if t in text)
    assert len(used) >= 3, f"{docname}: the 中文导读 uses few glossary terms: {used}"


# ----------------------------------------------------------------------------- search


def test_the_search_cuts_chinese_into_terms():
    language = cjk_search.SearchEnglishChinese({})
    words = language.split("中文：反向传播，用KV缓存. Convolutions")
    assert {"反向传播", "反向", "传播", "KV", "缓存", "Convolutions"} <= set(words)
    assert "中文：反向传播" not in words
    assert "自监督学习" in language.split(
        "支撑大语言模型的是自监督学习。"
    )  # 5 characters
    assert language.stem("Convolutions") == "convolut"  # English as Sphinx's
    assert language.stem("反向传播") == "反向传播"
    assert doctest.testmod(cjk_search).failed == 0


def test_the_book_uses_the_chinese_search():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]
    assert sphinx["local_extensions"] == {"cjk_search": "_ext"}
    assert "cjk_search" in sphinx["config"]["extensions"]
    assert (
        sphinx["config"]["html_search_language"] == cjk_search.SearchEnglishChinese.lang
    )
