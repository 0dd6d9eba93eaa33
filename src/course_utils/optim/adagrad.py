"""AdaGrad from scratch: per-parameter learning rates that shrink with the summed squared gradients."""

from __future__ import annotations

import torch

from .._validation import require_non_negative
from ._base import FromScratchOptimizer, Params

__all__ = ["Adagrad"]


class Adagrad(FromScratchOptimizer):
    """AdaGrad: divide each coordinate's step by the root of its summed squared gradients.

    Args (as ``torch.optim.Adagrad``):
        params: tensors or parameter groups.
        lr: learning rate, >= 0.
        lr_decay: >= 0; step t uses ``lr / (1 + (t - 1) * lr_decay)``.
        weight_decay: L2 penalty, >= 0.
        initial_accumulator_value: starting value (>= 0) of the sum of squares.
        eps: >= 0, added to the denominator.

    Example:
        >>> w = torch.tensor([1.0, 1.0], requires_grad=True)
        >>> w.grad = torch.tensor([100.0, 0.01])
        >>> Adagrad([w], lr=0.1).step()
        >>> [round(v, 4) for v in w.tolist()]  # both coordinates move by lr
        [0.9, 0.9]
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        for name, value in (
            ("lr", lr),
            ("lr_decay", lr_decay),
            ("weight_decay", weight_decay),
            ("initial_accumulator_value", initial_accumulator_value),
            ("eps", eps),
        ):
            require_non_negative("Adagrad", name, value)
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = torch.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        squares = state["sum"]
        squares.addcmul_(grad, grad)  # s = s + g * g
        denominator = squares.sqrt().add_(group["eps"])  # sqrt(s) + eps
        param.addcdiv_(grad, denominator, value=-lr)  # p = p - lr * g / (sqrt(s) + eps)
