"""Weight initialization, mirroring ``torch.nn.init`` name for name.

A layer ``y = x @ W.T`` with ``fan_in`` inputs multiplies the variance of its
input by ``fan_in * Var(W)``. Stack fifty layers and that factor is raised to
the fiftieth power, so it must be close to 1. The schemes differ only in the
standard deviation they pick:

- **Xavier/Glorot** (Glorot and Bengio, 2010): ``Var(W) = gain**2 * 2 / (fan_in + fan_out)``,
  a compromise between keeping the forward signal (``1 / fan_in``) and the
  backward gradient (``1 / fan_out``) steady; meant for tanh-like units.
- **Kaiming/He** (He et al., 2015): ``Var(W) = gain**2 / fan``, with ``gain**2 = 2``
  for ReLU, which zeroes half of its inputs and so halves the variance.

Each comes as ``*_uniform_`` (``U(-a, a)`` has variance ``a**2 / 3``) and
``*_normal_``. They fill a tensor in place, like PyTorch's, and draw their
random numbers the same way, so the same ``generator`` seed gives exactly the
same weights (the unit tests check it, and the statistics on large tensors).

Example:
    >>> import torch
    >>> w = torch.empty(256, 512)
    >>> _ = kaiming_normal_(w, nonlinearity="relu", generator=torch.Generator().manual_seed(0))
    >>> round(w.std().item() * 512**0.5, 1)  # std = sqrt(2 / fan_in)
    1.4
    >>> v = torch.empty(256, 512)
    >>> _ = torch.nn.init.kaiming_normal_(v, nonlinearity="relu", generator=torch.Generator().manual_seed(0))
    >>> torch.equal(w, v)
    True
"""

from __future__ import annotations

import math
import warnings

import torch

from .._validation import require_choice, require_number, require_tensor

__all__ = [
    "calculate_gain",
    "calculate_fan_in_and_fan_out",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
NONLINEARITIES = (*_LINEAR, "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale the standard deviation for an activation, like PyTorch's.

    1 for linear layers and the sigmoid, 5/3 for tanh, sqrt(2) for ReLU,
    sqrt(2 / (1 + slope**2)) for a leaky ReLU (slope ``param``, default 0.01), 3/4 for SELU.

    Example:
        >>> calculate_gain("relu") == 2**0.5, calculate_gain("tanh")
        (True, 1.6666666666666667)
    """
    require_choice("calculate_gain", "nonlinearity", nonlinearity, NONLINEARITIES)
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = (
            0.01 if param is None else require_number("calculate_gain", "param", param)
        )
        return math.sqrt(2.0 / (1 + slope**2))
    return 3.0 / 4  # selu


def calculate_fan_in_and_fan_out(tensor: torch.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight stored as (out, in, *kernel), like ``nn.Linear``/``nn.Conv2d``.

    Each output sums over ``in * kernel`` inputs (fan_in); each input feeds
    ``out * kernel`` outputs (fan_out).

    Example:
        >>> calculate_fan_in_and_fan_out(torch.empty(16, 3, 5, 5))  # a conv layer
        (75, 400)
    """
    who = "calculate_fan_in_and_fan_out"
    require_tensor(tensor, who, "tensor")
    if tensor.dim() < 2:
        raise ValueError(
            f"{who}: fan in and fan out need a tensor with at least 2 dimensions "
            f"(out_features, in_features, ...), got shape {tuple(tensor.shape)}"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


# PyTorch's name for it (private there, but well known).
_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out


def _fan(tensor: torch.Tensor, mode: str, who: str) -> int:
    require_choice(who, "mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# --------------------------------------------------------------- the basic fillers
def uniform_(
    tensor: torch.Tensor,
    a: float = 0.0,
    b: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` in place with draws from U(a, b)."""
    require_tensor(tensor, "uniform_", "tensor")
    with (
        torch.no_grad()
    ):  # initialization is not part of any computation to differentiate
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` in place with draws from N(mean, std**2): the "naive" initialization."""
    require_tensor(tensor, "normal_", "tensor")
    with torch.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    """Fill ``tensor`` in place with ``val``."""
    require_tensor(tensor, "constant_", "tensor")
    with torch.no_grad():
        return tensor.fill_(val)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill ``tensor`` in place with 0 (biases usually start here)."""
    return constant_(tensor, 0.0)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill ``tensor`` in place with 1 (normalization scales start here)."""
    return constant_(tensor, 1.0)


# ------------------------------------------------------------------ Xavier / Glorot
def xavier_uniform_(
    tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``, so Var = gain**2 * 2 / (fan_in + fan_out)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = require_number("xavier_uniform_", "gain", gain) * math.sqrt(
        2.0 / (fan_in + fan_out)
    )
    bound = math.sqrt(3.0) * std  # U(-a, a) has standard deviation a / sqrt(3)
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = require_number("xavier_normal_", "gain", gain) * math.sqrt(
        2.0 / (fan_in + fan_out)
    )
    return normal_(tensor, 0.0, std, generator)


# ------------------------------------------------------------------ Kaiming / He
def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)``; ``a`` is a leaky ReLU's negative slope.

    ``mode="fan_in"`` keeps the forward activations' variance steady,
    ``"fan_out"`` the backward gradients'. With the defaults (``leaky_relu``,
    ``a=0``) the gain is sqrt(2), the ReLU's.
    """
    if _is_empty(tensor, "kaiming_uniform_"):
        return tensor
    fan = _fan(tensor, mode, "kaiming_uniform_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """N(0, std**2) with ``std = gain / sqrt(fan)``: ``sqrt(2 / fan_in)`` for ReLU."""
    if _is_empty(tensor, "kaiming_normal_"):
        return tensor
    fan = _fan(tensor, mode, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def _is_empty(tensor: object, who: str) -> bool:
    require_tensor(tensor, who, "tensor")
    if tensor.numel() == 0:
        warnings.warn(
            f"{who}: initializing a zero-element tensor does nothing", stacklevel=3
        )
        return True
    return False
