"""conv2d and max_pool2d (vectorised and loop versions) against torch.nn.functional."""

import random

import pytest
import torch
import torch.nn.functional as F

from course_utils.nn.functional import (
    conv2d,
    conv2d_loops,
    conv_output_size,
    max_pool2d,
    max_pool2d_loops,
)


def random_conv_case(rng: random.Random):
    """A random valid convolution: shapes, stride, padding, dilation, bias."""
    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    dilation = (rng.randint(1, 3), rng.randint(1, 3))
    padding = (rng.randint(0, 3), rng.randint(0, 3))
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [rng.randint(max(1, s - 2 * p), s + 8) for s, p in zip(span, padding)]
    c_in, c_out = rng.randint(1, 4), rng.randint(1, 5)
    x = torch.randn(rng.randint(1, 3), c_in, *size, dtype=torch.float64)
    w = torch.randn(c_out, c_in, *kernel, dtype=torch.float64)
    b = torch.randn(c_out, dtype=torch.float64) if rng.random() < 0.5 else None
    stride = (rng.randint(1, 3), rng.randint(1, 3))
    return x, w, b, {"stride": stride, "padding": padding, "dilation": dilation}


@pytest.mark.parametrize("seed", range(300))
def test_conv2d_matches_torch_on_random_shapes(seed):
    x, w, b, kwargs = random_conv_case(random.Random(seed))
    torch.testing.assert_close(conv2d(x, w, b, **kwargs), F.conv2d(x, w, b, **kwargs))


@pytest.mark.parametrize("seed", range(40))
def test_conv2d_loops_matches_torch(seed):
    x, w, b, kwargs = random_conv_case(random.Random(1000 + seed))
    torch.testing.assert_close(
        conv2d_loops(x, w, b, **kwargs), F.conv2d(x, w, b, **kwargs)
    )


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (5, 2)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_conv2d_string_padding(dtype, padding, kernel, dilation):
    x = torch.randn(2, 3, 11, 9, dtype=dtype)
    w = torch.randn(4, 3, *kernel, dtype=dtype)
    expected = F.conv2d(x, w, padding=padding, dilation=dilation)
    torch.testing.assert_close(
        conv2d(x, w, padding=padding, dilation=dilation), expected
    )


def test_conv2d_unbatched_input_like_torch():
    x, w = torch.randn(3, 8, 8), torch.randn(2, 3, 3, 3)
    out = conv2d(x, w, padding=1)
    assert out.shape == (2, 8, 8)
    torch.testing.assert_close(out, F.conv2d(x, w, padding=1))


def test_conv2d_gradients_match_torch():
    x = torch.randn(2, 3, 9, 9, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 3, 3, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, requires_grad=True)
    ours = conv2d(x, w, b, stride=2, padding=1, dilation=2)
    theirs = F.conv2d(x, w, b, stride=2, padding=1, dilation=2)
    grad_output = torch.randn_like(ours)
    ours_grads = torch.autograd.grad(ours, (x, w, b), grad_output)
    theirs_grads = torch.autograd.grad(theirs, (x, w, b), grad_output)
    for a, e in zip(ours_grads, theirs_grads):
        torch.testing.assert_close(a, e)


def test_conv2d_does_not_flip_the_kernel():
    x = torch.zeros(1, 1, 3, 3)
    x[0, 0, 1, 1] = 1.0  # an impulse
    w = torch.arange(9.0).view(1, 1, 3, 3)
    # Cross-correlating an impulse paints the kernel rotated by 180 degrees.
    assert torch.equal(conv2d(x, w, padding=1)[0, 0], w[0, 0].flip(0, 1))


