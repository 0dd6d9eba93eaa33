"""The book's prose uses one spelling convention: American -ize (optimize, normalization).

The British forms (-ise, -isation, -yse) are found by a suffix pattern; English words that
really end in -ise (exercise, noise, precise, supervised, ...) are allowed by their root.
`british_spellings` is reusable: `british_spellings(text)` lists the offending words.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Roots of words spelled with -ise in American English too. A word is allowed when its
# root ends with one of these ("exercis": exercise, exercised; "wis": otherwise,
# pairwise; "supervis": unsupervised; "nois": denoising) ...
ALLOWED_ROOTS = (
    "advis", "apprais", "appris", "bruis", "chastis", "compris", "compromis", "concis",
    "cruis", "demis", "despis", "devis", "disguis", "enterpris", "excis", "exercis",
    "expertis", "franchis", "incis", "improvis", "merchandis", "nois", "paradis",
    "prais", "precis", "premis", "promis", "repris", "revis", "supervis", "surpris",
    "televis", "treatis", "wis",
)  # fmt: skip
# ... or is exactly one of these short roots, which -ize words also end with
# (rise but summarise, raise, poise, guise, mise but optimise).
EXACT_ROOTS = {"ris", "aris", "uprais", "rais", "pois", "guis", "mis"}
# Whole words allowed: names and quoted titles that use the British form on purpose.
ALLOWED_WORDS = {"elise", "louise", "denise"}

_BRITISH = re.compile(
    r"\b([A-Za-z][A-Za-z-]*?)(is(?:e|es|ed|ing|er|ers|ation|ations)|ys(?:e|es|ed|ing))\b"
)

# The book's own prose: the frame, every chapter's pages and every notebook's markdown.
BOOK_MARKDOWN = sorted(
    [ROOT / "intro.md", ROOT / "glossary.md", ROOT / "README.md"]
    + list((ROOT / "chapters").glob("*/*.md"))
    + list((ROOT / "chapters").glob("*/*.ipynb"))
)


def british_spellings(text: str) -> list[str]:
    """The words of `text` spelled the British way (-ise, -isation, -yse).

    >>> british_spellings("We normalise, then optimize; the exercise is precise.")
    ['normalise']
    >>> british_spellings("regularisation and analysed noise, otherwise supervised")
    ['regularisation', 'analysed']
    """
    found = []
    for match in _BRITISH.finditer(text):
        word, stem = match.group(0), match.group(1).lower()
        if len(stem) < 2 or word.lower() in ALLOWED_WORDS:
            continue
        root = stem + "is" if match.group(2).startswith("is") else stem + "ys"
        if match.group(2).startswith("is") and (
            root.endswith(ALLOWED_ROOTS) or root.lstrip("-") in EXACT_ROOTS
        ):
            continue
        found.append(word)
    return found


def _prose(path: Path) -> str:
    """The text a reader sees: a markdown file, or a notebook's markdown cells."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", BOOK_MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_book_markdown_uses_ize_spellings(path):
    words = british_spellings(_prose(path))
    assert not words, f"{path.name}: use the -ize spelling for {sorted(set(words))}"


def test_the_spelling_check_can_fail():
    assert british_spellings("organisation, recognise, memorising, criticised") == [
        "organisation",
        "recognise",
        "memorising",
        "criticised",
    ]
    assert british_spellings("summarised, optimise, categorising, analyse") == [
        "summarised",
        "optimise",
        "categorising",
        "analyse",
    ]
    allowed = "exercise noise rise arise raised otherwise pairwise precise advised"
    assert british_spellings(allowed + " unsupervised surprising promise") == []
