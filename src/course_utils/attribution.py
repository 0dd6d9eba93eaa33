"""Which parts of the input did a prediction depend on? Saliency, integrated gradients, occlusion.

Each method gives one number per input element (a pixel's channel, a token's
embedding feature), its *attribution* to one output of a model:

- **saliency** (Simonyan et al., 2014): the gradient of the output with respect
  to the input, ``|d f / d x|``: how much a tiny change of each element moves it;
- **integrated gradients** (Sundararajan et al., 2017): the gradient averaged
  along the straight path from a *baseline* ``b`` (a black image, zero
  embeddings) to the input, times ``x - b``. Its attributions add up to
  ``f(x) - f(b)`` (*completeness*), up to the error of the numerical integral,
  which shrinks as ``steps`` grows;
- **occlusion** (Zeiler and Fergus, 2014): cover a window of the input with the
  baseline and record how much the output drops; each element gets the mean
  drop of the windows that covered it. No gradient at all, one forward pass per
  window.

``forward`` is any function from a batch of inputs (N, ...) to scores (N, C),
for example a model returning logits; ``target`` picks the class whose score is
explained. The results match ``captum.attr.Saliency``, ``IntegratedGradients``
(same ``method`` and ``steps``) and ``Occlusion`` (``tests/test_attribution.py``).

Example:
    >>> import torch
    >>> weights = torch.tensor([[1.0, -2.0, 3.0]])
    >>> linear = lambda x: x @ weights.T  # f(x) = x1 - 2 x2 + 3 x3, one output
    >>> x = torch.tensor([[1.0, 1.0, 1.0]])
    >>> saliency(linear, x, target=0)
    tensor([[1., 2., 3.]])
    >>> attributions = integrated_gradients(linear, x, target=0, steps=4)
    >>> attributions
    tensor([[ 1., -2.,  3.]])
    >>> float(completeness_gap(linear, x, attributions, target=0).abs().max())
    0.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from ._validation import require_choice, require_floating, require_int, shape_of

__all__ = [
    "IG_METHODS",
    "integration_points",
    "saliency",
    "integrated_gradients",
    "completeness_gap",
    "occlusion",
]

#: Numerical integration rules of :func:`integrated_gradients` (captum's names).
IG_METHODS = ("riemann_left", "riemann_right", "riemann_middle", "gausslegendre")

Forward = Callable[[torch.Tensor], torch.Tensor]


def integration_points(steps: int, method: str = "gausslegendre") -> tuple[list, list]:
    """(alphas, weights) of a rule that integrates over [0, 1]: sum w g(alpha) ~ integral of g.

    Example:
        >>> integration_points(4, "riemann_middle")
        ([0.125, 0.375, 0.625, 0.875], [0.25, 0.25, 0.25, 0.25])
    """
    who = "integration_points"
    steps = require_int(who, "steps", steps, minimum=1)
    require_choice(who, "method", method, IG_METHODS)
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return (0.5 * (nodes + 1)).tolist(), (0.5 * weights).tolist()
    start = {"riemann_left": 0.0, "riemann_middle": 0.5, "riemann_right": 1.0}[method]
    return [(k + start) / steps for k in range(steps)], [1.0 / steps] * steps


def saliency(
    forward: Forward,
    inputs: torch.Tensor,
    target: int | Sequence[int] | torch.Tensor,
    absolute: bool = True,
) -> torch.Tensor:
    """The gradient of ``forward(inputs)[:, target]`` with respect to ``inputs`` (its size if ``absolute``).

    Args:
        forward: a batch (N, ...) -> scores (N, C).
        inputs: (N, ...) floating point.
        target: the class explained, one for all or one per example.
        absolute: return ``|gradient|`` (Simonyan et al.'s map), as captum does by default.

    Example:
        >>> square = lambda x: (x**2).sum(1, keepdim=True)
        >>> saliency(square, torch.tensor([[1.0, -3.0]]), 0, absolute=False)
        tensor([[ 2., -6.]])
    """
    inputs = _check_inputs("saliency", inputs)
    gradient = _gradients(forward, inputs, _targets("saliency", target, len(inputs)))
    return gradient.abs() if absolute else gradient


def integrated_gradients(
    forward: Forward,
    inputs: torch.Tensor,
    target: int | Sequence[int] | torch.Tensor,
    baseline: torch.Tensor | float = 0.0,
    steps: int = 50,
    method: str = "gausslegendre",
    batch_size: int | None = None,
) -> torch.Tensor:
    """Integrated gradients: ``(x - b) * mean of the gradient on the path from b to x``.

    The integral ``int_0^1 grad f(b + a (x - b)) da`` is computed with ``steps``
    points of the rule ``method`` (see :data:`IG_METHODS`).

    Args:
        forward: a batch (N, ...) -> scores (N, C).
        inputs: (N, ...) floating point.
        target: the class explained, one for all or one per example.
        baseline: a number, or a tensor of the shape of one example or of ``inputs``.
        steps: integration points (more: a smaller completeness gap, more compute).
        method: one of :data:`IG_METHODS`.
        batch_size: at most this many path points per forward pass (default: all).

    Example:
        >>> cube = lambda x: (x**3).sum(1, keepdim=True)  # attributions x^3, sum f(x) - f(0)
        >>> integrated_gradients(cube, torch.tensor([[1.0, 2.0]]), 0, steps=8).round(decimals=4)
        tensor([[1., 8.]])
    """
    who = "integrated_gradients"
    inputs = _check_inputs(who, inputs)
    steps = require_int(who, "steps", steps, minimum=1)
    require_choice(who, "method", method, IG_METHODS)
    baseline = _baseline(who, baseline, inputs)
    targets = _targets(who, target, len(inputs))
    alphas, weights = integration_points(steps, method)
    per_pass = (
        steps if batch_size is None else require_int(who, "batch_size", batch_size, 1)
    )
    total = torch.zeros_like(inputs)
    difference = inputs - baseline
    for start in range(0, steps, per_pass):
        chunk = range(start, min(start + per_pass, steps))
        path = torch.cat([baseline + alphas[k] * difference for k in chunk])
        gradient = _gradients(forward, path, targets.repeat(len(chunk)))
        for j, k in enumerate(chunk):
            total += weights[k] * gradient[j * len(inputs) : (j + 1) * len(inputs)]
    return difference * total


def completeness_gap(
    forward: Forward,
    inputs: torch.Tensor,
    attributions: torch.Tensor,
    target: int | Sequence[int] | torch.Tensor,
    baseline: torch.Tensor | float = 0.0,
) -> torch.Tensor:
    """Per example: ``sum(attributions) - (f(x) - f(baseline))``; zero for exact integrated gradients.

    Example:
        >>> double = lambda x: 2 * x.sum(1, keepdim=True)
        >>> completeness_gap(double, torch.ones(1, 3), torch.full((1, 3), 2.0), 0)
        tensor([0.])
    """
    who = "completeness_gap"
    inputs = _check_inputs(who, inputs)
    if attributions.shape != inputs.shape:
        raise ValueError(
            f"{who}: attributions must have the shape of inputs {shape_of(inputs)}, "
            f"got {shape_of(attributions)}"
        )
    baseline = _baseline(who, baseline, inputs)
    targets = _targets(who, target, len(inputs))
    with torch.no_grad():
        rows = torch.arange(len(inputs))
        change = forward(inputs)[rows, targets] - forward(baseline)[rows, targets]
    return attributions.flatten(1).sum(1).to(change.dtype) - change


def occlusion(
    forward: Forward,
    images: torch.Tensor,
    target: int | Sequence[int] | torch.Tensor,
    window: int = 16,
    stride: int = 8,
    baseline: float = 0.0,
) -> torch.Tensor:
    """Occlusion map of images (N, C, H, W): mean of ``f(x) - f(x with a window covered)``.

    Every ``window`` x ``window`` square (all channels at once), moved by
    ``stride``, is set to ``baseline``; each pixel gets the mean drop of the
    target score over the squares that covered it (0 where none did). Returns
    (N, C, H, W), the same map in every channel, as captum's ``Occlusion`` with
    ``sliding_window_shapes=(C, window, window)`` and ``strides=(C, stride, stride)``.

    Example:
        >>> brightness = lambda x: x.sum((1, 2, 3))[:, None]
        >>> occlusion(brightness, torch.ones(1, 1, 4, 4), 0, window=2, stride=2)[0, 0]
        tensor([[4., 4., 4., 4.],
                [4., 4., 4., 4.],
                [4., 4., 4., 4.],
                [4., 4., 4., 4.]])
    """
    who = "occlusion"
    images = _check_inputs(who, images)
    if images.dim() != 4:
        raise ValueError(
            f"{who}: images must be a batch (N, C, H, W), got shape {shape_of(images)}"
        )
    window = require_int(who, "window", window, minimum=1)
    stride = require_int(who, "stride", stride, minimum=1)
    n, _, height, width = images.shape
    if window > min(height, width):
        raise ValueError(
            f"{who}: window {window} is larger than the images ({height} x {width})"
        )
    targets = _targets(who, target, n)
    rows = torch.arange(n)
    corners = [
        (top, left)
        for top in range(0, height - window + 1, stride)
        for left in range(0, width - window + 1, stride)
    ]
    total = torch.zeros(n, height, width, dtype=images.dtype, device=images.device)
    count = torch.zeros(height, width, dtype=images.dtype, device=images.device)
    with torch.no_grad():
        base = forward(images)[rows, targets]
        for top, left in corners:
            covered = images.clone()
            covered[:, :, top : top + window, left : left + window] = baseline
            drop = base - forward(covered)[rows, targets]
            total[:, top : top + window, left : left + window] += drop.view(n, 1, 1)
            count[top : top + window, left : left + window] += 1
    heat = total / count.clamp(min=1)
    return heat.unsqueeze(1).expand_as(images).clone()


# --- checks and the one gradient helper -----------------------------------------------------
def _gradients(
    forward: Forward, inputs: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """d forward(inputs)[i, targets[i]] / d inputs[i], for every i at once."""
    with torch.enable_grad():
        inputs = inputs.detach().requires_grad_(True)
        scores = forward(inputs)
        if scores.dim() != 2 or len(scores) != len(inputs):
            raise ValueError(
                f"forward must return scores (N, C) for N = {len(inputs)} inputs, "
                f"got shape {shape_of(scores)}"
            )
        chosen = scores[torch.arange(len(inputs)), targets.to(scores.device)]
        (gradient,) = torch.autograd.grad(chosen.sum(), inputs)
    return gradient


def _check_inputs(who: str, inputs: object) -> torch.Tensor:
    inputs = require_floating(inputs, who, "inputs")
    if inputs.dim() < 2 or len(inputs) == 0:
        raise ValueError(
            f"{who}: inputs must be a non-empty batch (N, ...), got shape {shape_of(inputs)}"
        )
    return inputs


def _targets(who: str, target: object, n: int) -> torch.Tensor:
    if isinstance(target, bool) or not isinstance(
        target, int | Sequence | torch.Tensor
    ):
        raise TypeError(
            f"{who}: target must be an int or one int per example, got {type(target).__name__}"
        )
    targets = torch.as_tensor(target, dtype=torch.long)
    if targets.dim() == 0:
        targets = targets.repeat(n)
    if targets.shape != (n,):
        raise ValueError(
            f"{who}: target must be one int or {n} ints (one per example), "
            f"got shape {tuple(targets.shape)}"
        )
    return targets


def _baseline(who: str, baseline: object, inputs: torch.Tensor) -> torch.Tensor:
    if isinstance(baseline, int | float) and not isinstance(baseline, bool):
        return torch.full_like(inputs, float(baseline))
    if not isinstance(baseline, torch.Tensor):
        raise TypeError(
            f"{who}: baseline must be a number or a tensor, got {type(baseline).__name__}"
        )
    if baseline.shape == inputs.shape[1:]:
        return baseline.to(inputs).expand_as(inputs)
    if baseline.shape != inputs.shape:
        raise ValueError(
            f"{who}: baseline must have the shape of one example {tuple(inputs.shape[1:])} "
            f"or of inputs {tuple(inputs.shape)}, got {tuple(baseline.shape)}"
        )
    return baseline.to(inputs)
