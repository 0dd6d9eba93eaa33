"""The Explorer base class: wiring, the guard for multi-control updates, display, demo()."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from IPython.testing.globalipapp import get_ipython

from course_utils.widgets import Explorer, GradientFlowExplorer
from course_utils.widgets.base import set_range, titled


class Counter(Explorer):
    """Two sliders and a button; the view says their sum and how often it was drawn."""

    def __init__(self, a: int = 1, b: int = 2) -> None:
        self.a = widgets.IntSlider(value=a, min=0, max=10, description="a")
        self.b = widgets.IntSlider(value=b, min=0, max=10, description="b")
        self.zero = widgets.Button(description="zero")
        self.view = widgets.HTML()
        self.widget = widgets.VBox([self.a, self.b, self.zero, self.view])
        self.redraws = 0
        self.sums_seen: list[int] = []
        self.on_change(self.a, self.b)
        self.on_change(self.zero, call=self._zero)
        self.redraw()

    def redraw(self) -> None:
        self.redraws += 1
        self.sums_seen.append(self.a.value + self.b.value)
        self.view.value = f"{self.a.value + self.b.value}"

    def _zero(self) -> None:
        with self.updating():
            self.a.value = 0
            self.b.value = 0


def test_on_change_redraws_after_each_control_change():
    counter = Counter()
    assert counter.redraws == 1 and counter.view.value == "3"
    counter.a.value = 5
    counter.b.value = 4
    assert counter.redraws == 3 and counter.view.value == "9"
    counter.a.value = 5  # the same value: no change, no redraw
    assert counter.redraws == 3


def test_updating_holds_redraws_until_the_end():
    counter = Counter()
    with counter.updating():
        counter.a.value = 7
        assert counter.quiet and counter.redraws == 1  # not midway
        counter.b.value = 8
        assert counter.redraws == 1
    assert not counter.quiet
    assert counter.redraws == 2 and counter.view.value == "15"
    assert counter.sums_seen == [3, 15]  # never the half-updated 7 + 2


def test_nested_updating_redraws_once_and_redraw_false_not_at_all():
    counter = Counter()
    with counter.updating():
        with counter.updating():
            counter.a.value = 4
        assert counter.quiet and counter.redraws == 1  # the inner end is not the end
        counter.b.value = 4
    assert counter.redraws == 2 and counter.view.value == "8"
    with counter.updating(redraw=False):
        counter.a.value = 9
    assert counter.redraws == 2 and counter.view.value == "8"


def test_a_failed_update_leaves_the_guard_open_and_does_not_redraw():
    counter = Counter()
    with pytest.raises(RuntimeError), counter.updating():
        counter.a.value = 6
        raise RuntimeError("boom")
    assert not counter.quiet and counter.redraws == 1
    counter.b.value = 6  # callbacks work again
    assert counter.redraws == 2 and counter.view.value == "12"


def test_a_callback_that_sets_several_controls_redraws_once():
    counter = Counter(a=3, b=4)
    counter.zero.click()
    assert counter.redraws == 2 and counter.sums_seen == [7, 0]


def test_demo_builds_a_ready_explorer_by_default():
    counter = Counter.demo()
    assert isinstance(counter, Counter) and counter.view.value == "3"
    flow = GradientFlowExplorer.demo()
    assert isinstance(flow, GradientFlowExplorer) and flow.view.value.startswith("<svg")


def test_an_explorer_must_say_what_it_draws():
    class NoRedraw(Explorer):
        def __init__(self) -> None:
            self.widget = widgets.HTML()

    with pytest.raises(TypeError, match="redraw"):
        NoRedraw()
    with pytest.raises(TypeError):
        Explorer()


def test_display_shows_the_root_widget(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "IPython.display.display", lambda *objects: shown.extend(objects)
    )
    counter = Counter()
    counter._ipython_display_()
    assert shown == [counter.widget]


def test_ipython_displays_an_explorer_as_its_widget():
    """In a real IPython shell, an explorer last in a cell shows its widget."""
    shell = get_ipython()
    counter = Counter()
    shown = []
    shell.display_pub.publish = lambda data, **kwargs: shown.append(data)
    try:
        handled = shell.display_formatter.ipython_display_formatter(counter)
    finally:
        del shell.display_pub.publish
    assert handled
    views = [data.get("application/vnd.jupyter.widget-view+json") for data in shown]
    assert [view["model_id"] for view in views if view] == [counter.widget.model_id]


def test_titled_and_set_range():
    column = titled("input", widgets.HTML("x"))
    assert column.children[0].value == "<b>input</b>" and len(column.children) == 2
    slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
    set_range(slider, 2.0, 3.0, 2.5)  # the new range lies above the old one
    assert (slider.min, slider.max, slider.value) == (2.0, 3.0, 2.5)
    set_range(slider, -3.0, -2.0, -2.5)  # and below it
    assert (slider.min, slider.max, slider.value) == (-3.0, -2.0, -2.5)
