"""Static matplotlib figures (what the rendered book shows) and fast image encoding for explorers.

Example:
    >>> from course_utils.viz import PRESET_KERNELS
    >>> "sharpen" in PRESET_KERNELS
    True
"""

from .activations import neuron_curves, plot_activations
from .attention import (
    attention_table_html,
    attention_text_html,
    plain_label,
    plot_attention,
    plot_attention_grid,
    tile_attention,
)
from .autograd import plot_graph
from .decision import decision_grid, decision_rgb, plot_decision_boundaries
from .features import feature_maps, plot_feature_maps, plot_filters, tile_channels
from .history import (
    ERAS,
    era_of,
    plot_corpus_sizes,
    plot_parameters_over_time,
    plot_timeline,
    scale_summary_html,
)
from .images import DISPLAY_MODES, png_bytes, show_images, to_unit_range
from .initialization import (
    deep_mlp_statistics,
    histogram_image,
    init_std,
    plot_layer_histograms,
)
from .kernels import PRESET_KERNELS, apply_kernel, display_mode_for, plot_kernel_gallery
from .recurrent import (
    character_responses,
    plot_gradient_norms,
    plot_hidden_states,
    plot_unit_responses,
    plot_unrolled_rnn,
)
from .schedules import plot_lr_range_test, plot_lr_schedules, plot_training_runs, smooth
from .style import COLORS, PALETTE, use_course_style
from .surfaces import (
    OPTIMIZER_COLORS,
    contour_levels,
    draw_paths,
    draw_surface,
    plot_optimizer_paths,
)
from .training import plot_confusion_matrix, plot_history, plot_mistakes

__all__ = [
    "COLORS",
    "PALETTE",
    "use_course_style",
    "DISPLAY_MODES",
    "PRESET_KERNELS",
    "apply_kernel",
    "display_mode_for",
    "feature_maps",
    "plot_confusion_matrix",
    "plot_feature_maps",
    "plot_filters",
    "plot_history",
    "plot_kernel_gallery",
    "plot_mistakes",
    "png_bytes",
    "show_images",
    "tile_channels",
    "to_unit_range",
    "plot_unrolled_rnn",
    "plot_gradient_norms",
    "character_responses",
    "plot_hidden_states",
    "plot_unit_responses",
    "neuron_curves",
    "plot_activations",
    "decision_grid",
    "decision_rgb",
    "plot_decision_boundaries",
    "plot_graph",
    "deep_mlp_statistics",
    "histogram_image",
    "init_std",
    "plot_layer_histograms",
    "OPTIMIZER_COLORS",
    "contour_levels",
    "draw_paths",
    "draw_surface",
    "plot_lr_range_test",
    "plot_lr_schedules",
    "plot_optimizer_paths",
    "plot_training_runs",
    "smooth",
    "attention_table_html",
    "attention_text_html",
    "plain_label",
    "plot_attention",
    "plot_attention_grid",
    "tile_attention",
    "ERAS",
    "era_of",
    "plot_corpus_sizes",
    "plot_parameters_over_time",
    "plot_timeline",
    "scale_summary_html",
]

# Large models in practice.
from .next_token import (  # noqa: E402
    TokenRow,
    next_token_html,
    next_token_rows,
    plot_temperatures,
    token_label,
)

__all__ += [
    "TokenRow",
    "next_token_html",
    "next_token_rows",
    "plot_temperatures",
    "token_label",
]

# Applications chapter.
from .recommendation import (  # noqa: E402
    main_genres,
    plot_embedding_map,
    project_2d,
    recommendation_table_html,
)
from .style import use_cjk_font  # noqa: E402

__all__ += [
    "use_cjk_font",
    "main_genres",
    "plot_embedding_map",
    "project_2d",
    "recommendation_table_html",
]

use_course_style()  # the book's palette, and Chinese characters in figures
