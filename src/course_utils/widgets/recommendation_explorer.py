"""Recommendation explorer: pick a person, see what they watched and what each model suggests.

The table lists the person's last movies and every model's top 10, with the
movies they really watched next marked; the map shows every movie's learned
embedding in 2-D, coloured by genre, with the person's history (black rings),
the chosen model's recommendations (red crosses) and their next movies (green
rings). Everything is computed when the explorer is built; a redraw only builds
a table and paints a small picture, in a few milliseconds. Works with ipywidgets
7.7 (Colab) and 8.

Example:
    >>> explorer = RecommendationExplorer.demo()
    >>> explorer.model.value = explorer.model.options[-1]
    >>> "&#10003;" in explorer.table.value or "hits" in explorer.table.value
    True
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import torch
from PIL import Image

from ..metrics import top_k_items
from ..viz.recommendation import (
    _PALETTE,
    GENRE_GROUPS,
    embedding_map_base,
    embedding_map_rgb,
    main_genres,
    project_2d,
    recommendation_table_html,
)

__all__ = ["RecommendationExplorer"]


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _legend_html() -> str:
    swatches = "".join(
        f"<span style='display:inline-block;margin-right:8px'>"
        f"<span style='display:inline-block;width:9px;height:9px;background:rgb"
        f"{tuple(int(c * 255) for c in _PALETTE[i])}'></span> {name}</span>"
        for i, (name, _) in enumerate(GENRE_GROUPS)
    )
    return (
        f"<div style='font-size:11px;max-width:260px;padding-left:8px'>{swatches}<br>"
        "black ring: watched; <span style='color:#d00'>red cross</span>: recommended; "
        "<span style='color:#080'>green ring</span>: watched next</div>"
    )


class RecommendationExplorer:
    """Browse the recommendations of several models for several people.

    Args:
        titles: (N,) movie titles.
        groups: (N,) genre group of each movie (see :func:`~course_utils.viz.recommendation.main_genres`).
        maps: name -> (N, 2) coordinates of the movies (e.g. ``project_2d`` of a model's
            item vectors).
        users: the people to choose from.
        histories, futures: for each person in ``users``, the movies watched so far and
            the ones watched next.
        recommendations: model name -> for each person in ``users``, the recommended movies.
    """

    def __init__(
        self,
        titles: Sequence[str],
        groups: torch.Tensor,
        maps: dict[str, torch.Tensor],
        users: Sequence[int],
        histories: Sequence[Sequence[int]],
        futures: Sequence[Sequence[int]],
        recommendations: dict[str, Sequence[Sequence[int]]],
    ) -> None:
        if not users:
            raise ValueError("RecommendationExplorer needs at least one user")
        if not maps or not recommendations:
            raise ValueError(
                "RecommendationExplorer needs at least one map and one model"
            )
        for name, lists in [("histories", histories), ("futures", futures)] + [
            (f"recommendations[{m!r}]", r) for m, r in recommendations.items()
        ]:
            if len(lists) != len(users):
                raise ValueError(
                    f"RecommendationExplorer: {name} has {len(lists)} entries for {len(users)} users"
                )
        for name, points in maps.items():
            if tuple(points.shape) != (len(titles), 2):
                raise ValueError(
                    f"RecommendationExplorer: map {name!r} must be ({len(titles)}, 2), "
                    f"got {tuple(points.shape)}"
                )
        self.titles, self.groups, self.maps = list(titles), groups, maps
        self.users, self.histories, self.futures = list(users), histories, futures
        self.recommendations = recommendations
        self._bases = {name: embedding_map_base(p, groups) for name, p in maps.items()}

        self.user = widgets.Dropdown(
            options=[
                (f"user {u} ({len(h)} movies)", j)
                for j, (u, h) in enumerate(zip(users, histories))
            ],
            description="person",
        )
        self.model = widgets.Dropdown(
            options=list(recommendations), description="on the map"
        )
        self.map = widgets.Dropdown(options=list(maps), description="embedding")
        self.table = widgets.HTML()
        self.picture = widgets.Image(format="png")
        for control in (self.user, self.model, self.map):
            control.observe(lambda change: self.redraw(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.user, self.model, self.map]),
                widgets.HBox([self.picture, widgets.HTML(_legend_html())]),
                self.table,
            ]
        )
        self.redraw()

    @classmethod
    def from_models(
        cls,
        titles: Sequence[str],
        groups: torch.Tensor,
        item_vectors: dict[str, torch.Tensor],
        models: dict[str, object],
        users: Sequence[int],
        histories: Sequence[Sequence[int]],
        futures: Sequence[Sequence[int]],
        k: int = 10,
    ) -> RecommendationExplorer:
        """Build from trained models (each with ``scores(users, histories)``) and item vectors."""
        recommendations = {}
        for name, model in models.items():
            scores = model.scores(list(users), list(histories))
            recommendations[name] = top_k_items(scores, k, exclude=histories).tolist()
        maps = {name: project_2d(v) for name, v in item_vectors.items()}
        return cls(titles, groups, maps, users, histories, futures, recommendations)

    @classmethod
    def demo(cls) -> RecommendationExplorer:
        """Popularity and a briefly trained matrix factorization on MovieLens (a few seconds).

        The maps: the factorization's movie vectors, and the movies' genres and year
        (no learning at all) for comparison.
        """
        from ..data.movielens import load_movielens, temporal_split
        from ..models.recommenders import (
            MatrixFactorization,
            Popularity,
            train_matrix_factorization,
        )

        data = load_movielens()
        split = temporal_split(data)
        users, items = split.pairs("train")
        torch.manual_seed(0)
        mf = MatrixFactorization(data.num_users, data.num_items, dim=16)
        train_matrix_factorization(mf, users, items, epochs=2, batch_size=4096, lr=0.02)
        chosen = split.warm_users[:20]
        return cls.from_models(
            data.titles,
            main_genres(data.genres, data.genre_names),
            {
                "matrix factorization": mf.item_factors.weight.detach(),
                "genres and year": data.item_features(),
            },
            {
                "popularity": Popularity(data.num_items).fit(items),
                "matrix factorization": mf,
            },
            chosen,
            [split.train[u] for u in chosen],
            [split.val[u] for u in chosen],
        )

    def redraw(self) -> None:
        j = self.user.value
        history, future = self.histories[j], self.futures[j]
        lists = {name: recs[j] for name, recs in self.recommendations.items()}
        self.table.value = recommendation_table_html(
            self.titles, history, lists, future, highlight=self.model.value
        )
        image = embedding_map_rgb(
            self.maps[self.map.value],
            self.groups,
            history=history,
            recommended=lists[self.model.value],
            future=future,
            base=self._bases[self.map.value],
        )
        self.picture.value = _png(image)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
