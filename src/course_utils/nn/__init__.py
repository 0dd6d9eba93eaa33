"""From-scratch layers and optimizers, each checked against PyTorch's own in the unit tests.

Example:
    >>> import torch
    >>> from course_utils.nn import conv2d
    >>> conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3)).item()
    9.0
"""

from .activations import ACTIVATIONS, activation, activation_derivative
from .char_rnn import CharRNN
from .conv import conv2d, conv2d_loops, conv_output_size, max_pool2d, max_pool2d_loops
from .lenet import LeNet
from .losses import cross_entropy, cross_entropy_backward, mse_loss, mse_loss_backward
from .mlp import MLP, linear_backward, linear_forward

# Optimizers chapter
from .optim import OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop
from .rnn import (
    NONLINEARITIES,
    UnrolledGRU,
    UnrolledLSTM,
    UnrolledRNN,
    gradient_norms_through_time,
    gru_cell,
    lstm_cell,
    rnn_cell,
)
from .shapes import LayerShape, ShapeTraceError, trace_shapes
from .surfaces import (
    PATH_OPTIMIZERS,
    SURFACES,
    OptimizerPath,
    Surface,
    make_optimizer,
    optimizer_path,
)

__all__ = [
    "conv2d",
    "conv2d_loops",
    "conv_output_size",
    "max_pool2d",
    "max_pool2d_loops",
    "LeNet",
    "trace_shapes",
    "LayerShape",
    "ShapeTraceError",
    # recurrent networks
    "rnn_cell",
    "lstm_cell",
    "gru_cell",
    "UnrolledRNN",
    "UnrolledLSTM",
    "UnrolledGRU",
    "NONLINEARITIES",
    "gradient_norms_through_time",
    "CharRNN",
    # Foundations chapter
    "ACTIVATIONS",
    "activation",
    "activation_derivative",
    "mse_loss",
    "mse_loss_backward",
    "cross_entropy",
    "cross_entropy_backward",
    "MLP",
    "linear_forward",
    "linear_backward",
    # Optimizers chapter
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
]

# Attention chapter: attention, Transformer blocks, a tiny GPT, a date translator.
from .attention import (  # noqa: E402
    MultiheadAttention,
    attention_weights,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from .attention_sources import (  # noqa: E402
    AttentionMaps,
    DateTranslatorSource,
    GPTSource,
    MiniLMSource,
)
from .gpt import CharTokenizer, KVCache, TinyGPT, generate, train_gpt  # noqa: E402
from .seq2seq import DateTranslator, exact_match, train_translator  # noqa: E402
from .transformer import (  # noqa: E402
    TransformerClassifier,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)

__all__ += [
    "scaled_dot_product_attention",
    "attention_weights",
    "causal_mask",
    "padding_mask",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerClassifier",
    "sinusoidal_positional_encoding",
    "TinyGPT",
    "CharTokenizer",
    "KVCache",
    "generate",
    "train_gpt",
    "DateTranslator",
    "train_translator",
    "exact_match",
    "AttentionMaps",
    "DateTranslatorSource",
    "GPTSource",
    "MiniLMSource",
]
