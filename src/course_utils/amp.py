"""Mixed precision from scratch: dynamic loss scaling, mirroring ``torch.amp.GradScaler``.

float16 has 5 exponent bits: numbers below about 6e-8 round to zero. Late in
training many gradients of activations are that small, and a float16 backward
pass silently loses them. **Loss scaling** multiplies the loss by a large factor
``S`` before the backward pass, so every gradient is ``S`` times larger and stays
representable, then divides the float32 gradients of the (float32) master
weights by ``S`` before the optimizer step (Micikevicius et al., 2018).

A fixed ``S`` is either too small (underflow) or too large (overflow to inf).
The **dynamic** scaler starts high (``2**16``), halves ``S`` and skips the step
whenever a gradient is inf or NaN, and doubles it after ``growth_interval``
steps without overflow. bfloat16 has float32's 8 exponent bits, so it needs no
loss scaling (its problem is the 7-bit mantissa instead).

Example:
    >>> import torch
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> optimizer = torch.optim.SGD([w], lr=0.1)
    >>> scaler = GradScaler(init_scale=1024.0)
    >>> scaler.scale((w * torch.tensor([1.0, 2.0])).sum()).backward()
    >>> w.grad.tolist()  # scaled
    [1024.0, 2048.0]
    >>> scaler.step(optimizer)  # unscales, checks for inf, steps
    True
    >>> scaler.update()
    >>> [round(v, 4) for v in w.tolist()], scaler.get_scale()
    ([0.9, 0.8], 1024.0)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from ._validation import require_choice, require_int, require_positive

__all__ = ["GradScaler", "AutocastDtypes", "autocast_dtypes"]


class GradScaler:
    """Dynamic loss scaling with the arguments and behaviour of ``torch.amp.GradScaler``.

    Args:
        init_scale: the first scale ``S``.
        growth_factor: ``S`` is multiplied by this after ``growth_interval``
            consecutive steps with finite gradients.
        backoff_factor: ``S`` is multiplied by this after a step with an inf or
            NaN gradient (and that step is skipped).
        growth_interval: steps without overflow before ``S`` grows.
    """

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
    ) -> None:
        who = "GradScaler"
        require_positive(who, "init_scale", init_scale)
        if require_positive(who, "growth_factor", growth_factor) <= 1:
            raise ValueError(f"{who}: growth_factor must be > 1, got {growth_factor!r}")
        if not 0 < require_positive(who, "backoff_factor", backoff_factor) < 1:
            raise ValueError(
                f"{who}: backoff_factor must be in (0, 1), got {backoff_factor!r}"
            )
        require_int(who, "growth_interval", growth_interval, minimum=1)
        # float32, like PyTorch's scale tensor, so that both round the same way.
        self._scale = torch.tensor(float(init_scale), dtype=torch.float32)
        self.growth_factor, self.backoff_factor = growth_factor, backoff_factor
        self.growth_interval = growth_interval
        self._growth_tracker = 0
        self._found_inf: bool | None = None  # set by unscale_, consumed by update
        self._unscaled: set[int] = set()

    def get_scale(self) -> float:
        return self._scale.item()

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        """The loss times ``S``: call ``.backward()`` on this."""
        if not isinstance(loss, torch.Tensor):
            raise TypeError(
                f"GradScaler.scale: expected a tensor, got {type(loss).__name__}"
            )
        return loss * self._scale.to(loss.device, loss.dtype)

    def unscale_(self, optimizer: torch.optim.Optimizer) -> None:
        """Divide the gradients of ``optimizer``'s parameters by ``S``; note any inf or NaN.

        Call it yourself before clipping gradients (``clip_grad_norm_`` must see the
        true gradients); :meth:`step` calls it otherwise.
        """
        if id(optimizer) in self._unscaled:
            raise RuntimeError(
                "GradScaler.unscale_ was already called for this optimizer"
            )
        inverse = (
            1.0 / self._scale.double()
        ).float()  # as PyTorch: a float32 reciprocal
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.dtype == torch.float16:
                    raise ValueError(
                        "GradScaler: the parameters must stay float32 (master weights); "
                        "float16 gradients of float16 parameters cannot be unscaled"
                    )
                p.grad.mul_(inverse.to(p.grad.device))
                found = found or not bool(torch.isfinite(p.grad).all())
        self._found_inf = bool(self._found_inf) or found
        self._unscaled.add(id(optimizer))

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        """Unscale (if not done yet) and step, unless a gradient is inf or NaN.

        Returns whether the optimizer stepped.
        """
        if id(optimizer) not in self._unscaled:
            self.unscale_(optimizer)
        if self._found_inf:
            return False
        optimizer.step()
        return True

    def update(self) -> None:
        """Shrink ``S`` after an overflow, grow it after ``growth_interval`` clean steps."""
        if self._found_inf is None:
            raise RuntimeError("GradScaler.update: call step (or unscale_) first")
        if self._found_inf:
            self._scale = self._scale * self.backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self.growth_interval:
                self._scale = self._scale * self.growth_factor
                self._growth_tracker = 0
        self._found_inf = None
        self._unscaled.clear()


@dataclass(frozen=True)
class AutocastDtypes:
    """The dtypes one training step under ``torch.autocast`` produced, on one device."""

    device: str
    autocast: torch.dtype  # the 16-bit type autocast used for matrix products
    parameters: torch.dtype  # the master weights: float32
    output: torch.dtype  # a linear layer's output: 16 bits
    loss: torch.dtype  # cross-entropy runs in float32
    gradient: torch.dtype  # gradients of the master weights: float32


def autocast_dtypes(
    module: torch.nn.Module,
    inputs: torch.Tensor,
    target: torch.Tensor,
    device: str | torch.device = "cpu",
    dtype: torch.dtype | None = None,
) -> AutocastDtypes:
    """Run one forward and backward pass of a classifier under ``torch.autocast``; report the dtypes.

    A copy of ``module`` and the data are moved to ``device``; the logits and the
    cross-entropy are computed under ``torch.autocast(device.type, dtype)``, the
    backward pass outside it. ``dtype`` defaults to bfloat16 on the CPU and
    float16 on a CUDA GPU (the format every CUDA GPU has; use it with a
    ``GradScaler``). The same code runs on both: only the device changes.

    Example:
        >>> layer, x = torch.nn.Linear(8, 4), torch.randn(3, 8)
        >>> d = autocast_dtypes(layer, x, torch.tensor([0, 1, 2]))
        >>> d.parameters, d.output, d.loss, d.gradient
        (torch.float32, torch.bfloat16, torch.float32, torch.float32)
    """
    who = "autocast_dtypes"
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"{who}: module must be an nn.Module, got {type(module).__name__}"
        )
    for name, value in (("inputs", inputs), ("target", target)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{who}: {name} must be a tensor, got {type(value).__name__}"
            )
    device = torch.device(device)
    require_choice(who, "device type", device.type, ["cpu", "cuda"])
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{who}: device {str(device)!r} asked for, but no CUDA GPU is available"
        )
    if dtype is None:
        dtype = torch.bfloat16 if device.type == "cpu" else torch.float16
    require_choice(who, "dtype", dtype, [torch.bfloat16, torch.float16])
    model = copy.deepcopy(module).to(device)
    inputs, target = inputs.to(device), target.to(device)
    with torch.autocast(device.type, dtype=dtype):
        output = model(inputs)
        loss = torch.nn.functional.cross_entropy(output, target)
    loss.backward()
    parameter = next(model.parameters())
    return AutocastDtypes(
        device=str(device),
        autocast=dtype,
        parameters=parameter.dtype,
        output=output.dtype,
        loss=loss.dtype,
        gradient=parameter.grad.dtype,
    )
