"""From-scratch layers, mirroring ``torch.nn``; the functions are in :mod:`course_utils.nn.functional`.

Each module has the parameter names of its PyTorch namesake, so
``load_state_dict`` copies weights across and the two give the same outputs
(the unit tests check this). :class:`MLP` is different on purpose: a network
with a hand-written backward pass and no autograd, for the foundations chapter.

Example:
    >>> import torch
    >>> from course_utils.nn import MultiheadAttention
    >>> ours = MultiheadAttention(8, 2)
    >>> theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> _ = theirs.load_state_dict(ours.state_dict())
    >>> x = torch.randn(1, 3, 8)
    >>> torch.allclose(ours(x, x, x)[0], theirs(x, x, x)[0], atol=1e-6)
    True
"""

from . import functional, init, utils
from ._moved import moved_name
from .attention import MultiheadAttention
from .lora import LoRALinear, apply_lora, count_parameters, merge_lora, unmerge_lora
from .mlp import MLP
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, RMSNorm
from .rnn import UnrolledGRU, UnrolledLSTM, UnrolledRNN
from .transformer import (
    TransformerDecoderLayer,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)

__all__ = [
    "functional",
    "init",
    "utils",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "sinusoidal_positional_encoding",
    "UnrolledRNN",
    "UnrolledLSTM",
    "UnrolledGRU",
    "MLP",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "RMSNorm",
    # large models in practice
    "LoRALinear",
    "apply_lora",
    "merge_lora",
    "unmerge_lora",
    "count_parameters",
]


def __getattr__(name: str):
    """Names that lived in ``course_utils.nn`` before version 0.2 still work, with a warning."""
    return moved_name(name)
