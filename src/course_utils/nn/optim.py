"""Optimizers written from scratch: SGD (momentum, Nesterov), AdaGrad, RMSprop, Adam, AdamW.

Each class takes the constructor arguments of its ``torch.optim`` namesake and,
step for step, moves the parameters exactly as PyTorch does (the unit tests run
both on random problems and hyper-parameters). They subclass
``torch.optim.Optimizer``, so ``zero_grad``, parameter groups, ``state_dict``
and the learning-rate schedulers of ``torch.optim.lr_scheduler`` all work.

Every optimizer keeps, for each parameter ``p`` with gradient ``g``, a little
state and applies one update rule, written out in its :meth:`update` method:

=========  =================================================================
SGD        ``p -= lr * g``; with momentum ``b = momentum * b + g``, ``p -= lr * b``
AdaGrad    ``s += g**2``; ``p -= lr * g / (sqrt(s) + eps)``
RMSprop    ``v = alpha * v + (1 - alpha) * g**2``; ``p -= lr * g / (sqrt(v) + eps)``
Adam       ``m``, ``v`` running means of ``g`` and ``g**2``, bias-corrected:
           ``p -= lr * m_hat / (sqrt(v_hat) + eps)``
AdamW      Adam, with the weight decay applied to ``p`` directly: ``p -= lr * wd * p``
=========  =================================================================

Example:
    >>> import torch
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> optimizer.step()
    >>> [round(v, 4) for v in w.tolist()]  # the first Adam step moves each weight by lr
    [0.9, -1.9]
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import Any

import torch

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "OPTIMIZERS"]

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


# ----------------------------------------------------------------------------- checks


def _number(who: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{who}: {name} must be a number, got {value!r}")
    return float(value)


def _at_least_zero(who: str, name: str, value: object) -> None:
    if not _number(who, name, value) >= 0:  # also rejects NaN
        raise ValueError(f"{who}: {name} must be >= 0, got {value!r}")


def _in_unit_interval(who: str, name: str, value: object) -> None:
    if not 0 <= _number(who, name, value) < 1:
        raise ValueError(f"{who}: {name} must be in [0, 1), got {value!r}")


def _betas(who: str, betas: object) -> None:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
    _in_unit_interval(who, "betas[0]", betas[0])
    _in_unit_interval(who, "betas[1]", betas[1])


# ----------------------------------------------------------------------------- base class


class _FromScratch(torch.optim.Optimizer):
    """Loop over every parameter that has a gradient and call :meth:`update` on it.

    A subclass only writes ``update(param, grad, state, group)``: ``state`` is this
    parameter's dict (empty on the first step) and ``group`` its hyper-parameters.
    """

    def update(
        self,
        param: torch.Tensor,
        grad: torch.Tensor,
        state: dict[str, Any],
        group: dict[str, Any],
    ) -> None:
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if param.grad.is_sparse:
                    raise TypeError(
                        f"{type(self).__name__} does not handle sparse gradients"
                    )
                self.update(param, param.grad, self.state[param], group)
        return loss


# ----------------------------------------------------------------------------- SGD


class SGD(_FromScratch):
    """Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    Args (as ``torch.optim.SGD``):
        params: tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate, >= 0.
        momentum: factor in [0, 1) of the running "velocity" (0: plain SGD).
        dampening: in [0, 1); scales the new gradient added to the velocity by ``1 - dampening``.
        weight_decay: L2 penalty coefficient, >= 0 (added to the gradient).
        nesterov: look ahead along the velocity (needs momentum > 0 and dampening 0).

    Example:
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
        _at_least_zero("SGD", "lr", lr)
        _in_unit_interval("SGD", "momentum", momentum)
        _in_unit_interval("SGD", "dampening", dampening)
        _at_least_zero("SGD", "weight_decay", weight_decay)
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


# ----------------------------------------------------------------------------- AdaGrad


class Adagrad(_FromScratch):
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
            _at_least_zero("Adagrad", name, value)
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


# ----------------------------------------------------------------------------- RMSprop


class RMSprop(_FromScratch):
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
        _at_least_zero("RMSprop", "lr", lr)
        _in_unit_interval("RMSprop", "alpha", alpha)
        _at_least_zero("RMSprop", "eps", eps)
        _at_least_zero("RMSprop", "weight_decay", weight_decay)
        _in_unit_interval("RMSprop", "momentum", momentum)
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


# ----------------------------------------------------------------------------- Adam, AdamW


class Adam(_FromScratch):
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
        _at_least_zero(who, "lr", lr)
        _betas(who, betas)
        _at_least_zero(who, "eps", eps)
        _at_least_zero(who, "weight_decay", weight_decay)
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


#: Every from-scratch optimizer by name, beside its ``torch.optim`` namesake.
OPTIMIZERS: dict[
    str, tuple[type[torch.optim.Optimizer], type[torch.optim.Optimizer]]
] = {
    "SGD": (SGD, torch.optim.SGD),
    "Adagrad": (Adagrad, torch.optim.Adagrad),
    "RMSprop": (RMSprop, torch.optim.RMSprop),
    "Adam": (Adam, torch.optim.Adam),
    "AdamW": (AdamW, torch.optim.AdamW),
}
