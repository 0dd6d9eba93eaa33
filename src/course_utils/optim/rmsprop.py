"""RMSprop from scratch: divide by a running average of the squared gradients."""

from __future__ import annotations

import torch

from .._validation import require_fraction, require_non_negative
from ._base import FromScratchOptimizer, Params

__all__ = ["RMSprop"]


class RMSprop(FromScratchOptimizer):
    """RMSprop: divide by the root of a running *average* of squared gradients.

    Args (as ``torch.optim.RMSprop``):
        params: tensors or parameter groups.
        lr: learning rate, >= 0.
        alpha: smoothing constant in [0, 1) of the running average.
        eps: >= 0, added to the denominator.
        weight_decay: L2 penalty, >= 0.
        momentum: in [0, 1); momentum applied to the normalized step.
        centered: divide by an estimate of the gradient's *variance* instead.

    Example:
        >>> w = torch.tensor([1.0], requires_grad=True)
        >>> w.grad = torch.tensor([3.0])
        >>> RMSprop([w], lr=0.01, alpha=0.99).step()
        >>> round(w.item(), 4)  # first step: g / sqrt(0.01 * g**2) = 10
        0.9
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        require_non_negative("RMSprop", "lr", lr)
        require_fraction("RMSprop", "alpha", alpha)
        require_non_negative("RMSprop", "eps", eps)
        require_non_negative("RMSprop", "weight_decay", weight_decay)
        require_fraction("RMSprop", "momentum", momentum)
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
        )
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        alpha = group["alpha"]
        if not state:
            state["step"] = 0
            state["square_avg"] = torch.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = torch.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = torch.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(
            grad, grad, value=1 - alpha
        )  # v = a*v + (1-a)*g^2
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)  # mean = a*mean + (1-a)*g
            root = square_avg.addcmul(
                grad_avg, grad_avg, value=-1
            ).sqrt_()  # v - mean^2
        else:
            root = square_avg.sqrt()
        root = root.add_(group["eps"])
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer.mul_(group["momentum"]).addcdiv_(grad, root)  # b = mu*b + g / root
            param.add_(buffer, alpha=-group["lr"])
        else:
            param.addcdiv_(grad, root, value=-group["lr"])  # p = p - lr * g / root
