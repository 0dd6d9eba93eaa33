"""batch_norm, layer_norm and rms_norm from scratch against torch.nn.functional, on random shapes."""

import random

import pytest
import torch
import torch.nn.functional as F

import course_utils.nn.functional as CF


def _tensor(shape, seed, dtype=torch.float64, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return scale * torch.randn(tuple(shape), generator=g, dtype=dtype) + shift


def _close(a, b, dtype):
    tol = 1e-10 if dtype == torch.float64 else 1e-4
    return torch.allclose(a, b, atol=tol, rtol=tol)


@pytest.mark.parametrize("seed", range(60))
def test_batch_norm_matches_torch_train_and_eval(seed):
    rng = random.Random(seed)
    dtype = rng.choice([torch.float32, torch.float64])
    n, c = rng.randint(2, 6), rng.randint(1, 5)
    extra = [rng.randint(1, 4) for _ in range(rng.randint(0, 2))]
    x = _tensor([n, c, *extra], seed, dtype, scale=rng.uniform(0.5, 4), shift=2.0)
    affine = rng.random() < 0.5
    weight = _tensor([c], seed + 1, dtype) if affine else None
    bias = _tensor([c], seed + 2, dtype) if affine else None
    momentum = rng.uniform(0.01, 1.0)
    eps = rng.choice([1e-5, 1e-3, 0.1])
    ours_m, ours_v = _tensor([c], seed + 3, dtype), _tensor([c], seed + 4, dtype).abs()
    theirs_m, theirs_v = ours_m.clone(), ours_v.clone()
    for training in (True, True, False):  # two updates of the running stats, then eval
        got = CF.batch_norm(x, ours_m, ours_v, weight, bias, training, momentum, eps)
        want = F.batch_norm(
            x, theirs_m, theirs_v, weight, bias, training, momentum, eps
        )
        assert _close(got, want, dtype), (seed, training)
        assert _close(ours_m, theirs_m, dtype) and _close(ours_v, theirs_v, dtype)
    assert got.shape == x.shape and got.dtype == dtype


@pytest.mark.parametrize("seed", range(20))
def test_batch_norm_without_running_stats_uses_the_batch(seed):
    x = _tensor([5, 3, 2], seed)
    got = CF.batch_norm(x, None, None, training=True)
    assert _close(got, F.batch_norm(x, None, None, training=True), x.dtype)
    # each channel of the output has mean 0 and (biased) variance close to 1
    assert torch.allclose(got.mean(dim=(0, 2)), torch.zeros(3, dtype=x.dtype), atol=1e-10)


def test_batch_norm_running_var_is_unbiased():
    x = torch.tensor([[0.0], [2.0]])
    mean, var = torch.zeros(1), torch.zeros(1)
    CF.batch_norm(x, mean, var, training=True, momentum=1.0)
    assert mean.item() == 1.0 and var.item() == 2.0  # divided by n - 1 = 1, not n = 2


@pytest.mark.parametrize("seed", range(20))
def test_batch_norm_gradients_match_torch(seed):
    rng = random.Random(seed)
    shape = [rng.randint(2, 5), rng.randint(1, 4), rng.randint(1, 3)]
    x1 = _tensor(shape, seed).requires_grad_()
    w1 = _tensor([shape[1]], seed + 1).requires_grad_()
    b1 = _tensor([shape[1]], seed + 2).requires_grad_()
    x2, w2, b2 = (t.detach().clone().requires_grad_() for t in (x1, w1, b1))
    up = _tensor(shape, seed + 3)
    (CF.batch_norm(x1, None, None, w1, b1, training=True) * up).sum().backward()
    (F.batch_norm(x2, None, None, w2, b2, training=True) * up).sum().backward()
    for a, b in ((x1, x2), (w1, w2), (b1, b2)):
        assert torch.allclose(a.grad, b.grad, atol=1e-10)


@pytest.mark.parametrize("seed", range(60))
def test_layer_norm_matches_torch(seed):
    rng = random.Random(seed)
    dtype = rng.choice([torch.float32, torch.float64])
    batch = [rng.randint(1, 4) for _ in range(rng.randint(0, 2))]
    norm = [rng.randint(1, 6) for _ in range(rng.randint(1, 2))]
    x = _tensor([*batch, *norm], seed, dtype, scale=rng.uniform(0.5, 4), shift=1.0)
    weight = _tensor(norm, seed + 1, dtype) if rng.random() < 0.5 else None
    bias = _tensor(norm, seed + 2, dtype) if rng.random() < 0.5 else None
    eps = rng.choice([1e-5, 1e-2])
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    got = CF.layer_norm(x1, norm, weight, bias, eps)
    want = F.layer_norm(x2, norm, weight, bias, eps)
    assert _close(got, want, dtype)
    up = _tensor(x.shape, seed + 3, dtype)
    (got * up).sum().backward()
    (want * up).sum().backward()
    assert torch.allclose(
        x1.grad, x2.grad, atol=1e-3 if dtype == torch.float32 else 1e-8
    )


@pytest.mark.parametrize("seed", range(60))
def test_rms_norm_matches_torch(seed):
    rng = random.Random(seed)
    dtype = rng.choice([torch.float32, torch.float64])
    batch = [rng.randint(1, 4) for _ in range(rng.randint(0, 2))]
    norm = [rng.randint(1, 6) for _ in range(rng.randint(1, 2))]
    x = _tensor([*batch, *norm], seed, dtype, scale=rng.uniform(0.1, 4))
    weight = _tensor(norm, seed + 1, dtype) if rng.random() < 0.5 else None
    eps = rng.choice([None, 1e-6, 1e-2])
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    got = CF.rms_norm(x1, norm, weight, eps)
    want = F.rms_norm(x2, norm, weight, eps)
    assert _close(got, want, dtype)
    up = _tensor(x.shape, seed + 3, dtype)
    (got * up).sum().backward()
    (want * up).sum().backward()
    assert torch.allclose(
        x1.grad, x2.grad, atol=1e-3 if dtype == torch.float32 else 1e-8
    )


def test_rms_norm_default_eps_is_the_dtype_epsilon():
    x = torch.zeros(1, 4)  # rms 0: only eps keeps the division finite
    assert torch.equal(CF.rms_norm(x, [4]), F.rms_norm(x, [4]))
    tiny = torch.full((1, 2), 1e-4)
    assert torch.allclose(CF.rms_norm(tiny, [2]), F.rms_norm(tiny, [2]))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: CF.batch_norm([1.0, 2.0], None, None, training=True),
            TypeError,
            "torch.Tensor",
        ),
        (
            lambda: CF.batch_norm(torch.ones(4, 3, dtype=torch.long), None, None),
            TypeError,
            "floating",
        ),
        (
            lambda: CF.batch_norm(torch.ones(4), None, None, training=True),
            ValueError,
            "(N, C)",
        ),
        (
            lambda: CF.batch_norm(torch.ones(1, 3), None, None, training=True),
            ValueError,
            "more than 1",
        ),
        (
            lambda: CF.batch_norm(torch.ones(4, 3), None, None),
            ValueError,
            "training=False",
        ),
        (
            lambda: CF.batch_norm(torch.ones(4, 3), torch.zeros(2), torch.ones(2)),
            ValueError,
            "running_mean",
        ),
        (
            lambda: CF.batch_norm(torch.ones(4, 3), torch.zeros(3), None),
            ValueError,
            "both",
        ),
        (
            lambda: CF.batch_norm(
                torch.ones(4, 3), None, None, torch.ones(4), training=True
            ),
            ValueError,
            "weight",
        ),
        (
            lambda: CF.batch_norm(
                torch.ones(4, 3), None, None, training=True, momentum=None
            ),
            TypeError,
            "momentum",
        ),
        (
            lambda: CF.batch_norm(torch.ones(4, 3), None, None, training=True, eps=0),
            ValueError,
            "eps",
        ),
        (lambda: CF.layer_norm(torch.ones(2, 3), 3), TypeError, "normalized_shape"),
        (lambda: CF.layer_norm(torch.ones(2, 3), [4]), ValueError, "last dimensions"),
        (lambda: CF.layer_norm(torch.ones(2, 3), []), ValueError, "at least one"),
        (
            lambda: CF.layer_norm(torch.ones(2, 3), [3], torch.ones(2)),
            ValueError,
            "weight",
        ),
        (lambda: CF.layer_norm("x", [3]), TypeError, "layer_norm"),
        (lambda: CF.rms_norm(torch.ones(2, 3), [2]), ValueError, "last dimensions"),
        (lambda: CF.rms_norm(torch.ones(2, 3), [3], eps=-1.0), ValueError, "eps"),
        (
            lambda: CF.rms_norm(torch.ones(2, 3), [3], weight=[1, 1, 1]),
            TypeError,
            "weight",
        ),
    ],
)
def test_bad_input_is_rejected_clearly(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)
