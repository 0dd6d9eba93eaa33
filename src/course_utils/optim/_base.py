"""The shared part of the from-scratch optimizers: loop over parameters, call ``update``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

__all__ = ["FromScratchOptimizer", "Params"]

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


class FromScratchOptimizer(torch.optim.Optimizer):
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
