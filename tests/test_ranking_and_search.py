"""Ranking metrics (recall@k, NDCG@k) and search (BM25, cosine similarity) of the applications chapter."""

import importlib.util
import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import ndcg_score
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

from course_utils.metrics import ndcg_at_k, recall_at_k, top_k_items
from course_utils.retrieval import BM25, cosine_similarity, tokenize

# ----------------------------------------------------------------------------- metrics


def test_hand_computed_recall_and_ndcg():
    scores = torch.tensor([[0.9, 0.1, 0.5, 0.3], [0.0, 1.0, 2.0, 3.0]])
    relevant = [{2, 3}, {3}]
    # Row 0 ranks 0, 2 | 3, 1: one of two relevant items in the top 2. Row 1 ranks 3 first.
    assert recall_at_k(scores, relevant, 2, reduction="none").tolist() == [0.5, 1.0]
    assert recall_at_k(scores, relevant, 2) == 0.75
    # Row 0: a hit at rank 2 (worth 1/log2(3)) against an ideal of two hits.
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    got = ndcg_at_k(scores, relevant, 2, reduction="none")
    assert got[0].item() == pytest.approx(expected, abs=1e-6) and got[1].item() == 1.0
    # k = 3: row 0 finds both (ranks 2 and 3).
    assert recall_at_k(scores, relevant, 3) == 1.0
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(scores, relevant, 3, reduction="none")[0].item() == pytest.approx(
        (1 / math.log2(3) + 1 / math.log2(4)) / ideal, abs=1e-6
    )


def test_a_perfect_and_a_hopeless_ranking():
    scores = torch.arange(10.0).flip(0).unsqueeze(0)  # item 0 best
    assert ndcg_at_k(scores, [{0, 1, 2}], 5) == pytest.approx(1.0)
    assert recall_at_k(scores, [{7, 8, 9}], 5) == 0.0
    assert ndcg_at_k(scores, [{7, 8, 9}], 5) == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_ndcg_matches_scikit_learn_and_recall_a_direct_count(seed):
    rng = np.random.default_rng(seed)
    queries, items = rng.integers(1, 6), rng.integers(5, 40)
    k = int(rng.integers(1, items + 1))
    scores = rng.normal(size=(queries, items))  # continuous: no ties
    relevant = [
        set(rng.choice(items, size=rng.integers(1, items + 1), replace=False).tolist())
        for _ in range(queries)
    ]
    truth = np.zeros((queries, items))
    for row, rel in enumerate(relevant):
        truth[row, list(rel)] = 1
    ours = ndcg_at_k(torch.tensor(scores, dtype=torch.float64), relevant, k)
    assert ours == pytest.approx(ndcg_score(truth, scores, k=k), abs=1e-5)
    top = np.argsort(-scores, axis=1)[:, :k]
    direct = np.mean([len(set(t) & r) / len(r) for t, r in zip(top.tolist(), relevant)])
    assert recall_at_k(torch.tensor(scores), relevant, k) == pytest.approx(
        direct, abs=1e-6
    )


def test_top_k_breaks_ties_by_index_and_skips_excluded_items():
    scores = torch.tensor([[1.0, 1.0, 1.0, 0.0], [0.0, 5.0, 4.0, 3.0]])
    assert top_k_items(scores, 3).tolist() == [[0, 1, 2], [1, 2, 3]]
    assert top_k_items(scores, 2, exclude=[{0}, {1, 2}]).tolist() == [[1, 2], [3, 0]]
    # An excluded relevant item can never be found.
    assert recall_at_k(
        scores, [{1}, {1}], 2, exclude=[set(), {1}], reduction="none"
    ).tolist() == [
        1.0,
        0.0,
    ]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"k": 5}, ValueError, "larger than the catalogue, which has 4 items"),
        ({"k": 0}, ValueError, "k must be >= 1"),
        ({"k": 2.0}, TypeError, "k must be an int"),
        ({"relevant": [{1}, set()]}, ValueError, "at least one relevant item"),
        ({"relevant": [{1}]}, ValueError, "one collection of item indices per row"),
        ({"relevant": [{1}, {4}]}, ValueError, r"outside \[0, 3\]"),
        ({"scores": torch.zeros(4)}, ValueError, "2-D tensor"),
        ({"scores": [[0.0, 1.0]]}, TypeError, "must be a torch.Tensor"),
        ({"reduction": "sum"}, ValueError, "reduction"),
        ({"exclude": [{0, 1, 2}, set()], "k": 2}, ValueError, "only 1 items left"),
    ],
)
def test_bad_ranking_arguments_raise_clear_errors(kwargs, error, message):
    arguments = {"scores": torch.rand(2, 4), "relevant": [{1}, {2}], "k": 2}
    arguments.update(kwargs)
    for metric in (recall_at_k, ndcg_at_k):
        with pytest.raises(error, match=message):
            metric(**arguments)


