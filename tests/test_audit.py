"""Membership-inference metrics against scikit-learn; WEAT against a direct loop implementation."""

from __future__ import annotations

import math
from itertools import combinations

import pytest
import torch
from sklearn.metrics import roc_auc_score, roc_curve

from course_utils.audit import (
    attack_advantage,
    best_threshold,
    roc_auc,
    weat_association,
    weat_effect_size,
    weat_p_value,
    weat_statistic,
)


@pytest.mark.parametrize("seed", range(12))
def test_roc_auc_matches_scikit_learn(seed):
    generator = torch.Generator().manual_seed(seed)
    n = 5 + 40 * seed
    labels = torch.randint(2, (n,), generator=generator)
    labels[:2] = torch.tensor([0, 1])
    scores = torch.randn(n, generator=generator) + labels * seed / 4
    if seed % 3 == 0:
        scores = scores.round()  # many ties
    assert roc_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))


@pytest.mark.parametrize("seed", range(6))
def test_best_advantage_is_the_largest_tpr_minus_fpr_of_the_roc_curve(seed):
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(2, (60,), generator=generator)
    labels[:2] = torch.tensor([0, 1])
    scores = torch.randn(60, generator=generator) + labels
    false_positive, true_positive, _ = roc_curve(labels, scores)
    threshold = best_threshold(scores, labels)
    advantage = attack_advantage(scores, labels, threshold)
    assert advantage == pytest.approx((true_positive - false_positive).max())


def test_attack_advantage_by_hand():
    scores = torch.tensor([0.9, 0.6, 0.4, 0.8, 0.2, 0.1])
    labels = torch.tensor([1, 1, 1, 0, 0, 0])
    assert attack_advantage(scores, labels, 0.5) == pytest.approx(2 / 3 - 1 / 3)
    assert attack_advantage(scores, labels, 0.0) == 0.0  # says "member" to everyone


def loop_association(w, A, B):
    cos = torch.nn.functional.cosine_similarity
    return sum(cos(w, a, dim=0) for a in A) / len(A) - sum(
        cos(w, b, dim=0) for b in B
    ) / len(B)


def loop_effect_size(X, Y, A, B):
    s_x = [float(loop_association(x, A, B)) for x in X]
    s_y = [float(loop_association(y, A, B)) for y in Y]
    both = s_x + s_y
    mean = sum(both) / len(both)
    std = math.sqrt(sum((v - mean) ** 2 for v in both) / (len(both) - 1))
    return (sum(s_x) / len(s_x) - sum(s_y) / len(s_y)) / std


def loop_p_value(X, Y, A, B):
    words = list(X) + list(Y)
    s = [float(loop_association(w, A, B)) for w in words]
    observed = sum(s[: len(X)]) - sum(s[len(X) :])
    as_large, total = 0, 0
    for group in combinations(range(len(words)), len(X)):
        inside = sum(s[i] for i in group)
        statistic = inside - (sum(s) - inside)
        as_large += statistic >= observed - 1e-12
        total += 1
    return as_large / total


@pytest.mark.parametrize("seed", range(8))
def test_weat_matches_a_direct_loop(seed):
    generator = torch.Generator().manual_seed(seed)
    sizes = [(3, 3, 2, 4), (4, 5, 3, 3), (2, 2, 1, 1), (5, 5, 4, 6)][seed % 4]
    d = 3 + seed
    X, Y, A, B = (
        torch.randn(k, d, generator=generator, dtype=torch.double) for k in sizes
    )
    X = X + 0.3 * seed * A.mean(0)  # some association, growing with the seed
    torch.testing.assert_close(
        weat_association(X, A, B), torch.stack([loop_association(x, A, B) for x in X])
    )
    assert weat_effect_size(X, Y, A, B) == pytest.approx(loop_effect_size(X, Y, A, B))
    assert weat_p_value(X, Y, A, B) == pytest.approx(loop_p_value(X, Y, A, B))
    expected = sum(float(loop_association(x, A, B)) for x in X) - sum(
        float(loop_association(y, A, B)) for y in Y
    )
    assert weat_statistic(X, Y, A, B) == pytest.approx(expected)


def test_weat_sampled_p_value_is_close_to_the_exact_one():
    generator = torch.Generator().manual_seed(0)
    X, Y, A, B = (torch.randn(6, 5, generator=generator) for _ in range(4))
    X = X + 0.2 * A.mean(0)
    exact = weat_p_value(X, Y, A, B)  # 924 splits: enumerated
    sampled = weat_p_value(X, Y, A, B, permutations=500, seed=1)
    assert abs(exact - sampled) < 0.08
    assert -2 <= weat_effect_size(X, Y, A, B) <= 2


def test_bad_input_is_rejected_clearly():
    scores = torch.tensor([0.1, 0.2])
    with pytest.raises(ValueError, match="both members"):
        roc_auc(scores, torch.tensor([1, 1]))
    with pytest.raises(ValueError, match="same length"):
        roc_auc(scores, torch.tensor([1, 0, 1]))
    with pytest.raises(ValueError, match="0 \\(non-member\\) or 1"):
        attack_advantage(scores, torch.tensor([2, 0]), 0.5)
    with pytest.raises(TypeError, match="labels must be a tensor"):
        best_threshold(scores, [1, 0])
    with pytest.raises(ValueError, match="same number of features"):
        weat_association(torch.ones(2, 3), torch.ones(2, 4), torch.ones(2, 3))
    with pytest.raises(ValueError, match="non-empty matrix"):
        weat_association(torch.ones(3), torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError, match="permutations"):
        weat_p_value(*(torch.ones(2, 3) for _ in range(4)), permutations=0)
