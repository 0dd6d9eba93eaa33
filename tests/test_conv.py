"""conv2d and max_pool2d (vectorised and loop versions) against torch.nn.functional.

PyTorch's own sample inputs for both run in tests/test_functional_opinfo.py.
"""

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
    """A random valid convolution: shapes, stride, padding, dilation, groups, bias."""
    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    dilation = (rng.randint(1, 3), rng.randint(1, 3))
    padding = (rng.randint(0, 3), rng.randint(0, 3))
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [rng.randint(max(1, s - 2 * p), s + 8) for s, p in zip(span, padding)]
    groups = rng.choice([1, 1, 2, 3])
    c_in, c_out = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
    x = torch.randn(rng.randint(0, 3), c_in, *size, dtype=torch.float64)
    w = torch.randn(c_out, c_in // groups, *kernel, dtype=torch.float64)
    b = torch.randn(c_out, dtype=torch.float64) if rng.random() < 0.5 else None
    stride = (rng.randint(1, 3), rng.randint(1, 3))
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation}
    if groups > 1 or rng.random() < 0.5:
        kwargs["groups"] = groups
    return x, w, b, kwargs


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


@pytest.mark.parametrize("seed", range(20))
def test_depthwise_conv2d_matches_torch(seed):
    """groups = C_in: one kernel (or several) per channel, as in MobileNet/EfficientNet."""
    rng = random.Random(seed)
    channels, multiplier = rng.randint(1, 6), rng.randint(1, 2)
    x = torch.randn(rng.randint(1, 3), channels, 9, 10)
    w = torch.randn(channels * multiplier, 1, 3, 3)
    b = torch.randn(channels * multiplier)
    for kwargs in (
        {"padding": 1},
        {"stride": 2, "padding": "valid"},
        {"padding": "same"},
    ):
        expected = F.conv2d(x, w, b, groups=channels, **kwargs)
        torch.testing.assert_close(conv2d(x, w, b, groups=channels, **kwargs), expected)
        torch.testing.assert_close(
            conv2d_loops(x, w, b, groups=channels, **kwargs), expected
        )


def test_conv2d_positional_arguments_in_torch_order():
    x, w, b = torch.randn(2, 4, 7, 7), torch.randn(6, 2, 3, 3), torch.randn(6)
    torch.testing.assert_close(
        conv2d(x, w, b, 2, 1, 2, 2), F.conv2d(x, w, b, 2, 1, 2, 2)
    )


@pytest.mark.parametrize("fn", [conv2d, conv2d_loops])
def test_conv2d_on_an_empty_batch_like_torch(fn):
    x, w, b = torch.randn(0, 3, 6, 6), torch.randn(4, 3, 3, 3), torch.randn(4)
    out = fn(x, w, b, padding=1)
    assert out.shape == F.conv2d(x, w, b, padding=1).shape == (0, 4, 6, 6)


def test_conv2d_unbatched_input_like_torch():
    x, w = torch.randn(3, 8, 8), torch.randn(2, 3, 3, 3)
    out = conv2d(x, w, padding=1)
    assert out.shape == (2, 8, 8)
    torch.testing.assert_close(out, F.conv2d(x, w, padding=1))


