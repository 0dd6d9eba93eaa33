"""Sequence data (real series, real names, the long-gap task) and the recurrent figures."""

import matplotlib.pyplot as plt
import pytest
import torch

from course_utils.data import (
    CharVocab,
    load_co2,
    load_names,
    load_sunspots,
    long_gap_task,
    sliding_windows,
)
from course_utils.inspection import gradient_norms_through_time
from course_utils.viz import (
    character_responses,
    plot_gradient_norms,
    plot_hidden_states,
    plot_unit_responses,
    plot_unrolled_rnn,
)


def test_sunspots_are_the_real_yearly_series():
    years, values = load_sunspots()
    assert torch.equal(years, torch.arange(1700, 2009, dtype=torch.float32))
    assert values.min() >= 0 and 150 < values.max() < 200  # 1957 peaked near 190
    assert int(years[values.argmax()]) == 1957


def test_co2_is_monthly_complete_and_rising():
    time, co2 = load_co2()
    assert not co2.isnan().any() and len(co2) == len(time)
    torch.testing.assert_close(
        time[1:] - time[:-1], torch.full((len(time) - 1,), 1 / 12), atol=1e-3, rtol=0
    )
    assert co2[-12:].mean() - co2[:12].mean() > 50  # about 316 -> 370 ppm


@pytest.mark.parametrize("window, horizon", [(1, 1), (3, 1), (4, 2), (10, 5)])
def test_sliding_windows_pair_each_window_with_the_value_horizon_later(window, horizon):
    series = torch.arange(20.0)
    X, y = sliding_windows(series, window, horizon)
    assert X.shape == (20 - window - horizon + 1, window)
    for i in range(len(y)):
        assert torch.equal(X[i], series[i : i + window])
        assert y[i] == series[i + window + horizon - 1]


def test_sliding_windows_reject_bad_input():
    with pytest.raises(
        ValueError, match=r"series must be a 1-D tensor, got shape \(2, 3\)"
    ):
        sliding_windows(torch.zeros(2, 3), 2)
    with pytest.raises(TypeError, match="series must be a 1-D tensor, got list"):
        sliding_windows([1.0, 2.0, 3.0], 1)
    with pytest.raises(ValueError, match="too short"):
        sliding_windows(torch.zeros(5), 5)
    with pytest.raises(ValueError, match="sliding_windows: window must be >= 1"):
        sliding_windows(torch.zeros(5), 0)
    with pytest.raises(TypeError, match="sliding_windows: horizon must be an int"):
        sliding_windows(torch.zeros(5), 2, horizon=1.5)


def test_names_are_real_distinct_and_lower_case():
    names = load_names()
    assert len(names) == len(set(names)) > 5000
    assert {"mary", "james", "linda", "robert"} <= set(names)
    assert all(n.isalpha() and n.islower() and 2 <= len(n) <= 12 for n in names)
    assert names == sorted(names)


def test_the_names_vocabulary_encodes_every_census_name():
    names = load_names()
    vocab = CharVocab(names, pad=".", start=".", end=".")
    assert "".join(vocab.itos) == ".abcdefghijklmnopqrstuvwxyz"
    inputs, targets = vocab.batch(names)
    assert inputs.shape == (len(names), max(len(n) for n in names) + 1)
    assert [vocab.decode(row) for row in inputs] == names
    assert (targets == 0).sum() == len(names)  # every name ends with the boundary


def test_long_gap_task_labels_are_the_first_token():
    tokens, labels = long_gap_task(
        500, gap=30, num_symbols=3, num_distractors=5, seed=4
    )
    assert tokens.shape == (500, 31) and torch.equal(tokens[:, 0], labels)
    assert set(labels.tolist()) == {0, 1, 2}
    assert tokens[:, 1:].min() >= 3 and tokens[:, 1:].max() <= 7
    again, _ = long_gap_task(500, gap=30, num_symbols=3, num_distractors=5, seed=4)
    assert torch.equal(tokens, again)
    with pytest.raises(ValueError, match="long_gap_task: num_symbols must be >= 2"):
        long_gap_task(10, 5, num_symbols=1)


def test_character_responses_average_per_character():
    states = torch.tensor([[[1.0, 0.0], [3.0, 1.0], [5.0, 2.0]]])
    tokens = torch.tensor([[2, 2, -1]])  # the last position is padding
    responses = character_responses(states, tokens, vocab_size=3)
    assert responses.tolist() == [[0.0, 0.0, 2.0], [0.0, 0.0, 0.5]]
    with pytest.raises(ValueError, match="differ in"):
        character_responses(states, torch.tensor([[1, 2]]), 3)


def test_figures_have_labelled_axes():
    figures = [
        plot_unrolled_rnn(3),
        plot_gradient_norms(
            {"tanh": {0.5: gradient_norms_through_time(0.5, length=10)}}
        ),
        plot_hidden_states(torch.rand(4, 6) * 2 - 1, "anna"),
        plot_unit_responses(torch.rand(6, 3) - 0.5, ".ab", [0, 5]),
    ]
    assert figures[1].axes[0].get_xlabel() == "steps back in time k"
    assert figures[2].axes[0].get_ylabel() == "hidden unit"
    with pytest.raises(ValueError, match="4 characters"):
        plot_hidden_states(torch.rand(3, 6), "anna")
    states = torch.rand(4, 6) * 2 - 1
    sorted_figure = plot_hidden_states(states, "anna", order=[5, 0, 3], ylabel="unit")
    image = sorted_figure.axes[0].images[0].get_array()
    assert torch.allclose(torch.tensor(image.data).float(), states[:, [5, 0, 3]].T)
    assert [t.get_text() for t in sorted_figure.axes[0].get_yticklabels()] == [
        "5",
        "0",
        "3",
    ]
    figures.append(sorted_figure)
    with pytest.raises(ValueError, match="order"):
        plot_hidden_states(states, "anna", order=[6])
    with pytest.raises(ValueError, match="steps"):
        plot_unrolled_rnn(1)
    for figure in figures:
        plt.close(figure)
