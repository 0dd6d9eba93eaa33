"""Figures of recommenders: movie embeddings in 2-D coloured by genre, and one person's lists.

A recommender that learns a vector per movie places similar movies close together.
:func:`project_2d` flattens those vectors to a plane (principal components), and
:func:`plot_embedding_map` draws every movie there, coloured by its main genre,
with one person's watched movies, the model's recommendations and the movies the
person actually watched next marked on top. :func:`embedding_map_rgb` draws the
same picture as a pixel array in a few milliseconds, for the explorer.

Example:
    >>> import torch
    >>> points = project_2d(torch.randn(50, 8))
    >>> points.shape
    torch.Size([50, 2])
    >>> embedding_map_rgb(points, torch.zeros(50, dtype=torch.long), size=64).shape
    (64, 64, 3)
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = [
    "GENRE_GROUPS",
    "main_genres",
    "project_2d",
    "plot_embedding_map",
    "embedding_map_base",
    "embedding_map_rgb",
    "recommendation_table_html",
]

#: Movie genres merged into a few groups for colour; a movie takes its first matching group.
GENRE_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("children & animation", ("Children's", "Animation")),
    ("horror", ("Horror",)),
    ("sci-fi & fantasy", ("Sci-Fi", "Fantasy")),
    ("documentary", ("Documentary",)),
    ("action & war", ("Action", "Adventure", "War", "Western")),
    ("thriller & crime", ("Thriller", "Crime", "Mystery", "Film-Noir")),
    ("romance", ("Romance",)),
    ("comedy & musical", ("Comedy", "Musical")),
    ("drama", ("Drama",)),
    ("other", ()),
]
_PALETTE = np.array(matplotlib.colormaps["tab10"].colors)  # 10 colours, one per group


def main_genres(genres: torch.Tensor, genre_names: Sequence[str]) -> torch.Tensor:
    """(N,) index into :data:`GENRE_GROUPS` of each movie's main genre group.

    Example:
        >>> main_genres(torch.tensor([[1.0, 1.0], [0.0, 0.0]]), ["Comedy", "Horror"]).tolist()
        [1, 9]
    """
    if genres.dim() != 2 or genres.shape[1] != len(genre_names):
        raise ValueError(
            f"main_genres: genres must be (N, {len(genre_names)}), got {tuple(genres.shape)}"
        )
    groups = torch.full((len(genres),), len(GENRE_GROUPS) - 1, dtype=torch.long)
    for index in reversed(range(len(GENRE_GROUPS) - 1)):  # the first match wins
        columns = [
            genre_names.index(g) for g in GENRE_GROUPS[index][1] if g in genre_names
        ]
        if columns:
            groups[genres[:, columns].sum(1) > 0] = index
    return groups


def project_2d(vectors: torch.Tensor) -> torch.Tensor:
    """(N, 2) coordinates on the first two principal components of ``vectors`` (N, D).

    The sign of each component is fixed (its largest coordinate is positive), so the
    picture does not flip between runs.
    """
    if (
        not isinstance(vectors, torch.Tensor)
        or vectors.dim() != 2
        or vectors.shape[1] < 2
    ):
        raise ValueError(
            f"project_2d: expected vectors (N, D) with D >= 2, got {getattr(vectors, 'shape', vectors)}"
        )
    x = vectors.detach().double().cpu()
    x = x - x.mean(0)
    u, s, _ = torch.linalg.svd(x, full_matrices=False)
    points = u[:, :2] * s[:2]
    flip = torch.sign(points.gather(0, points.abs().argmax(0, keepdim=True)))
    return (points * flip).float()


def _scaled(points: torch.Tensor, size: int, margin: int) -> np.ndarray:
    p = points.numpy().astype(np.float64)
    low, high = p.min(0), p.max(0)
    span = np.where(high > low, high - low, 1.0)
    unit = (p - low) / span
    xy = margin + unit * (size - 1 - 2 * margin)
    xy[:, 1] = size - 1 - xy[:, 1]  # image rows grow downwards
    return np.rint(xy).astype(int)


def _square(image: np.ndarray, x: int, y: int, radius: int, colour) -> None:
    image[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1] = (
        colour
    )


def embedding_map_base(
    points: torch.Tensor, groups: torch.Tensor, size: int = 360
) -> tuple[np.ndarray, np.ndarray]:
    """The unmarked map, (size, size, 3) uint8, and each movie's pixel (N, 2) as (x, y)."""
    if len(points) != len(groups):
        raise ValueError(
            f"embedding_map_base: {len(points)} points but {len(groups)} groups"
        )
    image = np.full((size, size, 3), 255, dtype=np.uint8)
    xy = _scaled(points, size, margin=8)
    colours = (_PALETTE[groups.numpy() % len(_PALETTE)] * 255).astype(int)
    light = (255 - (255 - colours) * 0.55).astype(np.uint8)
    for dy in (-1, 0, 1):  # a 3 x 3 dot per movie, drawn for all movies at once
        for dx in (-1, 0, 1):
            image[
                np.clip(xy[:, 1] + dy, 0, size - 1), np.clip(xy[:, 0] + dx, 0, size - 1)
            ] = light
    return image, xy


