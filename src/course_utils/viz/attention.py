"""Attention maps as pictures: a labelled heatmap, panels and grids on one colour scale, HTML.

Attention weights are probabilities, so every figure draws them on one fixed
scale, 0 (white) to 1 (dark blue), with one colourbar: two panels of the same
figure can be compared cell by cell, and a faint map is faint because its
weights are spread, not because the scale moved. Rows are queries (the tokens
that attend), columns are keys (the tokens attended to), and both axes carry
the tokens. Chinese characters are drawn as they are (the CJK font registered by
:mod:`course_utils.viz`). The explorer's HTML views use the same colours.

Example:
    >>> import torch
    >>> fig = plot_attention(torch.eye(3), list("abc"), list("abc"), "identity")
    >>> [ax.get_title() for ax in fig.axes]
    ['identity', '']
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from .._validation import require_int, require_number

__all__ = [
    "plot_attention",
    "plot_attention_panels",
    "plot_attention_grid",
    "attention_table_html",
    "attention_text_html",
    "tile_attention",
]

CMAP = "Blues"


def _matrix(weights, who: str = "plot_attention") -> np.ndarray:
    if not isinstance(weights, (torch.Tensor, np.ndarray)):
        raise TypeError(
            f"{who}: weights must be a tensor or an array, got {type(weights).__name__}"
        )
    array = torch.as_tensor(weights).detach().float().cpu().numpy()
    if array.ndim != 2:
        raise ValueError(
            f"{who}: expected attention weights (queries, keys), got shape {array.shape}"
        )
    return array


def _scale(vmin, vmax, who: str) -> tuple[float, float]:
    vmin, vmax = require_number(who, "vmin", vmin), require_number(who, "vmax", vmax)
    if not vmin < vmax:
        raise ValueError(f"{who}: need vmin < vmax, got vmin={vmin}, vmax={vmax}")
    return float(vmin), float(vmax)


def _label_axes(
    ax, queries, keys, xlabel, ylabel, fontsize=8, show_x=True, show_y=True
):
    ax.set_xticks(
        range(len(keys)), keys if show_x else [], rotation=90, fontsize=fontsize
    )
    ax.set_yticks(range(len(queries)), queries if show_y else [], fontsize=fontsize)
    ax.tick_params(length=0 if not (show_x or show_y) else 2)
    if xlabel and show_x:
        ax.set_xlabel(xlabel)
    if ylabel and show_y:
        ax.set_ylabel(ylabel)


def plot_attention(
    weights,
    queries: Sequence[str],
    keys: Sequence[str],
    title: str = "",
    ax=None,
    xlabel: str = "key (attended to)",
    ylabel: str = "query (attending)",
    vmin: float = 0.0,
    vmax: float = 1.0,
    colorbar: bool = True,
    colorbar_label: str = "attention weight",
    aspect: str = "equal",
):
    """One attention map as a heatmap, rows = queries, columns = keys; returns the figure.

    The colour scale is fixed (``vmin`` to ``vmax``, 0 to 1 for weights) and drawn
    as a colourbar unless ``colorbar=False`` (for a panel of a larger figure that
    has one colourbar for all its panels: :func:`plot_attention_panels`).
    ``aspect="auto"`` lets the cells stretch to fill the axes.
    """
    who = "plot_attention"
    array = _matrix(weights, who)
    if array.shape != (len(queries), len(keys)):
        raise ValueError(
            f"{who}: weights of shape {array.shape} do not match {len(queries)} queries "
            f"and {len(keys)} keys"
        )
    vmin, vmax = _scale(vmin, vmax, who)
    if ax is None:
        _, ax = plt.subplots(
            figsize=(0.3 * len(keys) + 2.4, 0.3 * len(queries) + 1.2),
            layout="constrained",
        )
    image = ax.imshow(array, cmap=CMAP, vmin=vmin, vmax=vmax, aspect=aspect)
    _label_axes(ax, list(queries), list(keys), xlabel, ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, shrink=0.8, label=colorbar_label)
    return ax.figure


def plot_attention_panels(
    panels: Sequence[tuple],
    xlabel: str = "key (attended to)",
    ylabel: str = "query (attending)",
    vmin: float = 0.0,
    vmax: float = 1.0,
    panel_width: float | None = None,
    height: float | None = None,
    colorbar_label: str = "attention weight",
    columns: int | None = None,
    aspect: str = "auto",
):
    """Several attention maps side by side, on one colour scale with one colourbar.

    Args:
        panels: ``(weights, queries, keys, title)`` for each map.
        xlabel, ylabel: axis labels (the y label on the first panel only).
        vmin, vmax: the colour scale shared by every panel.
        panel_width, height: inches per panel (default: from the number of tokens).
        columns: panels per row (default: all in one row).
        aspect: ``"auto"`` (panels of one size, cells stretched) or ``"equal"``.

    Example:
        >>> import torch
        >>> fig = plot_attention_panels([(torch.eye(2), ["a", "b"], ["a", "b"], "one"),
        ...                              (torch.ones(2, 3) / 3, ["a", "b"], list("xyz"), "two")])
        >>> len(fig.axes)  # two panels and one colourbar
        3
    """
    who = "plot_attention_panels"
    if not isinstance(panels, Sequence) or not panels:
        raise ValueError(f"{who}: panels must be a non-empty list, got {panels!r:.60}")
    for number, panel in enumerate(panels):
        if not isinstance(panel, tuple) or len(panel) != 4:
            raise ValueError(
                f"{who}: panel {number} must be (weights, queries, keys, title), "
                f"got {type(panel).__name__} of length {len(panel) if isinstance(panel, tuple) else '-'}"
            )
    vmin, vmax = _scale(vmin, vmax, who)
    columns = len(panels) if columns is None else columns
    require_int(who, "columns", columns, minimum=1)
    columns = min(columns, len(panels))
    rows = -(-len(panels) // columns)
    most_keys = max(len(p[2]) for p in panels)
    most_queries = max(len(p[1]) for p in panels)
    panel_width = panel_width or 0.28 * most_keys + 1.2
    height = height or 0.28 * most_queries + 1.6
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(panel_width * columns + 1.0, height * rows),
        layout="constrained",
        squeeze=False,
    )
    flat = list(axes.flat)
    for index, (ax, (weights, queries, keys, title)) in enumerate(zip(flat, panels)):
        plot_attention(
            weights,
            queries,
            keys,
            title,
            ax=ax,
            xlabel=xlabel,
            ylabel=ylabel if index % columns == 0 else "",
            vmin=vmin,
            vmax=vmax,
            colorbar=False,
            aspect=aspect,
        )
    for ax in flat[len(panels) :]:
        ax.set_axis_off()
    fig.colorbar(
        flat[0].images[0], ax=flat[: len(panels)], shrink=0.8, label=colorbar_label
    )
    return fig


def plot_attention_grid(
    maps,
    title: str = "",
    size: float = 1.3,
    max_heads: int = 12,
    notes: Mapping[tuple[int, int], str] | None = None,
    labels: bool = True,
    fontsize: float = 6,
):
    """Every layer (rows) and head (columns) of an :class:`AttentionMaps`, on one scale.

    The explorer's static twin. All maps share the 0-to-1 scale of one colourbar.
    The first column carries the query tokens, the bottom row the key tokens
    (``labels=False`` hides them). ``notes`` writes a word in the corner of chosen
    heads, e.g. ``{(0, 2): "previous"}`` from
    :meth:`~course_utils.models.AttentionMaps.head_roles`, so that a reading of the
    figure in the text can be checked on it.

    Example:
        >>> import torch
        >>> from course_utils.models import AttentionMaps
        >>> maps = AttentionMaps(torch.rand(2, 3, 4, 4).softmax(-1), list("abcd"), list("abcd"))
        >>> fig = plot_attention_grid(maps, notes={(0, 1): "mixed"})
        >>> len(fig.axes)  # 2 x 3 maps and one colourbar
        7
    """
    who = "plot_attention_grid"
    weights = getattr(maps, "weights", None)
    if not isinstance(weights, torch.Tensor) or weights.dim() != 4:
        raise TypeError(
            f"{who}: maps must be AttentionMaps with weights (layers, heads, Q, K), "
            f"got {type(maps).__name__}"
        )
    require_int(who, "max_heads", max_heads, minimum=1)
    require_number(who, "size", size)
    weights = weights[:, :max_heads].detach().float().cpu()
    layers, heads = weights.shape[:2]
    notes = dict(notes or {})
    fig, axes = plt.subplots(
        layers,
        heads,
        figsize=(size * heads + 1.6, size * layers + 1.0),
        squeeze=False,
        layout="constrained",
    )
    image = None
    for layer in range(layers):
        for head in range(heads):
            ax = axes[layer, head]
            image = ax.imshow(weights[layer, head].numpy(), cmap=CMAP, vmin=0, vmax=1)
            _label_axes(
                ax,
                maps.queries,
                maps.keys,
                "",
                "",
                fontsize=fontsize,
                show_x=labels and layer == layers - 1,
                show_y=labels and head == 0,
            )
            if layer == 0:
                ax.set_title(f"head {head}", fontsize=8)
            if head == 0:
                ax.annotate(
                    f"layer {layer}",
                    xy=(0, 0.5),
                    xycoords="axes fraction",
                    xytext=(-fontsize * (4 if labels else 1), 0),
                    textcoords="offset points",
                    rotation=90,
                    ha="right",
                    va="center",
                    fontsize=8,
                )
            note = notes.get((layer, head))
            if note:
                ax.text(
                    0.97,
                    0.97,
                    note,
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=fontsize,
                    bbox={
                        "boxstyle": "round,pad=0.15",
                        "fc": "white",
                        "ec": "0.5",
                        "lw": 0.5,
                    },
                )
    fig.colorbar(image, ax=axes, shrink=0.6, label="attention weight")
    fig.suptitle(title or getattr(maps, "caption", ""), fontsize=10)
    return fig


# 256 shades of the "Blues" colormap as CSS colours, computed once (fast redraws).
_SHADES = [
    "#{:02x}{:02x}{:02x}".format(*(int(255 * c) for c in rgba[:3]))
    for rgba in matplotlib.colormaps[CMAP](np.linspace(0.05, 1.0, 256))
]


def _colour(weight: float, peak: float) -> str:
    return _SHADES[min(255, max(0, int(255 * weight / peak)))]


def _ink(weight: float, peak: float) -> str:
    return "white" if weight / peak > 0.55 else "black"


def attention_table_html(weights, queries, keys, selected: int | None = None) -> str:
    """An HTML heatmap (a table): hover a cell to read its weight; one row may be outlined."""
    array = _matrix(weights)
    peak = max(float(array.max()), 1e-6)
    cell = "padding:1px 3px;text-align:center;font-size:11px;min-width:14px"
    head = "".join(
        f"<th style='{cell};writing-mode:vertical-rl'>{html.escape(k)}</th>"
        for k in keys
    )
    rows = []
    for i, query in enumerate(queries):
        outline = "outline:2px solid #d62728;" if i == selected else ""
        tds = "".join(
            f"<td title='{html.escape(query)} → {html.escape(key)}: {w:.3f}' "
            f"style='{cell};background:{_colour(w, peak)}'></td>"
            for key, w in zip(keys, array[i].tolist())
        )
        rows.append(
            f"<tr style='{outline}'><th style='{cell};text-align:right'>{html.escape(query)}</th>{tds}</tr>"
        )
    return (
        "<table style='border-collapse:collapse;line-height:1.1'>"
        f"<tr><th></th>{head}</tr>{''.join(rows)}</table>"
    )


def attention_text_html(weights_row, keys: list[str], query: str) -> str:
    """The key tokens as text, each shaded by how much ``query`` attends to it."""
    row = torch.as_tensor(weights_row).float().tolist()
    if len(row) != len(keys):
        raise ValueError(f"{len(row)} weights for {len(keys)} keys")
    peak = max(max(row), 1e-6)
    spans = "".join(
        f"<span title='{w:.3f}' style='background:{_colour(w, peak)};color:{_ink(w, peak)};"
        f"padding:2px 3px;margin:1px;border-radius:3px;font-family:monospace'>{html.escape(k)}</span>"
        for k, w in zip(keys, row)
    )
    top = sorted(zip(row, keys), reverse=True)[:3]
    summary = ", ".join(f"{html.escape(k)} ({w:.0%})" for w, k in top)
    return (
        f"<div style='line-height:2'><b>{html.escape(query)}</b> attends to: {spans}</div>"
        f"<div>strongest: {summary}</div>"
    )


def tile_attention(weights: torch.Tensor, gap: int = 1) -> torch.Tensor:
    """(layers, heads, Q, K) -> one (layers*(Q+gap), heads*(K+gap)) image, each map scaled to [0, 1].

    Example:
        >>> tile_attention(torch.rand(2, 3, 4, 5)).shape
        torch.Size([10, 18])
    """
    if weights.dim() != 4:
        raise ValueError(
            f"tile_attention expects (layers, heads, Q, K), got {tuple(weights.shape)}"
        )
    layers, heads, q, k = weights.shape
    peak = weights.amax(dim=(-2, -1), keepdim=True).clamp_min(1e-6)
    scaled = torch.nn.functional.pad(weights / peak, (0, gap, 0, gap))
    return scaled.permute(0, 2, 1, 3).reshape(layers * (q + gap), heads * (k + gap))
