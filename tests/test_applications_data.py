"""Loaders of the applications chapter: the book as a corpus, Chinese reviews, MovieLens."""

import json

import pytest
import torch

from course_utils.data.book_corpus import (
    BOOK_QUESTIONS,
    CHINESE_QUESTIONS,
    build_book_corpus,
    load_book_corpus,
    save_book_corpus,
)
from course_utils.data.movielens import load_movielens, temporal_split
from course_utils.data.reviews import load_chinese_reviews

# ----------------------------------------------------------------------------- the book


@pytest.fixture(scope="module")
def corpus():
    return load_book_corpus()


def test_snapshot_has_unique_ids_and_every_labelled_answer(corpus):
    ids = [p.id for p in corpus]
    assert len(ids) == len(set(ids)) and len(ids) > 150
    assert {p.kind for p in corpus} == {"glossary", "section"}
    known = set(ids)
    for question in BOOK_QUESTIONS:
        assert question.relevant and set(question.relevant) <= known, question.text
        assert question.split in ("dev", "test")
    for _, target in CHINESE_QUESTIONS:
        assert target in known
    splits = [q.split for q in BOOK_QUESTIONS]
    assert splits.count("dev") >= 10 and splits.count("test") >= 20
    texts = [q.text for q in BOOK_QUESTIONS]
    assert len(set(texts)) == len(texts)


def test_passages_are_plain_text(corpus):
    for passage in corpus:
        assert "{cite}" not in passage.text and "```" not in passage.text
        assert "<details>" not in passage.text and passage.text.strip()
    adam = next(p for p in corpus if p.id == "glossary:adam")
    assert adam.searchable() == adam.text
    section = next(p for p in corpus if p.kind == "section")
    assert section.searchable().startswith(section.title)


FAKE_GLOSSARY = """# Glossary

```{glossary}
:sorted:

Widget
Gadget
  A small {term}`thing` that does one job, see {cite}`smith2020widgets`.

Sprocket
  A toothed wheel.
```
"""


def _fake_book(root):
    (root / "chapters" / "01_parts").mkdir(parents=True)
    (root / "glossary.md").write_text(FAKE_GLOSSARY)
    cells = [
        {
            "cell_type": "markdown",
            "source": [
                "# Parts\n\nThis page is about parts of machines and how they fit together well."
            ],
        },
        {"cell_type": "code", "source": ["print('no code in the corpus')"]},
        {
            "cell_type": "markdown",
            "source": [
                "## Gears and wheels\n\nA gear turns another gear; see {doc}`other <../x/y>`.\n"
                "```python\nsecret_code = 1\n```\n"
                "```{admonition} Common mistake: a note\n:class: warning\nKeep the prose of boxes.\n```\n"
            ],
        },
        {
            "cell_type": "markdown",
            "source": [
                "## Exercises\n\n<details>\n<summary>Solution</summary>\n\nhidden answer text here\n\n</details>"
            ],
        },
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "chapters" / "01_parts" / "01_gears.ipynb").write_text(json.dumps(notebook))


def test_build_book_corpus_on_a_small_fake_book(tmp_path):
    _fake_book(tmp_path)
    passages = build_book_corpus(tmp_path)
    by_id = {p.id: p for p in passages}
    assert list(by_id) == [
        "glossary:widget",
        "glossary:sprocket",
        "01_parts/01_gears#introduction",
        "01_parts/01_gears#gears-and-wheels",
    ]
    assert by_id["glossary:widget"].text == (
        "Widget (also: Gadget): A small thing that does one job, see."
    )
    gears = by_id["01_parts/01_gears#gears-and-wheels"]
    assert gears.title == "Parts: Gears and wheels"
    assert "other" in gears.text and "Keep the prose of boxes." in gears.text
    assert "secret_code" not in gears.text and ":class:" not in gears.text
    assert not any("hidden answer" in p.text for p in passages)
    save_book_corpus(passages, tmp_path / "snapshot.json")
    assert (
        json.loads((tmp_path / "snapshot.json").read_text())["passages"][1]["title"]
        == "Sprocket"
    )


