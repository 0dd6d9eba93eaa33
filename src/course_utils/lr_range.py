"""Deprecated: the learning-rate range test moved to :mod:`course_utils.optim` in 0.2."""

import warnings

from .optim.lr_range import LRRangeResult, lr_range_test  # noqa: F401

__all__ = ["LRRangeResult", "lr_range_test"]

warnings.warn(
    "course_utils.lr_range moved to course_utils.optim in 0.2; "
    "the old name will be removed in 0.3",
    DeprecationWarning,
    stacklevel=2,
)
