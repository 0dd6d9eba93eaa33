"""Human-written dates in English and Chinese, paired with their ISO form, from a seed.

``random_date_pairs(1000, seed=0)`` gives pairs such as
``("22 Nov 2026", "2026-11-22")`` or ``("2026年11月22日星期日", "2026-11-22")``.
Within this set of formats every date can be read one way only, but only
because of the separators: "03/04/2026" (slashes) is always the US month/day
order, 4 March, and "03.04.2026" (dots) always day.month, 3 April. In the world
the same digits are read both ways (3 April in London, 4 March in New York); a
model trained here has learned the convention, not the date.
:func:`split_dates` keeps test dates apart from training dates (and, if asked,
validation dates from both): a date used for testing never appears in training
in any format.

Example:
    >>> import datetime
    >>> write_date(datetime.date(2026, 11, 22), "d Mon yyyy")
    '22 Nov 2026'
    >>> write_date(datetime.date(2026, 11, 22), "chinese numerals")
    '二〇二六年十一月二十二日'
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

import torch

from .._validation import require_int
from .vocab import CharVocab

__all__ = [
    "DATE_FORMATS",
    "write_date",
    "random_date_pairs",
    "split_dates",
    "DatePairs",
    "date_vocabularies",
    "encode_pairs",
]

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip
WEEKDAYS = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]
ZH_DIGITS = "〇一二三四五六七八九"
ZH_WEEKDAYS = "一二三四五六日"


def _zh_number(n: int) -> str:
    """1..31 in Chinese numerals: 十 = 10, 十一 = 11, 二十 = 20, 二十二 = 22."""
    tens, ones = divmod(n, 10)
    text = "" if tens == 0 else ("十" if tens == 1 else ZH_DIGITS[tens] + "十")
    return text + (ZH_DIGITS[ones] if ones or tens == 0 else "")


def _ordinal(n: int) -> str:
    suffix = (
        "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    )
    return f"{n}{suffix}"


#: How each format writes a date. Slashes always mean month/day/year, dots
#: day.month.year: the separator, not the digits, tells the two apart.
DATE_FORMATS = {
    "d Mon yyyy": lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    "dd Month yyyy": lambda d: f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}",
    "Month d, yyyy": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "Mon d, yyyy": lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
    "Weekday, Month d, yyyy": lambda d: (
        f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}"
    ),
    "the dth of Month yyyy": lambda d: (
        f"the {_ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}"
    ),
    "D MON YYYY": lambda d: f"{d.day} {MONTHS[d.month - 1][:3].upper()} {d.year}",
    "mm/dd/yyyy (US)": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    "dd.mm.yyyy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "yyyy年m月d日": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "yyyy年mm月dd日 星期": lambda d: (
        f"{d.year}年{d.month:02d}月{d.day:02d}日 星期{ZH_WEEKDAYS[d.weekday()]}"
    ),
    "chinese numerals": lambda d: (
        "".join(ZH_DIGITS[int(c)] for c in str(d.year))
        + f"年{_zh_number(d.month)}月{_zh_number(d.day)}日"
    ),
}


def write_date(date: datetime.date, style: str) -> str:
    """Write ``date`` in one of the :data:`DATE_FORMATS`."""
    if style not in DATE_FORMATS:
        raise ValueError(
            f"unknown date format {style!r}: expected one of {', '.join(DATE_FORMATS)}"
        )
    return DATE_FORMATS[style](date)


def _random_dates(count: int, rng: random.Random, first: int, last: int):
    start = datetime.date(first, 1, 1).toordinal()
    end = datetime.date(last, 12, 31).toordinal()
    return [datetime.date.fromordinal(rng.randint(start, end)) for _ in range(count)]


def random_date_pairs(
    count: int, seed: int = 0, years: tuple[int, int] = (1900, 2099)
) -> list[tuple[str, str]]:
    """``count`` pairs (human-written date, ISO date), each in a random format.

    Example:
        >>> random_date_pairs(2, seed=0)
        [('1 Apr 2038', '2038-04-01'), ('Monday, December 5, 2050', '2050-12-05')]
    """
    rng = random.Random(seed)
    styles = list(DATE_FORMATS)
    return [
        (write_date(d, rng.choice(styles)), d.isoformat())
        for d in _random_dates(count, rng, *years)
    ]


@dataclass
class DatePairs:
    """Training, test and (optional) validation pairs; no date occurs in two of them."""

    train: list[tuple[str, str]]
    test: list[tuple[str, str]]
    validation: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        validation = (
            f", {len(self.validation):,} validation pairs" if self.validation else ""
        )
        return (
            f"DatePairs({len(self.train):,} training pairs{validation}, "
            f"{len(self.test):,} test pairs)"
        )


def split_dates(
    train_size: int,
    test_size: int,
    seed: int = 0,
    years: tuple[int, int] = (1900, 2099),
    validation_size: int = 0,
) -> DatePairs:
    """Random pairs split so that the test *dates* are never seen in training.

    With ``validation_size`` > 0, a validation set is carved out of the pairs that
    would otherwise be training pairs, and its dates too are kept out of training:
    choose a model or a training length on it, and touch the test set once.

    Example:
        >>> pairs = split_dates(100, 20, seed=1, validation_size=10)
        >>> train = {iso for _, iso in pairs.train}
        >>> train.isdisjoint(iso for _, iso in pairs.test + pairs.validation)
        True
    """
    require_int("split_dates", "validation_size", validation_size, minimum=0)
    pool = random_date_pairs(
        train_size + 4 * test_size + 4 * validation_size, seed=seed, years=years
    )
    test = pool[:test_size]
    held_out = {iso for _, iso in test}
    rest = [p for p in pool[test_size:] if p[1] not in held_out]
    validation = rest[:validation_size]
    held_out |= {iso for _, iso in validation}
    train = [p for p in rest[validation_size:] if p[1] not in held_out][:train_size]
    if len(train) < train_size:  # only when the year range is tiny
        raise ValueError(
            f"only {len(train)} training pairs avoid the test dates in years {years}"
        )
    return DatePairs(train, test, validation)


def date_vocabularies() -> tuple[CharVocab, CharVocab]:
    """(source, target) vocabularies: every character any format can write, and ISO's.

    Both have the special tokens ``<pad>``, ``<s>`` and ``</s>`` (ids 0, 1, 2).

    Example:
        >>> source, target = date_vocabularies()
        >>> len(target), "年" in source.chars, target.start_id
        (14, True, 1)
    """
    days = [datetime.date(2000, 1, 1) + datetime.timedelta(days=i) for i in range(366)]
    days += [datetime.date(1987, 6, 5), datetime.date(2019, 6, 5)]  # every digit
    chars = {c for d in days for style in DATE_FORMATS for c in write_date(d, style)}
    specials = {"pad": "<pad>", "start": "<s>", "end": "</s>"}
    return CharVocab(chars, **specials), CharVocab("0123456789-", **specials)


def encode_pairs(
    pairs: list[tuple[str, str]],
    source_vocab: CharVocab,
    target_vocab: CharVocab,
    source_length: int = 32,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Ids for training a translator with teacher forcing on (text, ISO date) pairs.

    Returns:
        ``source`` (N, source_length): the written dates, padded;
        ``decoder_input`` (N, 10): the start token and the first nine ISO characters,
        what the decoder reads; ``target`` (N, 10): the ten ISO characters, what it
        must write. ``target[:, t]`` follows ``decoder_input[:, t]``.

    Example:
        >>> source_vocab, target_vocab = date_vocabularies()
        >>> source, decoder_input, target = encode_pairs(
        ...     [("22 Nov 2026", "2026-11-22")], source_vocab, target_vocab)
        >>> source.shape, target_vocab.decode(target[0]), decoder_input[0, 0].item()
        (torch.Size([1, 32]), '2026-11-22', 1)
    """
    if not pairs:
        raise ValueError("encode_pairs: pairs is empty")
    source = source_vocab.encode_batch(
        [text for text, _ in pairs], length=source_length
    )
    target = target_vocab.encode_batch([iso for _, iso in pairs], start=True)
    return source, target[:, :-1], target[:, 1:]
