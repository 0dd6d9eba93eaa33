"""What a deep MLP does to its signal at initialization: per-layer histograms of activations and gradients.

:func:`deep_mlp_statistics` pushes one random batch through a stack of
``depth`` square linear layers (no biases), each followed by an optional
normalization and an activation, initialized by one of :data:`INITIALIZATIONS`;
then it backpropagates a random gradient from the top. It returns, per layer,
the standard deviation and a histogram of the activations and of their
gradients. :func:`histogram_image` turns the histograms into a picture (one
row per layer) with NumPy alone, fast enough for an explorer;
:func:`plot_layer_histograms` draws the grid of initialization x activation
that the book shows.

Example:
    >>> stats = deep_mlp_statistics(depth=20, width=64, init="naive_small", activation="tanh")
    >>> stats.activation_std[-1] < 1e-10  # std 0.01 weights: the signal vanishes
    True
    >>> stats = deep_mlp_statistics(depth=20, width=64, init="kaiming", activation="relu")
    >>> 0.3 < stats.activation_std[-1] < 3  # Kaiming keeps it
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from .._validation import require_choice, require_int
from ..nn.functional.normalization import batch_norm, layer_norm
from ..nn.init import calculate_gain

__all__ = [
    "INITIALIZATIONS",
    "INIT_ACTIVATIONS",
    "NORMALIZATIONS",
    "LayerStatistics",
    "init_std",
    "deep_mlp_statistics",
    "histogram_image",
    "plot_layer_histograms",
]

#: Initialization name -> label. All draw N(0, std^2); :func:`init_std` gives std.
INITIALIZATIONS = {
    "naive_small": "naive N(0, 0.01²)",
    "naive_large": "naive N(0, 1)",
    "xavier": "Xavier (Glorot)",
    "kaiming": "Kaiming (He)",
}
#: Activations a layer can apply, with the value range its histogram shows.
INIT_ACTIVATIONS = {"tanh": (-1.0, 1.0), "relu": (0.0, 3.0), "linear": (-3.0, 3.0)}
NORMALIZATIONS = ("none", "batch", "layer")
#: Values per layer that the statistics and histograms use.
SAMPLES = 4096

_FUNCTIONS = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}


def init_std(init: str, activation: str, fan_in: int, fan_out: int) -> float:
    """The weights' standard deviation under ``init`` for a layer with these fans.

    Xavier uses gain 1, as Glorot and Bengio did; Kaiming uses the activation's
    gain (sqrt(2) for ReLU, 5/3 for tanh, 1 for linear) over sqrt(fan_in).

    Example:
        >>> round(init_std("kaiming", "relu", 200, 100), 4), init_std("naive_small", "relu", 5, 5)
        (0.1, 0.01)
    """
    require_choice("init_std", "init", init, tuple(INITIALIZATIONS))
    require_choice("init_std", "activation", activation, tuple(INIT_ACTIVATIONS))
    if init == "naive_small":
        return 0.01
    if init == "naive_large":
        return 1.0
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    return float(calculate_gain(activation)) / math.sqrt(fan_in)


@dataclass
class LayerStatistics:
    """Per-layer results of :func:`deep_mlp_statistics` (index 0 = the first layer)."""

    activation_std: list[float]
    gradient_std: list[float]
    activation_hist: torch.Tensor  # (depth, bins) counts
    gradient_hist: torch.Tensor  # (depth, bins) counts
    activation_range: tuple[float, float]
    gradient_range: tuple[float, float]
    first_nonfinite: int | None  # first layer (1-based) whose activations overflowed


def _histograms(
    values: torch.Tensor, low: float, high: float, bins: int
) -> torch.Tensor:
    """(depth, n) values -> (depth, bins) counts over [low, high], all layers at once.

    Values outside the range (infinities included) pile up in the end bins; NaNs are dropped.
    """
    depth = values.shape[0]
    position = (values - low).mul_(bins / (high - low)).clamp_(0, bins - 1)
    index = position.to(torch.int64)  # truncation is the floor: position >= 0
    index += bins * torch.arange(depth).unsqueeze(1)
    nan = torch.isnan(values)
    if nan.any():
        index = index[~nan]
    counts = torch.bincount(index.flatten(), minlength=depth * bins)
    return counts.view(depth, bins).float()


def _stds(values: torch.Tensor) -> list[float]:
    """Standard deviation of each row; inf for a row whose values overflowed."""
    finite = torch.isfinite(values).all(dim=1)
    stds = values.double().std(dim=1).masked_fill(~finite, math.inf)
    return stds.tolist()


def deep_mlp_statistics(
    depth: int,
    width: int,
    init: str = "kaiming",
    activation: str = "relu",
    normalization: str = "none",
    batch: int = 64,
    bins: int = 48,
    seed: int = 0,
    weights: torch.Tensor | None = None,
    inputs: torch.Tensor | None = None,
) -> LayerStatistics:
    """Activations and gradients, layer by layer, of a freshly initialized deep MLP.

    Layer ``l`` computes ``h_l = f(norm(h_{l-1} @ W_l.T))``. The loss is
    ``(h_depth * r).sum() / batch`` for a fixed random ``r``, so the gradient
    that reaches the top layer has the same size whatever happened below.

    Args:
        depth, width: number of layers and units per layer.
        init: a key of :data:`INITIALIZATIONS`.
        activation: a key of :data:`INIT_ACTIVATIONS`.
        normalization: ``"none"``, ``"batch"`` (batch statistics) or ``"layer"``,
            applied before the activation, without learned scale or shift.
        batch: examples in the random input batch.
        bins: histogram bins.
        seed: seeds the weights, the input and ``r`` unless given.
        weights: optional standard-normal weights (at least depth x width x width),
            reused across calls (the explorer draws them once); scaled by :func:`init_std`.
        inputs: optional standard-normal input, at least (batch, width).
    """
    who = "deep_mlp_statistics"
    require_int(who, "depth", depth, minimum=1)
    require_int(who, "width", width, minimum=2)
    require_int(who, "batch", batch, minimum=2)
    require_int(who, "bins", bins, minimum=2)
    require_choice(who, "normalization", normalization, NORMALIZATIONS)
    std = init_std(init, activation, width, width)
    generator = torch.Generator().manual_seed(seed)
    if weights is None:
        weights = torch.randn(depth, width, width, generator=generator)
    elif (
        weights.dim() != 3 or weights.shape[0] < depth or min(weights.shape[1:]) < width
    ):
        raise ValueError(
            f"{who}: weights must be at least ({depth}, {width}, {width}), "
            f"got {tuple(weights.shape)}"
        )
    if inputs is None:
        inputs = torch.randn(batch, width, generator=generator)
    elif inputs.shape[0] < batch or inputs.shape[1] < width:
        raise ValueError(
            f"{who}: inputs must be at least ({batch}, {width}), got {tuple(inputs.shape)}"
        )
    f = _FUNCTIONS[activation]
    h = inputs[:batch, :width].detach().requires_grad_(True)
    activations = []
    with torch.enable_grad():
        for layer in range(depth):
            z = (h @ weights[layer, :width, :width].T) * std  # = h @ (std * W).T
            if normalization == "batch":
                z = batch_norm(z, None, None, training=True)
            elif normalization == "layer":
                z = layer_norm(z, [width])
            h = f(z)
            activations.append(h)
        # A random gradient from the top; d loss / d h_l for every layer in one call.
        upstream = torch.randn(h.shape, generator=generator)
        loss = (h * upstream).sum() / batch
        gradients = list(torch.autograd.grad(loss, activations))
    # Statistics from (at most) the first SAMPLES values of each layer: plenty, and fast.
    acts = torch.stack([a.detach().flatten()[:SAMPLES] for a in activations])
    grads = torch.stack([g.flatten()[:SAMPLES] for g in gradients])
    finite = torch.isfinite(acts).all(dim=1)
    low, high = INIT_ACTIVATIONS[activation]
    top = _stds(grads[-1:])[0]
    spread = (-3 * top, 3 * top) if 0 < top < math.inf else (-1.0, 1.0)
    return LayerStatistics(
        activation_std=_stds(acts),
        gradient_std=_stds(grads),
        activation_hist=_histograms(acts, low, high, bins),
        gradient_hist=_histograms(grads, *spread, bins),
        activation_range=(low, high),
        gradient_range=spread,
        first_nonfinite=None if finite.all() else int((~finite).nonzero()[0]) + 1,
    )


#: 256 RGB colours of matplotlib's "magma" map, looked up by NumPy (no figure needed).
_LUT = (matplotlib.colormaps["magma"](np.linspace(0, 1, 256))[:, :3] * 255).astype(
    np.uint8
)


def histogram_image(
    hist: torch.Tensor, row_height: int = 4, bin_width: int = 5, gap: int = 1
) -> np.ndarray:
    """(depth, bins) counts -> an RGB picture, one row per layer (the first at the top).

    Each row is scaled by its own largest count on a logarithmic scale, so a
    spike at zero does not hide the rest of the distribution.

    Example:
        >>> histogram_image(torch.tensor([[0.0, 5.0], [1.0, 1.0]]), row_height=2, bin_width=3).shape
        (5, 6, 3)
    """
    _require_counts(hist)
    counts = hist.detach().double().clamp_min(0).log1p().numpy()
    peak = counts.max(axis=1, keepdims=True)
    levels = np.divide(counts, peak, out=np.zeros_like(counts), where=peak > 0)
    pixels = _LUT[(levels * 255).round().astype(np.intp)]  # (depth, bins, 3)
    pixels = pixels.repeat(bin_width, axis=1)
    depth = pixels.shape[0]
    out = np.full(
        (depth * row_height + (depth - 1) * gap, pixels.shape[1], 3), 255, np.uint8
    )
    for layer in range(depth):
        top = layer * (row_height + gap)
        out[top : top + row_height] = pixels[layer]
    return out


def _require_counts(hist: object) -> None:
    if not isinstance(hist, torch.Tensor) or hist.dim() != 2:
        got = (
            tuple(hist.shape) if isinstance(hist, torch.Tensor) else type(hist).__name__
        )
        raise ValueError(
            f"histogram_image expects counts of shape (layers, bins), got {got}"
        )


def plot_layer_histograms(
    depth: int = 50,
    width: int = 128,
    inits: tuple[str, ...] = tuple(INITIALIZATIONS),
    activations: tuple[str, ...] = ("tanh", "relu"),
    normalization: str = "none",
    kind: str = "activations",
    batch: int = 128,
    seed: int = 0,
):
    """The grid the book shows: per-layer histograms for each initialization x activation.

    Each panel has one row per layer (layer 1 at the top) and the value on the
    horizontal axis; brighter means more values there (log scale, per row).
    Returns the figure.
    """
    require_choice("plot_layer_histograms", "kind", kind, ("activations", "gradients"))
    fig, axes = plt.subplots(
        len(activations),
        len(inits),
        figsize=(2.6 * len(inits), 2.6 * len(activations) + 0.5),
        squeeze=False,
    )
    weights = torch.randn(
        depth, width, width, generator=torch.Generator().manual_seed(seed)
    )
    for row, activation in enumerate(activations):
        for col, init in enumerate(inits):
            stats = deep_mlp_statistics(
                depth, width, init, activation, normalization, batch=batch,
                seed=seed, weights=weights,
            )  # fmt: skip
            hist = (
                stats.activation_hist if kind == "activations" else stats.gradient_hist
            )
            low, high = (
                stats.activation_range
                if kind == "activations"
                else stats.gradient_range
            )
            ax = axes[row, col]
            ax.imshow(
                histogram_image(hist, row_height=1, bin_width=1, gap=0),
                aspect="auto",
                extent=(low, high, depth + 0.5, 0.5),
                interpolation="nearest",
            )
            stds = stats.activation_std if kind == "activations" else stats.gradient_std
            ax.set_title(
                f"{INITIALIZATIONS[init]}, {activation}\nstd: layer 1 {stds[0]:.1e}, "
                f"layer {depth} {stds[-1]:.1e}",
                fontsize=8,
            )
            ax.tick_params(labelsize=7)
            if col == 0:
                ax.set_ylabel("layer", fontsize=8)
            if row == len(activations) - 1:
                ax.set_xlabel(
                    "activation" if kind == "activations" else "gradient", fontsize=8
                )
    norm = "" if normalization == "none" else f", {normalization} norm"
    fig.suptitle(
        f"{kind.capitalize()} per layer of a {depth}-layer MLP (width {width}{norm})"
    )
    fig.tight_layout()
    return fig
