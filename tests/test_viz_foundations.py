"""Static figures of the foundations chapter: activation curves and decision boundaries."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils.nn.functional import ACTIVATIONS, activation_derivative
from course_utils.viz import (
    decision_grid,
    decision_rgb,
    neuron_curves,
    plot_activations,
    plot_decision_boundaries,
)
from course_utils.viz.decision import CLASS_COLORS


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_neuron_curves_apply_the_chain_rule(name):
    x = torch.linspace(-3, 3, 41, dtype=torch.float64)
    leaf = x.clone().requires_grad_(True)
    value, slope = neuron_curves(name, leaf, weight=-1.5, bias=0.7, parameter=0.3)
    (expected,) = torch.autograd.grad(value.sum(), leaf)
    torch.testing.assert_close(slope.detach(), expected)


def test_neuron_curves_parameter_only_where_it_exists():
    x = torch.tensor([-1.0])
    assert neuron_curves("leaky_relu", x, parameter=0.5)[0].item() == -0.5
    assert neuron_curves("relu", x, parameter=0.5)[0].item() == 0.0
    torch.testing.assert_close(
        neuron_curves("elu", x)[1], activation_derivative("elu", x)
    )


def test_plot_activations_one_panel_each():
    fig = plot_activations(["relu", "tanh", "gelu"], ncols=2)
    axes = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in axes] == ["relu", "tanh", "gelu"]
    assert all(len(ax.lines) == 4 for ax in axes)  # two axes lines, f and f'
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        plot_activations([])


def test_grid_orientation_and_errors():
    grid = decision_grid(extent=2.0, resolution=5)
    assert grid[0].tolist() == [-2.0, 2.0]  # top left
    assert grid[-1].tolist() == [2.0, -2.0]  # bottom right
    with pytest.raises(ValueError, match="resolution"):
        decision_grid(resolution=1)
    with pytest.raises(ValueError, match="extent"):
        decision_grid(extent=0)


def test_decision_rgb_colours_and_points():
    p = torch.zeros(10, 10)
    p[:, 5:] = 1.0  # class 1 on the right half
    rgb = decision_rgb(p, torch.zeros(0, 2), torch.zeros(0), extent=1.0, scale=2)
    assert rgb.shape == (20, 20, 3)
    right, left = rgb[10, 15], rgb[10, 2]
    assert np.argmax(right) == 2 and np.argmax(left) == 0  # blue vs orange
    # A class-0 point at the centre is drawn in its colour with a dark outline.
    rgb = decision_rgb(
        p, torch.tensor([[0.0, 0.0]]), torch.tensor([0]), extent=1.0, scale=3
    )
    centre = rgb.shape[0] // 2
    np.testing.assert_allclose(rgb[centre, centre - 1], CLASS_COLORS[0])
    np.testing.assert_allclose(rgb[centre, centre - 3], 0.2)
    with pytest.raises(ValueError, match=r"\(R, R\)"):
        decision_rgb(torch.zeros(4), torch.zeros(0, 2), torch.zeros(0))


def test_plot_decision_boundaries_panels():
    X = torch.tensor([[0.5, 0.5], [-0.5, -0.5]])
    y = torch.tensor([1, 0])
    panels = [
        ("right", lambda g: (g[:, 0] > 0).float()),
        ("up", lambda g: (g[:, 1] > 0).float()),
    ]
    fig = plot_decision_boundaries(panels, X, y, resolution=20, ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == ["right", "up"]
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (40, 40, 3)
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one panel"):
        plot_decision_boundaries([], X, y)


def test_panels_with_their_own_points():
    def everywhere(g):
        return torch.full((len(g),), 0.9)

    own = (torch.tensor([[0.0, 0.0]]), torch.tensor([0]))
    fig = plot_decision_boundaries(
        [("a", everywhere, *own), ("b", everywhere, *own)], resolution=10
    )
    plain = plot_decision_boundaries(
        [("c", everywhere)], own[0][:0], own[1][:0], resolution=10
    )
    with_point = fig.axes[0].images[0].get_array()
    without = plain.axes[0].images[0].get_array()
    assert (with_point != without).any()  # the point was drawn
    plt.close("all")
    with pytest.raises(ValueError, match="no points to draw"):
        plot_decision_boundaries([("a", everywhere)])
    with pytest.raises(ValueError, match="a tuple of 3 items"):
        plot_decision_boundaries([("a", everywhere, own[0])])