def random_pool_case(rng: random.Random):
    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    padding = (rng.randint(0, kernel[0] // 2), rng.randint(0, kernel[1] // 2))
    stride = None if rng.random() < 0.3 else (rng.randint(1, 3), rng.randint(1, 3))
    size = [rng.randint(max(1, k - 2 * p), k + 9) for k, p in zip(kernel, padding)]
    x = torch.randn(rng.randint(1, 3), rng.randint(1, 4), *size, dtype=torch.float64)
    return x, {"kernel_size": kernel, "stride": stride, "padding": padding}


@pytest.mark.parametrize("seed", range(200))
def test_max_pool2d_matches_torch_on_random_shapes(seed):
    x, kwargs = random_pool_case(random.Random(seed))
    torch.testing.assert_close(max_pool2d(x, **kwargs), F.max_pool2d(x, **kwargs))


@pytest.mark.parametrize("seed", range(30))
def test_max_pool2d_loops_matches_torch(seed):
    x, kwargs = random_pool_case(random.Random(500 + seed))
    torch.testing.assert_close(max_pool2d_loops(x, **kwargs), F.max_pool2d(x, **kwargs))


def test_max_pool2d_gradient_goes_to_the_maximum():
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64, requires_grad=True)
    (ours,) = torch.autograd.grad(max_pool2d(x, 2).sum(), x)
    (theirs,) = torch.autograd.grad(F.max_pool2d(x, 2).sum(), x)
    torch.testing.assert_close(ours, theirs)


def test_max_pool2d_padding_never_wins():
    x = -torch.ones(1, 1, 4, 4)  # all negative: zero padding would wrongly win the max
    out = max_pool2d(x, 3, stride=1, padding=1)
    assert torch.equal(out, -torch.ones(1, 1, 4, 4))


def test_max_pool2d_has_no_weights():
    assert list(torch.nn.MaxPool2d(2).parameters()) == []


@pytest.mark.parametrize(
    "size, kernel, stride, padding, dilation",
    [
        (28, 5, 1, 2, 1),
        (28, 2, 2, 0, 1),
        (32, 3, 1, 1, 1),
        (7, 3, 2, 0, 2),
        (10, 4, 3, 1, 1),
    ],
)
def test_conv_output_size_matches_torch(size, kernel, stride, padding, dilation):
    out = F.conv2d(
        torch.zeros(1, 1, size, size),
        torch.zeros(1, 1, kernel, kernel),
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    assert conv_output_size(size, kernel, stride, padding, dilation) == out.shape[-1]


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("fn", [conv2d, conv2d_loops])
def test_conv2d_rejects_wrong_number_of_dimensions(fn):
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*shape \(8, 8\)"):
        fn(torch.randn(8, 8), torch.randn(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"weight of shape.*\(3, 3\)"):
        fn(torch.randn(1, 1, 8, 8), torch.randn(3, 3))


@pytest.mark.parametrize("fn", [conv2d, conv2d_loops])
def test_conv2d_rejects_channel_mismatch_naming_shapes(fn):
    with pytest.raises(
        ValueError, match=r"3 channels.*expects 4.*\(2, 3, 8, 8\).*\(5, 4, 3, 3\)"
    ):
        fn(torch.randn(2, 3, 8, 8), torch.randn(5, 4, 3, 3))


@pytest.mark.parametrize("fn", [conv2d, conv2d_loops])
def test_conv2d_rejects_kernel_larger_than_padded_input(fn):
    with pytest.raises(ValueError, match=r"spans \(5, 5\).*padded input \(4, 4\)"):
        fn(torch.randn(1, 1, 4, 4), torch.randn(1, 1, 3, 3), dilation=2)
    with pytest.raises(ValueError, match=r"padded input \(6, 6\)"):
        fn(torch.randn(1, 1, 4, 4), torch.randn(1, 1, 7, 7), padding=1)


def test_conv2d_rejects_bad_bias_dtype_and_settings():
    x, w = torch.randn(1, 2, 6, 6), torch.randn(3, 2, 3, 3)
    with pytest.raises(ValueError, match=r"bias of shape \(3,\), got \(2,\)"):
        conv2d(x, w, torch.randn(2))
    with pytest.raises(TypeError, match="floating-point"):
        conv2d(torch.ones(1, 2, 6, 6, dtype=torch.long), w)
    with pytest.raises(TypeError, match="float64 but weight has dtype torch.float32"):
        conv2d(x.double(), w)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="padding must be >= 0"):
        conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="'same' needs stride 1"):
        conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="'full'"):
        conv2d(x, w, padding="full")
    with pytest.raises(TypeError, match="pair of ints"):
        conv2d(x, w, stride=(1, 2, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        conv2d([[1.0]], w)


@pytest.mark.parametrize("fn", [max_pool2d, max_pool2d_loops])
def test_max_pool2d_rejects_bad_input(fn):
    with pytest.raises(ValueError, match=r"got 2-D input of shape \(4, 4\)"):
        fn(torch.randn(4, 4), 2)
    with pytest.raises(
        ValueError, match=r"kernel_size \(5, 5\).*padded input \(4, 4\)"
    ):
        fn(torch.randn(1, 1, 4, 4), 5)
    with pytest.raises(ValueError, match="at most half the kernel"):
        fn(torch.randn(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        fn(torch.randn(1, 1, 8, 8), 0)
