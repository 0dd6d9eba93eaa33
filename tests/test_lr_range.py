"""The learning-rate range test."""

import pytest
import torch
from torch import nn

from course_utils.optim import lr_range_test


def blobs(seed=0):
    generator = torch.Generator().manual_seed(seed)
    centers = torch.randn(
        3, 5, generator=generator
    )  # overlapping: the loss has a floor
    y = torch.randint(0, 3, (300,), generator=generator)
    return centers[y] + torch.randn(300, 5, generator=generator), y


def test_curve_rises_exponentially_falls_then_stops_and_restores_the_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
    before = [p.detach().clone() for p in model.parameters()]
    result = lr_range_test(
        model,
        blobs(),
        start_lr=1e-5,
        end_lr=1e3,
        steps=80,
        optimizer=torch.optim.SGD,
        momentum=0.9,
        device="cpu",
    )
    ratios = torch.tensor(result.lrs[1:]) / torch.tensor(result.lrs[:-1])
    torch.testing.assert_close(
        ratios, torch.full_like(ratios, (1e8) ** (1 / 79)), check_dtype=False
    )
    assert result.stopped_early and len(result.lrs) < 80  # large rates blow up
    assert (
        min(result.smoothed) < 0.7 * result.smoothed[0]
    )  # the loss did fall on the way
    assert 1e-5 < result.suggestion < result.min_loss_lr < 1e3
    for p, q in zip(model.parameters(), before):
        assert torch.equal(p, q)


def test_more_steps_than_batches_cycles_through_the_data():
    result = lr_range_test(
        nn.Linear(5, 3), blobs(), steps=12, batch_size=100, end_lr=1e-2, device="cpu"
    )
    assert len(result.lrs) == 12 and not result.stopped_early


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start_lr": 0.0}, "need 0 < start_lr < end_lr"),
        ({"start_lr": 1.0, "end_lr": 0.1}, "need 0 < start_lr < end_lr"),
        ({"steps": 1}, "steps must be an int >= 2, got 1"),
        ({"smoothing": 1.0}, r"smoothing must be in \[0, 1\), got 1.0"),
        ({"stop_factor": 1.0}, "stop_factor must be > 1"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lr_range_test(nn.Linear(5, 3), blobs(), device="cpu", **kwargs)


def test_smooth_and_schedule_figures():
    from course_utils.viz import (
        plot_lr_range_test,
        plot_lr_schedules,
        plot_training_runs,
        smooth,
    )

    assert smooth([2.0, 4.0, 6.0, 8.0], window=3).tolist() == [2.0, 3.0, 4.0, 6.0]
    with pytest.raises(ValueError, match="window must be a positive int, got 0"):
        smooth([1.0], window=0)
    runs = {"a": {"losses": [2.0, 1.0, 0.5], "accuracy": [0.5, 0.7]}}
    assert len(plot_training_runs(runs).axes) == 2
    assert (
        len(plot_lr_schedules({"c": [0.1] * 5}, steps_per_epoch=2).axes[0].lines) == 3
    )
    result = lr_range_test(nn.Linear(5, 3), blobs(), steps=20, device="cpu")
    fig = plot_lr_range_test(result)
    assert fig.axes[0].get_xscale() == "log"
