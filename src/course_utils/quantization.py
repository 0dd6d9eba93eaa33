"""Quantization from scratch: store each number as a small integer times a shared scale.

A tensor ``x`` is mapped to integers ``q`` in ``[qmin, qmax]`` and back:

    q = clamp(round(x / scale) + zero_point, qmin, qmax)
    x_hat = (q - zero_point) * scale

- **symmetric**: ``zero_point = 0`` and ``scale = max|x| / qmax`` with the range
  ``[-(2^(b-1) - 1), 2^(b-1) - 1]`` (int8: -127..127). Zero stays exactly zero.
- **asymmetric** (affine): the range ``[0, 2^b - 1]`` covers ``[min x, max x]``
  (widened to include 0): ``scale = (max - min) / (2^b - 1)``, ``zero_point`` the
  integer that stands for 0. Better for one-sided data such as ReLU outputs.
- **per tensor** (one scale), **per channel** (one scale per row of a weight
  matrix, ``axis=0``) or **per group** (one per ``group_size`` consecutive weights
  of a row, as in GPTQ and AWQ's int4 formats). One large outlier spoils the scale
  of everything that shares it; smaller groups contain the damage.

Inside the range the rounding error is at most ``scale / 2`` per number.
``fake_quantize`` (quantize, then dequantize) gives the same numbers as PyTorch's
``torch.fake_quantize_per_tensor_affine`` and ``torch.fake_quantize_per_channel_affine``
with the same scales and zero points (the unit tests check it on many shapes).
:class:`QuantizedLinear` keeps a linear layer's weight as int8 (or two 4-bit
numbers per byte) and dequantizes it on the fly; :func:`quantize_linear_layers`
swaps every ``nn.Linear`` of a model for one.

Example:
    >>> import torch
    >>> x = torch.tensor([-1.0, 0.0, 0.5, 2.0])
    >>> q = quantize(x, bits=8)                 # symmetric, per tensor
    >>> q.values.tolist(), round(q.scale.item(), 5)
    ([-64, 0, 32, 127], 0.01575)
    >>> (q.dequantize() - x).abs().max().item() <= q.scale.item() / 2
    True
    >>> quantize(x, bits=4, symmetric=False).values.tolist()
    [0, 5, 7, 15]
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ._validation import require_int, require_tensor

__all__ = [
    "qrange",
    "quantization_params",
    "QuantizedTensor",
    "quantize",
    "dequantize",
    "fake_quantize",
    "pack_int4",
    "unpack_int4",
    "QuantizedLinear",
    "quantize_linear_layers",
    "model_bytes",
    "quantized_bytes",
    "MinMaxObserver",
]


def qrange(bits: int, symmetric: bool = True) -> tuple[int, int]:
    """The integers ``(qmin, qmax)`` a ``bits``-bit code may take.

    Example:
        >>> qrange(8), qrange(8, symmetric=False), qrange(4)
        ((-127, 127), (0, 255), (-7, 7))
    """
    require_int("qrange", "bits", bits, minimum=2)
    if bits > 16:
        raise ValueError(f"qrange: bits must be <= 16, got {bits}")
    if symmetric:
        return -(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def _grouped(x: torch.Tensor, axis: int | None, group_size: int | None, who: str):
    """``x`` as (channels, numbers per channel): the rows that share one scale."""
    if group_size is not None:
        require_int(who, "group_size", group_size, minimum=1)
        if x.dim() != 2:
            raise ValueError(
                f"{who}: group_size needs a matrix (out, in), got shape {tuple(x.shape)}"
            )
        if x.shape[1] % group_size:
            raise ValueError(
                f"{who}: group_size {group_size} must divide the row length {x.shape[1]}"
            )
        return x.reshape(-1, group_size)
    if axis is None:
        return x.reshape(1, -1)
    require_int(who, "axis", axis)
    if not -x.dim() <= axis < x.dim():
        raise ValueError(
            f"{who}: axis {axis} is out of range for shape {tuple(x.shape)}"
        )
    return x.movedim(axis, 0).reshape(x.shape[axis], -1)


def quantization_params(
    x: torch.Tensor,
    bits: int = 8,
    *,
    symmetric: bool = True,
    axis: int | None = None,
    group_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(scale, zero_point)`` from the range of ``x``: one pair, or one per channel or group.

    Args:
        x: a floating-point tensor (weights, or activations seen during calibration).
        bits: bits per number (2 to 16).
        symmetric: zero point 0 and a range symmetric around 0; else the range of ``x``.
        axis: ``None`` for one scale for the whole tensor, else one per index of
            this dimension (``axis=0``: per output channel of a weight).
        group_size: one scale per ``group_size`` consecutive numbers of each row of
            a matrix (overrides ``axis``).

    Returns:
        float32 scales and int32 zero points, scalars for a tensor-wide scale,
        else 1-D with one entry per channel (or group, in row-major order).

    Example:
        >>> scale, zero = quantization_params(torch.tensor([[1.0, -2.0], [0.5, 0.25]]), axis=0)
        >>> [round(s, 5) for s in scale.tolist()], zero.tolist()
        ([0.01575, 0.00394], [0, 0])
    """
    who = "quantization_params"
    x = _check_float(x, who)
    qmin, qmax = qrange(bits, symmetric)
    rows = _grouped(x.detach().float(), axis, group_size, who)
    if rows.numel() == 0:
        raise ValueError(f"{who}: x is empty")
    if symmetric:
        scale = rows.abs().amax(dim=1) / qmax
        zero_point = torch.zeros_like(scale, dtype=torch.int32)
    else:
        low = rows.amin(dim=1).clamp(max=0)  # 0 must be representable exactly
        high = rows.amax(dim=1).clamp(min=0)
        scale = (high - low) / (qmax - qmin)
        safe = torch.where(scale > 0, scale, torch.ones_like(scale))
        zero_point = (qmin - torch.round(low / safe)).clamp(qmin, qmax).to(torch.int32)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))  # all-zero rows
    if axis is None and group_size is None:
        return scale[0], zero_point[0]
    return scale, zero_point


