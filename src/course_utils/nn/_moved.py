"""Deprecation shim for one release: names that moved out of ``course_utils.nn`` in 0.2.

``course_utils.nn.conv2d`` is now ``course_utils.nn.functional.conv2d``,
``course_utils.nn.LeNet`` is ``course_utils.models.LeNet``, and so on. Old code
keeps working and is told where each name went.
"""

from __future__ import annotations

import importlib
import warnings

_FUNCTIONAL = "course_utils.nn.functional"
_NEW_HOMES = {
    **dict.fromkeys(
        [
            "conv2d",
            "conv2d_loops",
            "conv_output_size",
            "max_pool2d",
            "max_pool2d_loops",
            "ACTIVATIONS",
            "activation",
            "activation_derivative",
            "mse_loss",
            "mse_loss_backward",
            "cross_entropy",
            "cross_entropy_backward",
            "linear_backward",
            "rnn_cell",
            "lstm_cell",
            "gru_cell",
            "NONLINEARITIES",
            "scaled_dot_product_attention",
            "attention_weights",
            "causal_mask",
            "padding_mask",
        ],
        _FUNCTIONAL,
    ),
    "linear_forward": (_FUNCTIONAL, "linear"),
    **dict.fromkeys(
        [
            "LeNet",
            "CharRNN",
            "TinyGPT",
            "KVCache",
            "generate",
            "DateTranslator",
            "TransformerClassifier",
            "AttentionMaps",
            "DateTranslatorSource",
            "GPTSource",
            "MiniLMSource",
        ],
        "course_utils.models",
    ),
    **dict.fromkeys(
        [
            "SGD",
            "Adagrad",
            "RMSprop",
            "Adam",
            "AdamW",
            "OPTIMIZERS",
            "Surface",
            "SURFACES",
            "OptimizerPath",
            "PATH_OPTIMIZERS",
            "make_optimizer",
            "optimizer_path",
        ],
        "course_utils.optim",
    ),
    **dict.fromkeys(["train_gpt", "train_translator"], "course_utils.train"),
    "exact_match": "course_utils.metrics",
    "CharTokenizer": "course_utils.data",
    **dict.fromkeys(
        [
            "trace_shapes",
            "LayerShape",
            "ShapeTraceError",
            "gradient_norms_through_time",
        ],
        "course_utils.inspection",
    ),
}


def moved_name(name: str):
    """Return the object ``course_utils.nn.<name>`` used to be, with a DeprecationWarning."""
    home = _NEW_HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'course_utils.nn' has no attribute {name!r}")
    module, new_name = home if isinstance(home, tuple) else (home, name)
    warnings.warn(
        f"course_utils.nn.{name} moved to {module}.{new_name} in course_utils 0.2; "
        "the old name will be removed in 0.3",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(module), new_name)