def test_the_repository_rebuild_works_and_errors_are_clear(tmp_path):
    rebuilt = load_book_corpus("repository")  # this checkout holds the book
    assert sum(p.kind == "glossary" for p in rebuilt) > 50
    with pytest.raises(FileNotFoundError, match="no glossary.md"):
        load_book_corpus("repository", root=tmp_path)
    with pytest.raises(ValueError, match="unknown source"):
        load_book_corpus("web")


def test_a_package_installed_without_the_book_says_so(monkeypatch, tmp_path):
    import course_utils.data.book_corpus as module

    monkeypatch.setattr(
        module, "__file__", str(tmp_path / "a" / "b" / "c" / "book_corpus.py")
    )
    with pytest.raises(
        FileNotFoundError, match="are not next to this installed package"
    ):
        module.book_root()


# ----------------------------------------------------------------------------- reviews


def test_reviews_are_distinct_labelled_and_cut():
    reviews = load_chinese_reviews()
    assert len(reviews) > 17_000 and len(set(reviews.texts)) == len(reviews.texts)
    share = sum(reviews.labels) / len(reviews)
    assert 0.4 < share < 0.6  # both classes well represented
    assert all("\u4e00" <= ch <= "\u9fff" for ch in reviews.texts[0][:2])  # Chinese
    short = load_chinese_reviews(max_chars=10)
    assert max(len(t) for t in short.texts) == 10 and short.labels == reviews.labels
    with pytest.raises(ValueError, match="max_chars must be >= 1"):
        load_chinese_reviews(max_chars=0)


# ----------------------------------------------------------------------------- MovieLens


@pytest.fixture(scope="module")
def movielens():
    return load_movielens()


def test_movielens_tables(movielens):
    data = movielens
    assert (data.num_users, data.num_items, len(data.ratings)) == (943, 1682, 100_000)
    assert data.users.max() == 942 and data.items.min() == 0
    assert set(data.ratings.unique().tolist()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert (
        data.genres.shape == (1682, len(data.genre_names))
        and "Drama" in data.genre_names
    )
    assert data.user_features().shape == (943, 2 + len(data.occupation_names))
    assert data.item_features().shape == (1682, len(data.genre_names) + 1)
    assert data.titles[49] == "Star Wars" and data.years[49] == 1977


def test_temporal_split_keeps_time_order_and_cold_users_out(movielens):
    split = temporal_split(movielens, holdout=5, cold_fraction=0.1, seed=0)
    assert len(split.cold_users) == 94 and not set(split.cold_users) & set(
        split.warm_users
    )
    time_of = {
        (u, i): t
        for u, i, t in zip(
            movielens.users.tolist(),
            movielens.items.tolist(),
            movielens.timestamps.tolist(),
        )
    }
    for user in split.warm_users[:50]:
        train, val, test = split.train[user], split.val[user], split.test[user]
        assert len(val) == len(test) == 5 and train
        times = [time_of[(user, i)] for i in train + val + test]
        assert times == sorted(times)
        assert not (set(train) | set(val)) & set(test)
    for user in split.cold_users:
        assert split.train[user] == split.val[user] == split.test[user] == []
        assert len(split.sequences[user]) >= 20
    users, items = split.pairs("train")
    assert len(users) == sum(len(split.train[u]) for u in split.warm_users)
    assert len(split.pairs("train+val")[0]) == len(users) + 5 * len(split.warm_users)
    assert set(users.tolist()) == set(split.warm_users)
    again = temporal_split(movielens, holdout=5, cold_fraction=0.1, seed=0)
    assert again.cold_users == split.cold_users
    assert temporal_split(movielens, seed=1).cold_users != split.cold_users


def test_temporal_split_rejects_bad_arguments(movielens):
    with pytest.raises(ValueError, match="at least 21"):
        temporal_split(movielens, holdout=7)
    with pytest.raises(ValueError, match="cold_fraction"):
        temporal_split(movielens, cold_fraction=1.0)
    with pytest.raises(ValueError, match="unknown part"):
        temporal_split(movielens).pairs("everything")
    assert torch.is_tensor(temporal_split(movielens, cold_fraction=0.0).pairs()[0])
