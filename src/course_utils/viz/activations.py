"""Activation functions and their derivatives as curves: the book's figure and the explorer's.

Example:
    >>> import torch
    >>> x = torch.linspace(-1, 1, 5)
    >>> value, slope = neuron_curves("relu", x, weight=2.0, bias=0.0)
    >>> value.tolist(), slope.tolist()
    ([0.0, 0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 2.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch

from ..nn.functional.activation import ACTIVATIONS, activation, activation_derivative

__all__ = ["ACTIVATION_PARAMETER", "neuron_curves", "plot_activations"]

#: The one shape parameter of some activations, and its keyword.
ACTIVATION_PARAMETER = {
    "leaky_relu": "negative_slope",
    "elu": "alpha",
    "softplus": "beta",
}


def neuron_curves(
    name: str,
    x: torch.Tensor,
    weight: float = 1.0,
    bias: float = 0.0,
    parameter: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Output a = f(w x + b) of a one-input neuron and its slope da/dx = w f'(w x + b).

    Args:
        name: a key of :data:`course_utils.nn.functional.ACTIVATIONS`.
        x: inputs.
        weight, bias: the neuron's w and b.
        parameter: the activation's shape parameter (see :data:`ACTIVATION_PARAMETER`);
            ignored by activations that have none, default if None.
    """
    kwargs = {}
    if parameter is not None and name in ACTIVATION_PARAMETER:
        kwargs[ACTIVATION_PARAMETER[name]] = parameter
    z = weight * x + bias
    return activation(name, z, **kwargs), weight * activation_derivative(
        name, z, **kwargs
    )


def plot_activations(
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] = (-4.0, 4.0),
    ncols: int = 4,
    size: float = 2.6,
):
    """One panel per activation: f(x) (solid) and f'(x) (dashed); returns the figure."""
    names = (
        list(names)
        if names is not None
        else [n for n in ACTIVATIONS if n != "identity"]
    )
    if not names:
        raise ValueError("plot_activations needs at least one activation name")
    x = torch.linspace(*x_range, 401)
    ncols = max(1, min(ncols, len(names)))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows * 0.85 + 0.4), squeeze=False
    )
    for ax in axes.flat[len(names) :]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        value, slope = neuron_curves(name, x)
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(x, value, lw=2, label="f(x)")
        ax.plot(x, slope, "--", lw=1.5, label="f'(x)")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("x", fontsize=8)
        ax.set_ylim(-1.6, 4.1)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
