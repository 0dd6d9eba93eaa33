"""Auditing a trained model: does it leak its training data? What associations does it carry?

Two measurements the risks notebook builds from scratch:

- **Membership inference** (Shokri et al., 2017; Yeom et al., 2018): an attacker
  holds a record and asks "was it in the training set?". An overfit model has a
  much lower loss on its training records than on others, so the simplest attack
  scores each record by ``-loss`` and says "member" above a threshold. Its
  success is measured like any detector: :func:`roc_auc` (0.5 = guessing) and
  the *membership advantage* :func:`attack_advantage` (true-positive rate minus
  false-positive rate at a threshold, 0 = guessing), the threshold chosen with
  :func:`best_threshold` on data the evaluation never sees.
- **WEAT** (Caliskan et al., 2017): do the embeddings of target words X (say,
  flowers) sit closer to attribute words A (pleasant) than those of targets Y
  (insects) do? :func:`weat_effect_size` is a standardized difference of mean
  associations; :func:`weat_p_value` asks how often a random split of X and Y
  into two groups gives a statistic at least as large.

Example:
    >>> import torch
    >>> roc_auc(torch.tensor([0.9, 0.8, 0.3, 0.1]), torch.tensor([1, 0, 1, 0]))
    0.75
    >>> attack_advantage(torch.tensor([0.9, 0.8, 0.3, 0.1]), torch.tensor([1, 0, 1, 0]), 0.5)
    0.0
"""

from __future__ import annotations

import math
from itertools import combinations

import torch

from ._validation import require_floating, require_int, shape_of

__all__ = [
    "roc_auc",
    "attack_advantage",
    "best_threshold",
    "weat_association",
    "weat_statistic",
    "weat_effect_size",
    "weat_p_value",
]


# --- membership inference: how well do scores tell members from non-members? -----------------
def roc_auc(scores: torch.Tensor, labels: torch.Tensor) -> float:
    """Area under the ROC curve: P(a random positive scores above a random negative), ties half.

    Computed from ranks (the Mann-Whitney U statistic), as scikit-learn's
    ``roc_auc_score`` (``tests/test_audit.py`` compares them).

    Example:
        >>> roc_auc(torch.tensor([1.0, 1.0, 0.0]), torch.tensor([1, 0, 0]))
        0.75
    """
    scores, labels = _scores_and_labels("roc_auc", scores, labels)
    ranks = _average_ranks(scores)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    rank_sum = float(ranks[labels].sum())
    u = rank_sum - positives * (positives + 1) / 2
    return u / (positives * negatives)


def attack_advantage(
    scores: torch.Tensor, labels: torch.Tensor, threshold: float
) -> float:
    """Membership advantage at ``threshold``: TPR - FPR, predicting "member" when score >= threshold.

    Example:
        >>> attack_advantage(torch.tensor([3.0, 2.0, 1.0]), torch.tensor([1, 1, 0]), 1.5)
        1.0
    """
    scores, labels = _scores_and_labels("attack_advantage", scores, labels)
    said_member = scores >= threshold
    true_positive_rate = said_member[labels].double().mean()
    false_positive_rate = said_member[~labels].double().mean()
    return float(true_positive_rate - false_positive_rate)


def best_threshold(scores: torch.Tensor, labels: torch.Tensor) -> float:
    """The threshold with the largest :func:`attack_advantage` on (scores, labels).

    Choose it on reference data (a shadow model, known members), never on the
    records the attack is evaluated on.

    Example:
        >>> best_threshold(torch.tensor([0.9, 0.75, 0.5, 0.25]), torch.tensor([1, 1, 0, 0]))
        0.75
    """
    scores, labels = _scores_and_labels("best_threshold", scores, labels)
    candidates = torch.unique(scores)
    advantages = [attack_advantage(scores, labels, float(t)) for t in candidates]
    return float(candidates[max(range(len(advantages)), key=advantages.__getitem__)])


# --- WEAT: associations between word sets in an embedding space -------------------------------
def weat_association(
    words: torch.Tensor, attributes_a: torch.Tensor, attributes_b: torch.Tensor
) -> torch.Tensor:
    """s(w, A, B) = mean cosine(w, a) over A - mean cosine(w, b) over B, for each row w.

    Example:
        >>> w = torch.tensor([[1.0, 0.0]])
        >>> weat_association(w, torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]))
        tensor([1.])
    """
    who = "weat_association"
    words, attributes_a, attributes_b = _embeddings(
        who, words=words, attributes_a=attributes_a, attributes_b=attributes_b
    )
    unit = torch.nn.functional.normalize
    w = unit(words, dim=1)
    return (w @ unit(attributes_a, dim=1).T).mean(1) - (
        w @ unit(attributes_b, dim=1).T
    ).mean(1)


def weat_statistic(
    targets_x: torch.Tensor,
    targets_y: torch.Tensor,
    attributes_a: torch.Tensor,
    attributes_b: torch.Tensor,
) -> float:
    """S(X, Y, A, B) = sum over X of s(x, A, B) - sum over Y of s(y, A, B)."""
    return float(
        weat_association(targets_x, attributes_a, attributes_b).sum()
        - weat_association(targets_y, attributes_a, attributes_b).sum()
    )