def embedding_map_rgb(
    points: torch.Tensor,
    groups: torch.Tensor,
    history: Sequence[int] = (),
    recommended: Sequence[int] = (),
    future: Sequence[int] = (),
    size: int = 360,
    base: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The map as a (size, size, 3) uint8 image: a dot per movie coloured by group.

    Marks: ``history`` black rings, ``future`` (what the person watched next) green
    rings, ``recommended`` red crosses. ``base``, from :func:`embedding_map_base`,
    saves redrawing the dots.
    """
    image, xy = base if base is not None else embedding_map_base(points, groups, size)
    image = image.copy()
    size = image.shape[0]
    colours = (_PALETTE[groups.numpy() % len(_PALETTE)] * 255).astype(np.uint8)
    for items, ring in ((history, (0, 0, 0)), (future, (0, 160, 0))):
        for item in items:
            x, y = xy[item]
            _square(image, x, y, 4, ring)
            _square(image, x, y, 2, colours[item])
    offsets = np.arange(-5, 6)
    for item in recommended:
        x, y = xy[item]
        for dy in (offsets, -offsets):
            for shift in (0, 1):  # two pixels wide
                cols, rows = x + offsets + shift, y + dy
                inside = (cols >= 0) & (cols < size) & (rows >= 0) & (rows < size)
                image[rows[inside], cols[inside]] = (220, 0, 0)
    return image


def plot_embedding_map(
    points: torch.Tensor,
    groups: torch.Tensor,
    history: Sequence[int] = (),
    recommended: Sequence[int] = (),
    future: Sequence[int] = (),
    title: str = "movie embeddings",
    ax=None,
):
    """The static map: every movie as a dot coloured by genre group, with marks."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")
    p = points.numpy()
    for index, (name, _) in enumerate(GENRE_GROUPS):
        chosen = (groups == index).numpy()
        if chosen.any():
            ax.scatter(*p[chosen].T, s=7, color=_PALETTE[index], alpha=0.55, label=name)
    marks = (
        (history, dict(facecolors="none", edgecolors="black", s=60, label="watched")),
        (
            future,
            dict(
                facecolors="none",
                edgecolors="green",
                s=90,
                lw=1.5,
                label="watched next",
            ),
        ),
        (recommended, dict(marker="x", color="red", s=50, label="recommended")),
    )
    for items, style in marks:
        if len(items):
            ax.scatter(*p[list(items)].T, **style)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="best", markerscale=1.5, framealpha=0.85)
    return ax


def recommendation_table_html(
    titles: Sequence[str],
    history: Sequence[int],
    recommendations: dict[str, Sequence[int]],
    future: Sequence[int] = (),
    shown_history: int = 10,
    highlight: str | None = None,
) -> str:
    """An HTML table: the last movies watched, then each model's list (hits in green)."""
    future_set = set(future)
    columns = {
        f"watched (last {min(shown_history, len(history))})": list(history)[
            -shown_history:
        ][::-1]
    }
    columns.update({name: list(items) for name, items in recommendations.items()})
    rows = max((len(c) for c in columns.values()), default=0)
    head = "".join(
        f"<th style='padding:2px 6px;text-align:left;{'background:#fde2e2' if n == highlight else ''}'>"
        f"{html.escape(n)}</th>"
        for n in columns
    )
    body = []
    for r in range(rows):
        cells = []
        for name, items in columns.items():
            if r >= len(items):
                cells.append("<td></td>")
                continue
            item = items[r]
            hit = name in recommendations and item in future_set
            style = "color:#087f23;font-weight:bold;" if hit else ""
            if name == highlight:
                style += "background:#fdf0f0;"
            mark = " &#10003;" if hit else ""
            cells.append(
                f"<td style='padding:1px 6px;text-align:left;{style}'>"
                f"{html.escape(titles[item][:32])}{mark}</td>"
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    hits = {
        name: sum(i in future_set for i in items)
        for name, items in recommendations.items()
    }
    summary = ", ".join(
        f"{html.escape(n)} {h}/{len(future_set)}" for n, h in hits.items()
    )
    caption = (
        f"<caption style='caption-side:bottom;text-align:left;font-size:90%'>"
        f"&#10003; = the person watched it next; hits: {summary}</caption>"
        if future_set
        else ""
    )
    return (
        "<table style='border-collapse:collapse;font-size:12px'>"
        f"<tr>{head}</tr>{''.join(body)}{caption}</table>"
    )
