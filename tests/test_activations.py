"""Hand-written activations against torch.nn.functional, and their derivatives against autograd."""

import random

import pytest
import torch
import torch.nn.functional as F

from course_utils.nn.functional import (
    ACTIVATIONS,
    activation,
    activation_derivative,
    elu,
    gelu,
    gelu_derivative,
    leaky_relu,
    relu_derivative,
    sigmoid,
    softplus,
    softplus_derivative,
    tanh,
)

# name -> (PyTorch's function, a random keyword argument or None)
TORCH = {
    "identity": (lambda x: x, None),
    "sigmoid": (torch.sigmoid, None),
    "tanh": (torch.tanh, None),
    "relu": (F.relu, None),
    "leaky_relu": (F.leaky_relu, ("negative_slope", 0.01, 0.5)),
    "elu": (F.elu, ("alpha", 0.1, 2.0)),
    "softplus": (F.softplus, ("beta", 0.2, 5.0)),
    "gelu": (F.gelu, None),
}


def random_case(seed: int):
    rng = random.Random(seed)
    name = rng.choice(sorted(ACTIVATIONS))
    shape = [rng.randint(1, 5) for _ in range(rng.randint(0, 3))]
    dtype = rng.choice([torch.float32, torch.float64])
    generator = torch.Generator().manual_seed(seed)
    x = rng.choice([0.5, 3.0, 15.0]) * torch.randn(
        tuple(shape), generator=generator, dtype=dtype
    )
    kwargs = {}
    if TORCH[name][1] is not None:
        key, low, high = TORCH[name][1]
        kwargs[key] = rng.uniform(low, high)
    return name, x, kwargs


def test_every_activation_has_a_torch_reference():
    assert set(TORCH) == set(ACTIVATIONS)


@pytest.mark.parametrize("seed", range(200))
def test_activation_matches_torch(seed):
    name, x, kwargs = random_case(seed)
    expected = TORCH[name][0](x, **kwargs)
    got = activation(name, x, **kwargs)
    assert got.shape == x.shape and got.dtype == x.dtype
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("seed", range(200))
def test_derivative_matches_autograd(seed):
    name, x, kwargs = random_case(1000 + seed)
    leaf = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(TORCH[name][0](leaf, **kwargs).sum(), leaf)
    torch.testing.assert_close(activation_derivative(name, x, **kwargs), expected)


def test_derivatives_at_and_around_zero_follow_torch():
    x = torch.tensor([-1e-3, 0.0, 1e-3], dtype=torch.float64)
    for name in ACTIVATIONS:
        leaf = x.clone().requires_grad_(True)
        (expected,) = torch.autograd.grad(TORCH[name][0](leaf).sum(), leaf)
        torch.testing.assert_close(activation_derivative(name, x), expected, msg=name)


def test_extreme_inputs_stay_finite_and_exact():
    x = torch.tensor([-1000.0, -50.0, 50.0, 1000.0])
    torch.testing.assert_close(sigmoid(x), torch.sigmoid(x))
    torch.testing.assert_close(tanh(x), torch.tanh(x))
    torch.testing.assert_close(softplus(x, beta=2.0), F.softplus(x, beta=2.0))
    torch.testing.assert_close(elu(x), F.elu(x))
    assert torch.isfinite(softplus_derivative(x)).all()
    tiny = torch.tensor([1e-9, -1e-9], dtype=torch.float64)
    torch.testing.assert_close(tanh(tiny), torch.tanh(tiny), rtol=1e-12, atol=0)


def test_gelu_tanh_approximation():
    x = torch.linspace(-6, 6, 101, dtype=torch.float64)
    torch.testing.assert_close(gelu(x, "tanh"), F.gelu(x, approximate="tanh"))
    leaf = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(F.gelu(leaf, approximate="tanh").sum(), leaf)
    torch.testing.assert_close(gelu_derivative(x, "tanh"), expected)


def test_leaky_relu_default_slope_like_torch():
    x = torch.tensor([-2.0, 3.0])
    torch.testing.assert_close(leaky_relu(x), F.leaky_relu(x))


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activation("swish", torch.zeros(2))
    with pytest.raises(ValueError, match="unknown activation"):
        activation_derivative("Relu", torch.zeros(2))
    with pytest.raises(TypeError, match="floating-point tensor, got dtype torch.int64"):
        relu_derivative(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be a torch.Tensor, got list"):
        sigmoid([1.0, 2.0])
    with pytest.raises(ValueError, match="beta must be a positive number, got 0"):
        softplus(torch.zeros(2), beta=0)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        gelu(torch.zeros(2), approximate="fast")
