"""The learning-rate range test."""

import pytest
import torch
from torch import nn

from course_utils.optim import lr_range_test
from course_utils.optim.lr_range import LRRangeResult


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
        ({"start_lr": 0.0}, "lr_range_test: need 0 < start_lr < end_lr"),
        ({"start_lr": 1.0, "end_lr": 0.1}, "need 0 < start_lr < end_lr"),
        ({"steps": 1}, "lr_range_test: steps must be >= 2, got 1"),
        ({"smoothing": 1.0}, r"lr_range_test: smoothing must be in \[0, 1\), got 1.0"),
        ({"stop_factor": 1.0}, "lr_range_test: stop_factor must be > 1"),
        ({"batch_size": 0}, "lr_range_test: batch_size must be >= 1"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lr_range_test(nn.Linear(5, 3), blobs(), device="cpu", **kwargs)


def test_bad_types_and_empty_data():
    with pytest.raises(TypeError, match="lr_range_test: steps must be an int"):
        lr_range_test(nn.Linear(5, 3), blobs(), steps=10.0, device="cpu")
    with pytest.raises(TypeError, match="lr_range_test: start_lr must be a number"):
        lr_range_test(nn.Linear(5, 3), blobs(), start_lr="1e-6", device="cpu")
    with pytest.raises(
        TypeError, match="lr_range_test: train_data must be a Dataset or a tuple"
    ):
        lr_range_test(nn.Linear(5, 3), list(blobs()), device="cpu")
    with pytest.raises(ValueError, match="lr_range_test: train_data is empty"):
        lr_range_test(
            nn.Linear(5, 3), (torch.zeros(0, 5), torch.zeros(0).long()), device="cpu"
        )
    with pytest.raises(TypeError, match="lr_range_test: model must be an nn.Module"):
        lr_range_test(lambda x: x, blobs(), device="cpu")


def test_a_loss_that_is_not_finite_at_the_first_step_is_reported():
    X, y = blobs()
    X[0, 0] = float("nan")  # one bad sample spoils every batch it lands in
    model = nn.Linear(5, 3)
    before = model.weight.detach().clone()
    with pytest.raises(
        ValueError, match=r"loss is nan at the first step.*start_lr=1e-06"
    ):
        lr_range_test(model, (X, y), batch_size=300, device="cpu")
    assert torch.equal(model.weight, before)  # the model is restored all the same
    with pytest.raises(ValueError, match="no loss was recorded"):
        _ = LRRangeResult([], [], [], stopped_early=True).min_loss_lr


def test_sequence_data_works_too():
    from course_utils.data import lm_windows
    from course_utils.models import TinyGPT

    torch.manual_seed(0)
    model = TinyGPT(5, block_size=8, d_model=16, n_head=2, n_layer=1)
    result = lr_range_test(
        model, lm_windows(torch.arange(200) % 5, 8), steps=20, device="cpu"
    )
    assert len(result.lrs) == 20


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
