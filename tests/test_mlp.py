"""Losses and the from-scratch MLP against PyTorch's functions and autograd."""

import random

import pytest
import torch
import torch.nn.functional as F

from course_utils.nn import MLP
from course_utils.nn.functional import (
    ACTIVATIONS,
    cross_entropy,
    cross_entropy_backward,
    linear_backward,
    log_softmax,
    mse_loss,
    mse_loss_backward,
    softmax,
)
from course_utils.nn.functional import linear as linear_forward


@pytest.mark.parametrize("seed", range(60))
def test_losses_and_their_gradients_match_torch(seed):
    rng = random.Random(seed)
    n, c = rng.randint(1, 9), rng.randint(1, 7)
    dtype = rng.choice([torch.float32, torch.float64])
    generator = torch.Generator().manual_seed(seed)
    logits = rng.choice([1.0, 30.0]) * torch.randn(
        n, c, generator=generator, dtype=dtype
    )
    target = torch.randint(0, c, (n,), generator=generator)
    leaf = logits.clone().requires_grad_(True)
    expected = F.cross_entropy(leaf, target)
    (expected_grad,) = torch.autograd.grad(expected, leaf)
    torch.testing.assert_close(cross_entropy(logits, target), expected.detach())
    torch.testing.assert_close(cross_entropy_backward(logits, target), expected_grad)

    values = torch.randn(n, c, generator=generator, dtype=dtype)
    leaf = values.clone().requires_grad_(True)
    expected = F.mse_loss(leaf, logits)
    (expected_grad,) = torch.autograd.grad(expected, leaf)
    torch.testing.assert_close(mse_loss(values, logits), expected.detach())
    torch.testing.assert_close(mse_loss_backward(values, logits), expected_grad)


def test_softmax_is_stable_and_matches_torch():
    x = torch.tensor([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    torch.testing.assert_close(softmax(x), torch.softmax(x, dim=-1))
    torch.testing.assert_close(log_softmax(x, dim=1), torch.log_softmax(x, dim=1))


def test_loss_errors_are_explained():
    with pytest.raises(ValueError, match=r"same shape .* got \(100, 1\) and \(100,\)"):
        mse_loss(torch.zeros(100, 1), torch.zeros(100))
    with pytest.raises(TypeError, match="must be tensors"):
        mse_loss_backward(torch.zeros(2), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), got \(3,\)"):
        cross_entropy(torch.zeros(3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"shape \(3,\), got \(3, 1\)"):
        cross_entropy(torch.zeros(3, 2), torch.zeros(3, 1, dtype=torch.long))
    with pytest.raises(TypeError, match="torch.long"):
        cross_entropy(torch.zeros(3, 2), torch.zeros(3))
    with pytest.raises(ValueError, match=r"in \[0, 1\], got values from 0 to 2"):
        cross_entropy_backward(torch.zeros(3, 2), torch.tensor([0, 1, 2]))


@pytest.mark.parametrize("seed", range(40))
def test_linear_forward_and_backward_match_autograd(seed):
    rng = random.Random(seed)
    n, d_in, d_out = rng.randint(1, 8), rng.randint(1, 6), rng.randint(1, 6)
    x = torch.randn(n, d_in, dtype=torch.float64, requires_grad=True)
    w = torch.randn(d_out, d_in, dtype=torch.float64, requires_grad=True)
    b = torch.randn(d_out, dtype=torch.float64, requires_grad=True)
    out = F.linear(x, w, b)
    torch.testing.assert_close(linear_forward(x, w, b), out)
    torch.testing.assert_close(linear_forward(x, w), F.linear(x, w))
    grad_output = torch.randn_like(out)
    expected = torch.autograd.grad(out, (x, w, b), grad_output)
    for got, want in zip(
        linear_backward(grad_output, x.detach(), w.detach()), expected
    ):
        torch.testing.assert_close(got, want)


def test_linear_shape_errors_are_explained():
    with pytest.raises(ValueError, match=r"input has 3 features but weight expects 4"):
        linear_forward(torch.zeros(2, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match=r"grad_output \(2, 5\), input \(3, 4\)"):
        linear_backward(torch.zeros(2, 5), torch.zeros(3, 4), torch.zeros(5, 4))
    with pytest.raises(
        ValueError, match=r"grad_output of shape \(N, out_features\), got \(5,\)"
    ):
        linear_backward(torch.zeros(5), torch.zeros(3, 4), torch.zeros(5, 4))


@pytest.mark.parametrize("seed", range(40))
def test_mlp_gradients_match_autograd(seed):
    rng = random.Random(seed)
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 5))]
    sizes[-1] = max(2, sizes[-1])
    name = rng.choice(sorted(ACTIVATIONS))
    mlp = MLP(sizes, activation=name, seed=seed, dtype=torch.float64)
    torch_model = mlp.to_torch()
    n = rng.randint(1, 10)
    x = torch.randn(n, sizes[0], dtype=torch.float64)
    target = torch.randint(0, sizes[-1], (n,))

    logits = mlp(x)
    torch.testing.assert_close(logits, torch_model(x).detach())
    loss = F.cross_entropy(torch_model(x), target)
    loss.backward()
    grad_input = mlp.backward(cross_entropy_backward(logits, target))
    expected = [p.grad for p in torch_model.parameters()]
    assert len(mlp.gradients()) == len(expected)
    for got, want in zip(mlp.gradients(), expected):
        torch.testing.assert_close(got, want)
    leaf = x.clone().requires_grad_(True)
    (expected_input,) = torch.autograd.grad(
        F.cross_entropy(torch_model(leaf), target), leaf
    )
    torch.testing.assert_close(grad_input, expected_input)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.1), (0.02, 0.05)])
