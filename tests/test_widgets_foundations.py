"""Drive the foundations chapter's explorers from Python, as a reader would with the mouse."""

import math

import pytest
import torch

from course_utils.nn import MLP
from course_utils.viz import neuron_curves
from course_utils.widgets import ActivationExplorer, PlaygroundExplorer
from course_utils.widgets.activation_explorer import NONE


@pytest.fixture
def activations():
    return ActivationExplorer.demo()


def test_every_activation_redraws(activations):
    seen = {activations.view.value}
    for name in activations.activation.options:
        activations.activation.value = name
        seen.add(activations.view.value)
        assert f"{name}(w x + b)" in activations.info.value
        has_parameter = name in ("leaky_relu", "elu", "softplus")
        assert activations.parameter.disabled == (not has_parameter)
        assert (activations.parameter.description != "parameter") == has_parameter
    assert len(seen) == len(activations.activation.options)


def test_weight_bias_and_parameter_change_the_curves(activations):
    activations.activation.value = "leaky_relu"
    for control, value in (
        (activations.weight, -2.0),
        (activations.bias, 1.5),
        (activations.parameter, 0.5),
    ):
        before = activations.view.value
        control.value = value
        assert activations.view.value != before
    value, slope = activations.curves()
    expected = neuron_curves("leaky_relu", activations.x, -2.0, 1.5, 0.5)
    torch.testing.assert_close(value, expected[0])
    torch.testing.assert_close(slope, expected[1])
    assert "w = -2.0, b = 1.5" in activations.info.value


def test_slope_checkbox_and_compare(activations):
    before = activations.view.value
    activations.show_slope.value = False
    assert (
        activations.view.value != before and "slope da/dx" not in activations.info.value
    )
    for name in activations.compare.options[1:]:
        activations.compare.value = name
        assert f"{name}(w x + b)" in activations.info.value
    activations.compare.value = NONE
    assert not activations.compare_line.get_visible()


def test_activation_explorer_rejects_bad_range():
    with pytest.raises(ValueError, match="low < high"):
        ActivationExplorer(x_range=(1.0, -1.0))


@pytest.fixture
def playground():
    return PlaygroundExplorer.demo()


def test_play_ticks_and_step_button_train_and_redraw(playground):
    before = playground.view.value
    playground.steps.value = 5
    playground.play.value = 1
    assert playground.step_count == 5 and playground.view.value != before
    playground.step_button.click()
    assert playground.step_count == 10
    assert "step <b>10</b>" in playground.info.value
    first = playground.losses()[0]
    playground.learning_rate.value = 1.0
    for tick in range(2, 40):
        playground.play.value = tick
    assert playground.losses()[0] < first / 2
    assert min(playground.accuracies()) > 0.9
    playground.reset_button.click()
    assert playground.step_count == 0


def test_training_is_the_from_scratch_mlp(playground):
    twin = MLP(playground.model.sizes, activation="tanh", seed=playground.seed)
    playground.train(3)
    for _ in range(3):
        twin.train_step(playground.X_train, playground.y_train, lr=0.3)
    for got, want in zip(playground.model.parameters(), twin.parameters()):
        torch.testing.assert_close(got, want)


def test_data_and_network_controls_reset(playground):
    for name in (
        "xor",
        "gauss",
        "spiral",
        "circle",
    ):  # each differs from the one before
        playground.train(5)
        before = playground.X_train.clone()
        playground.dataset.value = name
        assert playground.step_count == 0 and not torch.equal(
            before, playground.X_train
        )
    playground.train(5)
    before = playground.X_train.clone()
    playground.noise.value = 0.5
    assert playground.step_count == 0 and not torch.equal(before, playground.X_train)
    playground.depth.value, playground.width.value = 3, 6
    assert playground.model.sizes == [2, 6, 6, 6, 2]
    playground.depth.value = 0
    assert playground.model.sizes == [2, 2]  # logistic regression
    for name in playground.activation.options:
        playground.activation.value = name
        assert playground.model.activation == name


def test_regularization_shrinks_weights(playground):
    playground.regularization.value = "L2"
    playground.rate.value = 0.3
    assert playground.penalties() == (0.0, 0.3)
    playground.train(200)
    l2_size = sum(float(w.abs().sum()) for w in playground.model.weights)
    playground.regularization.value = "L1"
    assert playground.penalties() == (0.3, 0.0)
    playground.regularization.value = "none"
    playground.reset_button.click()
    playground.train(200)
    free_size = sum(float(w.abs().sum()) for w in playground.model.weights)
    assert l2_size < free_size


def test_show_test_points_and_divergence_message(playground):
    before = playground.view.value
    playground.show_test.value = True
    assert playground.view.value != before
    playground.learning_rate.value = 10.0
    playground.activation.value = "identity"
    playground.depth.value = 4
    playground.width.value = 8
    playground.train(300)
    playground.redraw()
    train_loss = playground.losses()[0]
    assert ("diverged" in playground.info.value) == (not math.isfinite(train_loss))


def test_playground_rejects_bad_settings():
    with pytest.raises(ValueError, match="unknown data set 'moons'"):
        PlaygroundExplorer(dataset="moons")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        PlaygroundExplorer(activation="gelu")
    with pytest.raises(ValueError, match="learning_rate must be one of"):
        PlaygroundExplorer(learning_rate=0.5)
