"""ipywidgets explorers (ipywidgets 7.7 and 8), thin shells over the pure functions in ``viz``.

The rendered book cannot run Python, so every explorer has a static twin in
``course_utils.viz`` that the book shows instead.

Every explorer is an :class:`Explorer` (``base.py``): its ``__init__`` makes the
controls and views and puts them under ``self.widget``; ``redraw()`` fills the
views from the controls; ``self.on_change(*controls)`` wires controls to
``redraw``; ``with self.updating():`` changes several controls from code with
one redraw at the end; ``demo()`` returns a ready instance. To add one:

1. write ``widgets/NAME_explorer.py`` with a subclass of :class:`Explorer`
   (the module docstring of ``base.py`` has a complete ten-line example);
   encode pictures with :mod:`course_utils.viz.encode`;
2. list it below: ``tests/test_explorers.py`` then drives every one of its
   controls (with :mod:`course_utils.widgets.driver`) and the benchmark times
   its redraws (budget: 100 ms at the 95th percentile);
3. add its own tests in ``tests/test_widgets_CHAPTER.py``.

Example:
    >>> from course_utils.widgets import KernelExplorer
    >>> KernelExplorer(photos=["coins"], size=32).photo.value
    'coins'
"""

from .activation_explorer import ActivationExplorer
from .attention_explorer import AttentionExplorer
from .attribution_explorer import AttributionExplorer
from .base import Explorer
from .feature_map_explorer import FeatureMapExplorer
from .gradient_flow_explorer import GradientFlowExplorer
from .hidden_state_explorer import HiddenStateExplorer
from .init_explorer import InitExplorer
from .kernel_explorer import KernelExplorer
from .loss_surface_explorer import LossSurfaceExplorer
from .next_token_explorer import NextTokenExplorer
from .playground_explorer import PlaygroundExplorer
from .recommendation_explorer import RecommendationExplorer
from .scale_explorer import ScaleExplorer
from .serving_explorer import ServingExplorer

__all__ = [
    "Explorer",
    # history
    "ScaleExplorer",
    # foundations
    "ActivationExplorer",
    "PlaygroundExplorer",
    "InitExplorer",
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
    # large models in practice
    "NextTokenExplorer",
    "ServingExplorer",
    # applications
    "RecommendationExplorer",
    "AttributionExplorer",
]
