"""Checkers of the optimizers chapter: right answers pass, wrong ones are caught."""

import math

import pytest
import torch

from course_utils import exercises
from course_utils.exercises import (
    ExerciseFailed,
    check_momentum_lr_limit,
    check_warmup_cosine,
    momentum_lr_limit,
    warmup_cosine_factors,
)


def _diverges(lr, curvature, momentum, nesterov, steps=3000):
    """Does torch.optim.SGD blow up on curvature / 2 * x**2 from x = 1?"""
    x = torch.ones(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum, nesterov=nesterov)
    for _ in range(steps):
        optimizer.zero_grad()
        (curvature / 2 * x**2).sum().backward()
        optimizer.step()
    return not bool(x.abs().item() < 1.0)


@pytest.mark.parametrize(
    "curvature, momentum, nesterov",
    [(25.0, 0.0, False), (25.0, 0.9, False), (25.0, 0.9, True), (3.0, 0.5, True)],
)
def test_the_reference_limit_is_where_torch_sgd_starts_to_diverge(
    curvature, momentum, nesterov
):
    limit = momentum_lr_limit(curvature, momentum, nesterov)
    assert not _diverges(0.97 * limit, curvature, momentum, nesterov)
    assert _diverges(1.03 * limit, curvature, momentum, nesterov)


def test_right_limits_pass_and_wrong_ones_are_caught(capsys):
    assert check_momentum_lr_limit(momentum_lr_limit)

    def forgets_nesterov(curvature, momentum, nesterov):
        return 2 * (1 + momentum) / curvature

    def forgets_momentum(curvature, momentum, nesterov):
        return 2 / curvature

    assert not check_momentum_lr_limit(forgets_nesterov)
    assert not check_momentum_lr_limit(forgets_momentum)
    out = capsys.readouterr().out
    assert out.count("PASS") == 1 and out.count("NOT YET") == 2
    with pytest.raises(ExerciseFailed, match="momentum_lr_limit"):
        check_momentum_lr_limit(forgets_nesterov, strict=True)


def test_warmup_cosine_reference_is_torch_and_a_closed_form_passes():
    def closed_form(step, total_steps, warmup_steps, start_factor):
        if step < warmup_steps:
            return start_factor + (1 - start_factor) * step / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * progress))

    factors = warmup_cosine_factors(100, 10, 0.01)
    assert factors[0] == pytest.approx(0.01) and factors[10] == pytest.approx(1.0)
    assert check_warmup_cosine(closed_form, strict=True)


def test_warmup_cosine_catches_common_slips(capsys):
    def no_warmup(step, total_steps, warmup_steps, start_factor):
        return 0.5 * (1 + math.cos(math.pi * step / total_steps))

    def cosine_over_all_steps(step, total_steps, warmup_steps, start_factor):
        if step < warmup_steps:
            return start_factor + (1 - start_factor) * step / warmup_steps
        return 0.5 * (1 + math.cos(math.pi * step / total_steps))

    def unwritten(step, total_steps, warmup_steps, start_factor):
        raise NotImplementedError

    for wrong in (no_warmup, cosine_over_all_steps, unwritten):
        assert not check_warmup_cosine(wrong)
    assert "not written yet" in capsys.readouterr().out


def test_checkers_are_exported():
    for name in ("check_momentum_lr_limit", "check_warmup_cosine"):
        assert name in exercises.__all__