def weat_effect_size(
    targets_x: torch.Tensor,
    targets_y: torch.Tensor,
    attributes_a: torch.Tensor,
    attributes_b: torch.Tensor,
) -> float:
    """Cohen's d of the associations: (mean over X - mean over Y) / std over X and Y together.

    The standard deviation is the sample one (``n - 1``) over all the target words.
    Between -2 and 2; 0 means X and Y are, on average, equally associated with A.

    Example:
        >>> x, y = torch.tensor([[1.0, 0.1], [1.0, 0.2]]), torch.tensor([[0.1, 1.0], [0.2, 1.0]])
        >>> a, b = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
        >>> round(weat_effect_size(x, y, a, b), 3)
        1.728
    """
    s_x = weat_association(targets_x, attributes_a, attributes_b)
    s_y = weat_association(targets_y, attributes_a, attributes_b)
    both = torch.cat([s_x, s_y])
    return float((s_x.mean() - s_y.mean()) / both.std())


def weat_p_value(
    targets_x: torch.Tensor,
    targets_y: torch.Tensor,
    attributes_a: torch.Tensor,
    attributes_b: torch.Tensor,
    permutations: int = 10_000,
    seed: int = 0,
) -> float:
    """One-sided permutation p-value: P(S(X_i, Y_i, A, B) >= S(X, Y, A, B)) over equal-size splits.

    The target words X and Y are pooled and split into two groups of the sizes of X
    and Y in every possible way when there are at most ``permutations`` splits (an
    exact test), otherwise in ``permutations`` random ways (with ``seed``), and
    the observed split is counted as one more: the p-value is never 0, and
    ``1 / (permutations + 1)`` is the smallest it can report.

    Example:
        >>> x, y = torch.tensor([[1.0, 0.1], [1.0, 0.2]]), torch.tensor([[0.1, 1.0], [0.2, 1.0]])
        >>> a, b = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
        >>> weat_p_value(x, y, a, b)  # 1 of the 6 splits of 4 words is as extreme
        0.16666666666666666
    """
    who = "weat_p_value"
    permutations = require_int(who, "permutations", permutations, minimum=1)
    s = torch.cat(
        [
            weat_association(targets_x, attributes_a, attributes_b),
            weat_association(targets_y, attributes_a, attributes_b),
        ]
    ).double()
    n, size = len(s), len(targets_x)
    observed = 2 * s[:size].sum() - s.sum()
    if math.comb(n, size) <= permutations:
        groups = torch.tensor(list(combinations(range(n), size)), dtype=torch.long)
    else:
        generator = torch.Generator().manual_seed(seed)
        groups = torch.rand(permutations, n, generator=generator).argsort(1)[:, :size]
    statistics = 2 * s[groups].sum(1) - s.sum()
    as_large = int((statistics >= observed - 1e-12).sum())
    if len(groups) == math.comb(n, size):  # every split, the observed one included
        return as_large / len(groups)
    return (as_large + 1) / (len(groups) + 1)  # the observed split counts once more


# --- checks -----------------------------------------------------------------------------------
def _scores_and_labels(who: str, scores: object, labels: object):
    scores = require_floating(scores, who, "scores")
    if not isinstance(labels, torch.Tensor):
        raise TypeError(
            f"{who}: labels must be a tensor of 0/1, got {type(labels).__name__}"
        )
    if scores.dim() != 1 or labels.shape != scores.shape:
        raise ValueError(
            f"{who}: scores and labels must be two vectors (N,) of the same length, "
            f"got {shape_of(scores)} and {shape_of(labels)}"
        )
    if not bool(((labels == 0) | (labels == 1)).all()):
        raise ValueError(f"{who}: labels must be 0 (non-member) or 1 (member)")
    labels = labels.bool()
    if labels.all() or not labels.any():
        raise ValueError(
            f"{who}: labels must contain both members (1) and non-members (0)"
        )
    return scores.double(), labels


def _average_ranks(values: torch.Tensor) -> torch.Tensor:
    """Ranks 1..N of ``values``, tied values sharing the mean of their ranks."""
    _, inverse, counts = torch.unique(values, return_inverse=True, return_counts=True)
    ends = counts.cumsum(0).double()  # the last rank of each distinct value
    return (ends - (counts.double() - 1) / 2)[inverse]


def _embeddings(who: str, **named: object) -> list[torch.Tensor]:
    tensors = [require_floating(value, who, name) for name, value in named.items()]
    dims = {t.shape[-1] for t in tensors}
    for (name, _), tensor in zip(named.items(), tensors):
        if tensor.dim() != 2 or len(tensor) == 0:
            raise ValueError(
                f"{who}: {name} must be a non-empty matrix (words, features), "
                f"got shape {shape_of(tensor)}"
            )
    if len(dims) != 1:
        raise ValueError(
            f"{who}: all embeddings need the same number of features, got {sorted(dims)}"
        )
    return tensors
