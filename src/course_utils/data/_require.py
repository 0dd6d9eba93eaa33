"""Import an optional package or explain how to install it."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, package: str, purpose: str) -> ModuleType:
    """Import ``module``; if it is missing, raise an ImportError naming the pip package.

    Example:
        >>> require("numpy", "numpy", "arrays").__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs the package '{package}', which is not installed: "
            f"run `pip install {package}` (or `pip install -r requirements.txt`)"
        ) from error
