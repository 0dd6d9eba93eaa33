"""Deprecated: the exercise checkers moved to :mod:`course_utils.exercises` in 0.2."""

import warnings

from .exercises import *  # noqa: F403
from .exercises import __all__  # noqa: F401

warnings.warn(
    "course_utils.checks moved to course_utils.exercises in 0.2; "
    "the old name will be removed in 0.3",
    DeprecationWarning,
    stacklevel=2,
)
