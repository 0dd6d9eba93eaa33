"""Every explorer, driven through every control the way the benchmark drives it.

Each control change must redraw something the reader sees (a picture or a text).
These tests also run under ipywidgets 7.7.1, Colab's version (``make test-colab``).
"""

from __future__ import annotations

import random
from pathlib import Path

import ipywidgets as widgets
import pytest

import course_utils.widgets
from course_utils.widgets import Explorer
from course_utils.widgets.driver import (
    CLICK,
    apply,
    change,
    controls,
    drive,
    explorer_classes,
    label,
    next_value,
    snapshot,
    walk,
)

EXPLORERS = explorer_classes()


def test_every_explorer_module_is_listed_and_driven():
    """An explorer missing from ``__all__`` would escape every test below."""
    folder = Path(course_utils.widgets.__file__).parent
    modules = sorted(path.stem for path in folder.glob("*_explorer.py"))
    assert len(modules) >= 8
    listed = sorted(cls.__module__.rsplit(".", 1)[1] for cls in EXPLORERS.values())
    assert listed == modules
    assert "Explorer" not in EXPLORERS  # the base class is not an explorer to drive
    assert all(issubclass(cls, Explorer) for cls in EXPLORERS.values())


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_control_redraws_the_view(name):
    explorer = EXPLORERS[name].demo()
    assert isinstance(explorer, EXPLORERS[name])
    assert isinstance(explorer.widget, widgets.Widget)
    found = controls(explorer.widget)
    assert found, f"{name}: no controls found under .widget"
    rng = random.Random(0)
    for control in found:
        redrawn = False
        for _ in range(3):  # some values can legitimately look the same
            before = snapshot(explorer.widget)
            if change(control, rng) and snapshot(explorer.widget) != before:
                redrawn = True
                break
        assert redrawn, f"{name}: changing {label(control)} redraws nothing"


@pytest.mark.parametrize("seed", range(10))
def test_change_moves_each_kind_of_control_to_another_valid_value(seed):
    rng = random.Random(seed)
    dropdown = widgets.Dropdown(options=["a", "b", "c"], value="a")
    slider = widgets.IntSlider(value=3, min=0, max=5)
    floats = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.5)
    logs = widgets.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=1)
    box = widgets.Checkbox(value=False)
    play = widgets.Play(value=7, min=0, max=1_000_000)
    number = widgets.FloatText(value=1.5)
    for _ in range(5):
        for control in (dropdown, slider, floats, logs, box, play, number):
            old = control.value
            assert change(control, rng), label(control)
            assert control.value != old, label(control)
    assert 0 <= slider.value <= 5 and floats.value in (0.0, 0.5, 1.0)
    assert logs.value in (1e-4, 1e-3, 1e-2, 1e-1, 1.0) and 0 <= play.value <= 1_000_000
    assert not change(widgets.Dropdown(options=["only"]), rng)
    assert not change(widgets.IntSlider(value=0, min=0, max=0), rng)


def test_buttons_are_pressed():
    button = widgets.Button(description="go")
    presses = []
    button.on_click(presses.append)
    assert next_value(button, random.Random(0)) is CLICK
    apply(button, CLICK)
    assert presses == [button]


def test_controls_finds_nested_and_skips_disabled_and_views():
    inner = widgets.IntSlider()
    hidden = widgets.IntSlider(disabled=True)
    button = widgets.Button(description="b")
    root = widgets.VBox([widgets.HBox([inner, hidden]), widgets.HTML("x"), button])
    assert controls(root) == [inner, button]
    assert [type(w).__name__ for w in walk(root)] == [
        "IntSlider",
        "IntSlider",
        "HTML",
        "Button",
    ]


def test_snapshot_sees_pictures_and_texts_only():
    text, picture = widgets.HTML("a"), widgets.Image(value=b"png")
    slider = widgets.IntSlider(3)
    root = widgets.VBox([slider, widgets.HBox([text, picture])])
    before = snapshot(root)
    slider.value = 4  # a control is not something the reader reads
    assert snapshot(root) == before
    text.value = "b"
    assert snapshot(root) != before


def test_label_names_the_control():
    assert label(widgets.FloatSlider(description="lr")) == "FloatSlider('lr')"
    assert label(widgets.Button(tooltip="train")) == "Button('train')"


def test_drive_times_every_change_by_control():
    slider = widgets.IntSlider(value=0, min=0, max=10, description="n")
    box = widgets.Checkbox(description="on")

    class Tiny:
        widget = widgets.VBox([slider, box])

    seconds = drive(Tiny(), changes=10)
    assert sorted(seconds) == ["Checkbox('on')", "IntSlider('n')"]
    assert [len(v) for v in seconds.values()] == [5, 5]
    assert all(s >= 0 for values in seconds.values() for s in values)
    with pytest.raises(ValueError, match="no controls"):

        class Empty:
            widget = widgets.VBox([widgets.HTML("nothing to move")])

        drive(Empty(), changes=3)
