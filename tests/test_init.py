"""course_utils.nn.init against torch.nn.init: the same weights from the same seed, the right statistics."""

import math
import random

import pytest
import torch

import course_utils.nn.init as cinit

INITS = {
    "uniform_": {"a": -0.3, "b": 0.7},
    "normal_": {"mean": 0.2, "std": 0.05},
    "xavier_uniform_": {"gain": 5 / 3},
    "xavier_normal_": {"gain": 1.0},
    "kaiming_uniform_": {"a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"},
    "kaiming_normal_": {"mode": "fan_in", "nonlinearity": "relu"},
}


def _random_shape(rng):
    return [rng.randint(1, 9) for _ in range(rng.randint(2, 4))]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("name", sorted(INITS))
def test_same_seed_gives_the_same_weights_as_torch(name, seed):
    rng = random.Random(seed)
    shape, kwargs = _random_shape(rng), dict(INITS[name])
    if "nonlinearity" in kwargs and rng.random() < 0.5:
        kwargs["nonlinearity"] = rng.choice(["tanh", "linear", "relu", "sigmoid"])
    dtype = rng.choice([torch.float32, torch.float64])
    ours, theirs = torch.empty(shape, dtype=dtype), torch.empty(shape, dtype=dtype)
    result = getattr(cinit, name)(
        ours, generator=torch.Generator().manual_seed(seed), **kwargs
    )
    getattr(torch.nn.init, name)(
        theirs, generator=torch.Generator().manual_seed(seed), **kwargs
    )
    assert result is ours  # in place, returning the tensor, like PyTorch
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize(
    ("name", "kwargs", "expected_std"),
    [
        ("xavier_uniform_", {}, math.sqrt(2 / (300 + 200))),
        ("xavier_normal_", {"gain": 2.0}, 2 * math.sqrt(2 / (300 + 200))),
        ("kaiming_normal_", {"nonlinearity": "relu"}, math.sqrt(2 / 300)),
        ("kaiming_uniform_", {"nonlinearity": "tanh"}, 5 / 3 / math.sqrt(300)),
        (
            "kaiming_normal_",
            {"mode": "fan_out", "nonlinearity": "linear"},
            math.sqrt(1 / 200),
        ),
    ],
)
def test_statistics_follow_the_formulas(name, kwargs, expected_std):
    w = torch.empty(200, 300)  # fan_out 200, fan_in 300
    getattr(cinit, name)(w, generator=torch.Generator().manual_seed(1), **kwargs)
    assert abs(w.mean().item()) < 0.02 * expected_std * 10
    assert w.std().item() == pytest.approx(expected_std, rel=0.02)
    if "uniform" in name:  # the bound is sqrt(3) standard deviations
        assert w.abs().max().item() <= math.sqrt(3) * expected_std + 1e-7
        assert w.abs().max().item() > 0.99 * math.sqrt(3) * expected_std


@pytest.mark.parametrize(
    "nonlinearity, param",
    [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
     ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1),
     ("selu", None)],
)  # fmt: skip
def test_gain_matches_torch(nonlinearity, param):
    assert cinit.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param)
    )


@pytest.mark.parametrize("seed", range(30))
def test_fans_match_torch(seed):
    shape = _random_shape(random.Random(seed))
    t = torch.empty(shape)
    assert cinit.calculate_fan_in_and_fan_out(t) == (
        torch.nn.init._calculate_fan_in_and_fan_out(t)
    )


def test_constant_fillers_and_empty_tensors():
    t = torch.empty(3, 2)
    assert torch.equal(cinit.ones_(t), torch.ones(3, 2))
    assert torch.equal(cinit.zeros_(t), torch.zeros(3, 2))
    assert torch.equal(cinit.constant_(t, 0.5), torch.full((3, 2), 0.5))
    p = torch.nn.Parameter(
        torch.empty(4, 4)
    )  # a leaf that requires grad: no_grad inside
    cinit.kaiming_uniform_(p)
    assert p.grad_fn is None
    with pytest.warns(UserWarning, match="zero-element"):
        cinit.kaiming_normal_(torch.empty(0, 3))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: cinit.xavier_uniform_(torch.empty(5)), ValueError, "at least 2 dimensions"),
        (lambda: cinit.kaiming_normal_(torch.empty(3, 3), mode="fan_avg"), ValueError, "mode"),
        (lambda: cinit.kaiming_normal_(torch.empty(3, 3), nonlinearity="swish"), ValueError, "nonlinearity"),
        (lambda: cinit.calculate_gain("leaky_relu", "0.2"), TypeError, "param"),
        (lambda: cinit.normal_([1.0, 2.0]), TypeError, "torch.Tensor"),
        (lambda: cinit.xavier_normal_(torch.empty(3, 3), gain="2"), TypeError, "gain"),
        (lambda: cinit.calculate_fan_in_and_fan_out(3), TypeError, "torch.Tensor"),
    ],
)  # fmt: skip
def test_bad_input_is_rejected_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
