"""Losses, linear and the from-scratch MLP against PyTorch's functions and autograd.

PyTorch's own sample inputs for linear and the losses run in tests/test_functional_opinfo.py.
"""

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
    torch.testing.assert_close(softmax(x, dim=-1), torch.softmax(x, dim=-1))
    torch.testing.assert_close(log_softmax(x, dim=1), torch.log_softmax(x, dim=1))


def test_loss_errors_are_explained():
    with pytest.raises(ValueError, match=r"same shape .* got \(100, 1\) and \(100,\)"):
        mse_loss(torch.zeros(100, 1), torch.zeros(100))
    with pytest.raises(TypeError, match="must be tensors"):
        mse_loss_backward(torch.zeros(2), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), .* got \(\)"):
        cross_entropy(torch.zeros(()), torch.zeros((), dtype=torch.long))
    with pytest.raises(
        ValueError,
        match=r"shape \(3,\) or class probabilities of shape \(3, 2\), got \(3, 1\)",
    ):
        cross_entropy(torch.zeros(3, 2), torch.zeros(3, 1, dtype=torch.long))
    with pytest.raises(TypeError, match="torch.long"):
        cross_entropy(torch.zeros(3, 2), torch.zeros(3))
    with pytest.raises(ValueError, match=r"in \[0, 1\], got values from 0 to 2"):
        cross_entropy_backward(torch.zeros(3, 2), torch.tensor([0, 1, 2]))
    with pytest.raises(
        ValueError, match=r"in \[0, 1\] \(or ignore_index=-100\), got \[2, 5\]"
    ):
        cross_entropy(torch.zeros(3, 2), torch.tensor([5, 1, 2]))
    with pytest.raises(
        ValueError, match=r"weight of shape \(2,\) \(one per class\), got \(3,\)"
    ):
        cross_entropy(torch.zeros(3, 2), torch.tensor([0, 1, 1]), weight=torch.ones(3))
    with pytest.raises(TypeError, match="weight has dtype torch.float64 but input"):
        cross_entropy(
            torch.zeros(3, 2), torch.tensor([0, 1, 1]), weight=torch.ones(2).double()
        )
    with pytest.raises(
        ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"
    ):
        cross_entropy(torch.zeros(3, 2), torch.tensor([0, 1, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index .* only applies to class-index"):
        cross_entropy(torch.zeros(3, 2), torch.zeros(3, 2), ignore_index=0)
    with pytest.raises(
        TypeError, match=r"target \(class probabilities\) must be a floating"
    ):
        cross_entropy(torch.zeros(3, 2), torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="unknown reduction 'avg'"):
        cross_entropy(torch.zeros(3, 2), torch.tensor([0, 1, 1]), reduction="avg")
    with pytest.raises(ValueError, match="size_average and reduce are deprecated"):
        cross_entropy(torch.zeros(3, 2), torch.tensor([0, 1, 1]), size_average=False)
    with pytest.raises(ValueError, match="size_average and reduce are deprecated"):
        mse_loss(torch.zeros(3), torch.zeros(3), reduce=False)
    with pytest.raises(
        ValueError, match=r"weight must have the input's shape \(3,\), got \(1,\)"
    ):
        mse_loss(torch.zeros(3), torch.zeros(3), weight=torch.ones(1))
    with pytest.raises(TypeError, match="target must be a floating-point tensor"):
        mse_loss(torch.zeros(3), torch.zeros(3, dtype=torch.long))


def random_cross_entropy_case(rng: random.Random):
    """Logits (N, C, d1, ...) or (C,), class-index or class-probability targets, options."""
    dtype = rng.choice([torch.float32, torch.float64])
    classes = rng.randint(1, 5)
    extra = [rng.randint(1, 3) for _ in range(rng.choice([0, 0, 1, 2]))]
    shape = [classes] if rng.random() < 0.15 else [rng.randint(0, 4), classes, *extra]
    class_dim = 0 if len(shape) == 1 else 1
    logits = rng.choice([1.0, 20.0]) * torch.randn(shape, dtype=dtype)
    kwargs = {"reduction": rng.choice(["mean", "sum", "none"])}
    if rng.random() < 0.4:
        kwargs["weight"] = torch.rand(classes, dtype=dtype) + 0.1
    if rng.random() < 0.4:
        kwargs["label_smoothing"] = rng.choice([0.1, 0.5, 1.0])
    if rng.random() < 0.35:  # class probabilities
        target = torch.softmax(torch.randn(shape, dtype=dtype), dim=class_dim)
    else:
        index_shape = shape[:class_dim] + shape[class_dim + 1 :]
        target = torch.randint(0, classes, index_shape)
        if rng.random() < 0.5:  # padding positions skipped, like a language model's
            ignore = rng.choice([-100, 0, classes - 1])
            target[torch.rand(index_shape) < 0.3] = ignore
            kwargs["ignore_index"] = ignore
    return logits, target, kwargs


@pytest.mark.parametrize("seed", range(300))
def test_cross_entropy_matches_torch_with_every_option(seed):
    logits, target, kwargs = random_cross_entropy_case(random.Random(seed))
    leaf = logits.clone().requires_grad_(True)
    expected = F.cross_entropy(leaf, target, **kwargs)
    ours_leaf = logits.clone().requires_grad_(True)
    ours = cross_entropy(ours_leaf, target, **kwargs)
    torch.testing.assert_close(ours, expected, equal_nan=True)
    if expected.numel() and torch.isfinite(expected).all():  # gradients agree too
        grad = torch.randn_like(expected)
        (g_theirs,) = torch.autograd.grad(expected, leaf, grad)
        (g_ours,) = torch.autograd.grad(ours, ours_leaf, grad)
        torch.testing.assert_close(g_ours, g_theirs)


def test_cross_entropy_skips_padding_like_a_language_model():
    """(N, V, L) logits, (N, L) next tokens, padding marked with ignore_index."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 7, 5, generator=generator)
    tokens = torch.randint(0, 7, (2, 5), generator=generator)
    tokens[1, 3:] = -100  # the shorter sequence is padded
    kept = cross_entropy(logits, tokens)
    torch.testing.assert_close(kept, F.cross_entropy(logits, tokens))
    by_hand = torch.cat(
        [
            cross_entropy(logits[0].T, tokens[0], reduction="none"),
            cross_entropy(logits[1, :, :3].T, tokens[1, :3], reduction="none"),
        ]
    )
    torch.testing.assert_close(kept, by_hand.mean())
    all_ignored = torch.full((2, 5), -100)
    assert torch.isnan(cross_entropy(logits, all_ignored))  # 0 / 0, as in PyTorch
    assert torch.isnan(F.cross_entropy(logits, all_ignored))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(0,), (4,), (3, 5), (2, 0, 3)])
def test_mse_loss_reductions_and_weights_match_torch(reduction, shape):
    x, y, w = torch.randn(shape), torch.randn(shape), torch.rand(shape)
    torch.testing.assert_close(
        mse_loss(x, y, reduction=reduction),
        F.mse_loss(x, y, reduction=reduction),
        equal_nan=True,
    )
    torch.testing.assert_close(
        mse_loss(x, y, reduction=reduction, weight=w),
        F.mse_loss(x, y, reduction=reduction, weight=w),
        equal_nan=True,
    )


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


@pytest.mark.parametrize(
    "input_shape", [(5,), (0, 5), (2, 3, 5), (2, 1, 3, 1, 5), (4, 0, 5)]
)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_takes_any_leading_dimensions_like_torch(input_shape, with_bias):
    x, w = (
        torch.randn(input_shape, dtype=torch.float64),
        torch.randn(3, 5, dtype=torch.float64),
    )
    b = torch.randn(3, dtype=torch.float64) if with_bias else None
    out = linear_forward(x, w, b)
    assert out.shape == (*input_shape[:-1], 3)
    torch.testing.assert_close(out, F.linear(x, w, b))


def test_linear_shape_errors_are_explained():
    with pytest.raises(ValueError, match=r"input has 3 features but weight expects 4"):
        linear_forward(torch.zeros(2, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match=r"bias of shape \(5,\), got \(4,\)"):
        linear_forward(torch.zeros(2, 4), torch.zeros(5, 4), torch.zeros(4))
    with pytest.raises(
        ValueError, match=r"weight of shape \(out_features, in_features\), got \(4,\)"
    ):
        linear_forward(torch.zeros(2, 4), torch.zeros(4))
    with pytest.raises(
        ValueError, match=r"input of shape \(\*, in_features\), got \(\)"
    ):
        linear_forward(torch.zeros(()), torch.zeros(5, 4))
    with pytest.raises(TypeError, match="integer and bool tensors are out of scope"):
        linear_forward(torch.zeros(2, 4, dtype=torch.long), torch.zeros(5, 4))
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
