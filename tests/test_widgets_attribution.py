"""The attribution pictures and explorer: shapes, colours, controls, speed and bad input."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from course_utils.viz.attribution import (
    attribution_strength,
    overlay_rgb,
    plot_attribution_grid,
    token_shading_html,
)
from course_utils.widgets import AttributionExplorer


def test_strength_sums_channels_and_scales_to_one():
    heat = torch.zeros(3, 4, 4)
    heat[0, 1, 1], heat[2, 1, 1], heat[1, 2, 2] = 1.0, -1.0, 1.0
    strength = attribution_strength(heat, percentile=100)
    assert strength.shape == (4, 4) and strength.max() == 1.0
    assert strength[2, 2] == pytest.approx(0.5)
    assert attribution_strength(torch.zeros(2, 2)).max() == 0.0
    with pytest.raises(ValueError, match="attribution_strength"):
        attribution_strength(torch.zeros(5))


def test_overlay_ends_are_the_grey_photo_and_the_map():
    photo, heat = torch.rand(3, 6, 5), torch.rand(6, 5)
    grey = overlay_rgb(photo, heat, opacity=0.0)
    expected = (photo.mean(0).numpy() * 255).round()
    assert np.abs(grey[..., 0].astype(float) - expected).max() <= 1
    assert not np.array_equal(overlay_rgb(photo, heat, 1.0), grey)
    with pytest.raises(ValueError, match="differ in size"):
        overlay_rgb(photo, torch.rand(5, 5))


def test_token_shading_colours_signs_and_escapes():
    page = token_shading_html(["<b>", "cat"], torch.tensor([1.0, -0.5]))
    assert "&lt;b&gt;" in page and "220,50,32" in page and "0,90,181" in page
    assert "rgba(0,90,181,0.50)" in page
    with pytest.raises(ValueError, match="2 tokens but 3 scores"):
        token_shading_html(["a", "b"], torch.ones(3))


def test_grid_has_one_row_per_example_and_one_column_per_method():
    images = {"a": torch.rand(3, 8, 8), "b": torch.rand(3, 8, 8)}
    maps = {n: {"m1": torch.rand(8, 8), "m2": torch.rand(3, 8, 8)} for n in images}
    fig = plot_attribution_grid(images, maps)
    assert len(fig.axes) == 6
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_explorer_switches_between_photos_and_sentences_fast():
    explorer = AttributionExplorer.demo()
    photo_png = explorer.picture.value
    assert photo_png[:4] == b"\x89PNG"
    explorer.method.value = "occlusion"
    assert explorer.picture.value != photo_png
    explorer.example.value = explorer.example.options[-1]
    assert explorer.picture.layout.display == "none"
    assert "photos only" in explorer.text.value and "<span" in explorer.text.value
    explorer.example.value = explorer.example.options[0]
    start = time.perf_counter()
    for value in (0.3, 0.5, 0.9, 0.4):
        explorer.opacity.value = value
    assert (time.perf_counter() - start) / 4 < 0.1


def test_explorer_rejects_inconsistent_examples():
    with pytest.raises(ValueError, match="at least one"):
        AttributionExplorer({}, {})
    with pytest.raises(ValueError, match="3 tokens but 2"):
        AttributionExplorer({}, {"s": (["a", "b", "c"], {"m": torch.ones(2)})})
    with pytest.raises(ValueError, match="has no maps"):
        AttributionExplorer({"p": (torch.rand(3, 4, 4), {})}, {})
