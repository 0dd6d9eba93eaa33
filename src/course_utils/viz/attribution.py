"""Pictures of attributions: a heat map over a photo, shaded tokens, a grid of methods by examples.

An attribution map has one number per pixel (summed over the colour channels)
or per token. For display it is made positive and scaled by a high percentile
(:func:`attribution_strength`), so that a handful of extreme pixels does not
leave the rest of the map black; the photo is shown in grey under it
(:func:`overlay_rgb`). Tokens are shaded red when they push the score up and
blue when they push it down (:func:`token_shading_html`).

Example:
    >>> import torch
    >>> overlay_rgb(torch.rand(3, 8, 8), torch.rand(8, 8)).shape
    (8, 8, 3)
    >>> "background" in token_shading_html(["a", "cat"], torch.tensor([0.1, -0.9]))
    True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._validation import shape_of
from .encode import _colour_table, as_numpy_image

__all__ = [
    "attribution_strength",
    "overlay_rgb",
    "token_shading_html",
    "plot_attribution_grid",
]


def attribution_strength(heat: torch.Tensor, percentile: float = 99.0) -> np.ndarray:
    """|heat| (H, W) or (C, H, W) summed over channels, scaled to [0, 1] by its ``percentile``.

    Example:
        >>> attribution_strength(torch.tensor([[0.0, -2.0], [1.0, 4.0]]), 100).tolist()
        [[0.0, 0.5], [0.25, 1.0]]
    """
    array = np.asarray(torch.as_tensor(heat).detach().cpu().double().numpy())
    if array.ndim == 3:
        array = np.abs(array).sum(0)
    if array.ndim != 2:
        raise ValueError(
            f"attribution_strength: heat must be (H, W) or (C, H, W), got {shape_of(heat)}"
        )
    array = np.abs(array)
    peak = np.percentile(array, percentile)
    return np.clip(array / peak, 0.0, 1.0) if peak > 0 else np.zeros_like(array)


def overlay_rgb(
    image: torch.Tensor,
    heat: torch.Tensor,
    opacity: float = 0.7,
    cmap: str = "inferno",
) -> np.ndarray:
    """The photo (3, H, W) in [0, 1], in grey, under the heat map (H, W): uint8 (H, W, 3).

    ``opacity`` 0 shows the photo only, 1 the heat map only.
    """
    photo = as_numpy_image(image)
    strength = attribution_strength(heat)
    if photo.shape[:2] != strength.shape:
        raise ValueError(
            f"overlay_rgb: image {photo.shape[:2]} and heat {strength.shape} differ in size"
        )
    grey = photo.mean(-1, keepdims=True) if photo.ndim == 3 else photo[..., None]
    table = _colour_table(cmap).astype(np.float32) / 255
    colour = table[np.minimum((strength * len(table)).astype(np.intp), len(table) - 1)]
    mixed = (1 - opacity) * np.repeat(grey, 3, -1) + opacity * colour
    return (np.clip(mixed, 0, 1) * 255).round().astype(np.uint8)


def token_shading_html(
    tokens: Sequence[str], scores: torch.Tensor, opacity: float = 1.0
) -> str:
    """Tokens as HTML spans, red for positive scores and blue for negative, shaded by |score|.

    Scores are divided by the largest |score|; the number itself is in each span's
    tooltip. ``opacity`` scales every shade.
    """
    scores = torch.as_tensor(scores, dtype=torch.float64).flatten()
    if len(scores) != len(tokens):
        raise ValueError(
            f"token_shading_html: {len(tokens)} tokens but {len(scores)} scores"
        )
    peak = float(scores.abs().max()) or 1.0
    spans = []
    for token, score in zip(tokens, scores.tolist()):
        alpha = opacity * abs(score) / peak
        colour = "220,50,32" if score >= 0 else "0,90,181"
        spans.append(
            f'<span title="{score:+.3f}" style="background:rgba({colour},{alpha:.2f});'
            f'padding:1px 3px;margin:1px;border-radius:3px">{html.escape(token)}</span>'
        )
    return (
        '<div style="line-height:2;font-family:monospace">' + " ".join(spans) + "</div>"
    )


def plot_attribution_grid(
    images: Mapping[str, torch.Tensor],
    maps: Mapping[str, Mapping[str, torch.Tensor]],
    opacity: float = 0.7,
    size: float = 1.9,
):
    """Rows: examples (``images[name]``, (3, H, W)); columns: the photo, then each method's map.

    ``maps[name][method]`` is the attribution (H, W) or (C, H, W) of example ``name``.
    Returns the figure.
    """
    names = list(images)
    methods = list(maps[names[0]])
    fig, axes = plt.subplots(
        len(names),
        1 + len(methods),
        figsize=(size * (1 + len(methods)), size * len(names)),
        squeeze=False,
    )
    for row, name in enumerate(names):
        axes[row, 0].imshow(as_numpy_image(images[name]).clip(0, 1))
        axes[row, 0].set_title(name, fontsize=9)
        for column, method in enumerate(methods, start=1):
            picture = overlay_rgb(images[name], maps[name][method], opacity)
            axes[row, column].imshow(picture)
            axes[row, column].set_title(method, fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig
