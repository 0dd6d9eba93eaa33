"""The training loop, evaluation and the shape tracer."""

import pytest
import torch
from torch import nn

from course_utils.inspection import ShapeTraceError, trace_shapes
from course_utils.models import LeNet
from course_utils.train import History, evaluate, fit, predict, show_progress


def separable_data(n=256, seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=generator)
    y = (X[:, 0] + X[:, 1] > 0).long()
    return X, y


def test_fit_learns_a_separable_problem(capsys):
    torch.manual_seed(0)
    X, y = separable_data()
    model = nn.Linear(2, 2)
    before = evaluate(model, (X, y), device="cpu")["accuracy"]
    history = fit(model, (X, y), (X, y), epochs=15, lr=0.05, device="cpu")
    assert history.last["val_accuracy"] > 0.95 > before
    assert history["loss"][-1] < history["loss"][0]
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith("fit: 15 epochs; loss ")
    assert f"val_accuracy {history.last['val_accuracy']:.2%}" in printed[0]


def test_fit_is_repeatable_with_the_same_seed():
    X, y = separable_data()
    results = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Linear(2, 2)
        fit(model, (X, y), epochs=2, device="cpu", verbose=False, seed=3)
        results.append(model.weight.detach().clone())
    torch.testing.assert_close(results[0], results[1])


@pytest.mark.parametrize("schedule", ["constant", "cosine", "onecycle"])
def test_schedules_run_and_cosine_ends_near_zero(schedule):
    X, y = separable_data(64)
    model = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(model, (X, y), epochs=2, optimizer=optimizer, schedule=schedule, verbose=False)
    final_lr = optimizer.param_groups[0]["lr"]
    if schedule == "constant":
        assert final_lr == 0.1
    else:
        assert final_lr < 1e-3


def test_augment_is_applied_to_training_batches():
    X, y = separable_data(64)
    seen = []

    def augment(batch):
        seen.append(batch.shape[0])
        return batch

    fit(
        nn.Linear(2, 2), (X, y), epochs=1, batch_size=16, augment=augment, verbose=False
    )
    assert seen == [16, 16, 16, 16]


def test_fit_rejects_bad_arguments():
    X, y = separable_data(8)
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="fit: epochs must be >= 1, got 0"):
        fit(model, (X, y), epochs=0)
    with pytest.raises(ValueError, match="fit: lr must be > 0"):
        fit(model, (X, y), lr=-1.0)
    with pytest.raises(
        ValueError, match=r"train_data differ in length: \[\(8, 2\), \(4,\)\]"
    ):
        fit(model, (X, y[:4]))
    with pytest.raises(ValueError, match="fit: unknown schedule 'linear'"):
        fit(model, (X, y), schedule="linear", verbose=False)
    with pytest.raises(TypeError, match="fit: train_data must be a Dataset or a tuple"):
        fit(model, [X, y])
    with pytest.raises(ValueError, match="fit: batch_size must be >= 1"):
        fit(model, (X, y), batch_size=0)


@pytest.mark.parametrize(
    "empty",
    [
        (torch.empty(0, 2), torch.empty(0, dtype=torch.long)),
        torch.utils.data.TensorDataset(torch.empty(0, 2), torch.empty(0)),
    ],
    ids=["tensors", "dataset"],
)
@pytest.mark.parametrize("schedule", ["constant", "onecycle"])
def test_fit_on_empty_data_says_so(empty, schedule):
    model = nn.Linear(2, 2)
    before = model.weight.detach().clone()
    with pytest.raises(ValueError, match="fit: train_data is empty.*got 0"):
        fit(model, empty, epochs=1, schedule=schedule, device="cpu", verbose=False)
    assert torch.equal(model.weight, before)
    with pytest.raises(ValueError, match="evaluate: data is empty.*got 0"):
        evaluate(model, empty, device="cpu")


def test_predict_and_history_helpers():
    model = nn.Linear(3, 4)
    assert predict(model, torch.randn(1030, 3), device="cpu").shape == (1030, 4)
    history = History(
        [{"step": 1, "loss": 1.0}, {"step": 2, "loss": 0.5, "val_loss": 0.7}]
    )
    assert history["loss"] == [1.0, 0.5] and history["val_loss"] == [0.7]
    assert history.series("val_loss") == ([2], [0.7]) and history.last["step"] == 2
    with pytest.raises(KeyError, match="no metric 'acc'.*loss, step, val_loss"):
        history["acc"]
    with pytest.raises(IndexError, match="empty"):
        _ = History().last


def test_progress_switch(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    assert show_progress() is False
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    assert show_progress() is True


def test_lenet_shapes_and_standardization():
    model = LeNet(mean=0.5, std=0.25)
    rows = trace_shapes(model, (2, 1, 28, 28), verbose=False)
    assert rows[-1].output_shape == (2, 10)
    assert [r.output_shape for r in rows if r.layer == "MaxPool2d"] == [
        (2, 16, 14, 14),
        (2, 32, 5, 5),
    ]
    assert sum(r.parameters for r in rows) == sum(p.numel() for p in model.parameters())
    # Standardization lives in buffers: saved with the model, never trained.
    assert "mean" in model.state_dict() and all(p.dim() > 0 for p in model.parameters())
    assert LeNet(in_channels=3, image_size=32)(torch.zeros(1, 3, 32, 32)).shape == (
        1,
        10,
    )
    with pytest.raises(ValueError, match="at least 12x12"):
        LeNet(image_size=8)


def test_trace_shapes_names_the_failing_layer(capsys):
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 6 * 6, 10)
    )
    with pytest.raises(ShapeTraceError, match=r"layer '2'.*shape \(1, 8192\)"):
        trace_shapes(model, (1, 3, 32, 32))
    printed = capsys.readouterr().out
    assert "(1, 8, 32, 32)" in printed and "(1, 8192)" in printed


def test_trace_shapes_rejects_bad_input():
    with pytest.raises(TypeError, match="nn.Module"):
        trace_shapes(lambda x: x, (1, 2))
    with pytest.raises(ValueError, match="positive ints"):
        trace_shapes(nn.Linear(2, 2), (0, 2))