@dataclass
class QuantizedTensor:
    """Integer codes with their scale(s) and zero point(s): everything needed to dequantize."""

    values: torch.Tensor  # integer codes, shape of the original tensor (int8 or int32)
    scale: torch.Tensor
    zero_point: torch.Tensor
    bits: int
    axis: int | None = None
    group_size: int | None = None
    symmetric: bool = True

    def dequantize(self) -> torch.Tensor:
        """``(q - zero_point) * scale``, back in float32."""
        return dequantize(self)

    @property
    def nbytes(self) -> int:
        """Bytes if the codes are packed tightly (``bits`` each), scales in float32 and
        zero points (asymmetric only; symmetric ones are all 0) in one byte each."""
        zero_points = 0 if self.symmetric else self.zero_point.numel()
        return quantized_bytes(
            self.values.numel(), self.bits, self.scale.numel(), zero_points
        )


def _broadcast(params: torch.Tensor, x: torch.Tensor, axis, group_size):
    """Scales or zero points shaped to multiply the rows of ``_grouped(x)`` back in place."""
    if params.dim() == 0:
        return params
    if group_size is not None:
        return params.reshape(x.shape[0], -1, 1)
    shape = [1] * x.dim()
    shape[axis] = -1
    return params.reshape(shape)


def _codes(x, scale, zero_point, qmin, qmax, axis, group_size):
    view = x.reshape(x.shape[0], -1, group_size) if group_size is not None else x
    s = _broadcast(scale, x, axis, group_size)
    z = _broadcast(zero_point, x, axis, group_size)
    # Multiply by 1/scale, as PyTorch's kernels do, so the two round identically.
    q = torch.clamp(torch.round(view * (1.0 / s)) + z, qmin, qmax)
    return q.reshape(x.shape)


def quantize(
    x: torch.Tensor,
    bits: int = 8,
    *,
    symmetric: bool = True,
    axis: int | None = None,
    group_size: int | None = None,
) -> QuantizedTensor:
    """Quantize ``x`` with scales from its own range (see :func:`quantization_params`).

    Example:
        >>> q = quantize(torch.tensor([[0.1, -0.2], [3.0, 1.5]]), bits=8, axis=0)
        >>> q.values.tolist()
        [[64, -127], [127, 64]]
    """
    x = _check_float(x, "quantize")
    scale, zero_point = quantization_params(
        x, bits, symmetric=symmetric, axis=axis, group_size=group_size
    )
    qmin, qmax = qrange(bits, symmetric)
    codes = _codes(x.detach().float(), scale, zero_point, qmin, qmax, axis, group_size)
    dtype = torch.int8 if qmin >= -128 and qmax <= 127 else torch.int32
    if axis is not None and axis < 0:
        axis += x.dim()
    return QuantizedTensor(
        codes.to(dtype), scale, zero_point, bits, axis, group_size, symmetric
    )


