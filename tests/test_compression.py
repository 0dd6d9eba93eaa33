"""Distillation loss and magnitude pruning from scratch against PyTorch (kl_div, cross_entropy, prune)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import torch.nn.utils.prune as torch_prune

from course_utils.nn.functional import distillation_loss
from course_utils.nn.utils.prune import global_magnitude_masks, magnitude_mask, sparsity


def _logit_pairs(count, seed=0):
    generator = torch.Generator().manual_seed(seed)
    for index in range(count):
        n = int(torch.randint(1, 40, (1,), generator=generator))
        c = int(torch.randint(2, 30, (1,), generator=generator))
        scale = float(10 ** torch.empty(1).uniform_(-1, 1.3, generator=generator))
        student = torch.randn(n, c, generator=generator) * scale
        teacher = torch.randn(n, c, generator=generator) * scale * (1 + index % 3)
        target = torch.randint(0, c, (n,), generator=generator)
        yield student, teacher, target


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0, 4.0, 10.0])
def test_soft_part_equals_scaled_kl_div(temperature):
    for index, (student, teacher, _) in enumerate(
        _logit_pairs(25, seed=int(temperature * 10))
    ):
        if (
            index % 2
        ):  # float64 as well as float32 (tau**2 magnifies float32's rounding)
            student, teacher = student.double(), teacher.double()
        theirs = F.kl_div(
            F.log_softmax(student / temperature, dim=1),
            F.log_softmax(teacher / temperature, dim=1),
            reduction="batchmean",
            log_target=True,
        )
        ours = distillation_loss(student, teacher, temperature=temperature, alpha=1.0)
        assert ours.dtype == student.dtype
        tolerance = 1e-4 if student.dtype == torch.float32 else 1e-10
        torch.testing.assert_close(
            ours, theirs * temperature**2, rtol=tolerance, atol=tolerance
        )


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mixture_equals_kl_div_plus_cross_entropy(alpha, reduction):
    temperature = 3.0
    for student, teacher, target in _logit_pairs(15, seed=1):
        kl = F.kl_div(
            F.log_softmax(student / temperature, dim=1),
            F.log_softmax(teacher / temperature, dim=1),
            reduction="none",
            log_target=True,
        ).sum(1)
        ce = F.cross_entropy(student, target, reduction="none")
        per_example = alpha * temperature**2 * kl + (1 - alpha) * ce
        expected = {
            "mean": per_example.mean(),
            "sum": per_example.sum(),
            "none": per_example,
        }[reduction]
        ours = distillation_loss(
            student, teacher, target, temperature, alpha, reduction=reduction
        )
        torch.testing.assert_close(ours, expected, rtol=1e-5, atol=1e-5)


def test_gradients_equal_autograd_of_the_pytorch_formula():
    for student, teacher, target in _logit_pairs(10, seed=2):
        a = student.clone().requires_grad_()
        b = student.clone().requires_grad_()
        distillation_loss(a, teacher, target, temperature=4.0, alpha=0.7).backward()
        theirs = 0.7 * 16 * F.kl_div(
            F.log_softmax(b / 4, dim=1),
            F.log_softmax(teacher / 4, dim=1),
            reduction="batchmean",
            log_target=True,
        ) + 0.3 * F.cross_entropy(b, target)
        theirs.backward()
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-6)


def test_teacher_gets_no_gradient_and_equal_logits_give_zero_soft_loss():
    teacher = torch.randn(5, 7, requires_grad=True)
    loss = distillation_loss(teacher.detach().clone(), teacher, alpha=1.0)
    assert abs(loss.item()) < 1e-6
    assert not loss.requires_grad  # detached teacher, student without grad
    student = torch.randn(5, 7, requires_grad=True)
    distillation_loss(student, teacher, alpha=1.0).backward()
    assert teacher.grad is None and student.grad is not None


def test_distillation_loss_rejects_bad_input():
    s, t, y = torch.randn(4, 3), torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    with pytest.raises(
        ValueError, match="teacher logits must have the student's shape"
    ):
        distillation_loss(s, torch.randn(4, 5), y)
    with pytest.raises(ValueError, match=r"distillation_loss expects student logits"):
        distillation_loss(torch.randn(4), torch.randn(4), y)
    with pytest.raises(TypeError, match="teacher has dtype"):
        distillation_loss(s, t.double(), y)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        distillation_loss(s, t, y, temperature=0.0)
    with pytest.raises(TypeError, match="temperature must be a number"):
        distillation_loss(s, t, y, temperature="hot")
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\]"):
        distillation_loss(s, t, y, alpha=1.5)
    with pytest.raises(ValueError, match="without labels"):
        distillation_loss(s, t, None, alpha=0.5)
    with pytest.raises(TypeError, match="torch.long"):
        distillation_loss(s, t, y.float())
    with pytest.raises(ValueError, match="target classes must be in"):
        distillation_loss(s, t, torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="unknown reduction"):
        distillation_loss(s, t, y, reduction="batchmean")
    with pytest.raises(TypeError, match="floating-point"):
        distillation_loss(s.long(), t, y)


# ----------------------------------------------------------------------------- pruning


def _random_layers(count, seed=0):
    generator = torch.Generator().manual_seed(seed)
    for _ in range(count):
        fan_in = int(torch.randint(1, 50, (1,), generator=generator))
        fan_out = int(torch.randint(1, 20, (1,), generator=generator))
        layer = torch.nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            layer.weight.copy_(torch.randn(fan_out, fan_in, generator=generator))
        yield layer


@pytest.mark.parametrize("amount", [0.0, 0.1, 0.33, 0.5, 0.9, 0.95, 1.0, 3])
def test_magnitude_mask_equals_l1_unstructured(amount):
    for layer in _random_layers(30, seed=int(amount * 100)):
        if isinstance(amount, int) and amount > layer.weight.numel():
            continue
        ours = magnitude_mask(layer.weight, amount)
        torch_prune.l1_unstructured(layer, "weight", amount=amount)
        assert torch.equal(ours, layer.weight_mask)
        assert ours.shape == layer.weight.shape and ours.dtype == layer.weight.dtype


@pytest.mark.parametrize("amount", [0.0, 0.2, 0.5, 0.8, 0.95, 17])
def test_global_masks_equal_global_unstructured(amount):
    generator = torch.Generator().manual_seed(3)
    for trial in range(10):
        layers = list(_random_layers(3, seed=trial))
        with (
            torch.no_grad()
        ):  # layers of different scales: global pruning treats them unequally
            for i, layer in enumerate(layers):
                layer.weight.mul_(float(torch.rand(1, generator=generator)) * (i + 1))
        ours = global_magnitude_masks([layer.weight for layer in layers], amount)
        torch_prune.global_unstructured(
            [(layer, "weight") for layer in layers],
            pruning_method=torch_prune.L1Unstructured,
            amount=amount,
        )
        for mask, layer in zip(ours, layers):
            assert torch.equal(mask, layer.weight_mask)


def test_sparsity_of_pruned_weights():
    w = torch.randn(40, 25)
    for amount in (0.0, 0.25, 0.6, 0.99):
        assert (
            sparsity(w * magnitude_mask(w, amount))
            == round(amount * w.numel()) / w.numel()
        )
    masks = global_magnitude_masks([w, torch.randn(10)], 0.5)
    assert sparsity(masks) == 0.5


def test_pruning_rejects_bad_input():
    w = torch.randn(3, 4)
    with pytest.raises(ValueError, match=r"share must be in \[0, 1\]"):
        magnitude_mask(w, 1.5)
    with pytest.raises(ValueError, match=r"count must be in \[0, 12\]"):
        magnitude_mask(w, 13)
    with pytest.raises(TypeError, match="amount must be a number"):
        magnitude_mask(w, "half")
    with pytest.raises(TypeError, match="floating-point"):
        magnitude_mask(torch.ones(3, dtype=torch.long), 0.5)
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        magnitude_mask([1.0, 2.0], 0.5)
    with pytest.raises(TypeError, match="must be a list of tensors"):
        global_magnitude_masks(w, 0.5)
    with pytest.raises(ValueError, match="at least one tensor"):
        global_magnitude_masks([], 0.5)
    with pytest.raises(ValueError, match="hold no numbers"):
        sparsity(torch.zeros(0))


def test_ties_are_pruned_first_come_first_served():
    w = torch.tensor([1.0, 0.5, 0.5, 2.0, 0.5, 0.0])
    assert magnitude_mask(w, 3).tolist() == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]
    assert magnitude_mask(w, 5).tolist() == [0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    # the same as a stable sort of the magnitudes, on data full of ties
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        w = torch.randint(-3, 4, (7, 9), generator=generator).float()
        for k in (0, 1, 10, 30, 63):
            expected = torch.ones(w.numel())
            expected[w.abs().flatten().argsort(stable=True)[:k]] = 0
            assert torch.equal(magnitude_mask(w, k), expected.view(w.shape))
