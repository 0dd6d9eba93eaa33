"""Offline data sets: real data that ships inside pip packages, or data generated with a seed.

Nothing here downloads anything. A loader whose package is missing says which
package to install. Text becomes ids through one character vocabulary,
:class:`CharVocab`, with optional padding, start and end tokens; language-model
windows come from :func:`lm_windows` and :func:`lm_batches`.

Example:
    >>> from course_utils.data import CharVocab, load_photo
    >>> load_photo("camera", size=64).shape
    torch.Size([64, 64])
    >>> CharVocab("hello").encode("hole").tolist()
    [1, 3, 2, 0]
"""

from .augment import RandomShift
from .bible import bible_corpus, load_bible_chapters
from .book_corpus import (
    BOOK_QUESTIONS,
    CHINESE_QUESTIONS,
    Passage,
    Question,
    load_book_corpus,
)
from .bpe import BPETokenizer, train_bpe
from .corpora import (
    KJV_LICENCE,
    kjv_books,
    load_kjv,
    load_kjv_verses,
    parallel_genesis,
)
from .dates import (
    DATE_FORMATS,
    DatePairs,
    date_vocabularies,
    encode_pairs,
    random_date_pairs,
    split_dates,
    write_date,
)
from .images import PHOTOS, load_photo
from .language import lm_batches, lm_windows, names_corpus
from .milestones import CORPORA, MILESTONES, MODELS, find_model
from .mnist import ImageSplit, load_digits, load_mnist
from .movielens import InteractionSplit, MovieLens, load_movielens, temporal_split
from .names import load_first_names, load_name_genders
from .reviews import Reviews, load_chinese_reviews
from .sequences import (
    load_co2,
    load_names,
    load_sunspots,
    long_gap_task,
    sliding_windows,
)
from .toy2d import TOY2D_DATASETS, make_toy2d
from .vocab import CharVocab, deprecated_name

__all__ = [
    # images
    "PHOTOS",
    "load_photo",
    "ImageSplit",
    "load_mnist",
    "load_digits",
    "RandomShift",
    # points in the plane
    "TOY2D_DATASETS",
    "make_toy2d",
    # sequences
    "load_sunspots",
    "load_co2",
    "sliding_windows",
    "long_gap_task",
    # text
    "load_names",
    "load_first_names",
    "load_name_genders",
    "names_corpus",
    "CharVocab",
    "lm_windows",
    "lm_batches",
    "load_bible_chapters",
    "bible_corpus",
    # dates written by people
    "DATE_FORMATS",
    "DatePairs",
    "date_vocabularies",
    "encode_pairs",
    "random_date_pairs",
    "split_dates",
    "write_date",
    # history: milestones, models and corpora, dated and cited
    "MILESTONES",
    "MODELS",
    "CORPORA",
    "find_model",
    # text corpora and byte-pair encoding (large models in practice)
    "KJV_LICENCE",
    "kjv_books",
    "load_kjv",
    "load_kjv_verses",
    "parallel_genesis",
    "BPETokenizer",
    "train_bpe",
]


def __getattr__(name: str):
    """``PaddedCharVocab`` and ``CharTokenizer`` (before 0.2) still work, with a warning."""
    return deprecated_name(name, __name__)


__all__ += [
    "Passage",
    "Question",
    "BOOK_QUESTIONS",
    "CHINESE_QUESTIONS",
    "load_book_corpus",
    "Reviews",
    "load_chinese_reviews",
    "MovieLens",
    "InteractionSplit",
    "load_movielens",
    "temporal_split",
]

# speech synthesised offline with eSpeak NG (applications: speech)
from .speech import SpokenWords, spoken_digits, spoken_keywords, synthesize  # noqa: E402

__all__ += ["SpokenWords", "spoken_digits", "spoken_keywords", "synthesize"]
