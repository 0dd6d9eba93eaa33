"""Activation functions, softmax and their derivatives, written by hand.

Each function takes the arguments of its ``torch.nn.functional`` namesake
(``inplace`` included) and returns the same numbers; each ``*_derivative``
returns d activation / d input, element by element, and agrees with what
autograd computes (the unit tests check both on many shapes and on PyTorch's
own test inputs). :data:`ACTIVATIONS` maps a name to the pair
``(function, derivative)`` so that explorers and the from-scratch MLP can pick
one by name.

Out of scope everywhere: complex, integer and bool tensors (``TypeError``;
PyTorch applies some of these functions to integers). ``softmax`` and
``log_softmax`` accept an integer input when ``dtype`` names a floating type,
as PyTorch does.

Example:
    >>> import torch
    >>> x = torch.tensor([-2.0, 0.0, 3.0])
    >>> relu(x).tolist(), relu_derivative(x).tolist()
    ([0.0, 0.0, 3.0], [0.0, 0.0, 1.0])
    >>> round(sigmoid_derivative(torch.tensor(0.0)).item(), 4)  # the sigmoid's steepest slope
    0.25
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import torch

from ..._validation import (
    require_bool,
    require_dim,
    require_floating,
    require_number,
    require_positive,
)

__all__ = [
    "softmax",
    "log_softmax",
    "ACTIVATIONS",
    "activation",
    "activation_derivative",
    "elu",
    "elu_derivative",
    "gelu",
    "gelu_derivative",
    "identity",
    "identity_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "silu",
    "silu_derivative",
    "softplus",
    "softplus_derivative",
    "tanh",
    "tanh_derivative",
]


# ------------------------------------------------------------------ the functions
def identity(input: torch.Tensor) -> torch.Tensor:
    """f(x) = x: no activation at all (a "linear" layer).

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> identity(torch.tensor([-1.0, 2.0])).tolist()
        [-1.0, 2.0]
    """
    return require_floating(input, "identity").clone()


def sigmoid(input: torch.Tensor) -> torch.Tensor:
    """f(x) = 1 / (1 + exp(-x)), computed without overflow for large |x|.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> sigmoid(torch.tensor([-1000.0, 0.0, 1000.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    x = require_floating(input, "sigmoid")
    # exp of a non-positive number never overflows: use exp(-|x|) on both sides.
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def tanh(input: torch.Tensor) -> torch.Tensor:
    """f(x) = (e^x - e^-x) / (e^x + e^-x), computed without overflow or cancellation.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> tanh(torch.tensor([-1000.0, 0.0, 1000.0])).tolist()
        [-1.0, 0.0, 1.0]
    """
    x = require_floating(input, "tanh")
    # tanh(|x|) = (1 - e^{-2|x|}) / (1 + e^{-2|x|}); expm1 keeps small |x| accurate.
    m = torch.expm1(-2 * x.abs())
    return torch.sign(x) * (-m / (2 + m))


def relu(input: torch.Tensor, inplace: bool = False) -> torch.Tensor:
    """f(x) = max(0, x).

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> relu(torch.tensor([-2.0, 0.0, 3.0])).tolist()
        [0.0, 0.0, 3.0]
    """
    x = require_floating(input, "relu")
    out = torch.where(x < 0, torch.zeros_like(x), x)  # NaN stays NaN, as in PyTorch
    return _maybe_inplace(x, out, inplace, "relu")


def leaky_relu(
    input: torch.Tensor, negative_slope: float = 0.01, inplace: bool = False
) -> torch.Tensor:
    """f(x) = x for x > 0, negative_slope * x otherwise.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> leaky_relu(torch.tensor([-2.0, 3.0]), 0.5).tolist()
        [-1.0, 3.0]
    """
    x = require_floating(input, "leaky_relu")
    require_number("leaky_relu", "negative_slope", negative_slope)
    out = torch.where(x > 0, x, negative_slope * x)
    return _maybe_inplace(x, out, inplace, "leaky_relu")


def elu(input: torch.Tensor, alpha: float = 1.0, inplace: bool = False) -> torch.Tensor:
    """f(x) = x for x > 0, alpha * (exp(x) - 1) otherwise.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> [round(v, 4) for v in elu(torch.tensor([-1.0, 2.0])).tolist()]
        [-0.6321, 2.0]
    """
    x = require_floating(input, "elu")
    require_number("elu", "alpha", alpha)
    out = torch.where(x > 0, x, alpha * torch.expm1(x.clamp_max(0)))
    return _maybe_inplace(x, out, inplace, "elu")


def silu(input: torch.Tensor, inplace: bool = False) -> torch.Tensor:
    """f(x) = x * sigmoid(x), the "swish" of EfficientNet and of Llama's MLPs.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> [round(v, 4) for v in silu(torch.tensor([-1.0, 0.0, 2.0])).tolist()]
        [-0.2689, 0.0, 1.7616]
    """
    x = require_floating(input, "silu")
    return _maybe_inplace(x, x * sigmoid(x), inplace, "silu")


def softplus(
    input: torch.Tensor, beta: float = 1.0, threshold: float = 20.0
) -> torch.Tensor:
    """f(x) = log(1 + exp(beta * x)) / beta, a smooth ReLU; linear where beta * x > threshold.

    Out of scope: ``beta <= 0`` (``ValueError``).

    Example:
        >>> [round(v, 4) for v in softplus(torch.tensor([-1.0, 0.0, 30.0])).tolist()]
        [0.3133, 0.6931, 30.0]
    """
    x = require_floating(input, "softplus")
    beta = _check_positive(beta, "beta", "softplus")
    require_number("softplus", "threshold", threshold)
    z = beta * x
    smooth = torch.log1p(torch.exp(z.clamp_max(threshold))) / beta
    return torch.where(z > threshold, x, smooth)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(input: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """f(x) = x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses the tanh formula.

    At x = +inf this gives inf, where PyTorch's exact kernel gives NaN.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> [round(v, 4) for v in gelu(torch.tensor([-1.0, 0.0, 2.0])).tolist()]
        [-0.1587, 0.0, 1.9545]
    """
    x = require_floating(input, "gelu")
    if approximate == "none":
        return x * 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# ---------------------------------------------------------------- the derivatives
def identity_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = 1.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> identity_derivative(torch.tensor([-3.0, 5.0])).tolist()
        [1.0, 1.0]
    """
    return torch.ones_like(require_floating(input, "identity_derivative"))


def sigmoid_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = s (1 - s) with s = sigmoid(x); at most 1/4, at x = 0.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> sigmoid_derivative(torch.tensor([0.0])).tolist()
        [0.25]
    """
    s = sigmoid(require_floating(input, "sigmoid_derivative"))
    return s * (1 - s)


def tanh_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = 1 - tanh(x)^2; at most 1, at x = 0.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> tanh_derivative(torch.tensor([0.0])).tolist()
        [1.0]
    """
    return 1 - tanh(require_floating(input, "tanh_derivative")) ** 2


def relu_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = 1 for x > 0, else 0 (PyTorch also uses 0 at x = 0).

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> relu_derivative(torch.tensor([-1.0, 0.0, 2.0])).tolist()
        [0.0, 0.0, 1.0]
    """
    x = require_floating(input, "relu_derivative")
    return (x > 0).to(x.dtype)


def leaky_relu_derivative(
    input: torch.Tensor, negative_slope: float = 0.01
) -> torch.Tensor:
    """f'(x) = 1 for x > 0, negative_slope otherwise.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> leaky_relu_derivative(torch.tensor([-1.0, 2.0]), 0.5).tolist()
        [0.5, 1.0]
    """
    x = require_floating(input, "leaky_relu_derivative")
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def elu_derivative(input: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """f'(x) = 1 for x > 0, alpha * exp(x) otherwise.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> elu_derivative(torch.tensor([0.0, 2.0])).tolist()
        [1.0, 1.0]
    """
    x = require_floating(input, "elu_derivative")
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp_max(0)))


def silu_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = s (1 + x (1 - s)) with s = sigmoid(x).

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> silu_derivative(torch.tensor([0.0])).tolist()
        [0.5]
    """
    x = require_floating(input, "silu_derivative")
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def softplus_derivative(
    input: torch.Tensor, beta: float = 1.0, threshold: float = 20.0
) -> torch.Tensor:
    """f'(x) = sigmoid(beta * x); exactly 1 where beta * x > threshold (the linear part).

    Out of scope: complex, integer and bool tensors; ``beta <= 0``.

    Example:
        >>> softplus_derivative(torch.tensor([0.0, 30.0])).tolist()
        [0.5, 1.0]
    """
    x = require_floating(input, "softplus_derivative")
    beta = _check_positive(beta, "beta", "softplus_derivative")
    z = beta * x
    return torch.where(z > threshold, torch.ones_like(x), sigmoid(z))


def gelu_derivative(input: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """f'(x) = Phi(x) + x phi(x) (phi the normal density), or the tanh formula's derivative.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> gelu_derivative(torch.tensor([0.0])).tolist()
        [0.5]
    """
    x = require_floating(input, "gelu_derivative")
    if approximate == "none":
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        density = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
        return cdf + x * density
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
        t = torch.tanh(inner)
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x**2)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * d_inner
    raise ValueError(
        f"gelu_derivative: approximate must be 'none' or 'tanh', got {approximate!r}"
    )


# ------------------------------------------------------------------ softmax
def log_softmax(
    input: torch.Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """log(softmax(x)) = x - logsumexp(x) along ``dim``, stable: the largest entry is subtracted first.

    Args:
        input: any shape, real floating point (or integer with a floating ``dtype``).
        dim: the axis that sums to 1 after ``exp``. ``None`` picks one the way
            PyTorch's deprecated rule does (0 for 0-, 1- and 3-D input, else 1)
            and warns, as PyTorch does: always pass it.
        _stacklevel: where the warning points (kept for PyTorch's signature).
        dtype: cast the input to this dtype first (e.g. to compute in float64).

    Out of scope: complex tensors, and integer ones without a floating ``dtype``.

    Example:
        >>> [round(v, 4) for v in log_softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0).tolist()]
        [-2.4076, -1.4076, -0.4076]
    """
    x, dim = _softmax_arguments(input, dim, _stacklevel, dtype, "log_softmax")
    if x.numel() == 0:
        return x.clone()  # nothing to normalise
    shifted = x - x.amax(dim=dim, keepdim=True)  # the largest entry becomes 0
    # A row that is all -inf gives NaN, as in PyTorch (-inf minus -inf).
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def softmax(
    input: torch.Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim``; the outputs are positive and sum to 1.

    Arguments as in :func:`log_softmax`.

    Out of scope: complex tensors, and integer ones without a floating ``dtype``.

    Example:
        >>> [round(v, 4) for v in softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0).tolist()]
        [0.09, 0.2447, 0.6652]
    """
    x, dim = _softmax_arguments(input, dim, _stacklevel, dtype, "softmax")
    if x.numel() == 0:
        return x.clone()
    e = (x - x.amax(dim=dim, keepdim=True)).exp()  # at most 1: no overflow
    return e / e.sum(dim=dim, keepdim=True)


# ------------------------------------------------------------------ by name
#: name -> (function, derivative). Functions with a parameter take it as keyword.
#: (``silu`` is left out: the explorers and chapter 2's comparison table show these eight.)
ACTIVATIONS: dict[
    str, tuple[Callable[..., torch.Tensor], Callable[..., torch.Tensor]]
] = {
    "identity": (identity, identity_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "softplus": (softplus, softplus_derivative),
    "gelu": (gelu, gelu_derivative),
}


def activation(name: str, input: torch.Tensor, **kwargs: float) -> torch.Tensor:
    """Apply the activation called ``name`` (a key of :data:`ACTIVATIONS`).

    Out of scope: names outside :data:`ACTIVATIONS` (``silu`` included).

    Example:
        >>> activation("leaky_relu", torch.tensor([-1.0]), negative_slope=0.1).tolist()
        [-0.10000000149011612]
    """
    return _lookup(name)[0](input, **kwargs)


def activation_derivative(
    name: str, input: torch.Tensor, **kwargs: float
) -> torch.Tensor:
    """The derivative of the activation called ``name`` at ``input``.

    Out of scope: names outside :data:`ACTIVATIONS` (``silu`` included).

    Example:
        >>> activation_derivative("tanh", torch.tensor([0.0])).tolist()
        [1.0]
    """
    return _lookup(name)[1](input, **kwargs)


# ------------------------------------------------------------------ checks


def _softmax_arguments(input, dim, stacklevel, dtype, fn):
    """Cast to ``dtype``, check, and resolve ``dim`` (PyTorch's implicit rule if None)."""
    if dtype is not None:
        if not isinstance(dtype, torch.dtype):
            raise TypeError(f"{fn}: dtype must be a torch.dtype, got {dtype!r}")
        if isinstance(input, torch.Tensor):
            input = input.to(dtype)
    x = require_floating(input, fn)
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {fn} has been deprecated. "
            "Change the call to include dim=X as an argument.",
            UserWarning,
            stacklevel=stacklevel,
        )
        dim = 0 if x.dim() in (0, 1, 3) else 1
    return x, require_dim(fn, dim, x.dim(), tuple(x.shape))


def _check_positive(value: float, name: str, fn: str) -> float:
    return require_positive(fn, name, value)


def _maybe_inplace(
    x: torch.Tensor, out: torch.Tensor, inplace: bool, fn: str
) -> torch.Tensor:
    """Return ``out``, or write it into ``x`` and return ``x`` when ``inplace`` (PyTorch's option)."""
    if require_bool(fn, "inplace", inplace):
        return x.copy_(out)
    return out


def _lookup(
    name: str,
) -> tuple[Callable[..., torch.Tensor], Callable[..., torch.Tensor]]:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}: expected one of {', '.join(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]
