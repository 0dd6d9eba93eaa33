"""FGSM and its random baseline: the closed form on linear models, bounds, bad input."""

import pytest
import torch

from course_utils.robustness import fgsm, random_sign_noise


def _closed_form(weight, bias, x, y, epsilon):
    """For logits x W^T + b and cross-entropy, d loss / d x = (softmax - onehot) W."""
    probabilities = torch.softmax(x @ weight.T + bias, dim=1)
    onehot = torch.nn.functional.one_hot(y, weight.shape[0]).to(x.dtype)
    return x + epsilon * ((probabilities - onehot) @ weight).sign()


@pytest.mark.parametrize("seed", range(12))
def test_fgsm_matches_the_closed_form_on_linear_models(seed):
    generator = torch.Generator().manual_seed(seed)
    n, features, classes = (
        int(v) for v in torch.randint(1, 9, (3,), generator=generator)
    )
    classes += 1
    model = torch.nn.Linear(features, classes).double()
    x = torch.randn(n, features, generator=generator, dtype=torch.float64)
    y = torch.randint(0, classes, (n,), generator=generator)
    epsilon = float(torch.rand(1, generator=generator))
    got = fgsm(model, x, y, epsilon, bounds=None)
    expected = _closed_form(model.weight.detach(), model.bias.detach(), x, y, epsilon)
    torch.testing.assert_close(got, expected)
    assert model.weight.grad is None  # the model's parameters are left alone


def test_fgsm_agrees_with_autograd_on_a_small_cnn_and_respects_bounds():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.LazyLinear(5),
    )
    x = torch.rand(6, 3, 8, 8)
    y = torch.randint(0, 5, (6,))
    model(x)  # materialize the lazy layer
    leaf = x.clone().requires_grad_(True)
    torch.nn.functional.cross_entropy(model(leaf), y).backward()
    expected = (x + 0.03 * leaf.grad.sign()).clamp(0, 1)
    got = fgsm(model, x, y, 0.03)
    torch.testing.assert_close(got, expected)
    assert got.min() >= 0 and got.max() <= 1
    assert (got - x).abs().max() <= 0.03 + 1e-6
    assert not got.requires_grad
    torch.testing.assert_close(fgsm(model, x, y, 0.0), x)


def test_fgsm_raises_the_loss_more_than_random_noise_of_the_same_size():
    torch.manual_seed(1)
    model = torch.nn.Linear(20, 4)
    x, y = torch.rand(64, 20), torch.randint(0, 4, (64,))
    loss = torch.nn.functional.cross_entropy
    adversarial = fgsm(model, x, y, 0.1)
    noisy = random_sign_noise(x, 0.1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert loss(model(adversarial), y) > loss(model(noisy), y) > 0
        assert loss(model(adversarial), y) > loss(model(x), y)


def test_random_sign_noise_has_the_size_epsilon_everywhere():
    x = torch.full((3, 5, 5), 0.5)
    noisy = random_sign_noise(x, 0.2, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close((noisy - x).abs(), torch.full_like(x, 0.2))
    assert (noisy > x).any() and (noisy < x).any()
    clipped = random_sign_noise(torch.ones(100), 0.5, bounds=(0.0, 1.0))
    assert clipped.max() <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": [[0.5]]}, TypeError, "x must be a torch.Tensor"),
        ({"x": torch.ones(2, 3, dtype=torch.long)}, TypeError, "floating-point"),
        ({"y": torch.zeros(3, dtype=torch.long)}, ValueError, "y its N classes"),
        ({"y": torch.zeros(2)}, TypeError, "integer classes"),
        ({"y": [0, 1]}, TypeError, "y must be a torch.Tensor"),
        ({"epsilon": -0.1}, ValueError, "epsilon must be >= 0"),
        ({"epsilon": "big"}, TypeError, "epsilon must be a number"),
        ({"bounds": (1.0, 0.0)}, ValueError, "bounds must be"),
        ({"model": "not a model"}, TypeError, "model must be callable"),
        ({"model": lambda x: x.sum()}, ValueError, "model must return logits"),
    ],
)
def test_fgsm_rejects_bad_input(kwargs, error, match):
    arguments = {
        "model": torch.nn.Linear(3, 2),
        "x": torch.rand(2, 3),
        "y": torch.tensor([0, 1]),
        "epsilon": 0.1,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        fgsm(**arguments)
    if "x" in kwargs or "epsilon" in kwargs:
        with pytest.raises(error):
            random_sign_noise(arguments["x"], arguments["epsilon"])
