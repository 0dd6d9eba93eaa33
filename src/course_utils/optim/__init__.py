"""Optimizers written from scratch, mirroring ``torch.optim``; schedules, the range test, 2-D surfaces.

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

import torch

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_range import LRRangeResult, lr_range_test
from .rmsprop import RMSprop
from .sgd import SGD
from .surfaces import (
    PATH_OPTIMIZERS,
    SURFACES,
    OptimizerPath,
    Surface,
    make_optimizer,
    optimizer_path,
)

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    "lr_range_test",
    "LRRangeResult",
    "Surface",
    "SURFACES",
    "OptimizerPath",
    "PATH_OPTIMIZERS",
    "make_optimizer",
    "optimizer_path",
]

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

# LLM chapter: the training recipe of large language models.
from .recipe import decay_parameter_groups, warmup_cosine, warmup_cosine_scheduler  # noqa: E402

__all__ += ["warmup_cosine", "warmup_cosine_scheduler", "decay_parameter_groups"]