def test_step_is_gradient_descent_on_the_penalised_loss(l1, l2):
    mlp = MLP([3, 4, 2], activation="tanh", seed=1, dtype=torch.float64)
    torch_model = mlp.to_torch()
    x = torch.randn(6, 3, dtype=torch.float64)
    y = torch.randint(0, 2, (6,))
    loss = mlp.train_step(x, y, lr=0.5, l1=l1, l2=l2)

    weights = [m.weight for m in torch_model if isinstance(m, torch.nn.Linear)]
    penalty = sum(l1 * w.abs().sum() + 0.5 * l2 * (w**2).sum() for w in weights)
    expected_loss = F.cross_entropy(torch_model(x), y)
    (expected_loss + penalty).backward()
    with torch.no_grad():
        for p in torch_model.parameters():
            p -= 0.5 * p.grad
    assert loss == pytest.approx(expected_loss.item())
    for got, want in zip(mlp.parameters(), torch_model.parameters()):
        torch.testing.assert_close(got, want.detach())


def test_training_fits_a_separable_problem():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(100, 2, generator=generator)
    y = (x[:, 0] + x[:, 1] > 0).long()
    mlp = MLP([2, 8, 2], activation="relu", seed=0)
    first = mlp.train_step(x, y, lr=0.5)
    for _ in range(200):
        last = mlp.train_step(x, y, lr=0.5)
    assert last < first / 4
    assert (mlp(x).argmax(1) == y).float().mean() > 0.95
    assert mlp.penalty(l2=1.0) > 0 and mlp.penalty() == 0


def test_mlp_errors_are_explained():
    with pytest.raises(ValueError, match="at least two positive ints"):
        MLP([3])
    with pytest.raises(ValueError, match="at least two positive ints"):
        MLP([3, 0, 2])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        MLP([2, 2], activation="swish")
    mlp = MLP([3, 4, 2])
    with pytest.raises(RuntimeError, match="call forward"):
        mlp.backward(torch.zeros(1, 2))
    with pytest.raises(RuntimeError, match="call backward"):
        mlp.gradients()
    with pytest.raises(ValueError, match=r"3 features, got \(5, 2\)"):
        mlp(torch.zeros(5, 2))
    mlp(torch.zeros(5, 3))
    with pytest.raises(
        ValueError, match=r"grad_logits of shape \(5, 2\), got \(5, 3\)"
    ):
        mlp.backward(torch.zeros(5, 3))
    assert repr(mlp) == "MLP(sizes=[3, 4, 2], activation='tanh')"
    assert mlp.num_parameters() == 3 * 4 + 4 + 4 * 2 + 2
