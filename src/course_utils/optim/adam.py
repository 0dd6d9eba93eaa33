"""Adam and AdamW from scratch: momentum and RMSprop, with bias correction."""

from __future__ import annotations

import torch

from .._validation import require_betas, require_non_negative
from ._base import FromScratchOptimizer, Params

__all__ = ["Adam", "AdamW"]


class Adam(FromScratchOptimizer):
    """Adam: momentum on the gradient, RMSprop on its square, both bias-corrected.

    With ``m`` and ``v`` the running means of ``g`` and ``g**2`` (started at zero),
    step ``t`` does::

        m_hat = m / (1 - beta1**t)          # undo the pull towards the zero start
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    Args (as ``torch.optim.Adam``):
        params: tensors or parameter groups.
        lr: learning rate, >= 0.
        betas: (beta1, beta2), each in [0, 1).
        eps: >= 0, added to the denominator.
        weight_decay: L2 penalty, >= 0, added to the gradient (see :class:`AdamW`).

    Example:
        >>> w = torch.tensor([5.0], requires_grad=True)
        >>> w.grad = torch.tensor([1e-3])  # tiny gradient...
        >>> Adam([w], lr=0.5).step()
        >>> round(w.item(), 4)  # ...yet the first step has size lr
        4.5
    """

    decoupled = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        who = type(self).__name__
        require_non_negative(who, "lr", lr)
        require_betas(who, betas)
        require_non_negative(who, "eps", eps)
        require_non_negative(who, "weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = torch.zeros_like(param)  # m
            state["exp_avg_sq"] = torch.zeros_like(param)  # v
        state["step"] += 1
        t = state["step"]
        if wd != 0:
            if self.decoupled:
                param.mul_(1 - lr * wd)  # AdamW: shrink the weights directly
            else:
                grad = grad.add(param, alpha=wd)  # Adam: L2 penalty inside the gradient
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.lerp_(grad, 1 - beta1)  # m = beta1 * m + (1 - beta1) * g
        v.mul_(beta2).addcmul_(
            grad, grad, value=1 - beta2
        )  # v = beta2*v + (1-beta2)*g^2
        # Bias correction: m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t).
        step_size = lr / (1 - beta1**t)
        denominator = (v.sqrt() / (1 - beta2**t) ** 0.5).add_(group["eps"])
        param.addcdiv_(
            m, denominator, value=-step_size
        )  # p -= lr*m_hat/(sqrt(v_hat)+eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): ``p -= lr * weight_decay * p``.

    Same arguments as :class:`Adam` (and ``torch.optim.AdamW``); ``weight_decay``
    defaults to 0.01. The decay no longer passes through Adam's normalization, so
    every weight shrinks at the same relative rate whatever its gradient history.

    Example:
        >>> w = torch.tensor([2.0], requires_grad=True)
        >>> w.grad = torch.tensor([0.0])
        >>> AdamW([w], lr=0.1, weight_decay=0.5).step()
        >>> round(w.item(), 4)  # 2 * (1 - 0.1 * 0.5); a zero gradient moves nothing else
        1.9
    """

    decoupled = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
