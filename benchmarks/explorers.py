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


def walk(root: widgets.Widget):
    """Every widget under ``root`` that is not a box, depth first."""
    stack = [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, widgets.Box):
            stack.extend(reversed(widget.children))
        else:
            yield widget


def controls(root: widgets.Widget) -> list[widgets.Widget]:
    """Every enabled control under ``root``, depth first."""
    kinds = (*_SELECTIONS, *_NUMBERS, *_TOGGLES, *_LOG_SLIDERS, widgets.Button)
    return [
        widget
        for widget in walk(root)
        if isinstance(widget, kinds) and not getattr(widget, "disabled", False)
    ]


def label(control: widgets.Widget) -> str:
    name = getattr(control, "description", "") or getattr(control, "tooltip", "")
    return f"{type(control).__name__}({name!r})"


CLICK = object()  # the "value" of a button: press it


def _new_number(control, rng: random.Random) -> float | None:
    low = getattr(control, "min", None)
    high = getattr(control, "max", None)
    if low is None or high is None:  # unbounded IntText / FloatText
        low, high = control.value - 2, control.value + 2
    if isinstance(control.value, int):
        if high <= low:
            return None
        value = rng.randint(int(low), int(high) - 1)
        return value + 1 if value >= control.value else value  # any value but this one
    step = getattr(control, "step", None) or (high - low) / 20
    steps = max(1, round((high - low) / step))
    value = low + step * rng.randrange(steps + 1)
    return min(high, round(value, 10))


def next_value(control: widgets.Widget, rng: random.Random):
    """A different valid value for ``control`` (``CLICK`` for a button, None if none)."""
    if isinstance(control, widgets.Button):
        return CLICK
    if isinstance(control, _TOGGLES):
        return not control.value
    if isinstance(control, _SELECTIONS):
        others = [i for i in range(len(control.options)) if i != control.index]
        return rng.choice(others) if others else None
    if isinstance(control, _LOG_SLIDERS):
        steps = max(1, round((control.max - control.min) / control.step))
        exponent = control.min + control.step * rng.randrange(steps + 1)
        new = round(control.base**exponent, 12)
    else:
        new = _new_number(control, rng)
    return None if new == control.value else new


def apply(control: widgets.Widget, value) -> None:
    """Set ``control`` to ``value`` the way a reader would; its observers run now."""
    if value is CLICK:
        control.click()
    elif isinstance(control, _SELECTIONS):
        control.index = value
    else:
        control.value = value


def change(control: widgets.Widget, rng: random.Random) -> bool:
    """Change one control to a different valid value; False if it has no other value."""
    value = next_value(control, rng)
    if value is None:
        return False
    apply(control, value)
    return True


def drive(explorer, changes: int, seed: int = 0) -> dict[str, list[float]]:
    """Make ``changes`` control changes, round robin; return seconds per control.

    Only the assignment is timed (the explorer's redraw), not choosing the value.
    """
    rng = random.Random(seed)
    found = controls(explorer.widget)
    if not found:
        raise ValueError(f"{type(explorer).__name__} has no controls to drive")
    seconds: dict[str, list[float]] = {}
    for index in range(changes):
        control = found[index % len(found)]
        value = next_value(control, rng)
        if value is None:
            continue
        start = time.perf_counter()
        apply(control, value)
        seconds.setdefault(label(control), []).append(time.perf_counter() - start)
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
