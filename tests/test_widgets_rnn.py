"""Drive the recurrent-network explorers' controls from Python, as a reader would."""

import pytest
import torch

from course_utils.inspection import gradient_norms_through_time
from course_utils.widgets import GradientFlowExplorer, HiddenStateExplorer
from course_utils.widgets.gradient_flow_explorer import svg_log_plot


@pytest.fixture(scope="module")
def flow():
    return GradientFlowExplorer.demo()


def test_every_control_redraws_the_curve(flow):
    seen = {flow.view.value}
    for control, value in [
        (flow.radius, 1.5),
        (flow.nonlinearity, "linear"),
        (flow.length, 50),
    ]:
        control.value = value
        assert flow.view.value not in seen
        seen.add(flow.view.value)
    expected = gradient_norms_through_time(1.5, "linear", length=50, seed=0)
    torch.testing.assert_close(flow.norms(), expected)
    assert "explodes" in flow.info.value and "<b>50</b>" in flow.info.value


def test_small_radius_vanishes(flow):
    flow.nonlinearity.value = "tanh"
    flow.radius.value = 0.5
    flow.length.value = 100
    assert "vanishes" in flow.info.value
    assert "tanh, spectral radius 0.50" in flow.view.value


def test_svg_plot_and_bad_length():
    svg = svg_log_plot(torch.tensor([1.0, 1e-20, 1e20]), "t")
    assert svg.count("<polyline") == 1 and svg.endswith("</svg>")
    with pytest.raises(ValueError, match="max_length"):
        GradientFlowExplorer(max_length=5)


@pytest.fixture(scope="module")
def hidden():
    return HiddenStateExplorer.demo()


def test_word_and_unit_controls(hidden):
    hidden.word.value = "anna"
    hidden.unit.value = 0
    before = (
        hidden.text_view.value,
        hidden.heat_view.value,
        hidden.response_view.value,
    )
    hidden.unit.value = 5
    assert hidden.text_view.value != before[0] and hidden.heat_view.value != before[1]
    assert "unit 5" in hidden.response_view.value
    hidden.word.value = "clara"
    assert hidden.current_states().shape == (5, 32)
    assert hidden.text_view.value.count("<span") == 5


def test_states_match_the_model(hidden):
    hidden.word.value = "bob"
    inputs, _ = hidden.vocab.batch(["bob"])
    states = hidden.model.hidden_states(inputs)[0, 1:]
    torch.testing.assert_close(hidden.current_states(), states)


def test_responses_cover_every_unit_and_character(hidden):
    assert hidden.responses.shape == (32, len(hidden.vocab))
    with pytest.raises(ValueError, match="at least one word"):
        HiddenStateExplorer(hidden.model, hidden.vocab, [])
