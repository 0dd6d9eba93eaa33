"""Normalization layers, mirroring ``torch.nn``: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm`` and ``RMSNorm``.

Each module holds what its PyTorch namesake holds, under the same names: the
learned scale ``weight`` and shift ``bias`` and, for batch norm, the buffers
``running_mean``, ``running_var`` and ``num_batches_tracked``. So
``load_state_dict`` moves a layer between the two libraries, and the unit tests
check that both then give the same outputs and the same running statistics in
training and in evaluation mode. The arithmetic is in
:mod:`course_utils.nn.functional.normalization`.

Example:
    >>> import torch
    >>> ours, theirs = BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    >>> _ = theirs.load_state_dict(ours.state_dict())
    >>> x = torch.randn(16, 3)
    >>> torch.allclose(ours(x), theirs(x), atol=1e-6)  # training mode: batch statistics
    True
    >>> torch.allclose(ours.running_var, theirs.running_var)
    True
    >>> _ = ours.eval(), theirs.eval()
    >>> torch.allclose(ours(x[:1]), theirs(x[:1]), atol=1e-6)  # evaluation: running statistics
    True
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .._validation import require_dims, require_int, require_number, require_positive
from .functional.normalization import batch_norm, layer_norm, rms_norm

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "RMSNorm"]


class BatchNorm1d(nn.Module):
    """Batch normalization over (N, C) or (N, C, L) input, like ``nn.BatchNorm1d``.

    Args:
        num_features: C, the number of channels (features).
        eps: added to the variance before the square root.
        momentum: the weight of each new batch in the running statistics; ``None``
            makes them a plain (cumulative) average over all batches seen.
        affine: learn a per-channel scale ``weight`` (and shift ``bias``).
        track_running_stats: keep running statistics for evaluation; without them
            the layer always normalizes with the batch's own statistics.
        bias: with ``affine``, learn the shift too (PyTorch's keyword of the same name).
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        self.num_features = require_int(who, "num_features", num_features, minimum=1)
        self.eps = require_positive(who, "eps", eps)
        self.momentum = (
            None if momentum is None else require_number(who, "momentum", momentum)
        )
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        factory = {"device": device, "dtype": dtype}
        if self.affine:
            self.weight = nn.Parameter(torch.ones(num_features, **factory))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    _dims = (2, 3)  # the input dimensions the layer accepts, and how to name them
    _expected = "input of shape (N, C) or (N, C, L)"

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        who = type(self).__name__
        if not isinstance(input, torch.Tensor) or input.dim() not in self._dims:
            require_dims(input, self._dims[0], who, self._expected)
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{who}({self.num_features}) expects {self.num_features} channels "
                f"in dimension 1, got input of shape {tuple(input.shape)}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative average: batch k gets weight 1/k
                factor = 1.0 / float(self.num_batches_tracked)
        # Use the batch's statistics while training, or whenever there are no running ones.
        use_batch = self.training or self.running_mean is None
        keep = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if keep else None,
            self.running_var if keep else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm2d(BatchNorm1d):
    """Batch normalization over images (N, C, H, W), like ``nn.BatchNorm2d``.

    The same layer as :class:`BatchNorm1d`, for another shape: each channel is
    normalized with the mean and variance over the batch *and* every position
    (N x H x W numbers), so one image's 3x3 corner and another image's centre
    share the statistics of their channel. The arguments are :class:`BatchNorm1d`'s.

    Example:
        >>> ours, theirs = BatchNorm2d(4), torch.nn.BatchNorm2d(4)
        >>> x = torch.randn(8, 4, 5, 5)
        >>> torch.allclose(ours(x), theirs(x), atol=1e-5)
        True
    """

    _dims = (4,)
    _expected = "images of shape (N, C, H, W)"


def _as_shape(normalized_shape: object, who: str) -> tuple[int, ...]:
    if isinstance(normalized_shape, int) and not isinstance(normalized_shape, bool):
        normalized_shape = (normalized_shape,)
    if not isinstance(normalized_shape, Sequence) or not normalized_shape:
        raise TypeError(
            f"{who}: normalized_shape must be an int or a non-empty list of ints, "
            f"got {normalized_shape!r}"
        )
    return tuple(
        require_int(who, "normalized_shape", n, minimum=1) for n in normalized_shape
    )


class LayerNorm(nn.Module):
    """Layer normalization over the last dimensions, like ``nn.LayerNorm``.

    Args:
        normalized_shape: D, or the sizes of the last dimensions, e.g. ``(L, D)``.
        eps: added to the variance before the square root.
        elementwise_affine: learn a scale ``weight`` (and shift ``bias``) of that shape.
        bias: with ``elementwise_affine``, learn the shift too.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape, "LayerNorm")
        self.eps = require_positive("LayerNorm", "eps", eps)
        self.elementwise_affine = bool(elementwise_affine)
        factory = {"device": device, "dtype": dtype}
        weight = torch.ones(self.normalized_shape, **factory)
        shift = torch.zeros(self.normalized_shape, **factory)
        affine = self.elementwise_affine
        self.register_parameter("weight", nn.Parameter(weight) if affine else None)
        self.register_parameter(
            "bias", nn.Parameter(shift) if affine and bias else None
        )

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return layer_norm(
            input, list(self.normalized_shape), self.weight, self.bias, self.eps
        )

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}"
        )


class RMSNorm(nn.Module):
    """Root-mean-square normalization over the last dimensions, like ``nn.RMSNorm``.

    Args:
        normalized_shape: D, or the sizes of the last dimensions.
        eps: added to the mean square; ``None`` means the input dtype's machine epsilon.
        elementwise_affine: learn a scale ``weight`` (RMSNorm has no shift).
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape, "RMSNorm")
        self.eps = None if eps is None else require_positive("RMSNorm", "eps", eps)
        self.elementwise_affine = bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = nn.Parameter(
                torch.ones(self.normalized_shape, device=device, dtype=dtype)
            )
        else:
            self.register_parameter("weight", None)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return rms_norm(input, list(self.normalized_shape), self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}"
        )
