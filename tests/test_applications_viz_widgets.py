"""Figures, the recommendation explorer, the CJK font and the exercise checkers of the applications chapter."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from course_utils import exercises
from course_utils.viz.recommendation import (
    GENRE_GROUPS,
    embedding_map_rgb,
    main_genres,
    plot_embedding_map,
    project_2d,
    recommendation_table_html,
)
from course_utils.viz.style import cjk_font_path, use_cjk_font
from course_utils.widgets import RecommendationExplorer


def test_chinese_renders_without_missing_glyphs():
    assert cjk_font_path().name == "NotoSansCJKsc-Regular.otf"
    name = use_cjk_font()
    assert name == "Noto Sans CJK SC"
    fig, ax = plt.subplots()
    ax.set_title("好评与差评 (positive / negative)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        fig.canvas.draw()
    plt.close(fig)
    assert plt.rcParams["font.family"][0] == "DejaVu Sans"  # Latin text unchanged


def test_main_genres_takes_the_first_matching_group():
    names = ["Action", "Animation", "Drama", "Horror"]
    genres = torch.tensor(
        [[1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0]]
    ).float()
    groups = [GENRE_GROUPS[i][0] for i in main_genres(genres, names).tolist()]
    assert groups == ["children & animation", "horror", "drama", "other"]
    with pytest.raises(ValueError, match=r"must be \(N, 4\)"):
        main_genres(genres[:, :2], names)


@pytest.mark.parametrize("seed", range(5))
def test_project_2d_is_pca_with_a_fixed_sign(seed):
    x = torch.randn(
        40, 6, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )
    ours = project_2d(x)
    theirs = PCA(2).fit_transform(x.numpy())
    for c in range(2):  # equal up to the sign of each component
        sign = np.sign(ours[:, c].numpy() @ theirs[:, c])
        np.testing.assert_allclose(ours[:, c].numpy(), sign * theirs[:, c], atol=1e-5)
    torch.testing.assert_close(project_2d(-x), ours)  # the sign rule removes the flip
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        project_2d(torch.zeros(5))


def test_map_pictures_and_table():
    points, groups = torch.rand(30, 2), torch.randint(0, 10, (30,))
    plain = embedding_map_rgb(points, groups, size=80)
    marked = embedding_map_rgb(
        points, groups, history=[1], recommended=[2], future=[3], size=80
    )
    assert plain.shape == marked.shape == (80, 80, 3) and plain.dtype == np.uint8
    assert (marked == [220, 0, 0]).all(-1).any() and not (plain == [220, 0, 0]).all(
        -1
    ).any()
    assert (marked == [0, 160, 0]).all(-1).any()
    ax = plot_embedding_map(points, groups, history=[1], recommended=[2], future=[3])
    assert ax.get_legend() is not None
    plt.close("all")
    html = recommendation_table_html(
        [f"m{i}" for i in range(5)], [0, 1], {"a": [2, 3], "b": [4, 3]}, future=[3]
    )
    assert (
        html.count("&#10003;") == 3 and "hits: a 1/1, b 1/1" in html
    )  # 2 hits + caption
    with pytest.raises(ValueError, match="points but"):
        embedding_map_rgb(points, groups[:3])


@pytest.fixture(scope="module")
def explorer():
    return RecommendationExplorer.demo()


def test_every_control_changes_the_view(explorer):
    for control in (explorer.user, explorer.model):
        before = (explorer.table.value, explorer.picture.value)
        options = control.options
        current = control.value
        control.value = next(
            (o[1] if isinstance(o, tuple) else o)
            for o in options
            if (o[1] if isinstance(o, tuple) else o) != current
        )
        assert (explorer.table.value, explorer.picture.value) != before
    assert explorer.picture.value[:4] == b"\x89PNG"


def test_explorer_rejects_inconsistent_input(explorer):
    groups, maps = explorer.groups, explorer.maps
    with pytest.raises(ValueError, match="at least one user"):
        RecommendationExplorer(explorer.titles, groups, maps, [], [], [], {"a": []})
    with pytest.raises(ValueError, match="histories has 1 entries for 2 users"):
        RecommendationExplorer(
            explorer.titles, groups, maps, [0, 1], [[1]], [[1], [2]], {"a": [[1], [2]]}
        )
    with pytest.raises(ValueError, match="must be"):
        RecommendationExplorer(
            explorer.titles,
            groups,
            {"m": torch.zeros(3, 2)},
            [0],
            [[1]],
            [[2]],
            {"a": [[3]]},
        )


# ----------------------------------------------------------------------------- exercises


def _recall(ranked, relevant, k):
    return sum(i in relevant for i in ranked[:k]) / len(relevant)


def test_recall_checker(capsys):
    assert exercises.check_recall_at_k(_recall, strict=True)
    wrong = exercises.check_recall_at_k(
        lambda ranked, relevant, k: sum(i in relevant for i in ranked[:k]) / k
    )
    assert not wrong and "NOT YET" in wrong.message

    def unwritten(ranked, relevant, k):
        raise NotImplementedError

    assert "not written yet" in exercises.check_recall_at_k(unwritten).message
    with pytest.raises(exercises.ExerciseFailed):
        exercises.check_recall_at_k(unwritten, strict=True)


def test_ndcg_checker_catches_the_classic_slips():
    import math

    def right(ranked, relevant, k):
        dcg = sum(
            1 / math.log2(r + 2) for r, i in enumerate(ranked[:k]) if i in relevant
        )
        return dcg / sum(1 / math.log2(r + 2) for r in range(min(k, len(relevant))))

    def rank_off_by_one(
        ranked, relevant, k
    ):  # log2(r + 1) with r from 0: rank 1 divides by 0
        dcg = sum(
            1 / math.log2(r + 1) if r else 1.0
            for r, i in enumerate(ranked[:k])
            if i in relevant
        )
        return dcg / sum(1 / math.log2(r + 2) for r in range(min(k, len(relevant))))

    def ideal_ignores_k(ranked, relevant, k):
        dcg = sum(
            1 / math.log2(r + 2) for r, i in enumerate(ranked[:k]) if i in relevant
        )
        return dcg / sum(1 / math.log2(r + 2) for r in range(len(relevant)))

    assert exercises.check_ndcg_at_k(right, strict=True)
    assert not exercises.check_ndcg_at_k(rank_off_by_one)
    assert not exercises.check_ndcg_at_k(ideal_ignores_k)


def test_char_ngrams_checker():
    assert exercises.check_char_ngrams(
        lambda text, n: [text[i : i + n] for i in range(len(text) - n + 1)], strict=True
    )
    assert not exercises.check_char_ngrams(
        lambda text, n: [text[i : i + n] for i in range(len(text) - n)]
    )
    assert not exercises.check_char_ngrams(
        lambda text, n: sorted({text[i : i + n] for i in range(len(text) - n + 1)})
    )
    assert not exercises.check_char_ngrams(lambda text, n: "".join(text))  # not a list
