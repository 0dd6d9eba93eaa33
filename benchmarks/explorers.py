"""Redraw latency of every explorer, measured by driving its controls from Python.

Every explorer in :mod:`course_utils.widgets` has a ``demo()`` classmethod that
builds a ready instance and a ``widget`` attribute holding its root ipywidget.
The driver walks that widget tree, finds every control a reader can change
(dropdowns, sliders, number boxes, checkboxes, toggle and push buttons, play
widgets) and changes them one after another. ipywidgets calls observers
synchronously, so the time an assignment takes is the time the explorer needs
to redraw (sending the new picture to the browser is not included).
"""

from __future__ import annotations

import random
import statistics
import time

import ipywidgets as widgets

import course_utils.widgets
from course_utils.timing import percentile

LATENCY_BUDGET_MS = 100.0

_SELECTIONS = (
    widgets.Dropdown,
    widgets.Select,
    widgets.RadioButtons,
    widgets.ToggleButtons,
    widgets.SelectionSlider,
)
_NUMBERS = (
    widgets.IntSlider,
    widgets.FloatSlider,
    widgets.BoundedIntText,
    widgets.BoundedFloatText,
    widgets.IntText,
    widgets.FloatText,
    widgets.Play,
)
_TOGGLES = (widgets.Checkbox, widgets.ToggleButton)
_LOG_SLIDERS = (widgets.FloatLogSlider,)  # min and max are exponents of base


def explorer_classes() -> dict[str, type]:
    """Every explorer the package exports, by name."""
    return {
        name: getattr(course_utils.widgets, name)
        for name in course_utils.widgets.__all__
        if hasattr(getattr(course_utils.widgets, name), "demo")
    }


def controls(root: widgets.Widget) -> list[widgets.Widget]:
    """Every enabled control under ``root``, depth first."""
    found = []
    stack = [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, widgets.Box):
            stack.extend(reversed(widget.children))
        elif isinstance(
            widget, (*_SELECTIONS, *_NUMBERS, *_TOGGLES, *_LOG_SLIDERS, widgets.Button)
        ):
            if not getattr(widget, "disabled", False):
                found.append(widget)
    return found


def label(control: widgets.Widget) -> str:
    name = getattr(control, "description", "") or getattr(control, "tooltip", "")
    return f"{type(control).__name__}({name!r})"


def _new_number(control, rng: random.Random) -> float:
    low = getattr(control, "min", None)
    high = getattr(control, "max", None)
    if low is None or high is None:  # unbounded IntText / FloatText
        low, high = control.value - 2, control.value + 2
    if isinstance(control.value, int):
        choices = [v for v in range(int(low), int(high) + 1) if v != control.value]
        return rng.choice(choices) if choices else control.value
    step = getattr(control, "step", None) or (high - low) / 20
    steps = max(1, round((high - low) / step))
    value = low + step * rng.randrange(steps + 1)
    return min(high, round(value, 10))


def change(control: widgets.Widget, rng: random.Random) -> bool:
    """Change one control to a different valid value; False if it has no other value."""
    if isinstance(control, widgets.Button):
        control.click()
        return True
    if isinstance(control, _TOGGLES):
        control.value = not control.value
        return True
    if isinstance(control, _SELECTIONS):
        others = [i for i in range(len(control.options)) if i != control.index]
        if not others:
            return False
        control.index = rng.choice(others)
        return True
    if isinstance(control, _LOG_SLIDERS):
        steps = max(1, round((control.max - control.min) / control.step))
        exponent = control.min + control.step * rng.randrange(steps + 1)
        new = round(control.base**exponent, 12)
    else:
        new = _new_number(control, rng)
    if new == control.value:
        return False
    control.value = new
    return True


def drive(explorer, changes: int, seed: int = 0) -> dict[str, list[float]]:
    """Make ``changes`` control changes, round robin; return seconds per control."""
    rng = random.Random(seed)
    found = controls(explorer.widget)
    if not found:
        raise ValueError(f"{type(explorer).__name__} has no controls to drive")
    seconds: dict[str, list[float]] = {}
    for index in range(changes):
        control = found[index % len(found)]
        start = time.perf_counter()
        changed = change(control, rng)
        elapsed = time.perf_counter() - start
        if changed:
            seconds.setdefault(label(control), []).append(elapsed)
    return seconds


def explorer_latency(changes: int = 300) -> list[dict]:
    """Median and 95th percentile redraw time of every explorer, in milliseconds."""
    rows = []
    for name, cls in explorer_classes().items():
        explorer = cls.demo()
        drive(explorer, changes=20, seed=1)  # warm-up: caches, first allocations
        per_control = drive(explorer, changes=changes)
        everything = [s * 1e3 for values in per_control.values() for s in values]
        p95 = percentile(everything, 95)
        rows.append(
            {
                "explorer": name,
                "changes": len(everything),
                "median_ms": statistics.median(everything),
                "p95_ms": p95,
                "slowest_control": max(
                    per_control, key=lambda k: statistics.median(per_control[k])
                ),
                "per_control_median_ms": {
                    k: statistics.median(v) * 1e3 for k, v in per_control.items()
                },
                "within_budget": p95 <= LATENCY_BUDGET_MS,
            }
        )
        print(f"  {name}: median {rows[-1]['median_ms']:.1f} ms, p95 {p95:.1f} ms")
    return rows
