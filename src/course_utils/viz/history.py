"""Figures of the history chapter: a timeline, sizes over time, corpora, a scale summary.

Each function draws from the dated, cited tables of :mod:`course_utils.data.milestones`
and the arithmetic of :mod:`course_utils.scaling`; nothing is typed in twice.

Example:
    >>> from course_utils.data.milestones import MILESTONES
    >>> fig = plot_timeline(MILESTONES[:5])
    >>> len(fig.axes)
    1
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..data.milestones import CORPORA, MILESTONES, MODELS, Corpus, Milestone, Model
from ..scaling import ScaleEstimate, format_bytes, format_count

__all__ = [
    "ERAS",
    "era_of",
    "plot_timeline",
    "plot_parameters_over_time",
    "plot_corpus_sizes",
    "scale_summary_html",
]

#: The course's own division of the history into eras (first year of each), for colours.
ERAS: tuple[tuple[int, str, str], ...] = (
    (1943, "threshold logic and perceptrons", "#4c72b0"),
    (1970, "backpropagation", "#dd8452"),
    (2006, "deep learning", "#55a868"),
    (2017, "Transformers and scale", "#c44e52"),
)


def era_of(year: int) -> tuple[str, str]:
    """(name, colour) of the era a year belongs to.

    Example:
        >>> era_of(1986)[0]
        'backpropagation'
    """
    if not isinstance(year, int) or isinstance(year, bool):
        raise TypeError(f"era_of: year must be an int, got {year!r}")
    if year < ERAS[0][0]:
        raise ValueError(f"era_of: the history starts in {ERAS[0][0]}, got {year}")
    name, colour = ERAS[0][1], ERAS[0][2]
    for start, era, era_colour in ERAS:
        if year >= start:
            name, colour = era, era_colour
    return name, colour


def plot_timeline(
    milestones: Sequence[Milestone] = MILESTONES,
    highlight: Sequence[str] = (),
    title: str = "Milestones, each with its source",
):
    """A vertical timeline: year, event and people, coloured by era.

    Args:
        milestones: rows of :data:`~course_utils.data.milestones.MILESTONES`.
        highlight: bibliography keys whose rows are drawn in bold.
        title: the figure title.
    """
    rows = sorted(milestones, key=lambda m: m.year)
    if not rows:
        raise ValueError("plot_timeline: no milestones to draw")
    height = 0.8 + 0.27 * len(rows)
    fig, ax = plt.subplots(figsize=(8.2, height), layout="constrained")
    y = np.arange(len(rows))[::-1]
    ax.plot([0, 0], [y.min() - 0.5, y.max() + 0.5], color="0.75", lw=2, zorder=1)
    for position, row in zip(y, rows):
        _, colour = era_of(row.year)
        weight = "bold" if row.key in highlight else "normal"
        ax.scatter([0], [position], s=40, color=colour, zorder=2)
        ax.text(-0.06, position, str(row.year), ha="right", va="center", fontsize=9,
                weight=weight)  # fmt: skip
        ax.text(0.06, position, f"{row.event}  ({row.people})", ha="left",
                va="center", fontsize=9, weight=weight)  # fmt: skip
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=colour, label=f"{name} ({start}-)")
        for start, name, colour in ERAS
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    ax.set_xlim(-0.5, 3.2)
    ax.set_ylim(y.min() - 0.8, y.max() + 0.8)
    ax.axis("off")
    ax.set_title(title, fontsize=11, loc="left")
    return fig


def plot_parameters_over_time(
    models: Sequence[Model] = MODELS,
    course: dict[str, int] | None = None,
    course_year: int = 2026,
    threshold: float | None = 1e6,
    ax=None,
):
    """Published parameter counts against year, on a log scale, with the course's own models.

    Args:
        models: rows of :data:`~course_utils.data.milestones.MODELS`; rows without a
            published count are skipped.
        course: name -> parameter count of the course's models, drawn at ``course_year``.
        threshold: draw a dashed line at this count (the "1 million = large" claim).
        ax: axes to draw on (a new figure if None).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 4.6), layout="constrained")
    known = [m for m in models if m.parameters]
    for m in known:
        ax.scatter(m.year, m.parameters, color=era_of(m.year)[1], s=28, zorder=3)
    ranked = sorted((course or {}).items(), key=lambda kv: kv[1])
    for _, count in ranked:
        ax.scatter(course_year, count, marker="*", s=90, color="black", zorder=3)
    ax.set_yscale("log")
    years = [m.year for m in known] + ([course_year] if course else [])
    ax.set_xlim(min(years) - 2, max(years) + 1.5)
    ax.autoscale_view()
    ax.set_ylim(
        *ax.get_ylim()
    )  # fixed from here on: the labels are placed in screen space
    ax.figure.canvas.draw()  # apply the figure's layout before measuring the labels
    labels = [(m.year, m.parameters, m.name, False) for m in known]
    labels += [
        (course_year, n, f"{name} ({format_count(n)})", True) for name, n in ranked
    ]
    _place_labels(ax, labels)
    if threshold:
        ax.axhline(threshold, color="0.4", ls="--", lw=1)
        ax.text(ax.get_xlim()[0] + 0.5, threshold * 1.4, f"{format_count(threshold)} parameters",
                fontsize=8, color="0.3")  # fmt: skip
    ax.set_xlabel("year of publication")
    ax.set_ylabel("parameters (log scale)")
    ax.grid(True, which="major", axis="y", alpha=0.3)
    if course:
        ax.scatter(
            [], [], marker="*", s=90, color="black", label="this course's models"
        )
        ax.legend(loc="upper left", fontsize=8)
    return ax


