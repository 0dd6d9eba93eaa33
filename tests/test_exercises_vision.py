"""The vision exercise checker accepts FGSM and rejects its usual mistakes."""

import pytest
import torch
import torch.nn.functional as F

from course_utils import exercises


def _right(model, x, y, epsilon):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), y).backward()
    return (x + epsilon * x.grad.sign()).clamp(0, 1).detach()


def _descends(model, x, y, epsilon):  # minus: makes the model more confident
    return (2 * x - _right(model, x, y, epsilon)).clamp(0, 1)


def _raw_gradient(model, x, y, epsilon):  # the gradient, not its sign
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), y).backward()
    return (x + epsilon * x.grad).clamp(0, 1).detach()


def _unclipped(model, x, y, epsilon):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), y).backward()
    return (x + epsilon * x.grad.sign()).detach()


def test_check_fgsm_accepts_a_correct_attack():
    assert exercises.check_fgsm(_right, verbose=False)
    assert "check_fgsm" in exercises.__all__


@pytest.mark.parametrize("wrong", [_descends, _raw_gradient, _unclipped])
def test_check_fgsm_rejects_wrong_attacks(wrong):
    assert not exercises.check_fgsm(wrong, verbose=False)
    with pytest.raises(exercises.ExerciseFailed):
        exercises.check_fgsm(wrong, strict=True, verbose=False)


def test_check_fgsm_reports_a_stub_without_raising(capsys):
    def stub(model, x, y, epsilon):
        raise NotImplementedError

    result = exercises.check_fgsm(stub)
    assert not result
    assert "NOT YET" in capsys.readouterr().out
    assert torch.is_grad_enabled()
