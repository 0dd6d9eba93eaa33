"""Offline data sets: real data that ships inside pip packages, or data generated with a seed.

Nothing here downloads anything. A loader whose package is missing says which
package to install.

Example:
    >>> from course_utils.data import load_photo
    >>> load_photo("camera", size=64).shape
    torch.Size([64, 64])
"""

from .augment import RandomShift
from .book_corpus import (
    BOOK_QUESTIONS,
    CHINESE_QUESTIONS,
    Passage,
    Question,
    load_book_corpus,
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
from .language import lm_batches, names_corpus
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
from .vocab import CharTokenizer, CharVocab, PaddedCharVocab

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
    "lm_batches",
    "CharVocab",
    "PaddedCharVocab",
    "CharTokenizer",
    # dates written by people
    "DATE_FORMATS",
    "DatePairs",
    "date_vocabularies",
    "encode_pairs",
    "random_date_pairs",
    "split_dates",
    "write_date",
]

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
