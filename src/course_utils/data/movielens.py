"""MovieLens-100K: 100,000 ratings of 1,682 movies by 943 people, read from the ``recbole`` wheel.

GroupLens Research collected the ratings on their MovieLens web site between
September 1997 and April 1998 (Harper and Konstan, 2015). The data set's licence
allows research and teaching use with acknowledgement, not commercial use or
redistribution on its own. The ``recbole`` package (MIT licence) ships a copy as
tab-separated files under ``dataset_example/ml-100k/``; install it with
``pip install --no-deps recbole`` (its dependencies do not install on recent
Pythons) and we read the files directly, without importing recbole.

Ratings are turned into *implicit feedback*: a person rated a movie, so they
watched it; the task is to guess which movies a person watches next.
:func:`temporal_split` keeps time in order: for each person, the last movies
they rated are the test set, the ones before are the validation set.

Example:
    >>> data = load_movielens()
    >>> data.num_users, data.num_items, len(data.users)
    (943, 1682, 100000)
    >>> data.titles[0], data.years[0].item(), data.item_genres(0)
    ('Toy Story', 1995, ['Animation', "Children's", 'Comedy'])
    >>> split = temporal_split(data, holdout=5, cold_fraction=0.1, seed=0)
    >>> len(split.warm_users) + len(split.cold_users)
    943
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch

from .._validation import require_int

__all__ = [
    "MovieLens",
    "InteractionSplit",
    "load_movielens",
    "temporal_split",
    "movielens_folder",
]


@dataclass(frozen=True)
class MovieLens:
    """The interactions, the movies and the people of MovieLens-100K, with 0-based ids.

    Attributes:
        users, items, ratings, timestamps: (E,) one entry per rating (ratings 1-5,
            timestamps in seconds since 1970).
        titles: (N,) movie titles; ``years`` (N,) release years (0 if unknown).
        genres: (N, G) float multi-hot genre matrix; ``genre_names`` its G columns.
        ages: (U,) ages; ``genders`` (U,) 0 = F, 1 = M; ``occupations`` (U,) indices
            into ``occupation_names``.
    """

    users: torch.Tensor
    items: torch.Tensor
    ratings: torch.Tensor
    timestamps: torch.Tensor
    titles: list[str]
    years: torch.Tensor
    genres: torch.Tensor
    genre_names: list[str]
    ages: torch.Tensor
    genders: torch.Tensor
    occupations: torch.Tensor
    occupation_names: list[str]

    @property
    def num_users(self) -> int:
        return len(self.ages)

    @property
    def num_items(self) -> int:
        return len(self.titles)

    def item_genres(self, item: int) -> list[str]:
        """The genre names of one movie."""
        return [
            self.genre_names[g] for g in self.genres[item].nonzero().flatten().tolist()
        ]

    def user_features(self) -> torch.Tensor:
        """(U, 2 + occupations) floats: age (scaled), gender, one-hot occupation."""
        age = ((self.ages.float() - 34.0) / 12.0).unsqueeze(1)
        gender = self.genders.float().unsqueeze(1)
        occupation = torch.nn.functional.one_hot(
            self.occupations, len(self.occupation_names)
        ).float()
        return torch.cat([age, gender, occupation], dim=1)

    def item_features(self) -> torch.Tensor:
        """(N, G + 1) floats: the genres and the release year (scaled, 0 if unknown)."""
        year = torch.where(self.years > 0, (self.years.float() - 1988.0) / 15.0, 0.0)
        return torch.cat([self.genres, year.unsqueeze(1)], dim=1)


@dataclass(frozen=True)
class InteractionSplit:
    """Each person's movies in the order they rated them, split in time.

    Warm users: ``train`` (all but the last ``2 * holdout``), ``val`` (the ``holdout``
    before the last) and ``test`` (the last ``holdout``), each computed once (do not
    modify the lists). Cold users are kept out of
    training entirely (their lists there are empty); ``sequences`` holds every
    person's full, time-ordered list.
    """

    sequences: list[list[int]]
    warm_users: list[int]
    cold_users: list[int]
    holdout: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cold_set", frozenset(self.cold_users))

    def _cut(self, start: int | None, stop: int | None) -> list[list[int]]:
        return [
            [] if u in self._cold_set else s[start:stop]
            for u, s in enumerate(self.sequences)
        ]

    @cached_property
    def train(self) -> list[list[int]]:
        """Per user, the training movies in time order (empty for cold users)."""
        return self._cut(None, -2 * self.holdout)

    @cached_property
    def val(self) -> list[list[int]]:
        """Per user, the ``holdout`` validation movies (empty for cold users)."""
        return self._cut(-2 * self.holdout, -self.holdout)

    @cached_property
    def test(self) -> list[list[int]]:
        """Per user, the last ``holdout`` movies (empty for cold users)."""
        return self._cut(-self.holdout, None)

    def pairs(self, part: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
        """(users, items) tensors of every interaction of the warm users in ``part``:
        ``"train"``, ``"val"``, ``"test"`` or ``"train+val"``."""
        parts = {"train": (None, -2), "val": (-2, -1), "test": (-1, None)}
        parts["train+val"] = (None, -1)
        if part not in parts:
            raise ValueError(
                f"pairs: unknown part {part!r}, expected one of {list(parts)}"
            )
        start, stop = (None if v is None else v * self.holdout for v in parts[part])
        users, items = [], []
        for user, sequence in enumerate(self._cut(start, stop)):
            users += [user] * len(sequence)
            items += sequence
        return torch.tensor(users, dtype=torch.long), torch.tensor(
            items, dtype=torch.long
        )


def movielens_folder() -> Path:
    """The folder of MovieLens-100K inside the installed ``recbole`` package."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "MovieLens-100K needs the package 'recbole', which is not installed: run "
            "`pip install --no-deps recbole` (or `pip install --no-deps -r requirements-nodeps.txt`)"
        )
    folder = Path(spec.submodule_search_locations[0]) / "dataset_example" / "ml-100k"
    if not (folder / "ml-100k.inter").exists():
        raise FileNotFoundError(
            f"recbole has no dataset_example/ml-100k/ (looked in {folder})"
        )
    return folder


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text("utf-8").splitlines()
    return [line.split("\t") for line in lines[1:] if line]