@pytest.mark.parametrize("groups", [1, 3])
def test_conv2d_gradients_match_torch(groups):
    x = torch.randn(2, 3, 9, 9, dtype=torch.float64, requires_grad=True)
    w = torch.randn(6, 3 // groups, 3, 3, dtype=torch.float64, requires_grad=True)
    b = torch.randn(6, dtype=torch.float64, requires_grad=True)
    kwargs = {"stride": 2, "padding": 1, "dilation": 2, "groups": groups}
    ours = conv2d(x, w, b, **kwargs)
    theirs = F.conv2d(x, w, b, **kwargs)
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
    """A random valid pooling, and input with ties, NaN or -inf in some cases."""
    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    padding = (rng.randint(0, kernel[0] // 2), rng.randint(0, kernel[1] // 2))
    stride = None if rng.random() < 0.3 else (rng.randint(1, 3), rng.randint(1, 3))
    dilation = (rng.randint(1, 2), rng.randint(1, 2))
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [rng.randint(max(1, s - 2 * p), s + 9) for s, p in zip(span, padding)]
    shape = (rng.randint(0, 3), rng.randint(1, 4), *size)
    kind = rng.choice(["normal", "normal", "ties", "nan", "-inf"])
    generator = torch.Generator().manual_seed(rng.randint(0, 2**31))
    x = torch.randn(shape, dtype=torch.float64, generator=generator)
    if kind == "ties":  # as after a ReLU: many equal values in a window
        x = torch.randint(0, 2, shape, generator=generator).double()
    elif kind in ("nan", "-inf"):
        x[torch.rand(shape, generator=generator) < 0.3] = float(kind)
    kwargs = {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "ceil_mode": rng.random() < 0.5,
    }
    return x, kwargs


def assert_pools_alike(x, kwargs, fn):
    """Values, and indices exactly, as PyTorch's; or both refuse the arguments."""
    try:
        expected = F.max_pool2d(x, **kwargs, return_indices=True)
    except RuntimeError:  # e.g. an output size below 1: ours must refuse too
        with pytest.raises(ValueError):
            fn(x, **kwargs)
        return
    values, indices = fn(x, **kwargs, return_indices=True)
    torch.testing.assert_close(values, expected[0], equal_nan=True)
    assert torch.equal(indices, expected[1])
    torch.testing.assert_close(fn(x, **kwargs), expected[0], equal_nan=True)


@pytest.mark.parametrize("seed", range(300))
def test_max_pool2d_matches_torch_on_random_shapes(seed):
    x, kwargs = random_pool_case(random.Random(seed))
    assert_pools_alike(x, kwargs, max_pool2d)


@pytest.mark.parametrize("seed", range(40))
def test_max_pool2d_loops_matches_torch(seed):
    x, kwargs = random_pool_case(random.Random(500 + seed))
    assert_pools_alike(x, kwargs, max_pool2d_loops)


def test_max_pool2d_positional_arguments_in_torch_order():
    x = torch.randn(2, 3, 9, 8)
    for fn in (max_pool2d, max_pool2d_loops):
        values, indices = fn(x, 3, 2, 1, 2, True, True)
        expected = F.max_pool2d(x, 3, 2, 1, 2, True, True)
        torch.testing.assert_close(values, expected[0])
        assert torch.equal(indices, expected[1])


@pytest.mark.parametrize("ties", [False, True])
def test_max_pool2d_gradient_goes_to_the_maximum(ties):
    """With ties (zeros after a ReLU) the whole gradient goes to the first maximum."""
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    if ties:
        x = x.clamp_min(0)
    x.requires_grad_(True)
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        (ours,) = torch.autograd.grad(max_pool2d(x, **kwargs).sum(), x)
        (theirs,) = torch.autograd.grad(F.max_pool2d(x, **kwargs).sum(), x)
        torch.testing.assert_close(ours, theirs)


def test_max_pool2d_padding_never_wins():
    x = -torch.ones(1, 1, 4, 4)  # all negative: zero padding would wrongly win the max
    out = max_pool2d(x, 3, stride=1, padding=1)
    assert torch.equal(out, -torch.ones(1, 1, 4, 4))


@pytest.mark.parametrize("fn", [max_pool2d, max_pool2d_loops])
def test_max_pool2d_picks_input_values_without_weights(fn):
    """Each output is one of the input's own numbers (a max, not a weighted sum)."""
    x = torch.randn(2, 3, 7, 6)
    values, indices = fn(x, 3, stride=2, padding=1, return_indices=True)
    picked = x.flatten(2).gather(2, indices.flatten(2)).view_as(values)
    assert torch.equal(values, picked)
    # No weights: scaling the input scales the output, shifting it shifts the output.
    torch.testing.assert_close(fn(3 * x + 1, 3, stride=2, padding=1), 3 * values + 1)


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
    with pytest.raises(TypeError, match="weight has dtype torch.float32 but input has"):
        conv2d(x.double(), w)
    with pytest.raises(TypeError, match="bias has dtype torch.float64"):
        conv2d(x, w, torch.zeros(3, dtype=torch.float64))
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


@pytest.mark.parametrize("fn", [conv2d, conv2d_loops])
def test_conv2d_rejects_bad_groups_and_names_what_is_out_of_scope(fn):
    x = torch.randn(1, 4, 6, 6)
    with pytest.raises(ValueError, match=r"divisible by groups=3, got 4"):
        fn(torch.randn(1, 6, 6, 6), torch.randn(4, 2, 3, 3), groups=3)
    with pytest.raises(ValueError, match=r"divisible by groups=4, got 6"):
        fn(x, torch.randn(6, 1, 3, 3), groups=4)
    with pytest.raises(
        ValueError, match=r"4 channels but weight expects 6 \(3 per group x 2"
    ):
        fn(x, torch.randn(4, 3, 3, 3), groups=2)
    with pytest.raises(ValueError, match="groups must be >= 1"):
        fn(x, torch.randn(4, 4, 3, 3), groups=0)
    with pytest.raises(TypeError, match="groups must be an int"):
        fn(x, torch.randn(4, 4, 3, 3), groups=1.0)
    with pytest.raises(ValueError, match="zero channels is out of scope"):
        fn(torch.randn(1, 0, 6, 6), torch.randn(4, 0, 3, 3))
    with pytest.raises(ValueError, match="positive number of kernels"):
        fn(x, torch.randn(0, 4, 3, 3))
    with pytest.raises(ValueError, match=r"at least 1x1.*\(4, 4, 0, 3\)"):
        fn(x, torch.randn(4, 4, 0, 3))
    with pytest.raises(TypeError, match="complex tensors are out of scope"):
        fn(x.to(torch.complex64), torch.randn(4, 4, 3, 3).to(torch.complex64))


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
    with pytest.raises(ValueError, match="dilation must be >= 1"):
        fn(torch.randn(1, 1, 8, 8), 2, dilation=0)
    with pytest.raises(TypeError, match="ceil_mode must be True or False"):
        fn(torch.randn(1, 1, 8, 8), 2, ceil_mode=1)
    with pytest.raises(TypeError, match="return_indices must be True or False"):
        fn(torch.randn(1, 1, 8, 8), 2, return_indices="yes")
    with pytest.raises(ValueError, match=r"non-empty channels.*\(2, 0, 4, 4\)"):
        fn(torch.randn(2, 0, 4, 4), 2)
    with pytest.raises(TypeError, match="integer and bool tensors are out of scope"):
        fn(torch.ones(1, 1, 4, 4, dtype=torch.long), 2)


@pytest.mark.parametrize("fn", [max_pool2d, max_pool2d_loops])
def test_max_pool2d_on_an_empty_batch_like_torch(fn):
    x = torch.randn(0, 3, 6, 6)
    values, indices = fn(x, 2, return_indices=True)
    expected = F.max_pool2d(x, 2, return_indices=True)
    assert values.shape == expected[0].shape == indices.shape == (0, 3, 3, 3)