def dequantize(q: QuantizedTensor) -> torch.Tensor:
    """Floats from codes: ``(q - zero_point) * scale`` with each code's own scale.

    Example:
        >>> [round(v, 4) for v in dequantize(quantize(torch.tensor([0.5, -1.0]))).tolist()]
        [0.5039, -1.0]
    """
    if not isinstance(q, QuantizedTensor):
        raise TypeError(
            f"dequantize: expected a QuantizedTensor, got {type(q).__name__}"
        )
    codes = q.values.float()
    if q.group_size is not None:
        view = codes.reshape(codes.shape[0], -1, q.group_size)
    else:
        view = codes
    s = _broadcast(q.scale, codes, q.axis, q.group_size)
    z = _broadcast(q.zero_point, codes, q.axis, q.group_size).float()
    return ((view - z) * s).reshape(codes.shape)


def fake_quantize(
    x: torch.Tensor,
    bits: int = 8,
    *,
    symmetric: bool = True,
    axis: int | None = None,
    group_size: int | None = None,
) -> torch.Tensor:
    """Quantize and dequantize at once: ``x`` as the integer grid sees it (float32).

    Equals ``torch.fake_quantize_per_tensor_affine`` (``axis=None``) or
    ``torch.fake_quantize_per_channel_affine`` (``axis`` given) called with the
    scales, zero points and range of :func:`quantization_params` and :func:`qrange`.

    Example:
        >>> x = torch.randn(4, 8)
        >>> scale, zero = quantization_params(x, 4, axis=0)
        >>> theirs = torch.fake_quantize_per_channel_affine(x, scale, zero, 0, -7, 7)
        >>> torch.equal(fake_quantize(x, 4, axis=0), theirs)
        True
    """
    return quantize(
        x, bits, symmetric=symmetric, axis=axis, group_size=group_size
    ).dequantize()


def quantized_bytes(
    n_values: int, bits: int, n_scales: int = 1, n_zero_points: int = 0
) -> int:
    """Bytes of ``n_values`` codes packed at ``bits`` each, plus float32 scales and int8 zero points.

    Example:
        >>> quantized_bytes(1000, 4, n_scales=10)  # 500 bytes of codes, 40 of scales
        540
    """
    who = "quantized_bytes"
    require_int(who, "n_values", n_values, minimum=0)
    require_int(who, "bits", bits, minimum=1)
    require_int(who, "n_scales", n_scales, minimum=0)
    require_int(who, "n_zero_points", n_zero_points, minimum=0)
    return (n_values * bits + 7) // 8 + 4 * n_scales + n_zero_points


def pack_int4(codes: torch.Tensor) -> torch.Tensor:
    """Two 4-bit codes (each in -8..7) per byte: the first in the high nibble.

    Example:
        >>> packed = pack_int4(torch.tensor([-7, 7, 0, -1], dtype=torch.int8))
        >>> packed.dtype, packed.numel(), unpack_int4(packed, 4).tolist()
        (torch.uint8, 2, [-7, 7, 0, -1])
    """
    require_tensor(codes, "pack_int4", "codes")
    if codes.is_floating_point() or codes.is_complex():
        raise TypeError(f"pack_int4: codes must be integers, got {codes.dtype}")
    flat = codes.reshape(-1).to(torch.int16)
    if flat.numel() and (flat.min() < -8 or flat.max() > 7):
        raise ValueError("pack_int4: every code must lie in -8..7 (4 bits, signed)")
    if flat.numel() % 2:
        flat = torch.cat([flat, flat.new_zeros(1)])
    nibbles = (flat & 0xF).to(torch.uint8)  # two's complement in 4 bits
    return nibbles[0::2] << 4 | nibbles[1::2]


def unpack_int4(packed: torch.Tensor, numel: int) -> torch.Tensor:
    """The ``numel`` signed 4-bit codes held in ``packed`` (see :func:`pack_int4`), as int8."""
    require_tensor(packed, "unpack_int4", "packed")
    if packed.dtype != torch.uint8:
        raise TypeError(f"unpack_int4: packed must be uint8, got {packed.dtype}")
    require_int("unpack_int4", "numel", numel, minimum=0)
    if numel > 2 * packed.numel():
        raise ValueError(
            f"unpack_int4: {packed.numel()} bytes hold at most {2 * packed.numel()} codes, "
            f"asked for {numel}"
        )
    nibbles = torch.stack([packed >> 4, packed & 0xF], dim=1).reshape(-1)[:numel]
    signed = nibbles.to(torch.int8)
    return torch.where(signed > 7, signed - 16, signed)


