"""Chapter 3's additions: BatchNorm2d against torch.nn, validation splits, and the new checkers."""

import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import course_utils.nn as cnn
from course_utils.data import load_digits
from course_utils.exercises import (
    ExerciseFailed,
    check_confusion_matrix,
    check_receptive_field,
)
from course_utils.metrics import confusion_matrix
from course_utils.nn.functional import batch_norm

# ----------------------------------------------------------------------------- BatchNorm2d


@pytest.mark.parametrize("seed", range(25))
def test_batch_norm_2d_matches_torch_in_training_and_eval(seed):
    rng = random.Random(seed)
    c = rng.randint(1, 5)
    options = {"momentum": rng.choice([0.1, 0.5, None]), "affine": rng.random() < 0.8}
    ours = cnn.BatchNorm2d(c, dtype=torch.float64, **options)
    theirs = nn.BatchNorm2d(c, dtype=torch.float64, **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    g = torch.Generator().manual_seed(seed)
    if options["affine"]:
        with torch.no_grad():
            ours.weight.normal_(generator=g), ours.bias.normal_(generator=g)
    theirs.load_state_dict(ours.state_dict())
    for _ in range(3):
        shape = (rng.randint(1, 4), c, rng.randint(1, 5), rng.randint(2, 5))
        x = 2 * torch.randn(shape, generator=g, dtype=torch.float64) + 1
        assert torch.allclose(ours(x), theirs(x), atol=1e-10)
    assert torch.allclose(ours.running_var, theirs.running_var, atol=1e-12)
    ours.eval(), theirs.eval()
    x = torch.randn(1, c, 3, 3, generator=g, dtype=torch.float64)
    assert torch.allclose(ours(x), theirs(x), atol=1e-10)


def test_functional_batch_norm_on_images_uses_every_position():
    x = torch.randn(4, 3, 5, 6, dtype=torch.float64)
    running = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    ours = batch_norm(x, *running, training=True)
    flat = x.transpose(0, 1).reshape(3, -1)  # per channel: N x H x W numbers
    expected = (x - flat.mean(1).view(1, 3, 1, 1)) / torch.sqrt(
        flat.var(1, unbiased=False).view(1, 3, 1, 1) + 1e-5
    )
    assert torch.allclose(ours, expected)
    assert torch.allclose(running[1], 0.9 + 0.1 * flat.var(1, unbiased=True))


def test_batch_norm_2d_rejects_other_shapes():
    with pytest.raises(
        ValueError, match=r"BatchNorm2d expects images of shape \(N, C, H, W\)"
    ):
        cnn.BatchNorm2d(3)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="3 channels"):
        cnn.BatchNorm2d(3)(torch.zeros(2, 4, 2, 2))
    with pytest.raises(TypeError, match="BatchNorm2d"):
        cnn.BatchNorm2d(3)([1, 2, 3])


# ----------------------------------------------------------------------------- validation splits


def test_validation_is_carved_out_of_the_training_part():
    plain, split = load_digits(), load_digits(val_size=300)
    assert len(split.X_val) == 300 and len(split.X_train) + 300 == len(plain.X_train)
    assert torch.equal(split.X_test, plain.X_test)  # the test set does not move
    assert torch.bincount(split.y_val).min() >= 29  # stratified: about 30 per digit
    train_rows = {tuple(r) for r in split.X_train.flatten(1).tolist()}
    assert not any(tuple(r) in train_rows for r in split.X_val.flatten(1).tolist()[:50])
    limited = load_digits(val_size=300, limit=500)
    assert torch.equal(limited.X_val, split.X_val) and len(limited.X_train) == 500
    assert "val=(300, 1, 8, 8)" in repr(split) and "val=" not in repr(plain)
    assert plain.X_val is None and plain.y_val is None


@pytest.mark.parametrize("val_size", [5, 5000, 1.5, True])
def test_bad_validation_sizes_are_rejected(val_size):
    with pytest.raises(ValueError, match="val_size"):
        load_digits(val_size=val_size)


# ----------------------------------------------------------------------------- checkers


def field_size(layers):
    size, jump = 1, 1
    for kernel, stride, dilation in layers:
        size, jump = size + dilation * (kernel - 1) * jump, jump * stride
    return size


def test_receptive_field_checker_passes_right_and_catches_wrong(capsys):
    assert check_receptive_field(field_size).cases == 12
    without_jump = lambda layers: 1 + sum(d * (k - 1) for k, s, d in layers)  # noqa: E731
    without_dilation = lambda layers: field_size([(k, s, 1) for k, s, d in layers])  # noqa: E731
    assert not check_receptive_field(without_jump)
    assert not check_receptive_field(without_dilation)
    out = capsys.readouterr().out
    assert out.startswith("PASS") and out.count("NOT YET receptive_field is wrong") == 2


def test_receptive_field_checker_reports_unwritten_and_odd_answers():
    def todo(layers):
        raise NotImplementedError

    assert "not written yet" in check_receptive_field(todo).message
    assert "expected a number" in check_receptive_field(lambda layers: "5").message
    with pytest.raises(ExerciseFailed):
        check_receptive_field(lambda layers: 0, strict=True)


def test_confusion_matrix_checker():
    assert check_confusion_matrix(confusion_matrix).cases == 12

    def transposed(y_true, y_pred, num_classes):
        return confusion_matrix(y_pred, y_true, num_classes)

    def too_small(y_true, y_pred, num_classes):
        size = int(max(y_true.max(), y_pred.max())) + 1
        return confusion_matrix(y_true, y_pred, size)

    assert "values differ" in check_confusion_matrix(transposed).message
    assert "expected shape" in check_confusion_matrix(too_small).message

    def by_one_hot(y_true, y_pred, num_classes):
        return F.one_hot(y_true, num_classes).T @ F.one_hot(y_pred, num_classes)

    assert check_confusion_matrix(by_one_hot, strict=True)
