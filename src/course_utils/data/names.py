"""US census first names (1990), shipped inside the ``names`` pip package.

The package's files list 1,219 male and 4,275 female first names with their
frequency. We use them as a small real text corpus (a character-level GPT
learns to invent names) and as a labelled data set (is a name more often given
to boys or to girls?).

Example:
    >>> names = load_first_names()
    >>> len(names) > 5000, names[:3]
    (True, ['aaron', 'abbey', 'abbie'])
"""

from __future__ import annotations

import random
from pathlib import Path

from .._validation import require_package

__all__ = ["load_first_names", "load_name_genders"]


def _read(gender: str) -> list[str]:
    package = require_package("names", "names", "The census first names")
    path = Path(package.__file__).parent / f"dist.{gender}.first"
    return [
        line.split()[0].lower()
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def load_first_names() -> list[str]:
    """Every distinct first name, male or female, lower case and sorted."""
    return sorted(set(_read("male")) | set(_read("female")))


def load_name_genders(seed: int = 0, balanced: bool = True) -> list[tuple[str, int]]:
    """(name, label) pairs, label 0 = male and 1 = female, shuffled with ``seed``.

    Names listed under both genders (such as "jean" or "kelly") are left out. With
    ``balanced=True`` as many female names are drawn as there are male ones, so that
    always answering "female" scores 50%, not 78%.

    Example:
        >>> pairs = load_name_genders()
        >>> sum(label for _, label in pairs) == len(pairs) // 2
        True
    """
    male, female = set(_read("male")), set(_read("female"))
    male, female = sorted(male - female), sorted(female - male)
    rng = random.Random(seed)
    if balanced:
        female = rng.sample(female, len(male))
    pairs = [(n, 0) for n in male] + [(n, 1) for n in female]
    rng.shuffle(pairs)
    return pairs