def _place_labels(ax, labels, fontsize: float = 7.5) -> None:
    """Annotate points without overlaps: try offsets around each point, keep the first free one.

    ``labels`` holds (x, y, text, prefer_left). A label may go right or left of its point
    and up to a few lines above or below; it must not overlap an earlier label or
    another point.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    points = [ax.transData.transform((x, y)) for x, y, _, _ in labels]
    placed = []
    shifts = (0, 8, -8, 16, -16, 24, -24, 32, -32)
    for index, (x, y, text, prefer_left) in enumerate(labels):
        sides = (-6, 6) if prefer_left else (6, -6)
        for dx, dy in [(dx, dy) for dy in shifts for dx in sides]:
            note = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                               fontsize=fontsize, va="center", ha="left" if dx > 0 else "right")  # fmt: skip
            box = note.get_window_extent(renderer).expanded(1.02, 1.1)
            hits_point = any(
                box.contains(px, py) for j, (px, py) in enumerate(points) if j != index
            )
            if not hits_point and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            note.remove()
        else:  # no free place: keep the first choice
            ax.annotate(text, (x, y), xytext=(sides[0], 0), textcoords="offset points",
                        fontsize=fontsize, va="center",
                        ha="left" if sides[0] > 0 else "right")  # fmt: skip


def plot_corpus_sizes(
    corpora: Sequence[Corpus] = CORPORA,
    course: dict[str, tuple[float, str]] | None = None,
    highlight: str = "Penn Treebank (WSJ)",
    ax=None,
):
    """Sizes of training corpora, then and now, as bars on a log scale.

    Args:
        corpora: rows of :data:`~course_utils.data.milestones.CORPORA`.
        course: name -> (size, unit) of the course's own corpora, drawn in grey.
        highlight: the corpus drawn in a strong colour.
        ax: axes to draw on (a new figure if None).
    """
    rows = [
        (f"{c.name} ({c.year})", c.size, c.unit, c.name == highlight) for c in corpora
    ]
    rows.sort(key=lambda r: r[1])
    extra = [(f"{name} (this course)", size, unit, None) for name, (size, unit) in (course or {}).items()]  # fmt: skip
    rows = extra + rows
    if ax is None:
        _, ax = plt.subplots(
            figsize=(8.5, 0.9 + 0.32 * len(rows)), layout="constrained"
        )
    for y, (_label, size, unit, strong) in enumerate(rows):
        colour = "0.6" if strong is None else "#c44e52" if strong else "#4c72b0"
        ax.barh(y, size, color=colour)
        ax.text(size * 1.15, y, f"{format_count(size)} {unit}", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(1e3, max(r[1] for r in rows) * 30)
    ax.set_xlabel("size (words, tokens or characters; log scale)")
    return ax


def _bar(fraction: float, colour: str) -> str:
    width = max(0.0, min(1.0, fraction)) * 100
    return (
        "<div style='background:#eee;width:160px;height:10px;display:inline-block'>"
        f"<div style='background:{colour};width:{width:.1f}%;height:10px'></div></div>"
    )


def scale_summary_html(estimate: ScaleEstimate, title: str = "") -> str:
    """An HTML table of what a model costs, with bars on log scales; the explorer's view.

    Parameters by part; memory to serve (weights and a full-context KV cache) and to
    train (Adam, mixed precision), each against the chosen GPU's memory; training
    FLOPs and days.

    Example:
        >>> from course_utils.scaling import ARCHITECTURES, estimate_scale
        >>> text = scale_summary_html(estimate_scale(ARCHITECTURES["GPT-2 small"]))
        >>> "124.4M" in text
        True
    """
    if not isinstance(estimate, ScaleEstimate):
        raise TypeError(
            f"scale_summary_html: expected a ScaleEstimate, got {type(estimate).__name__}"
        )
    p = estimate.parameters
    total = p.total
    parts = [
        ("embeddings", p.embeddings + p.positions + p.head),
        ("attention", p.attention),
        ("MLP", p.mlp),
        ("norms and pooler", p.norms + p.pooler),
    ]

    # Log scales: 1k .. 10T parameters, 1 MB .. 10 PB, 1e15 .. 1e27 FLOPs.
    def log_fraction(value, low, high):
        return (np.log10(max(value, low)) - np.log10(low)) / (
            np.log10(high) - np.log10(low)
        )

    gpu = estimate.gpu
    rows = [
        f"<tr><td><b>parameters</b></td><td><b>{format_count(total)}</b> ({total:,})</td>"
        f"<td>{_bar(log_fraction(total, 1e3, 1e13), '#c44e52')}</td></tr>"
    ]
    for name, count in parts:
        rows.append(
            f"<tr><td>&nbsp;&nbsp;{name}</td><td>{format_count(count)} "
            f"({count / total:.0%})</td><td>{_bar(count / total, '#4c72b0')}</td></tr>"
        )
    serve = estimate.serve_bytes + estimate.kv_cache_bytes
    rows += [
        f"<tr><td><b>memory to serve</b> ({estimate.precision})</td><td>"
        f"{format_bytes(estimate.serve_bytes)} weights + {format_bytes(estimate.kv_cache_bytes)} "
        f"KV cache = <b>{estimate.gpus_to_serve}</b> x {html.escape(gpu.name)}</td>"
        f"<td>{_bar(log_fraction(serve, 1e6, 1e16), '#55a868')}</td></tr>",
        f"<tr><td><b>memory to train</b> (Adam, 16 B/param)</td><td>"
        f"{format_bytes(estimate.train_bytes)} = <b>{estimate.gpus_to_train}</b> x "
        f"{gpu.memory_gb:g} GB</td><td>"
        f"{_bar(log_fraction(estimate.train_bytes, 1e6, 1e16), '#55a868')}</td></tr>",
        f"<tr><td><b>training tokens</b></td><td>{format_count(estimate.tokens)} "
        f"({estimate.tokens_per_parameter:.3g} per parameter)</td><td></td></tr>",
        f"<tr><td><b>training compute</b></td><td>{estimate.flops:.3g} FLOPs (6ND)</td>"
        f"<td>{_bar(log_fraction(estimate.flops, 1e15, 1e27), '#dd8452')}</td></tr>",
        f"<tr><td><b>training time</b></td><td><b>{_days(estimate.days)}</b> on "
        f"{estimate.n_gpus:,} x {html.escape(gpu.name)} at {estimate.utilization:.0%} of "
        f"{gpu.peak_tflops:g} TFLOP/s ({gpu.precision})</td><td></td></tr>",
    ]
    heading = f"<p><b>{html.escape(title)}</b></p>" if title else ""
    return heading + "<table style='font-size:12px'>" + "".join(rows) + "</table>"


def _days(days: float) -> str:
    if days < 1 / 24:
        return f"{days * 24 * 60:.3g} minutes"
    if days < 1:
        return f"{days * 24:.3g} hours"
    if days < 365:
        return f"{days:.3g} days"
    return f"{days / 365.25:.3g} years"
