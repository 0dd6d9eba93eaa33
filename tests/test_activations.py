"""Hand-written activations against torch.nn.functional, and their derivatives against autograd.

PyTorch's own sample inputs for each of them run in tests/test_functional_opinfo.py.
"""

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
    identity,
    leaky_relu,
    log_softmax,
    relu,
    relu_derivative,
    sigmoid,
    silu,
    silu_derivative,
    softmax,
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
    with pytest.raises(
        TypeError, match="sigmoid_derivative: input must be a torch.Tensor"
    ):
        activation_derivative("sigmoid", [0.0])
    with pytest.raises(TypeError, match="must be a torch.Tensor, got list"):
        sigmoid([1.0, 2.0])
    with pytest.raises(ValueError, match="softplus: beta must be > 0, got 0"):
        softplus(torch.zeros(2), beta=0)
    with pytest.raises(TypeError, match="softplus: beta must be a number, got '2'"):
        softplus(torch.zeros(2), beta="2")
    with pytest.raises(TypeError, match="leaky_relu: negative_slope must be a number"):
        leaky_relu(torch.zeros(2), None)
    with pytest.raises(TypeError, match="elu: alpha must be a number"):
        elu(torch.zeros(2), alpha=[1.0])
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        gelu(torch.zeros(2), approximate="fast")


@pytest.mark.parametrize("seed", range(40))
def test_silu_and_its_derivative_match_torch(seed):
    generator = torch.Generator().manual_seed(seed)
    x = 4 * torch.randn(seed % 7, 3, dtype=torch.float64, generator=generator)
    torch.testing.assert_close(silu(x), F.silu(x))
    leaf = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(F.silu(leaf).sum(), leaf)
    torch.testing.assert_close(silu_derivative(x), expected)


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [
        (relu, F.relu, {}),
        (leaky_relu, F.leaky_relu, {"negative_slope": 0.2}),
        (elu, F.elu, {"alpha": 0.5}),
        (silu, F.silu, {}),
    ],
)
def test_inplace_writes_into_the_input_like_torch(ours, theirs, kwargs):
    x = torch.randn(4, 5)
    mine, reference = x.clone(), x.clone()
    out = ours(mine, **kwargs, inplace=True)
    expected = theirs(reference, **kwargs, inplace=True)
    assert out is mine
    torch.testing.assert_close(mine, reference)
    torch.testing.assert_close(out, expected)
    untouched = x.clone()
    ours(untouched, **kwargs)  # the default leaves the input alone
    assert torch.equal(untouched, x)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("seed", range(30))
def test_softmax_matches_torch_on_every_dim(fn, seed):
    rng = random.Random(seed)
    shape = [rng.randint(1, 5) for _ in range(rng.randint(1, 4))]
    x = rng.choice([1.0, 50.0]) * torch.randn(shape, dtype=torch.float64)
    dim = rng.randrange(-len(shape), len(shape))
    expected = getattr(torch, fn.__name__)(x, dim)
    torch.testing.assert_close(fn(x, dim), expected)
    torch.testing.assert_close(fn(x, dim=dim), expected)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
def test_softmax_dtype_casts_first_like_torch(fn):
    x = torch.tensor([[1, 2, 3]])  # integers: only with a floating dtype
    expected = getattr(F, fn.__name__)(x, 1, dtype=torch.float64)
    out = fn(x, 1, dtype=torch.float64)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, expected)
    with pytest.raises(TypeError, match="integer and bool tensors are out of scope"):
        fn(x, 1)
    with pytest.raises(TypeError, match="dtype must be a torch.dtype"):
        fn(x.double(), 1, dtype="float64")


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 4), (2, 3, 4, 5), ()])
def test_softmax_without_dim_warns_and_picks_torchs_dim(fn, shape):
    x = torch.randn(shape)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        expected = getattr(F, fn.__name__)(x)
    with pytest.warns(
        UserWarning, match=f"Implicit dimension choice for {fn.__name__}"
    ):
        out = fn(x)
    torch.testing.assert_close(out, expected)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
def test_softmax_on_zero_size_and_nan_like_torch(fn):
    reference = getattr(torch, fn.__name__)
    empty = torch.randn(5, 0, 3)
    assert fn(empty, -1).shape == reference(empty, -1).shape == (5, 0, 3)
    assert fn(empty, 1).shape == (5, 0, 3)
    x = torch.tensor([[1.0, float("nan")], [1.0, 2.0], [float("-inf")] * 2])
    torch.testing.assert_close(fn(x, 1), reference(x, 1), equal_nan=True)


@pytest.mark.parametrize(
    "fn, reference",
    [
        (relu, F.relu),
        (leaky_relu, F.leaky_relu),
        (elu, F.elu),
        (silu, F.silu),
        (gelu, F.gelu),
        (sigmoid, torch.sigmoid),
        (tanh, torch.tanh),
        (softplus, F.softplus),
        (identity, lambda x: x),
    ],
)
def test_activations_on_zero_size_nan_and_infinities_like_torch(fn, reference):
    assert fn(torch.randn(0, 4)).shape == (0, 4)
    x = torch.tensor([float("nan"), float("-inf"), -1.0, 0.0, 1.0, float("inf")])
    if fn is gelu:  # PyTorch's exact GELU kernel gives NaN at +inf; x * Phi(x) is inf
        assert fn(x[-1:]).item() == float("inf")
        x = x[:-1]
    torch.testing.assert_close(fn(x), reference(x), equal_nan=True)


def test_softmax_errors_name_the_function_and_the_argument():
    with pytest.raises(
        ValueError, match=r"softmax: dim 2 is out of range for input of shape \(3, 4\)"
    ):
        softmax(torch.zeros(3, 4), 2)
    with pytest.raises(TypeError, match="log_softmax: dim must be an int, got 1.0"):
        log_softmax(torch.zeros(3, 4), 1.0)
    with pytest.raises(
        TypeError, match="softmax: input must be a torch.Tensor, got list"
    ):
        softmax([1.0, 2.0], 0)
    with pytest.raises(TypeError, match="complex tensors are out of scope"):
        softmax(torch.zeros(3, dtype=torch.complex64), 0)
    with pytest.raises(TypeError, match="relu: inplace must be True or False"):
        relu(torch.zeros(2), inplace=1)
