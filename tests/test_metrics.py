"""Metrics against scikit-learn, and their errors."""

import pytest
import torch
from sklearn import metrics as sk

from course_utils.metrics import confusion_matrix, exact_match


@pytest.mark.filterwarnings("ignore:A single label")
@pytest.mark.parametrize("case", range(30))
def test_confusion_matrix_matches_scikit_learn(case):
    g = torch.Generator().manual_seed(case)
    classes = int(torch.randint(1, 12, (1,), generator=g))
    n = int(torch.randint(0, 200, (1,), generator=g))
    y_true = torch.randint(0, classes, (n,), generator=g)
    y_pred = torch.randint(0, classes, (n,), generator=g)
    expected = sk.confusion_matrix(y_true, y_pred, labels=list(range(classes)))
    assert confusion_matrix(y_true, y_pred, classes).tolist() == expected.tolist()


def test_confusion_matrix_rejects_bad_input():
    labels = torch.tensor([0, 1, 2])
    with pytest.raises(
        ValueError, match=r"confusion_matrix: y_pred has labels outside \[0, 1\]"
    ):
        confusion_matrix(torch.tensor([0, 1, 1]), labels, 2)
    with pytest.raises(ValueError, match=r"y_true \(3,\) and y_pred \(2,\)"):
        confusion_matrix(labels, labels[:2], 3)
    with pytest.raises(TypeError, match="y_true must be a tensor of labels, got list"):
        confusion_matrix([0, 1], labels[:2], 3)
    with pytest.raises(
        TypeError, match="y_pred must hold integer labels, got dtype torch.float32"
    ):
        confusion_matrix(labels, labels.float(), 3)
    with pytest.raises(ValueError, match="num_classes must be >= 1"):
        confusion_matrix(labels, labels, 0)


def test_exact_match_matches_scikit_learn_accuracy():
    g = torch.Generator().manual_seed(0)
    expected = [str(int(v)) for v in torch.randint(0, 3, (100,), generator=g)]
    predicted = [str(int(v)) for v in torch.randint(0, 3, (100,), generator=g)]
    assert exact_match(predicted, expected) == sk.accuracy_score(expected, predicted)
    with pytest.raises(ValueError, match="1 predicted and 0 expected"):
        exact_match(["a"], [])
    with pytest.raises(
        TypeError, match="exact_match: predicted must be a list of strings, got str"
    ):
        exact_match("abc", ["a", "b", "c"])