def load_movielens() -> MovieLens:
    """Read MovieLens-100K from the ``recbole`` wheel (ids made 0-based)."""
    folder = movielens_folder()
    inter = _rows(folder / "ml-100k.inter")
    users = torch.tensor([int(r[0]) - 1 for r in inter])
    items = torch.tensor([int(r[1]) - 1 for r in inter])
    ratings = torch.tensor([float(r[2]) for r in inter])
    timestamps = torch.tensor([int(float(r[3])) for r in inter])

    movies = sorted(_rows(folder / "ml-100k.item"), key=lambda r: int(r[0]))
    if [int(r[0]) for r in movies] != list(range(1, len(movies) + 1)):
        raise ValueError("ml-100k.item: movie ids are not 1..N")
    titles = [r[1] if r[1] != "unkonwn" else "(unknown title)" for r in movies]
    # One movie (id 267) has neither title nor year in the original data ("unknown").
    years = torch.tensor([int(r[2]) if r[2].isdigit() else 0 for r in movies])
    movie_genres = [r[3].split() if len(r) > 3 else [] for r in movies]
    genre_names = sorted({g for gs in movie_genres for g in gs} - {"unknown"})
    genres = torch.zeros(len(movies), len(genre_names))
    for row, gs in enumerate(movie_genres):
        for g in gs:
            if g in genre_names:
                genres[row, genre_names.index(g)] = 1.0

    people = sorted(_rows(folder / "ml-100k.user"), key=lambda r: int(r[0]))
    if [int(r[0]) for r in people] != list(range(1, len(people) + 1)):
        raise ValueError("ml-100k.user: user ids are not 1..U")
    occupation_names = sorted({r[3] for r in people})
    return MovieLens(
        users=users,
        items=items,
        ratings=ratings,
        timestamps=timestamps,
        titles=titles,
        years=years,
        genres=genres,
        genre_names=genre_names,
        ages=torch.tensor([int(r[1]) for r in people]),
        genders=torch.tensor([int(r[2] == "M") for r in people]),
        occupations=torch.tensor([occupation_names.index(r[3]) for r in people]),
        occupation_names=occupation_names,
    )


def temporal_split(
    data: MovieLens, holdout: int = 5, cold_fraction: float = 0.1, seed: int = 0
) -> InteractionSplit:
    """Order each person's movies by time; hold out the last ones, and some people entirely.

    Args:
        data: from :func:`load_movielens`.
        holdout: movies per warm user in the test set (the last ones) and in the
            validation set (the ones just before); every user keeps at least
            ``holdout`` movies for training.
        cold_fraction: share of people (chosen at random with ``seed``) left out of
            training entirely, to measure recommendations for newcomers.
        seed: seeds the choice of cold users.
    """
    require_int("temporal_split", "holdout", holdout, minimum=1)
    if not 0 <= cold_fraction < 1:
        raise ValueError(
            f"temporal_split: cold_fraction must be in [0, 1), got {cold_fraction!r}"
        )
    users, items = data.users.tolist(), data.items.tolist()
    times = data.timestamps.tolist()
    order = sorted(range(len(users)), key=lambda e: (times[e], items[e]))
    sequences: list[list[int]] = [[] for _ in range(data.num_users)]
    for e in order:
        sequences[users[e]].append(items[e])
    shortest = min(len(s) for s in sequences)
    if shortest < 3 * holdout:
        raise ValueError(
            f"temporal_split: holdout={holdout} needs every user to have at least "
            f"{3 * holdout} movies, but one has only {shortest}"
        )
    people = list(range(data.num_users))
    cold = sorted(
        random.Random(seed).sample(people, round(cold_fraction * len(people)))
    )
    cold_set = set(cold)
    warm = [u for u in people if u not in cold_set]
    return InteractionSplit(sequences, warm, cold, holdout)
