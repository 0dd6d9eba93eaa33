"""BatchNorm1d, LayerNorm and RMSNorm from scratch against torch.nn, through load_state_dict."""

import random

import pytest
import torch
from torch import nn

import course_utils.nn as cnn


def _randn(shape, seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(tuple(shape), generator=g, dtype=dtype)


@pytest.mark.parametrize("seed", range(40))
def test_batch_norm_1d_matches_torch_through_training_and_eval(seed):
    rng = random.Random(seed)
    c = rng.randint(1, 6)
    options = {
        "eps": rng.choice([1e-5, 1e-3]),
        "momentum": rng.choice([0.1, 0.5, None]),
        "affine": rng.random() < 0.7,
        "track_running_stats": rng.random() < 0.8,
        "bias": rng.random() < 0.8,
    }
    ours = cnn.BatchNorm1d(c, dtype=torch.float64, **options)
    theirs = nn.BatchNorm1d(c, dtype=torch.float64, **options)
    assert [n for n, _ in ours.named_parameters()] == [
        n for n, _ in theirs.named_parameters()
    ]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if options["affine"]:  # random scale and shift, copied across
        with torch.no_grad():
            ours.weight.copy_(_randn([c], seed + 1))
            if ours.bias is not None:
                ours.bias.copy_(_randn([c], seed + 2))
    theirs.load_state_dict(ours.state_dict())
    length = rng.choice([None, 1, 4])
    for step in range(3):  # three training batches move the running statistics
        shape = [rng.randint(2, 6), c] + ([] if length is None else [length])
        x = 3 * _randn(shape, seed * 10 + step) + 1
        assert torch.allclose(ours(x), theirs(x), atol=1e-10)
    for name, buffer in theirs.named_buffers():
        assert torch.allclose(
            getattr(ours, name).double(), buffer.double(), atol=1e-12
        ), name
    ours.eval(), theirs.eval()
    x = _randn([1, c] + ([] if length is None else [length]), seed + 99)
    if options["track_running_stats"] or x[0].numel() // c > 1:
        assert torch.allclose(ours(x), theirs(x), atol=1e-10)


def test_momentum_none_is_a_cumulative_average():
    layer = cnn.BatchNorm1d(2, momentum=None)
    batches = [torch.randn(8, 2) + k for k in range(4)]
    for batch in batches:
        layer(batch)
    expected = torch.stack([b.mean(0) for b in batches]).mean(0)
    assert torch.allclose(layer.running_mean, expected, atol=1e-6)
    assert int(layer.num_batches_tracked) == 4


def test_eval_mode_uses_running_statistics_not_the_batch():
    layer = cnn.BatchNorm1d(3)
    with torch.no_grad():
        layer.running_mean.fill_(2.0)
        layer.running_var.fill_(4.0)
    layer.eval()
    x = torch.full((5, 3), 4.0)
    assert torch.allclose(layer(x), torch.full((5, 3), 1.0), atol=1e-5)
    assert int(layer.num_batches_tracked) == 0  # evaluation does not count batches


@pytest.mark.parametrize("seed", range(30))
def test_layer_norm_and_rms_norm_match_torch(seed):
    rng = random.Random(seed)
    shape = [rng.randint(1, 5) for _ in range(rng.randint(1, 2))]
    normalized = shape[-1] if rng.random() < 0.5 else tuple(shape)
    affine = rng.random() < 0.7
    x = _randn([rng.randint(1, 4), *shape], seed) * 2 + 0.5
    pairs = [
        (
            cnn.LayerNorm(normalized, elementwise_affine=affine, dtype=torch.float64),
            nn.LayerNorm(normalized, elementwise_affine=affine, dtype=torch.float64),
        ),
        (
            cnn.LayerNorm(normalized, bias=False, dtype=torch.float64),
            nn.LayerNorm(normalized, bias=False, dtype=torch.float64),
        ),
        (
            cnn.RMSNorm(normalized, eps=rng.choice([None, 1e-6]), dtype=torch.float64),
            nn.RMSNorm(normalized, dtype=torch.float64),
        ),
    ]
    for ours, theirs in pairs:
        theirs.eps = ours.eps
        for p in ours.parameters():
            with torch.no_grad():
                p.copy_(_randn(p.shape, seed + 7))
        assert list(ours.state_dict()) == list(theirs.state_dict())
        theirs.load_state_dict(ours.state_dict())
        for mode in ("train", "eval"):
            getattr(ours, mode)(), getattr(theirs, mode)()
            assert torch.allclose(ours(x), theirs(x), atol=1e-10), (type(ours), mode)


def test_reprs_read_like_torch():
    assert (
        repr(cnn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    )
    assert "momentum=0.1" in repr(cnn.BatchNorm1d(3))
    assert (
        repr(cnn.RMSNorm([2, 3]))
        == "RMSNorm((2, 3), eps=None, elementwise_affine=True)"
    )


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: cnn.BatchNorm1d(0), ValueError, "num_features"),
        (lambda: cnn.BatchNorm1d(2.5), TypeError, "num_features"),
        (lambda: cnn.BatchNorm1d(3, momentum="fast"), TypeError, "momentum"),
        (lambda: cnn.BatchNorm1d(3, eps=0.0), ValueError, "eps"),
        (lambda: cnn.BatchNorm1d(3)(torch.ones(2, 3, 4, 5)), ValueError, "(N, C)"),
        (lambda: cnn.BatchNorm1d(3)(torch.ones(4, 2)), ValueError, "expects 3 channels"),
        (lambda: cnn.BatchNorm1d(3)(torch.ones(1, 3)), ValueError, "more than 1"),
        (lambda: cnn.LayerNorm("4"), TypeError, "normalized_shape"),
        (lambda: cnn.LayerNorm([]), TypeError, "normalized_shape"),
        (lambda: cnn.LayerNorm(4)(torch.ones(2, 3)), ValueError, "last dimensions"),
        (lambda: cnn.RMSNorm(0), ValueError, "normalized_shape"),
        (lambda: cnn.RMSNorm(3, eps=-1), ValueError, "eps"),
    ],
)
def test_bad_arguments_are_rejected_clearly(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)
