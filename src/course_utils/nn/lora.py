"""LoRA from scratch: adapt a frozen linear layer with a trainable low-rank update.

Fine-tuning every weight of a large model needs memory for its gradients and
optimizer state, several times the model itself. LoRA (Hu et al., 2021) freezes
the pretrained weight ``W`` (out x in) and learns a low-rank correction instead:

    y = x W^T + (alpha / r) * x A^T B^T        A: (r, in),  B: (out, r),  r << in, out

Only ``A`` and ``B`` train: ``r * (in + out)`` numbers instead of ``in * out``.
``B`` starts at zero, so training starts from exactly the pretrained model; ``A``
starts random (as ``nn.Linear`` initializes its weights, like ``peft``). The factor
``alpha / r`` keeps the size of the update comparable when ``r`` changes. After
training, the update can be **merged** into ``W`` (``W += alpha / r * B A``): the
model is then as fast as the original, and **unmerged** to get the base back.

Parameter names follow ``peft`` (``lora_A``, ``lora_B``; the wrapped layer is
``base_layer``), so :func:`copy_lora_to_peft` can hand the weights over.

Example:
    >>> import torch
    >>> layer = LoRALinear(torch.nn.Linear(8, 6), r=2, alpha=4)
    >>> x = torch.randn(3, 8)
    >>> torch.equal(layer(x), layer.base_layer(x))  # B = 0: the pretrained layer
    True
    >>> sum(p.numel() for p in layer.parameters() if p.requires_grad)  # 2 * (8 + 6)
    28
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

from .._validation import require_int, require_non_negative, require_positive

__all__ = [
    "LoRALinear",
    "apply_lora",
    "lora_layers",
    "merge_lora",
    "unmerge_lora",
    "count_parameters",
    "copy_lora_to_peft",
]


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable update ``(alpha / r) * B @ A``.

    Args:
        base_layer: the pretrained layer; its parameters are frozen here.
        r: the rank of the update, 1 <= r <= min(in_features, out_features).
        alpha: the update is scaled by ``alpha / r`` (default ``alpha = r``: scale 1).
        dropout: dropout on the input of the update branch (training mode only).
    """

    def __init__(
        self,
        base_layer: nn.Linear,
        r: int,
        alpha: float | None = None,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        who = "LoRALinear"
        if not isinstance(base_layer, nn.Linear):
            raise TypeError(
                f"{who}: base_layer must be an nn.Linear, got {type(base_layer).__name__}"
            )
        require_int(who, "r", r, minimum=1)
        smallest = min(base_layer.in_features, base_layer.out_features)
        if r > smallest:
            raise ValueError(
                f"{who}: rank r={r} is larger than the layer allows: a {base_layer.in_features} -> "
                f"{base_layer.out_features} layer has rank at most {smallest}"
            )
        alpha = float(r) if alpha is None else require_positive(who, "alpha", alpha)
        if not 0 <= require_non_negative(who, "dropout", dropout) < 1:
            raise ValueError(f"{who}: dropout must be in [0, 1), got {dropout!r}")
        self.base_layer = base_layer
        for parameter in base_layer.parameters():
            parameter.requires_grad_(False)
        weight = base_layer.weight
        self.lora_A = nn.Parameter(
            torch.empty(
                r, base_layer.in_features, dtype=weight.dtype, device=weight.device
            )
        )
        self.lora_B = nn.Parameter(
            torch.zeros(
                base_layer.out_features, r, dtype=weight.dtype, device=weight.device
            )
        )
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.r, self.alpha, self.scaling = r, alpha, alpha / r
        self.lora_dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.merged = False

    @property
    def in_features(self) -> int:
        return self.base_layer.in_features

    @property
    def out_features(self) -> int:
        return self.base_layer.out_features

    def delta_weight(self) -> torch.Tensor:
        """The update ``(alpha / r) * B @ A``, shaped like the base weight (out, in)."""
        return self.scaling * (self.lora_B @ self.lora_A)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result = self.base_layer(x)
        if self.merged:
            return result
        update = self.lora_dropout(x) @ self.lora_A.T @ self.lora_B.T
        return result + self.scaling * update

    @torch.no_grad()
    def merge(self) -> None:
        """Add the update to the base weight; the forward pass is then one matmul."""
        if self.merged:
            raise RuntimeError("LoRALinear.merge: the update is already merged")
        self.base_layer.weight += self.delta_weight()
        self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Subtract the update again, giving back the pretrained weight (up to rounding)."""
        if not self.merged:
            raise RuntimeError("LoRALinear.unmerge: the update is not merged")
        self.base_layer.weight -= self.delta_weight()
        self.merged = False

    def extra_repr(self) -> str:
        return f"r={self.r}, alpha={self.alpha:g}, scaling={self.scaling:g}, merged={self.merged}"


def apply_lora(
    model: nn.Module,
    target_modules: Iterable[str] = ("q_proj", "v_proj"),
    r: int = 8,
    alpha: float | None = None,
    dropout: float = 0.0,
) -> list[str]:
    """Freeze ``model`` and wrap every ``nn.Linear`` whose name ends in a target with LoRA.

    Returns the full names of the wrapped layers. Only the LoRA matrices are left
    trainable, as ``peft.get_peft_model`` does.

    Example:
        >>> net = torch.nn.Sequential()
        >>> net.add_module("q_proj", torch.nn.Linear(4, 4))
        >>> net.add_module("out", torch.nn.Linear(4, 2))
        >>> apply_lora(net, ["q_proj"], r=2)
        ['q_proj']
        >>> count_parameters(net)  # (trainable, total): 2 * (4 + 4) LoRA numbers train
        (16, 46)
    """
    targets = (
        [target_modules] if isinstance(target_modules, str) else list(target_modules)
    )
    if not targets:
        raise ValueError("apply_lora: target_modules is empty")
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name in targets and type(child) is nn.Linear:
                setattr(module, child_name, LoRALinear(child, r, alpha, dropout))
                wrapped.append(f"{name}.{child_name}" if name else child_name)
    if not wrapped:
        raise ValueError(f"apply_lora: no nn.Linear named {targets} in the model")
    return wrapped


def lora_layers(model: nn.Module) -> list[LoRALinear]:
    """Every :class:`LoRALinear` inside ``model``."""
    return [m for m in model.modules() if isinstance(m, LoRALinear)]


def merge_lora(model: nn.Module) -> None:
    """Merge every LoRA layer of ``model`` into its base weight."""
    for layer in lora_layers(model):
        layer.merge()


def unmerge_lora(model: nn.Module) -> None:
    """Undo :func:`merge_lora`."""
    for layer in lora_layers(model):
        layer.unmerge()


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, total) numbers of parameters (shared tensors counted once)."""
    seen, trainable, total = set(), 0, 0
    for parameter in model.parameters():
        if id(parameter) in seen:
            continue
        seen.add(id(parameter))
        total += parameter.numel()
        trainable += parameter.numel() if parameter.requires_grad else 0
    return trainable, total


@torch.no_grad()
def copy_lora_to_peft(
    model: nn.Module, peft_model: nn.Module, adapter: str = "default"
) -> int:
    """Copy the LoRA matrices of ``model`` into the same layers of a ``peft`` model.

    Layers are matched by name (``...q_proj.lora_A`` -> ``...q_proj.lora_A.default.weight``);
    the scale must agree. Returns how many layers were copied.
    """
    theirs = dict(peft_model.named_modules())
    copied = 0
    for name, module in model.named_modules():
        if not isinstance(module, LoRALinear):
            continue
        match = [
            key
            for key in theirs
            if key.endswith(name) and hasattr(theirs[key], "lora_A")
        ]
        if len(match) != 1:
            raise ValueError(
                f"copy_lora_to_peft: no single peft layer for {name!r} (found {match})"
            )
        target = theirs[match[0]]
        if not math.isclose(target.scaling[adapter], module.scaling):
            raise ValueError(
                f"copy_lora_to_peft: {name} has scale alpha/r = {module.scaling:g} but the peft "
                f"layer has {target.scaling[adapter]:g}"
            )
        target.lora_A[adapter].weight.copy_(module.lora_A)
        target.lora_B[adapter].weight.copy_(module.lora_B)
        copied += 1
    return copied
