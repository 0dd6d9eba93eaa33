"""Offline data sets: real data that ships inside pip packages, or data generated with a seed.

Nothing here downloads anything. A loader whose package is missing says which
package to install.

Example:
    >>> from course_utils.data import load_photo
    >>> load_photo("camera", size=64).shape
    torch.Size([64, 64])
"""

from .augment import RandomShift
from .images import PHOTOS, load_photo
from .mnist import ImageSplit, load_digits, load_mnist
from .sequences import (
    CharVocab,
    load_co2,
    load_names,
    load_sunspots,
    long_gap_task,
    sliding_windows,
)
from .toy2d import TOY2D_DATASETS, make_toy2d  # Foundations chapter

__all__ = [
    "RandomShift",
    "PHOTOS",
    "load_photo",
    "ImageSplit",
    "load_mnist",
    "load_digits",
    # sequences
    "load_sunspots",
    "load_co2",
    "sliding_windows",
    "load_names",
    "CharVocab",
    "long_gap_task",
    "TOY2D_DATASETS",
    "make_toy2d",
]

# Attention chapter: human-written dates (generated) and census first names.
from .dates import (  # noqa: E402
    DATE_FORMATS,
    DatePairs,
    PaddedCharVocab,
    date_vocabularies,
    encode_pairs,
    random_date_pairs,
    split_dates,
    write_date,
)
from .names import load_first_names, load_name_genders  # noqa: E402

__all__ += [
    "DATE_FORMATS",
    "PaddedCharVocab",
    "DatePairs",
    "date_vocabularies",
    "encode_pairs",
    "random_date_pairs",
    "split_dates",
    "write_date",
    "load_first_names",
    "load_name_genders",
]
