"""Import ``transformers`` for offline use: no network, no progress bars, no noise.

Installed next to ``torchao``, ``transformers`` imports it on start-up, and
``torchao`` then logs a "Failed to load" line for each GPU kernel a CPU build
lacks; PyTorch adds deprecation lines about enum registration. Neither means
anything for the course, and in a notebook they read like errors. They are
silenced here, once, for the loaders of :mod:`course_utils.models`.
"""

from __future__ import annotations

import logging
import os
import warnings
from types import ModuleType

from .._validation import require_package


def import_transformers(purpose: str) -> ModuleType:
    """``transformers``, set to work offline and quietly (``purpose`` names who needs it).

    Example:
        >>> import_transformers("A test").__name__
        'transformers'
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never try the network
    for name in ("torchao", "torch.utils._pytree"):
        logging.getLogger(name).setLevel(logging.ERROR)
    transformers = require_package("transformers", "transformers", purpose)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    return transformers


def import_peft(purpose: str) -> ModuleType:
    """``peft``, imported after :func:`import_transformers` so that it is quiet too.

    Example:
        >>> import_peft("A test").__name__
        'peft'
    """
    import_transformers(purpose)
    # peft 0.21 asks transformers 5.23 a deprecated question on every get_peft_model
    warnings.filterwarnings(
        "ignore",
        message=".*is_gradient_checkpointing.* is deprecated",
        category=FutureWarning,
    )
    return require_package("peft", "peft", purpose)