class QuantizedLinear(nn.Module):
    """A linear layer whose weight is stored as integers; it is dequantized at every call.

    The weight is quantized per output channel (one scale per row, ``axis=0``),
    per group of ``group_size`` inputs, or per tensor. Codes of up to 4 bits are
    stored two per byte; up to 8 bits, one int8 each. Only the weight is
    quantized; the input and the bias stay in float ("weight-only" quantization,
    which is what shrinks a model's memory). Build one with :meth:`from_linear`.

    Example:
        >>> layer = nn.Linear(8, 4)
        >>> q = QuantizedLinear.from_linear(layer, bits=8)
        >>> x = torch.randn(2, 8)
        >>> (q(x) - layer(x)).abs().max().item() < 0.05
        True
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bits: int = 8,
        *,
        symmetric: bool = True,
        per_channel: bool = True,
        group_size: int | None = None,
        bias: bool = True,
    ) -> None:
        super().__init__()
        who = "QuantizedLinear"
        require_int(who, "in_features", in_features, minimum=1)
        require_int(who, "out_features", out_features, minimum=1)
        qrange(bits, symmetric)  # checks bits
        if bits > 8:
            raise ValueError(f"{who}: bits must be <= 8 (int8 storage), got {bits}")
        if group_size is not None and in_features % group_size:
            raise ValueError(
                f"{who}: group_size {group_size} must divide in_features {in_features}"
            )
        self.in_features, self.out_features = in_features, out_features
        self.bits, self.symmetric = bits, symmetric
        self.per_channel, self.group_size = per_channel, group_size
        numel = in_features * out_features
        packed = bits <= 4 and symmetric
        self.register_buffer(
            "qweight",
            torch.zeros((numel + 1) // 2 if packed else numel,
                        dtype=torch.uint8 if packed else torch.int8 if symmetric else torch.uint8),
        )  # fmt: skip
        n_scales = (
            numel // group_size if group_size else (out_features if per_channel else 1)
        )
        self.register_buffer("scale", torch.ones(n_scales))
        self.register_buffer(
            "zero_point", torch.zeros(0 if symmetric else n_scales, dtype=torch.uint8)
        )
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    @classmethod
    def from_linear(
        cls,
        linear: nn.Linear,
        bits: int = 8,
        *,
        symmetric: bool = True,
        per_channel: bool = True,
        group_size: int | None = None,
    ) -> QuantizedLinear:
        """Quantize the weight of ``linear`` (its bias is copied as it is)."""
        if not isinstance(linear, nn.Linear):
            raise TypeError(
                f"QuantizedLinear.from_linear: expected an nn.Linear, got {type(linear).__name__}"
            )
        out = cls(
            linear.in_features,
            linear.out_features,
            bits,
            symmetric=symmetric,
            per_channel=per_channel,
            group_size=group_size,
            bias=linear.bias is not None,
        ).to(linear.weight.device)
        q = quantize(
            linear.weight.detach(),
            bits,
            symmetric=symmetric,
            axis=0 if per_channel and group_size is None else None,
            group_size=group_size,
        )
        codes = q.values.reshape(-1)
        if out.qweight.dtype == torch.uint8 and symmetric:
            out.qweight.copy_(pack_int4(codes))
        else:
            out.qweight.copy_(codes.to(out.qweight.dtype))
        out.scale.copy_(q.scale.reshape(-1))
        if not symmetric:
            out.zero_point.copy_(q.zero_point.reshape(-1).to(torch.uint8))
        if linear.bias is not None:
            out.bias.data.copy_(linear.bias.detach())
        return out

    def codes(self) -> torch.Tensor:
        """The integer codes as an (out, in) matrix."""
        numel = self.in_features * self.out_features
        if self.bits <= 4 and self.symmetric:
            flat = unpack_int4(self.qweight, numel)
        else:
            flat = self.qweight
        return flat.reshape(self.out_features, self.in_features)

    def dequantized_weight(self) -> torch.Tensor:
        """The float32 weight the layer computes with."""
        codes = self.codes().float()
        zero = self.zero_point.float() if not self.symmetric else None
        if self.group_size:
            view = codes.reshape(self.out_features, -1, self.group_size)
            scale = self.scale.reshape(self.out_features, -1, 1)
            zero = zero.reshape(self.out_features, -1, 1) if zero is not None else 0.0
            return ((view - zero) * scale).reshape(codes.shape)
        if self.per_channel:
            scale = self.scale[:, None]
            zero = zero[:, None] if zero is not None else 0.0
        else:
            scale = self.scale
            zero = zero if zero is not None else 0.0
        return (codes - zero) * scale

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return F.linear(input, self.dequantized_weight().to(input.dtype), self.bias)

    @property
    def storage_bytes(self) -> int:
        """Bytes of the buffers that hold the weight (codes, scales, zero points)."""
        return sum(
            b.numel() * b.element_size()
            for b in (self.qweight, self.scale, self.zero_point)
        )

    def extra_repr(self) -> str:
        how = (
            f"group_size={self.group_size}"
            if self.group_size
            else ("per_channel" if self.per_channel else "per_tensor")
        )
        kind = "symmetric" if self.symmetric else "asymmetric"
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bits={self.bits}, {kind}, {how}"
        )


def quantize_linear_layers(
    model: nn.Module,
    bits: int = 8,
    *,
    symmetric: bool = True,
    per_channel: bool = True,
    group_size: int | None = None,
    skip: tuple[str, ...] = ("lm_head",),
) -> list[str]:
    """Replace every ``nn.Linear`` of ``model`` (in place) by a :class:`QuantizedLinear`.

    Layers whose qualified name ends with one of ``skip`` stay in float (by default
    the output head, which language models often share with the embeddings).
    Returns the names of the replaced layers.

    Example:
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> quantize_linear_layers(net, bits=4)
        ['0', '2']
        >>> type(net[0]).__name__
        'QuantizedLinear'
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"quantize_linear_layers: model must be an nn.Module, got {type(model).__name__}"
        )
    replaced = []
    for name, module in list(model.named_modules()):
        if not isinstance(module, nn.Linear) or name.endswith(tuple(skip)):
            continue
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(
            parent,
            child,
            QuantizedLinear.from_linear(
                module, bits, symmetric=symmetric, per_channel=per_channel,
                group_size=group_size,
            ),
        )  # fmt: skip
        replaced.append(name)
    return replaced


