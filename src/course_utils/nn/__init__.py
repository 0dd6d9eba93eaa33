"""From-scratch layers and optimizers, each checked against PyTorch's own in the unit tests.

Example:
    >>> import torch
    >>> from course_utils.nn import conv2d
    >>> conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3)).item()
    9.0
"""

from .conv import conv2d, conv2d_loops, conv_output_size, max_pool2d, max_pool2d_loops
from .lenet import LeNet

# Optimizers chapter
from .optim import OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop
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
