"""Pictures of a language model's next-token distribution: a table for the explorer, a figure for the book.

The model's logits are computed once; temperature, top-k and top-p only reshape
them (:func:`course_utils.models.generation.next_token_probabilities`), so these
functions redraw without running the model.

Example:
    >>> import torch
    >>> rows = next_token_rows(torch.tensor([2.0, 1.0, 0.0]), temperature=1.0, top_k=2, show=2)
    >>> [(r.token_id, round(r.model, 3), round(r.sampled, 3)) for r in rows]
    [(0, 0.665, 0.731), (1, 0.245, 0.269)]
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch

from ..models.generation import next_token_probabilities

__all__ = [
    "TokenRow",
    "token_label",
    "next_token_rows",
    "next_token_html",
    "plot_temperatures",
]


@dataclass(frozen=True)
class TokenRow:
    """One candidate next token: its id, probability under the model (temperature 1) and
    probability after temperature, top-k and top-p (what sampling would use)."""

    token_id: int
    model: float
    sampled: float


def token_label(text: str) -> str:
    """A token's text with its invisible characters made visible (space ␣, newline ⏎).

    Example:
        >>> token_label(" the"), token_label("\\n"), token_label("")
        ('␣the', '⏎', '∅')
    """
    if text == "":
        return "∅"
    return text.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥")


def next_token_rows(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    show: int = 10,
) -> list[TokenRow]:
    """The ``show`` most likely next tokens, most likely first (the order never depends
    on the temperature, which keeps the ranking)."""
    if logits.dim() != 1:
        raise ValueError(
            f"next_token_rows expects the logits of one position (vocab,), got {tuple(logits.shape)}"
        )
    logits = logits.detach().float()
    model = logits.softmax(-1)
    sampled = next_token_probabilities(logits, temperature, top_k, top_p)
    top = model.topk(min(show, logits.shape[0]))
    return [
        TokenRow(int(i), float(p), float(sampled[i]))
        for p, i in zip(top.values, top.indices)
    ]


def next_token_html(
    rows: Sequence[TokenRow], labels: Sequence[str], caption: str = ""
) -> str:
    """An HTML table: each candidate token, a bar for its probability under the model
    (grey) and after reshaping (blue), and both numbers."""
    if len(rows) != len(labels):
        raise ValueError(f"next_token_html: {len(rows)} rows but {len(labels)} labels")
    width = 260
    lines = [
        "<table style='border-collapse:collapse;font-family:monospace;font-size:13px'>",
        "<tr><th style='text-align:left;padding:2px 8px'>next token</th>"
        f"<th style='text-align:left;padding:2px 8px;width:{width}px'>probability "
        "(<span style='color:#999'>model</span> / <span style='color:#1f77b4'>sampled</span>)</th>"
        "<th style='padding:2px 8px'>model</th><th style='padding:2px 8px'>sampled</th></tr>",
    ]
    for row, label in zip(rows, labels):
        grey = round(width * row.model)
        blue = round(width * row.sampled)
        lines.append(
            "<tr>"
            f"<td style='padding:2px 8px;white-space:pre'>{html.escape(label)}</td>"
            f"<td style='padding:2px 8px'><div style='background:#ddd;height:7px;width:{grey}px'></div>"
            f"<div style='background:#1f77b4;height:7px;width:{blue}px'></div></td>"
            f"<td style='padding:2px 8px;text-align:right'>{row.model:6.1%}</td>"
            f"<td style='padding:2px 8px;text-align:right'>{row.sampled:6.1%}</td>"
            "</tr>"
        )
    lines.append("</table>")
    if caption:
        lines.append(
            f"<div style='font-size:12px;color:#555'>{html.escape(caption)}</div>"
        )
    return "\n".join(lines)


def plot_temperatures(
    logits: torch.Tensor,
    decode: Callable[[int], str],
    temperatures: Sequence[float] = (0.3, 0.7, 1.0, 1.5),
    show: int = 10,
    title: str = "",
):
    """Small multiples: the ``show`` most likely next tokens at several temperatures."""
    fig, axes = plt.subplots(
        1,
        len(temperatures),
        figsize=(3.3 * len(temperatures), 3.0),
        sharey=True,
        layout="constrained",
    )
    axes = [axes] if len(temperatures) == 1 else list(axes)
    for ax, temperature in zip(axes, temperatures):
        rows = next_token_rows(logits, temperature=temperature, show=show)
        labels = [token_label(decode(r.token_id)) for r in rows]
        ax.barh(range(len(rows)), [r.sampled for r in rows], color="C0")
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.invert_yaxis()
        shown = sum(r.sampled for r in rows)
        ax.set_title(
            f"temperature {temperature:g}\n(top {show} hold {shown:.0%})", fontsize=9
        )
        ax.set_xlim(0, 1)
        ax.set_xlabel("probability")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
