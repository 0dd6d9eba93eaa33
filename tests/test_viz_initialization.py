"""Per-layer statistics of a deep MLP against an independent torch.nn version, and the explorer."""

import math
import random

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.viz.initialization import (
    INIT_ACTIVATIONS,
    INITIALIZATIONS,
    SAMPLES,
    deep_mlp_statistics,
    histogram_image,
    init_std,
    plot_layer_histograms,
)
from course_utils.widgets import InitExplorer


@pytest.mark.parametrize("activation", sorted(INIT_ACTIVATIONS))
def test_init_std_gives_torch_init_statistics(activation):
    fan = 400
    w = torch.empty(fan, fan)
    for init, fill in [
        ("xavier", lambda t: nn.init.xavier_normal_(t)),
        ("kaiming", lambda t: nn.init.kaiming_normal_(t, nonlinearity=activation)),
    ]:
        fill(w)
        assert init_std(init, activation, fan, fan) == pytest.approx(
            w.std().item(), rel=0.02
        )
    assert init_std("naive_small", activation, 3, 4) == 0.01
    assert init_std("naive_large", activation, 3, 4) == 1.0


def _reference(depth, width, init, activation, normalization, batch, seed):
    """The same network with nn.Linear layers and retain_grad, from the same random numbers."""
    generator = torch.Generator().manual_seed(seed)
    weights = torch.randn(depth, width, width, generator=generator)
    x = torch.randn(batch, width, generator=generator)
    std = init_std(init, activation, width, width)
    f = {"tanh": torch.tanh, "relu": F.relu, "linear": lambda z: z}[activation]
    layers = []
    for k in range(depth):
        layer = nn.Linear(width, width, bias=False)
        with torch.no_grad():
            layer.weight.copy_(std * weights[k])
        layers.append(layer)
    h, kept = x, []
    for layer in layers:
        z = layer(h)
        if normalization == "batch":
            z = F.batch_norm(z, None, None, training=True)
        elif normalization == "layer":
            z = F.layer_norm(z, [width])
        h = f(z)
        h.retain_grad()
        kept.append(h)
    upstream = torch.randn(h.shape, generator=generator)
    ((h * upstream).sum() / batch).backward()
    return kept


@pytest.mark.parametrize("seed", range(12))
def test_statistics_match_an_independent_torch_network(seed):
    rng = random.Random(seed)
    depth, width, batch = rng.randint(1, 12), rng.choice([4, 16, 32]), rng.randint(2, 9)
    init = rng.choice(["xavier", "kaiming", "naive_small"])
    activation = rng.choice(sorted(INIT_ACTIVATIONS))
    normalization = rng.choice(["none", "batch", "layer"])
    stats = deep_mlp_statistics(
        depth, width, init, activation, normalization, batch=batch, seed=seed
    )
    kept = _reference(depth, width, init, activation, normalization, batch, seed)
    for k, h in enumerate(kept):
        assert stats.activation_std[k] == pytest.approx(
            h.std().item(), rel=1e-3, abs=1e-30
        )
        assert stats.gradient_std[k] == pytest.approx(
            h.grad.std().item(), rel=1e-3, abs=1e-30
        )
    low, high = stats.activation_range
    values = kept[-1].detach().flatten()[:SAMPLES].clamp(low, high)
    expected = torch.histc(
        values, bins=stats.activation_hist.shape[1], min=low, max=high
    )
    assert torch.equal(stats.activation_hist[-1], expected)
    assert stats.activation_hist.sum(dim=1).eq(min(SAMPLES, batch * width)).all()


def test_the_classic_findings():
    def last_over_first(init, activation, kind="activation_std"):
        stats = deep_mlp_statistics(30, 64, init, activation, batch=64)
        values = getattr(stats, kind)
        return values[-1] / values[0]

    assert last_over_first("naive_small", "tanh") < 1e-20  # the signal vanishes
    assert last_over_first("xavier", "relu") < 1e-3  # Xavier halves it at every ReLU
    assert 0.2 < last_over_first("kaiming", "relu") < 5  # Kaiming keeps it
    # Backwards, the gradient reaching layer 1 vanishes with naive weights, not with Kaiming:
    assert last_over_first("naive_small", "tanh", "gradient_std") > 1e20
    assert 0.2 < last_over_first("kaiming", "relu", "gradient_std") < 5
    stats = deep_mlp_statistics(50, 128, "naive_large", "relu", batch=16)
    assert stats.first_nonfinite is not None and math.isinf(stats.activation_std[-1])
    # Batch normalization rescues even the naive start.
    stats = deep_mlp_statistics(50, 64, "naive_small", "tanh", "batch", batch=32)
    assert 0.3 < stats.activation_std[-1] < 1.0


def test_histogram_image_brightest_where_the_counts_are():
    hist = torch.tensor([[0.0, 9.0, 0.0], [2.0, 2.0, 2.0]])
    image = histogram_image(hist, row_height=3, bin_width=2, gap=1)
    assert image.shape == (7, 6, 3) and image.dtype == np.uint8
    assert (
        image[0, 2] > image[0, 0]
    ).all()  # the full bin is brighter than an empty one
    assert (image[3] == 255).all()  # the white gap between layers
    assert (image[4, 0] == image[4, 5]).all()  # a flat row has one colour


def test_static_grid_has_one_panel_per_pair():
    fig = plot_layer_histograms(
        depth=4, width=8, inits=("xavier", "kaiming"), activations=("tanh",), batch=4
    )
    assert len(fig.axes) == 2 and "Xavier" in fig.axes[0].get_title()
    plt.close(fig)
    fig = plot_layer_histograms(depth=3, width=8, kind="gradients", batch=4)
    assert len(fig.axes) == 2 * len(INITIALIZATIONS)
    plt.close(fig)


def test_explorer_shows_what_the_function_computes():
    explorer = InitExplorer(max_depth=12, widths=(16, 32), batch=8)
    explorer.depth.value, explorer.width.value = 12, 32
    explorer.init.value, explorer.activation.value = "naive_small", "tanh"
    expected = deep_mlp_statistics(
        12, 32, "naive_small", "tanh", batch=8, weights=explorer.weights,
        inputs=explorer.inputs,
    )  # fmt: skip
    assert explorer.stats.activation_std == expected.activation_std
    assert "vanishing" in explorer.info.value
    before = explorer.activation_view.value
    explorer.normalization.value = "batch"
    assert explorer.activation_view.value != before and "stable" in explorer.info.value
    explorer.init.value, explorer.activation.value = "naive_large", "relu"
    explorer.normalization.value = "none"
    assert "exploding" in explorer.info.value or "inf" in explorer.info.value


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: deep_mlp_statistics(0, 8), ValueError, "depth"),
        (lambda: deep_mlp_statistics(3, 8, init="orthogonal"), ValueError, "init"),
        (lambda: deep_mlp_statistics(3, 8, activation="gelu"), ValueError, "activation"),
        (lambda: deep_mlp_statistics(3, 8, normalization="group"), ValueError, "normalization"),
        (lambda: deep_mlp_statistics(3, 8, weights=torch.randn(2, 8, 8)), ValueError, "weights"),
        (lambda: deep_mlp_statistics(3, 8.0), TypeError, "width"),
        (lambda: histogram_image(torch.ones(3)), ValueError, "(layers, bins)"),
        (lambda: plot_layer_histograms(kind="weights"), ValueError, "kind"),
        (lambda: InitExplorer(widths=(1,)), ValueError, "widths"),
        (lambda: InitExplorer(max_depth=1), ValueError, "max_depth"),
    ],
)  # fmt: skip
def test_bad_input_is_rejected_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
