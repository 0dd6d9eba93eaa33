"""Attention maps as pictures: a labelled heatmap, a grid of every layer and head, HTML.

Matplotlib's default font has no Chinese characters, so labels for figures go
through :func:`plain_label`, which spells them in pinyin (年 -> "nian"). The
explorer's HTML views show the characters themselves (browsers have the fonts).

Example:
    >>> plain_label("年"), plain_label("a")
    ('nian', 'a')
"""

from __future__ import annotations

import html

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = [
    "plain_label",
    "plot_attention",
    "plot_attention_grid",
    "attention_table_html",
    "attention_text_html",
    "tile_attention",
]

PINYIN = {
    "年": "nian", "月": "yue", "日": "ri", "星": "xing", "期": "qi", "〇": "ling",
    "一": "yi", "二": "er", "三": "san", "四": "si", "五": "wu", "六": "liu",
    "七": "qi", "八": "ba", "九": "jiu", "十": "shi",
}  # fmt: skip


def plain_label(token: str) -> str:
    """A label matplotlib can draw: Chinese characters spelled in pinyin."""
    return "".join(PINYIN.get(c, c) for c in token)


def _matrix(weights) -> np.ndarray:
    array = torch.as_tensor(weights).detach().float().cpu().numpy()
    if array.ndim != 2:
        raise ValueError(
            f"expected attention weights (queries, keys), got shape {array.shape}"
        )
    return array


def plot_attention(
    weights,
    queries: list[str],
    keys: list[str],
    title: str = "",
    ax=None,
    xlabel: str = "key (attended to)",
    ylabel: str = "query (attending)",
):
    """One attention map as a heatmap, rows = queries, columns = keys; returns the figure."""
    array = _matrix(weights)
    if array.shape != (len(queries), len(keys)):
        raise ValueError(
            f"weights of shape {array.shape} do not match {len(queries)} queries and "
            f"{len(keys)} keys"
        )
    if ax is None:
        _, ax = plt.subplots(
            figsize=(0.3 * len(keys) + 1.8, 0.3 * len(queries) + 1.2),
            layout="constrained",
        )
    image = ax.imshow(array, cmap="Blues", vmin=0, vmax=max(float(array.max()), 1e-6))
    ax.set_xticks(
        range(len(keys)), [plain_label(k) for k in keys], rotation=90, fontsize=8
    )
    ax.set_yticks(range(len(queries)), [plain_label(q) for q in queries], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(plain_label(title), fontsize=10)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="weight")
    return ax.figure


def plot_attention_grid(maps, title: str = "", size: float = 1.3, max_heads: int = 12):
    """Every layer (rows) and head (columns) of an :class:`AttentionMaps`: the explorer's static twin."""
    weights = maps.weights[:, :max_heads]
    layers, heads = weights.shape[:2]
    fig, axes = plt.subplots(
        layers, heads, figsize=(size * heads + 0.6, size * layers + 0.6), squeeze=False
    )
    for layer in range(layers):
        for head in range(heads):
            ax = axes[layer, head]
            ax.imshow(weights[layer, head].numpy(), cmap="Blues", vmin=0)
            ax.set_xticks([])
            ax.set_yticks([])
            if layer == 0:
                ax.set_title(f"head {head}", fontsize=8)
            if head == 0:
                ax.set_ylabel(f"layer {layer}", fontsize=8)
    fig.suptitle(title or maps.caption, fontsize=10)
    fig.tight_layout()
    return fig


# 256 shades of the "Blues" colormap as CSS colours, computed once (fast redraws).
_SHADES = [
    "#{:02x}{:02x}{:02x}".format(*(int(255 * c) for c in rgba[:3]))
    for rgba in matplotlib.colormaps["Blues"](np.linspace(0.05, 1.0, 256))
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
