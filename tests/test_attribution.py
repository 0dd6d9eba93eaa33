"""Saliency, integrated gradients and occlusion against captum, completeness, and bad input."""

from __future__ import annotations

import pytest
import torch
from captum.attr import IntegratedGradients, Occlusion, Saliency
from torch import nn

from course_utils.attribution import (
    IG_METHODS,
    completeness_gap,
    integrated_gradients,
    integration_points,
    occlusion,
    saliency,
)

pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already")


def small_mlp(features: int, classes: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(features, 16), nn.Tanh(), nn.Linear(16, classes)
    ).double()


def small_cnn(channels: int, classes: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(channels, 4, 3, padding=1),
        nn.Softplus(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16, classes),
    ).double()


CASES = [(seed, n, f, c) for seed in range(4) for n, f, c in [(1, 3, 2), (5, 7, 4)]]


@pytest.mark.parametrize("seed,n,features,classes", CASES)
def test_saliency_matches_captum(seed, n, features, classes):
    model = small_mlp(features, classes, seed)
    x = torch.randn(n, features, dtype=torch.double)
    target = torch.randint(classes, (n,))
    for absolute in (True, False):
        ours = saliency(model, x, target, absolute=absolute)
        theirs = Saliency(model).attribute(x, target=target, abs=absolute)
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("method", IG_METHODS)
@pytest.mark.parametrize("seed,n,features,classes", CASES)
def test_integrated_gradients_match_captum(method, seed, n, features, classes):
    model = small_mlp(features, classes, seed)
    x = torch.randn(n, features, dtype=torch.double)
    baseline = torch.randn(n, features, dtype=torch.double)
    target = torch.randint(classes, (n,))
    steps = 3 + seed * 5
    ours = integrated_gradients(
        model, x, target, baseline=baseline, steps=steps, method=method, batch_size=4
    )
    theirs = IntegratedGradients(model).attribute(
        x, baselines=baseline, target=target, n_steps=steps, method=method
    )
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("seed", range(3))
def test_integrated_gradients_on_images_match_captum(seed):
    model = small_cnn(3, 5, seed)
    x = torch.rand(2, 3, 6, 5, dtype=torch.double)
    ours = integrated_gradients(model, x, 1, steps=8)
    theirs = IntegratedGradients(model).attribute(x, target=1, n_steps=8)
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("seed", range(4))
def test_completeness_gap_shrinks_with_steps(seed):
    model = small_cnn(2, 3, seed)
    x = torch.rand(3, 2, 5, 5, dtype=torch.double) * 3
    gaps = []
    for steps in (2, 8, 32):
        attributions = integrated_gradients(
            model, x, 2, steps=steps, method="riemann_middle"
        )
        gaps.append(completeness_gap(model, x, attributions, 2).abs().max().item())
    assert gaps[-1] < 1e-3 and gaps[-1] <= gaps[0], gaps
    exact = integrated_gradients(model, x, 2, steps=64)  # Gauss-Legendre: near exact
    assert completeness_gap(model, x, exact, 2).abs().max() < 1e-8


def test_completeness_is_exact_for_a_linear_model():
    model = small_mlp(4, 3, 0)[0:1]  # one linear layer
    x, b = torch.randn(5, 4, dtype=torch.double), torch.randn(4, dtype=torch.double)
    attributions = integrated_gradients(model, x, 1, baseline=b, steps=1)
    gap = completeness_gap(model, x, attributions, 1, baseline=b)
    assert gap.abs().max() < 1e-12


@pytest.mark.parametrize("seed,window,stride", [(0, 2, 1), (1, 3, 3), (2, 2, 2)])
def test_occlusion_matches_captum(seed, window, stride):
    model = small_cnn(3, 4, seed)
    x = torch.rand(2, 3, 6, 6, dtype=torch.double)
    ours = occlusion(model, x, 3, window=window, stride=stride, baseline=0.5)
    theirs = Occlusion(model).attribute(
        x,
        sliding_window_shapes=(3, window, window),
        strides=(1, stride, stride),
        baselines=0.5,
        target=3,
    )
    torch.testing.assert_close(ours, theirs.double(), atol=1e-6, rtol=1e-5)


def test_integration_points_integrate_polynomials():
    for method in IG_METHODS:
        alphas, weights = integration_points(400, method)
        assert abs(sum(weights) - 1) < 1e-9
        assert abs(sum(w * a**2 for a, w in zip(alphas, weights)) - 1 / 3) < 1e-2
    alphas, weights = integration_points(3, "gausslegendre")
    assert abs(sum(w * a**5 for a, w in zip(alphas, weights)) - 1 / 6) < 1e-12


def test_bad_input_is_rejected_clearly():
    model = small_mlp(3, 2, 0)
    x = torch.randn(2, 3, dtype=torch.double)
    with pytest.raises(ValueError, match="integrated_gradients: steps"):
        integrated_gradients(model, x, 0, steps=0)
    with pytest.raises(ValueError, match="baseline must have the shape"):
        integrated_gradients(model, x, 0, baseline=torch.zeros(4))
    with pytest.raises(TypeError, match="baseline must be a number or a tensor"):
        integrated_gradients(model, x, 0, baseline="black")
    with pytest.raises(ValueError, match="method"):
        integrated_gradients(model, x, 0, method="simpson")
    with pytest.raises(ValueError, match="saliency: target must be one int or 2"):
        saliency(model, x, [0, 1, 1])
    with pytest.raises(TypeError, match="saliency: target"):
        saliency(model, x, 0.5)
    with pytest.raises(TypeError):
        saliency(model, [[1.0, 2.0, 3.0]], 0)
    with pytest.raises(ValueError, match="non-empty batch"):
        saliency(model, torch.randn(3, dtype=torch.double), 0)
    with pytest.raises(ValueError, match="occlusion: images must be a batch"):
        occlusion(model, x, 0)
    with pytest.raises(ValueError, match="window 9 is larger"):
        occlusion(small_cnn(3, 2, 0), torch.rand(1, 3, 4, 4, dtype=torch.double), 0, 9)
    with pytest.raises(ValueError, match="forward must return scores"):
        saliency(lambda t: t.sum(1), x, 0)
    with pytest.raises(ValueError, match="attributions must have the shape"):
        completeness_gap(model, x, torch.zeros(2, 4, dtype=torch.double), 0)
