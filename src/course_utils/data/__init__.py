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
