"""ipywidgets explorers (ipywidgets 7.7 and 8), thin shells over the pure functions in ``viz``.

The rendered book cannot run Python, so every explorer has a static twin in
``course_utils.viz`` that the book shows instead.

Example:
    >>> from course_utils.widgets import KernelExplorer
    >>> KernelExplorer(photos=["coins"], size=32).photo.value
    'coins'
"""

from .feature_map_explorer import FeatureMapExplorer
from .kernel_explorer import KernelExplorer

__all__ = ["KernelExplorer", "FeatureMapExplorer"]

# Attention chapter.
from .attention_explorer import AttentionExplorer  # noqa: E402

__all__ += ["AttentionExplorer"]
