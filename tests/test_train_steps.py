"""The step loop for sequence models, and the options it shares with ``fit``."""

import time

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

import course_utils.train
from course_utils.data import lm_windows
from course_utils.models import TinyGPT
from course_utils.train import cross_entropy_loss, evaluate, fit, train_steps


def periodic_stream(length=300, period=5):
    """0 1 2 3 4 0 1 2 ...: a language a tiny model learns in a few dozen steps."""
    return torch.arange(length) % period


def tiny_gpt(seed=0, vocab=5, block=8):
    torch.manual_seed(seed)
    return TinyGPT(vocab, block_size=block, d_model=16, n_head=2, n_layer=1)


def separable(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    return X, (X.sum(1) > 0).long()


class Recorder(nn.Module):
    """A linear model over the sum of its inputs that remembers how it was called."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 4)
        self.calls = []

    def forward(self, a, b):
        self.calls.append((tuple(a.shape), tuple(b.shape)))
        return self.linear((a + b).float()), "extra output"


def test_loss_falls_on_a_tiny_language_model():
    data = lm_windows(periodic_stream(), block_size=8)
    model = tiny_gpt()
    before = evaluate(model, data, device="cpu")
    history = train_steps(
        model, data, data, steps=60, lr=1e-2, device="cpu", verbose=False
    )
    assert [row["step"] for row in history.rows] == list(range(1, 61))
    assert history.rows[0]["loss"] > 1.0 > 0.3 > history.last["loss"]
    assert history.last["val_loss"] < 0.3 < before["loss"]
    assert history.last["val_accuracy"] > 0.95 > before["accuracy"]
    assert not model.training  # left in eval mode


def test_every_tensor_but_the_last_goes_to_the_model_and_tuple_outputs_are_read():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(10, 3, generator=g), torch.randn(10, 3, generator=g)
    targets = torch.randint(0, 4, (10,), generator=g)
    model = Recorder()
    history = train_steps(
        model, (a, b, targets), steps=3, batch_size=4, device="cpu", verbose=False
    )
    assert model.calls == [((4, 3), (4, 3)), ((4, 3), (4, 3)), ((2, 3), (2, 3))]
    assert len(history.rows) == 3


def test_evaluate_counts_tokens_and_skips_ignored_targets():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(6, 5, 7, generator=g)
    targets = torch.randint(0, 7, (6, 5), generator=g)
    targets[:, 3:] = -100  # padding
    targets[0, 1:] = -100

    class Fixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(()))

        def forward(self, rows):
            return logits[rows]

    result = evaluate(Fixed(), (torch.arange(6), targets), batch_size=4, device="cpu")
    real = targets != -100
    expected_loss = F.cross_entropy(logits[real], targets[real]).item()
    expected_accuracy = (logits.argmax(-1) == targets)[real].float().mean().item()
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert result["accuracy"] == pytest.approx(expected_accuracy)
    torch.testing.assert_close(
        cross_entropy_loss(logits, targets),
        torch.tensor(expected_loss),
        rtol=1e-5,
        atol=0,
    )


def test_validation_runs_every_eval_every_and_at_the_end():
    data = lm_windows(periodic_stream(100), block_size=8)
    model = tiny_gpt()
    history = train_steps(
        model, data, data, steps=10, eval_every=4, device="cpu", verbose=False
    )
    assert history.series("val_loss")[0] == [4, 8, 10]
    assert history.last["val_loss"] == pytest.approx(
        evaluate(model, data, device="cpu")["loss"]
    )
    without = train_steps(tiny_gpt(), data, data, steps=5, device="cpu", verbose=False)
    assert without.series("val_loss")[0] == [5]  # eval_every=None: only at the end
    X, y = separable()
    fitted = fit(
        nn.Linear(2, 2),
        (X, y),
        (X, y),
        epochs=5,
        eval_every=2,
        device="cpu",
        verbose=False,
    )
    assert fitted.series("val_accuracy")[0] == [2, 4, 5]


@pytest.mark.parametrize("loop", ["fit", "train_steps"])
def test_time_limit_counts_cpu_seconds(loop):
    def slow_loss(logits, targets):  # burns about 20 ms of CPU time per step
        until = time.process_time() + 0.02
        while time.process_time() < until:
            pass
        return cross_entropy_loss(logits, targets)

    X, y = separable(256)
    options = {
        "loss_fn": slow_loss,
        "time_limit": 0.2,
        "device": "cpu",
        "verbose": False,
    }
    if loop == "fit":
        history = fit(
            nn.Linear(2, 2), (X, y), (X, y), epochs=100, batch_size=8, **options
        )
        assert (
            len(history.rows) == 1 and "val_loss" in history.last
        )  # the epoch under way
    else:
        history = train_steps(nn.Linear(2, 2), (X, y), (X, y), steps=1000, **options)
        assert 5 <= len(history.rows) < 30 and "val_loss" in history.last
    assert history.stopped_early and 0.2 < history.cpu_seconds < 1.5
    complete = train_steps(
        nn.Linear(2, 2), (X, y), steps=3, time_limit=100, verbose=False
    )
    assert not complete.stopped_early


@pytest.mark.parametrize("loop", ["fit", "train_steps"])
def test_the_device_defaults_to_auto(loop, monkeypatch):
    asked = []

    def spy(preference="auto"):
        asked.append(preference)
        return torch.device("cpu")

    monkeypatch.setattr(course_utils.train, "pick_device", spy)
    X, y = separable()
    if loop == "fit":
        fit(nn.Linear(2, 2), (X, y), epochs=1, verbose=False)
    else:
        train_steps(nn.Linear(2, 2), (X, y), steps=2, verbose=False)
    assert asked[0] == "auto"


@pytest.mark.parametrize("loop", ["fit", "train_steps"])
def test_seeds_make_runs_repeatable_and_different(loop):
    X, y = separable(128)

    def weights(seed):
        torch.manual_seed(0)  # the same initial weights every time
        model = nn.Linear(2, 2)
        if loop == "fit":
            fit(
                model,
                (X, y),
                epochs=2,
                batch_size=16,
                seed=seed,
                device="cpu",
                verbose=False,
            )
        else:
            train_steps(
                model, (X, y), steps=12, batch_size=16, seed=seed, verbose=False
            )
        return model.weight.detach().clone()

    assert torch.equal(weights(3), weights(3))
    assert not torch.equal(weights(3), weights(4))


def test_tensors_and_a_dataset_train_alike():
    X, y = separable(32)
    for data in [(X, y), TensorDataset(X, y)]:
        torch.manual_seed(0)
        history = train_steps(
            nn.Linear(2, 2), data, steps=30, batch_size=32, lr=0.1, verbose=False
        )
        # full batches: the order does not matter, so both runs agree
        assert history.last["loss"] == pytest.approx(0.2, abs=0.15)


def test_small_models_train_on_one_cpu_thread():
    seen = []

    def loss_fn(logits, targets):
        seen.append(torch.get_num_threads())
        return cross_entropy_loss(logits, targets)

    X, y = separable()
    before = torch.get_num_threads()
    train_steps(
        nn.Linear(2, 2), (X, y), steps=2, loss_fn=loss_fn, device="cpu", verbose=False
    )
    assert seen == [1, 1] and torch.get_num_threads() == before
    seen.clear()
    fit(
        nn.Linear(2, 2),
        (X, y),
        epochs=1,
        batch_size=64,
        loss_fn=loss_fn,
        device="cpu",
        verbose=False,
    )
    assert seen == [before]


@pytest.mark.parametrize("schedule", ["constant", "cosine", "onecycle"])
def test_schedules_of_the_step_loop(schedule):
    X, y = separable()
    history = train_steps(
        nn.Linear(2, 2), (X, y), steps=100, lr=0.01, schedule=schedule, verbose=False
    )
    rates = history["lr"]
    if schedule == "constant":
        assert set(rates) == {0.01}
    elif schedule == "cosine":
        assert (
            rates[0] == 0.01
            and rates[-1] < 1e-5
            and rates == sorted(rates, reverse=True)
        )
    else:  # warm up from lr / 25 to lr over 30% of the steps, then decay to nearly 0
        peak = max(range(100), key=rates.__getitem__)
        assert rates[0] == pytest.approx(0.01 / 25) and 25 <= peak <= 35
        assert rates[peak] == pytest.approx(0.01, rel=1e-3) and rates[-1] < 1e-5


def test_one_summary_line(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    data = lm_windows(periodic_stream(100), block_size=8)
    train_steps(tiny_gpt(), data, data, steps=20, device="cpu")
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and err == ""
    assert out.startswith("train_steps: 20 steps; loss (mean of the last 2) ")
    assert "val_accuracy" in out and "s of CPU time)" in out


@pytest.mark.parametrize("loop", ["fit", "train_steps"])
def test_both_loops_reject_bad_input(loop):
    def run(data, **options):
        if loop == "fit":
            return fit(nn.Linear(2, 2), data, device="cpu", verbose=False, **options)
        return train_steps(nn.Linear(2, 2), data, verbose=False, **options)

    X, y = separable(8)
    empty = (torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))
    with pytest.raises(
        ValueError,
        match=f"{loop}: train_data is empty: expected at least one sample, got 0",
    ):
        run(empty)
    with pytest.raises(ValueError, match=f"{loop}: train_data is empty"):
        run(TensorDataset(*empty))
    with pytest.raises(ValueError, match=f"{loop}: val_data is empty"):
        (fit if loop == "fit" else train_steps)(nn.Linear(2, 2), (X, y), empty)
    with pytest.raises(
        TypeError, match=f"{loop}: train_data must be a Dataset or a tuple"
    ):
        run([X, y])
    with pytest.raises(TypeError, match=r"got a tuple of 2 \(Tensor, list\)"):
        run((X, [0] * 8))
    with pytest.raises(TypeError, match=r"got a tuple of 1"):
        run((X,))
    with pytest.raises(ValueError, match=r"differ in length: \[\(8, 2\), \(7,\)\]"):
        run((X, y[:7]))
    with pytest.raises(ValueError, match="need a first dimension of samples"):
        run((torch.tensor(1.0), torch.tensor(0)))
    with pytest.raises(ValueError, match=f"{loop}: time_limit must be > 0"):
        run((X, y), time_limit=0)
    with pytest.raises(
        TypeError, match=f"{loop}: optimizer must be a torch.optim.Optimizer"
    ):
        run((X, y), optimizer="adam")
    with pytest.raises(ValueError, match=f"{loop}: seed must be >= 0"):
        run((X, y), seed=-1)
    with pytest.raises(TypeError, match=f"{loop}: loss_fn must be callable"):
        run((X, y), loss_fn="mse")
    with pytest.raises(
        FloatingPointError, match=f"{loop}: the loss became nan at step 1"
    ):
        run((torch.full((8, 2), float("nan")), y))
    with pytest.raises(TypeError, match=f"{loop}: model must be an nn.Module"):
        (fit if loop == "fit" else train_steps)(lambda x: x, (X, y))


def test_train_steps_rejects_bad_counts():
    X, y = separable(8)
    with pytest.raises(ValueError, match="train_steps: steps must be >= 1, got 0"):
        train_steps(nn.Linear(2, 2), (X, y), steps=0)
    with pytest.raises(TypeError, match="train_steps: steps must be an int"):
        train_steps(nn.Linear(2, 2), (X, y), steps=10.0)
    with pytest.raises(ValueError, match="train_steps: eval_every must be >= 1"):
        train_steps(nn.Linear(2, 2), (X, y), eval_every=0)


def test_the_old_loops_warn_and_train_with_the_step_loop():
    data = periodic_stream(200)
    with pytest.warns(DeprecationWarning, match="use train_steps"):
        from course_utils.train import train_gpt
    losses = train_gpt(tiny_gpt(), data, steps=40, lr=1e-2, log_every=0)
    assert len(losses) == 40 and losses[-1] < losses[0] - 0.5
    with pytest.warns(DeprecationWarning, match="use train_steps"):
        from course_utils.train import train_translator
    g = torch.Generator().manual_seed(0)
    source, target = (
        torch.randn(20, 3, generator=g),
        torch.randint(0, 4, (20,), generator=g),
    )

    class Translator(nn.Module):  # the old loop fed (source, decoder_input)
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3, 4)

        def forward(self, source, decoder_input):
            return self.linear(source), None

    per_epoch = train_translator(
        Translator(),
        source,
        target[:, None].expand(20, 1),
        epochs=3,
        batch_size=8,
        verbose=False,
    )
    assert len(per_epoch) == 3
