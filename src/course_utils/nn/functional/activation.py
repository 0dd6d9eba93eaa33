"""Activation functions, softmax and their derivatives, written by hand.

Each function takes the arguments of its ``torch.nn.functional`` namesake and
returns the same numbers; each ``*_derivative`` returns d activation / d input,
element by element, and agrees with what autograd computes (the unit tests
check both on many shapes). :data:`ACTIVATIONS` maps a name to the pair
``(function, derivative)`` so that explorers and the from-scratch MLP can pick
one by name.

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
from collections.abc import Callable

import torch

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
    "softplus",
    "softplus_derivative",
    "tanh",
    "tanh_derivative",
]


def _check_input(input: object, fn: str) -> torch.Tensor:
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"{fn}: input must be a torch.Tensor, got {type(input).__name__}"
        )
    if not input.is_floating_point():
        raise TypeError(
            f"{fn}: input must be a floating-point tensor, got dtype {input.dtype}"
        )
    return input


def _check_positive(value: float, name: str, fn: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{fn}: {name} must be a positive number, got {value!r}")
    return float(value)


# ------------------------------------------------------------------ the functions
def identity(input: torch.Tensor) -> torch.Tensor:
    """f(x) = x: no activation at all (a "linear" layer)."""
    return _check_input(input, "identity").clone()


def sigmoid(input: torch.Tensor) -> torch.Tensor:
    """f(x) = 1 / (1 + exp(-x)), computed without overflow for large |x|."""
    x = _check_input(input, "sigmoid")
    # exp of a non-positive number never overflows: use exp(-|x|) on both sides.
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def tanh(input: torch.Tensor) -> torch.Tensor:
    """f(x) = (e^x - e^-x) / (e^x + e^-x), computed without overflow or cancellation."""
    x = _check_input(input, "tanh")
    # tanh(|x|) = (1 - e^{-2|x|}) / (1 + e^{-2|x|}); expm1 keeps small |x| accurate.
    m = torch.expm1(-2 * x.abs())
    return torch.sign(x) * (-m / (2 + m))


def relu(input: torch.Tensor) -> torch.Tensor:
    """f(x) = max(0, x)."""
    x = _check_input(input, "relu")
    return torch.where(x > 0, x, torch.zeros_like(x))


def leaky_relu(input: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """f(x) = x for x > 0, negative_slope * x otherwise."""
    x = _check_input(input, "leaky_relu")
    return torch.where(x > 0, x, negative_slope * x)


def elu(input: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """f(x) = x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = _check_input(input, "elu")
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp_max(0)))


def softplus(
    input: torch.Tensor, beta: float = 1.0, threshold: float = 20.0
) -> torch.Tensor:
    """f(x) = log(1 + exp(beta * x)) / beta, a smooth ReLU; linear where beta * x > threshold."""
    x = _check_input(input, "softplus")
    beta = _check_positive(beta, "beta", "softplus")
    z = beta * x
    smooth = torch.log1p(torch.exp(z.clamp_max(threshold))) / beta
    return torch.where(z > threshold, x, smooth)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(input: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """f(x) = x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses the tanh formula."""
    x = _check_input(input, "gelu")
    if approximate == "none":
        return x * 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# ---------------------------------------------------------------- the derivatives
def identity_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = 1."""
    return torch.ones_like(_check_input(input, "identity_derivative"))


def sigmoid_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = s (1 - s) with s = sigmoid(x); at most 1/4, at x = 0."""
    s = sigmoid(input)
    return s * (1 - s)


def tanh_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = 1 - tanh(x)^2; at most 1, at x = 0."""
    return 1 - tanh(input) ** 2


def relu_derivative(input: torch.Tensor) -> torch.Tensor:
    """f'(x) = 1 for x > 0, else 0 (PyTorch also uses 0 at x = 0)."""
    x = _check_input(input, "relu_derivative")
    return (x > 0).to(x.dtype)


def leaky_relu_derivative(
    input: torch.Tensor, negative_slope: float = 0.01
) -> torch.Tensor:
    """f'(x) = 1 for x > 0, negative_slope otherwise."""
    x = _check_input(input, "leaky_relu_derivative")
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def elu_derivative(input: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """f'(x) = 1 for x > 0, alpha * exp(x) otherwise."""
    x = _check_input(input, "elu_derivative")
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp_max(0)))


def softplus_derivative(
    input: torch.Tensor, beta: float = 1.0, threshold: float = 20.0
) -> torch.Tensor:
    """f'(x) = sigmoid(beta * x); exactly 1 where beta * x > threshold (the linear part)."""
    x = _check_input(input, "softplus_derivative")
    beta = _check_positive(beta, "beta", "softplus_derivative")
    z = beta * x
    return torch.where(z > threshold, torch.ones_like(x), sigmoid(z))


def gelu_derivative(input: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """f'(x) = Phi(x) + x phi(x) (phi the normal density), or the tanh formula's derivative."""
    x = _check_input(input, "gelu_derivative")
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
def log_softmax(input: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) = x - logsumexp(x), stable: the largest entry is subtracted first."""
    shifted = input - input.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def softmax(input: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim``; the outputs are positive and sum to 1."""
    return log_softmax(input, dim).exp()


# ------------------------------------------------------------------ by name
#: name -> (function, derivative). Functions with a parameter take it as keyword.
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


def _lookup(
    name: str,
) -> tuple[Callable[..., torch.Tensor], Callable[..., torch.Tensor]]:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}: expected one of {', '.join(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]


def activation(name: str, input: torch.Tensor, **kwargs: float) -> torch.Tensor:
    """Apply the activation called ``name`` (a key of :data:`ACTIVATIONS`).

    Example:
        >>> activation("leaky_relu", torch.tensor([-1.0]), negative_slope=0.1).tolist()
        [-0.10000000149011612]
    """
    return _lookup(name)[0](input, **kwargs)


def activation_derivative(
    name: str, input: torch.Tensor, **kwargs: float
) -> torch.Tensor:
    """The derivative of the activation called ``name`` at ``input``.

    Example:
        >>> activation_derivative("tanh", torch.tensor([0.0])).tolist()
        [1.0]
    """
    return _lookup(name)[1](input, **kwargs)
