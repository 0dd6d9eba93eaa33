"""From-scratch functions that mirror ``torch.nn.functional`` name for name, argument for argument.

Import it the way you import PyTorch's::

    import course_utils.nn.functional as CF      # ours
    import torch.nn.functional as F              # PyTorch's

and the same call gives the same numbers (the unit tests check this on many
shapes, including PyTorch's own test inputs). Besides the mirrors, each module
keeps the versions written for teaching, with a clear suffix: ``*_loops`` walk
over every output position one by one, ``*_backward`` and ``*_derivative`` are
gradients written by hand.

Example:
    >>> import torch
    >>> import course_utils.nn.functional as CF
    >>> x = torch.randn(2, 3, 8, 8)
    >>> w = torch.randn(4, 3, 3, 3)
    >>> torch.allclose(CF.conv2d(x, w, padding=1), torch.nn.functional.conv2d(x, w, padding=1), atol=1e-5)
    True
"""

from .activation import (
    ACTIVATIONS,
    activation,
    activation_derivative,
    elu,
    elu_derivative,
    gelu,
    gelu_derivative,
    identity,
    identity_derivative,
    leaky_relu,
    leaky_relu_derivative,
    log_softmax,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    silu,
    silu_derivative,
    softmax,
    softplus,
    softplus_derivative,
    tanh,
    tanh_derivative,
)
from .attention import (
    attention_weights,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from .conv import conv2d, conv2d_loops, conv_output_size
from .linear import linear, linear_backward
from .loss import (
    cross_entropy,
    cross_entropy_backward,
    distillation_loss,
    mse_loss,
    mse_loss_backward,
)
from .normalization import batch_norm, layer_norm, rms_norm
from .pooling import max_pool2d, max_pool2d_loops
from .recurrent import NONLINEARITIES, gru_cell, lstm_cell, rnn_cell
from .rotary import apply_rotary_emb, rotary_cos_sin, rotary_frequencies, rotate_half
from .swiglu import swiglu

__all__ = [
    # convolution and pooling
    "conv2d",
    "conv2d_loops",
    "conv_output_size",
    "max_pool2d",
    "max_pool2d_loops",
    # linear layers
    "linear",
    "linear_backward",
    # activations
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "sigmoid",
    "tanh",
    "silu",
    "softplus",
    "identity",
    "softmax",
    "log_softmax",
    "relu_derivative",
    "leaky_relu_derivative",
    "elu_derivative",
    "gelu_derivative",
    "sigmoid_derivative",
    "tanh_derivative",
    "silu_derivative",
    "softplus_derivative",
    "identity_derivative",
    "ACTIVATIONS",
    "activation",
    "activation_derivative",
    # losses
    "mse_loss",
    "mse_loss_backward",
    "cross_entropy",
    "cross_entropy_backward",
    "distillation_loss",
    # attention
    "scaled_dot_product_attention",
    "attention_weights",
    "causal_mask",
    "padding_mask",
    # normalization
    "batch_norm",
    "layer_norm",
    "rms_norm",
    # recurrent cells
    "rnn_cell",
    "lstm_cell",
    "gru_cell",
    "NONLINEARITIES",
    # the pieces of a Llama-style LLM (RMSNorm is in normalization)
    "rotary_frequencies",
    "rotary_cos_sin",
    "rotate_half",
    "apply_rotary_emb",
    "swiglu",
]
