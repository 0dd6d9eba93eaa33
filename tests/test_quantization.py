"""Quantization from scratch against PyTorch's fake-quantize functions, round trips and error bounds."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.quantization import (
    MinMaxObserver,
    QuantizedLinear,
    dequantize,
    fake_quantize,
    model_bytes,
    pack_int4,
    qrange,
    quantization_params,
    quantize,
    quantize_linear_layers,
    quantized_bytes,
    unpack_int4,
)


def _random_tensors(count, seed=0, max_dims=3):
    generator = torch.Generator().manual_seed(seed)
    for index in range(count):
        dims = 1 + index % max_dims
        shape = tuple(
            int(torch.randint(1, 9, (1,), generator=generator)) for _ in range(dims)
        )
        spread = float(10 ** torch.empty(1).uniform_(-3, 2, generator=generator))
        shift = float(torch.randn(1, generator=generator)) * spread * (index % 2)
        yield torch.randn(shape, generator=generator) * spread + shift


@pytest.mark.parametrize("bits", [2, 3, 4, 8])
@pytest.mark.parametrize("symmetric", [True, False])
def test_per_tensor_equals_torch_fake_quantize(bits, symmetric):
    qmin, qmax = qrange(bits, symmetric)
    for x in _random_tensors(60, seed=bits):
        scale, zero = quantization_params(x, bits, symmetric=symmetric)
        theirs = torch.fake_quantize_per_tensor_affine(x, scale, zero, qmin, qmax)
        assert torch.equal(fake_quantize(x, bits, symmetric=symmetric), theirs)


@pytest.mark.parametrize("bits", [2, 4, 8])
@pytest.mark.parametrize("symmetric", [True, False])
def test_per_channel_equals_torch_fake_quantize(bits, symmetric):
    qmin, qmax = qrange(bits, symmetric)
    for index, x in enumerate(_random_tensors(60, seed=10 + bits)):
        axis = index % x.dim() - (index % 2) * x.dim()  # positive and negative axes
        scale, zero = quantization_params(x, bits, symmetric=symmetric, axis=axis)
        assert scale.shape == (x.shape[axis],)
        theirs = torch.fake_quantize_per_channel_affine(
            x, scale, zero, axis % x.dim(), qmin, qmax
        )
        ours = fake_quantize(x, bits, symmetric=symmetric, axis=axis)
        assert torch.equal(ours, theirs)


@pytest.mark.parametrize("symmetric", [True, False])
def test_groups_equal_per_channel_on_the_rows_of_the_groups(symmetric):
    generator = torch.Generator().manual_seed(3)
    for group in (1, 2, 4, 8):
        x = torch.randn(5, 16, generator=generator)
        x[0, 3] = 40.0  # an outlier stays in its own group
        rows = x.reshape(-1, group)
        scale, zero = quantization_params(rows, 4, symmetric=symmetric, axis=0)
        qmin, qmax = qrange(4, symmetric)
        theirs = torch.fake_quantize_per_channel_affine(
            rows, scale, zero, 0, qmin, qmax
        )
        ours = fake_quantize(x, 4, symmetric=symmetric, group_size=group)
        assert torch.equal(ours, theirs.reshape(x.shape))


@pytest.mark.parametrize("bits", [2, 4, 6, 8])
def test_rounding_error_is_at_most_half_a_step(bits):
    for index, x in enumerate(_random_tensors(40, seed=bits)):
        axis = None if index % 2 else 0
        for symmetric in (True, False):
            q = quantize(x, bits, symmetric=symmetric, axis=axis)
            scale = (
                q.scale if axis is None else q.scale.reshape(-1, *[1] * (x.dim() - 1))
            )
            error = (q.dequantize() - x).abs()
            assert (error <= scale / 2 * (1 + 1e-5) + 1e-7).all()
            qmin, qmax = qrange(bits, symmetric)
            assert q.values.min() >= qmin and q.values.max() <= qmax


def test_symmetric_keeps_zero_and_the_largest_magnitude():
    for x in _random_tensors(30, seed=5):
        x = x.clone()
        x.reshape(-1)[0] = 0.0
        q = fake_quantize(x, 8)
        assert q.reshape(-1)[0] == 0
        largest = x.abs().argmax()
        assert torch.isclose(q.reshape(-1)[largest].abs(), x.abs().max(), rtol=1e-6)


def test_asymmetric_represents_zero_exactly():
    x = torch.tensor(
        [0.3, 0.0, 2.0, 1.1]
    )  # all >= 0: the range is widened to include 0
    q = quantize(x, 8, symmetric=False)
    assert q.zero_point.item() == 0
    assert fake_quantize(x, 8, symmetric=False)[1] == 0


def test_all_zero_tensor_and_constant_rows():
    assert torch.equal(fake_quantize(torch.zeros(3, 4), 4, axis=0), torch.zeros(3, 4))
    x = torch.full((2, 3), -1.5)
    assert torch.allclose(fake_quantize(x, 8, symmetric=False), x)


def test_fewer_bits_give_larger_errors():
    x = torch.randn(64, 64, generator=torch.Generator().manual_seed(0))
    errors = [(fake_quantize(x, b, axis=0) - x).pow(2).mean().item() for b in (2, 4, 8)]
    assert errors[0] > errors[1] > errors[2]


def test_per_channel_beats_per_tensor_with_an_outlier_row():
    x = torch.randn(16, 32, generator=torch.Generator().manual_seed(1))
    x[3] *= 100
    tensor_error = (fake_quantize(x, 8) - x)[torch.arange(16) != 3].abs().mean()
    channel_error = (
        (fake_quantize(x, 8, axis=0) - x)[torch.arange(16) != 3].abs().mean()
    )
    assert channel_error < tensor_error / 10


def test_pack_unpack_round_trip():
    generator = torch.Generator().manual_seed(0)
    for n in (0, 1, 2, 7, 64, 1001):
        codes = torch.randint(-8, 8, (n,), generator=generator, dtype=torch.int8)
        packed = pack_int4(codes)
        assert packed.numel() == (n + 1) // 2 and packed.dtype == torch.uint8
        assert torch.equal(unpack_int4(packed, n), codes)


def test_quantized_bytes():
    assert quantized_bytes(10, 8) == 10 + 4
    assert quantized_bytes(3, 4, n_scales=0) == 2
    assert quantize(torch.randn(4, 8), 4, axis=0).nbytes == 16 + 16


@pytest.mark.parametrize("bits", [2, 3, 4, 5, 8])
@pytest.mark.parametrize(
    "options",
    [
        dict(per_channel=True),
        dict(per_channel=False),
        dict(group_size=4),
        dict(per_channel=True, symmetric=False),
        dict(group_size=8, symmetric=False),
    ],
)
def test_quantized_linear_equals_linear_with_fake_quantized_weight(bits, options):
    torch.manual_seed(bits)
    linear = nn.Linear(16, 6)
    layer = QuantizedLinear.from_linear(linear, bits, **options)
    symmetric = options.get("symmetric", True)
    if "group_size" in options:
        expected = fake_quantize(linear.weight, bits, symmetric=symmetric,
                                 group_size=options["group_size"])  # fmt: skip
    else:
        axis = 0 if options["per_channel"] else None
        expected = fake_quantize(linear.weight, bits, symmetric=symmetric, axis=axis)
    assert torch.allclose(layer.dequantized_weight(), expected, atol=1e-7)
    x = torch.randn(3, 5, 16)
    assert torch.allclose(
        layer(x), torch.nn.functional.linear(x, expected, linear.bias), atol=1e-5
    )
    assert layer.codes().shape == (6, 16)
    if bits <= 4 and symmetric:
        assert layer.qweight.numel() == 6 * 16 // 2  # two codes per byte


def test_storage_shrinks_with_bits():
    linear = nn.Linear(256, 128, bias=False)
    full = linear.weight.numel() * 4
    sizes = {b: QuantizedLinear.from_linear(linear, b).storage_bytes for b in (8, 4)}
    assert sizes[8] == 256 * 128 + 128 * 4 and sizes[4] == 256 * 128 // 2 + 128 * 4
    assert full / sizes[4] > 7


def test_quantize_linear_layers_and_model_bytes():
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8))
    model.add_module("lm_head", nn.Linear(8, 8, bias=False))
    before = model_bytes(model)
    x = torch.randn(4, 8)
    reference = model(x)
    names = quantize_linear_layers(model, 8)
    assert names == ["0", "2"] and isinstance(model.lm_head, nn.Linear)
    assert model_bytes(model) < before
    assert (model(x) - reference).abs().max() < 0.05
    tied = nn.Linear(4, 4)
    both = nn.ModuleDict({"a": tied, "b": tied})
    assert model_bytes(both) == model_bytes(tied)


def test_min_max_observer_calibrates():
    observer = MinMaxObserver(bits=8, symmetric=True)
    with pytest.raises(RuntimeError, match="calibrate"):
        observer.params()
    for scale in (1.0, 3.0, 2.0):
        observer(torch.tensor([-scale, scale / 2]))
    s, z = observer.params()
    assert torch.isclose(s, torch.tensor(3.0 / 127)) and z.item() == 0


def test_bad_input_is_rejected_with_clear_errors():
    with pytest.raises(TypeError, match="floating-point"):
        quantize(torch.arange(4), 8)
    with pytest.raises(TypeError, match="torch.Tensor"):
        quantize([1.0, 2.0], 8)
    with pytest.raises(ValueError, match="bits must be >= 2"):
        qrange(1)
    with pytest.raises(TypeError, match="bits must be an int"):
        quantize(torch.randn(3), 8.0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        quantize(torch.randn(3, 4), 8, axis=2)
    with pytest.raises(ValueError, match="must divide the row length"):
        quantize(torch.randn(3, 10), 4, group_size=4)
    with pytest.raises(ValueError, match="-8..7"):
        pack_int4(torch.tensor([9]))
    with pytest.raises(TypeError, match="uint8"):
        unpack_int4(torch.zeros(2, dtype=torch.int8), 4)
    with pytest.raises(ValueError, match="hold at most"):
        unpack_int4(torch.zeros(2, dtype=torch.uint8), 5)
    with pytest.raises(TypeError, match="nn.Linear"):
        QuantizedLinear.from_linear(nn.Conv1d(2, 2, 1))
    with pytest.raises(ValueError, match="must divide in_features"):
        QuantizedLinear(10, 4, 4, group_size=4)
    with pytest.raises(TypeError, match="QuantizedTensor"):
        dequantize(torch.zeros(3))
    with pytest.raises(TypeError, match="nn.Module"):
        quantize_linear_layers("model")
