"""Every explorer, driven through every control the way the benchmark drives it.

Each control change must redraw something the reader sees (a picture or a text).
These tests also run under ipywidgets 7.7.1, Colab's version (``make test-colab``).
"""

from __future__ import annotations

import random

import ipywidgets as widgets
import pytest

from benchmarks.explorers import change, controls, explorer_classes, label, walk

EXPLORERS = explorer_classes()


def _view(root: widgets.Widget) -> list:
    """What the reader sees: the value of every picture and text under ``root``."""
    seen = []
    for widget in walk(root):
        if isinstance(widget, (widgets.Image, widgets.HTML, widgets.Label)):
            seen.append(widget.value)
        elif isinstance(widget, widgets.Output):
            seen.append(str(widget.outputs))
    return seen


def test_the_package_exports_explorers():
    assert {"KernelExplorer", "FeatureMapExplorer"} <= set(EXPLORERS)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_control_redraws_the_view(name):
    explorer = EXPLORERS[name].demo()
    found = controls(explorer.widget)
    assert found, f"{name}: no controls found under .widget"
    rng = random.Random(0)
    for control in found:
        redrawn = False
        for _ in range(3):  # some values can legitimately look the same
            before = _view(explorer.widget)
            if change(control, rng) and _view(explorer.widget) != before:
                redrawn = True
                break
        assert redrawn, f"{name}: changing {label(control)} redraws nothing"


def test_change_moves_each_kind_of_control_to_another_valid_value():
    rng = random.Random(0)
    dropdown = widgets.Dropdown(options=["a", "b", "c"], value="a")
    slider = widgets.IntSlider(value=3, min=0, max=5)
    floats = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1)
    box = widgets.Checkbox(value=False)
    play = widgets.Play(value=7, min=0, max=1_000_000)
    for control in (dropdown, slider, floats, box, play):
        old = control.value
        assert change(control, rng)
        assert control.value != old
    assert 0 <= slider.value <= 5 and 0.0 <= floats.value <= 1.0
    assert 0 <= play.value <= 1_000_000
    assert not change(widgets.Dropdown(options=["only"]), rng)


def test_controls_finds_nested_and_skips_disabled():
    inner = widgets.IntSlider()
    hidden = widgets.IntSlider(disabled=True)
    root = widgets.VBox([widgets.HBox([inner, hidden]), widgets.HTML("x")])
    assert controls(root) == [inner]
