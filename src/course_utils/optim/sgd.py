"""Stochastic gradient descent from scratch, with momentum, dampening and Nesterov's variant."""

from __future__ import annotations

from .._validation import require_fraction, require_non_negative
from ._base import FromScratchOptimizer, Params

__all__ = ["SGD"]


class SGD(FromScratchOptimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    Args (as ``torch.optim.SGD``):
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate, >= 0.
        momentum: factor in [0, 1) of the running "velocity" (0: plain SGD).
        dampening: in [0, 1); scales the new gradient added to the velocity by ``1 - dampening``.
        weight_decay: L2 penalty coefficient, >= 0 (added to the gradient).
        nesterov: look ahead along the velocity (needs momentum > 0 and dampening 0).

    Example:
        >>> import torch
        >>> w = torch.tensor([1.0], requires_grad=True)
        >>> w.grad = torch.tensor([2.0])
        >>> SGD([w], lr=0.1).step()
        >>> round(w.item(), 6)
        0.8
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        require_non_negative("SGD", "lr", lr)
        require_fraction("SGD", "momentum", momentum)
        require_fraction("SGD", "dampening", dampening)
        require_non_negative("SGD", "weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
        )
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])  # g + wd * p
        momentum = group["momentum"]
        if momentum != 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = grad.clone()  # first step: velocity = g
            else:
                # velocity = momentum * velocity + (1 - dampening) * g
                velocity = state["momentum_buffer"]
                velocity.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            velocity = state["momentum_buffer"]
            if group["nesterov"]:
                grad = grad.add(velocity, alpha=momentum)  # g + momentum * velocity
            else:
                grad = velocity
        param.add_(grad, alpha=-group["lr"])  # p = p - lr * direction
