"""Offline data sets: real data that ships inside pip packages, or data generated with a seed.

Nothing here downloads anything. A loader whose package is missing says which
package to install.

Example:
    >>> from course_utils.data import load_photo
    >>> load_photo("camera", size=64).shape
    torch.Size([64, 64])
"""

from .augment import RandomShift
from .bpe import BPETokenizer, train_bpe
from .corpora import (
    KJV_LICENCE,
    kjv_books,
    load_chinese_reviews,
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
from .language import lm_batches, names_corpus
from .mnist import ImageSplit, load_digits, load_mnist
from .names import load_first_names, load_name_genders
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
    # text corpora and byte-pair encoding (large models in practice)
    "KJV_LICENCE",
    "kjv_books",
    "load_kjv",
    "load_kjv_verses",
    "parallel_genesis",
    "load_chinese_reviews",
    "BPETokenizer",
    "train_bpe",
]
