"""ipywidgets explorers (ipywidgets 7.7 and 8), thin shells over the pure functions in ``viz``.

The rendered book cannot run Python, so every explorer has a static twin in
``course_utils.viz`` that the book shows instead.

Example:
    >>> from course_utils.widgets import KernelExplorer
    >>> KernelExplorer(photos=["coins"], size=32).photo.value
    'coins'
"""

from .activation_explorer import ActivationExplorer
from .attention_explorer import AttentionExplorer
from .feature_map_explorer import FeatureMapExplorer
from .gradient_flow_explorer import GradientFlowExplorer
from .hidden_state_explorer import HiddenStateExplorer
from .kernel_explorer import KernelExplorer
from .loss_surface_explorer import LossSurfaceExplorer
from .playground_explorer import PlaygroundExplorer
from .recommendation_explorer import RecommendationExplorer

__all__ = [
    # foundations
    "ActivationExplorer",
    "PlaygroundExplorer",
    # convolutional networks
    "KernelExplorer",
    "FeatureMapExplorer",
    # recurrent networks
    "GradientFlowExplorer",
    "HiddenStateExplorer",
    # attention and Transformers
    "AttentionExplorer",
    # optimizers
    "LossSurfaceExplorer",
    # applications
    "RecommendationExplorer",
]