# ----------------------------------------------------------------------------- BM25


def test_bm25_on_a_case_computed_by_hand():
    # N = 3 documents, average length 7/3; "c" occurs in one document, twice.
    bm25 = BM25(
        [["a", "b"], ["b", "c", "c"], ["a", "a"]], k1=1.5, b=0.75, idf="robertson"
    )
    idf = math.log((3 - 1 + 0.5) / (1 + 0.5))
    norm = 1.5 * (1 - 0.75 + 0.75 * 3 / (7 / 3))
    expected = idf * 2 * (1.5 + 1) / (2 + norm)
    assert bm25.score(["c"]).tolist() == pytest.approx([0.0, expected, 0.0], abs=1e-6)
    assert expected == pytest.approx(0.6684, abs=1e-4)
    # Lucene's idf adds 1 inside the log, so it is never negative.
    lucene = BM25([["a", "b"], ["b", "c", "c"], ["a", "a"]])
    assert lucene.idf["c"] == pytest.approx(math.log(1 + 2.5 / 1.5))
    assert all(v > 0 for v in lucene.idf.values())


def _snownlp_bm25():
    spec = importlib.util.find_spec("snownlp")
    if spec is None:
        pytest.skip("snownlp is not installed")
    path = f"{spec.submodule_search_locations[0]}/sim/bm25.py"
    module_spec = importlib.util.spec_from_file_location("snownlp_bm25", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(
        module
    )  # the file alone: snownlp's __init__ loads models
    return module.BM25


@pytest.mark.parametrize("seed", range(10))
def test_bm25_matches_snownlp_on_random_corpora(seed):
    reference = _snownlp_bm25()
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(rng.randint(3, 15))]
    documents = [
        [rng.choice(words) for _ in range(rng.randint(1, 12))]
        for _ in range(rng.randint(2, 12))
    ]
    query = [rng.choice(words) for _ in range(rng.randint(1, 5))]
    ours = BM25(documents, idf="robertson").score(query)
    theirs = reference(documents).simall(query)
    assert ours.tolist() == pytest.approx(theirs, abs=1e-5)


def test_bm25_tokenizes_strings_and_ignores_unknown_words():
    bm25 = BM25(["The Adam optimizer.", "Dropout, again!"])
    assert bm25.documents[0] == ["the", "adam", "optimizer"]
    assert bm25.score("transformer").tolist() == [0.0, 0.0]
    assert bm25.scores(["adam", "dropout"]).argmax(1).tolist() == [0, 1]
    assert tokenize("GPU-2, ok?") == ["gpu", "2", "ok"]


@pytest.mark.parametrize(
    "documents, kwargs, error, message",
    [
        ([], {}, ValueError, "the corpus is empty"),
        (["", " ! "], {}, ValueError, "every document is empty"),
        ("one string", {}, TypeError, "list of strings"),
        (["a"], {"b": 2.0}, ValueError, "b must be in"),
        (["a"], {"k1": -1.0}, ValueError, "k1 must be >= 0"),
        (["a"], {"idf": "bm11"}, ValueError, "unknown idf"),
    ],
)
def test_bm25_rejects_bad_input(documents, kwargs, error, message):
    with pytest.raises(error, match=message):
        BM25(documents, **kwargs)


def test_bm25_scores_wants_a_list():
    with pytest.raises(TypeError, match="list of queries"):
        BM25(["a b"]).scores("a")


# ----------------------------------------------------------------------------- cosine


@pytest.mark.parametrize("seed", range(10))
def test_cosine_similarity_matches_torch_and_scikit_learn(seed):
    generator = torch.Generator().manual_seed(seed)
    a_rows, b_rows, dim = (
        int(v) for v in torch.randint(1, 9, (3,), generator=generator)
    )
    a = torch.randn(a_rows, dim, generator=generator, dtype=torch.float64)
    b = torch.randn(b_rows, dim, generator=generator, dtype=torch.float64)
    ours = cosine_similarity(a, b)
    assert ours.shape == (a_rows, b_rows)
    torch.testing.assert_close(ours, F.cosine_similarity(a[:, None], b[None], dim=-1))
    np.testing.assert_allclose(
        ours.numpy(), sk_cosine(a.numpy(), b.numpy()), atol=1e-10
    )


def test_cosine_similarity_of_a_zero_vector_is_zero_and_shapes_are_checked():
    assert cosine_similarity(torch.zeros(1, 3), torch.ones(2, 3)).tolist() == [
        [0.0, 0.0]
    ]
    with pytest.raises(ValueError, match="same number of features"):
        cosine_similarity(torch.ones(1, 3), torch.ones(1, 4))
    with pytest.raises(ValueError, match="must be 2-D"):
        cosine_similarity(torch.ones(3), torch.ones(1, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        cosine_similarity([[1.0]], torch.ones(1, 1))