def model_bytes(model: nn.Module) -> int:
    """Bytes of every parameter and buffer of ``model``, each shared tensor counted once.

    Example:
        >>> model_bytes(nn.Linear(10, 10))  # 110 float32 numbers
        440
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"model_bytes: expected an nn.Module, got {type(model).__name__}"
        )
    seen, total = set(), 0
    for tensor in [*model.parameters(), *model.buffers()]:
        key = (
            tensor.untyped_storage().data_ptr(),
            tensor.storage_offset(),
            tensor.shape,
        )
        if key not in seen:
            seen.add(key)
            total += tensor.numel() * tensor.element_size()
    return total


class MinMaxObserver:
    """Calibration: record the range of the activations that pass, then give their scale.

    Weights are known in advance, but a layer's inputs are not: their range must be
    measured on real data (calibration) before it is fixed for serving. Call the
    observer on a few batches, then :meth:`params`.

    Example:
        >>> observer = MinMaxObserver(bits=8, symmetric=False)
        >>> for batch in (torch.tensor([0.0, 1.0]), torch.tensor([0.5, 3.0])):
        ...     _ = observer(batch)
        >>> scale, zero = observer.params()
        >>> round(scale.item() * 255, 4), zero.item()
        (3.0, 0)
    """

    def __init__(self, bits: int = 8, symmetric: bool = True) -> None:
        self.bits, self.symmetric = bits, symmetric
        qrange(bits, symmetric)
        self.low: float | None = None
        self.high: float | None = None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_float(x, "MinMaxObserver")
        low, high = x.min().item(), x.max().item()
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)
        return x

    def params(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(scale, zero_point)`` for the range seen so far."""
        if self.low is None:
            raise RuntimeError(
                "MinMaxObserver.params: no data observed yet (calibrate first)"
            )
        seen = torch.tensor([self.low, self.high])
        return quantization_params(seen, self.bits, symmetric=self.symmetric)


def _check_float(x: object, who: str) -> torch.Tensor:
    require_tensor(x, who, "x")
    if not x.is_floating_point():
        raise TypeError(f"{who}: x must be a floating-point tensor, got {x.dtype}")
    return x
