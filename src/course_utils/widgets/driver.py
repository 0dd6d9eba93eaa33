"""Drive any explorer's controls from Python, the way a reader does with the mouse.

An explorer's controls all sit under its ``widget``. :func:`controls` finds every
one a reader can change (dropdowns, sliders, number boxes, checkboxes, toggle
and push buttons, play widgets), :func:`change` moves one to another valid value
(or presses it), and :func:`snapshot` records what the reader sees (every
picture and text), so a test can check that a change redrew something.
ipywidgets calls observers synchronously: when ``change`` returns, the explorer
has redrawn, and :func:`drive` times exactly that.

The generic explorer test (``tests/test_explorers.py``) and the latency
benchmark (``benchmarks/explorers.py``) are both built on these functions; a
new explorer is covered by them as soon as it is listed in
``course_utils.widgets.__all__``.

Example:
    >>> import random
    >>> from course_utils.widgets import GradientFlowExplorer
    >>> explorer = GradientFlowExplorer.demo()
    >>> [label(control) for control in controls(explorer.widget)]
    ["FloatSlider('radius')", "Dropdown('nonlinearity')", "IntSlider('length')"]
    >>> before = snapshot(explorer.widget)
    >>> change(explorer.radius, random.Random(0))
    True
    >>> snapshot(explorer.widget) != before
    True
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator

import ipywidgets as widgets

from .base import Explorer

__all__ = [
    "CLICK",
    "apply",
    "change",
    "controls",
    "drive",
    "explorer_classes",
    "label",
    "next_value",
    "snapshot",
    "walk",
]

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
_VIEWS = (widgets.Image, widgets.HTML, widgets.Label)

#: The "value" of a button for :func:`apply`: press it.
CLICK = object()


def explorer_classes() -> dict[str, type[Explorer]]:
    """Every explorer that ``course_utils.widgets`` exports, by name."""
    from .. import widgets as package

    found = {name: getattr(package, name) for name in package.__all__}
    return {
        name: value
        for name, value in found.items()
        if isinstance(value, type)
        and issubclass(value, Explorer)
        and value is not Explorer
    }


def walk(root: widgets.Widget) -> Iterator[widgets.Widget]:
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


def snapshot(root: widgets.Widget) -> list:
    """What the reader sees: the value of every picture and text under ``root``."""
    seen = []
    for widget in walk(root):
        if isinstance(widget, _VIEWS):
            seen.append(widget.value)
        elif isinstance(widget, widgets.Output):
            seen.append(str(widget.outputs))
    return seen


def label(control: widgets.Widget) -> str:
    """A short name for a control, such as ``FloatSlider('radius')``."""
    name = getattr(control, "description", "") or getattr(control, "tooltip", "")
    return f"{type(control).__name__}({name!r})"


def next_value(control: widgets.Widget, rng: random.Random):
    """A different valid value for ``control`` (``CLICK`` for a button, None if none).

    For a selection the value is the new ``index``.
    """
    if isinstance(control, widgets.Button):
        return CLICK
    if isinstance(control, _TOGGLES):
        return not control.value
    if isinstance(control, _SELECTIONS):
        others = [i for i in range(len(control.options)) if i != control.index]
        return rng.choice(others) if others else None
    if isinstance(control, _LOG_SLIDERS):
        exponent = _other_on_grid(
            math.log(control.value, control.base),
            control.min,
            control.max,
            control.step,
            rng,
        )
        new = None if exponent is None else round(control.base**exponent, 12)
    else:
        new = _new_number(control, rng)
    return None if new == control.value else new


def apply(control: widgets.Widget, value) -> None:
    """Set ``control`` to ``value`` (from :func:`next_value`) the way a reader would.

    Its observers, and so the explorer's redraw, run before this returns.
    """
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


def drive(explorer: Explorer, changes: int, seed: int = 0) -> dict[str, list[float]]:
    """Make ``changes`` control changes, round robin; return the seconds of each, by control.

    Only the assignment is timed (the explorer's redraw), not choosing the value.
    """
    rng = random.Random(seed)
    found = controls(explorer.widget)
    if not found:
        raise ValueError(f"drive: {type(explorer).__name__} has no controls to drive")
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


def _new_number(control: widgets.Widget, rng: random.Random) -> float | None:
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
    return _other_on_grid(control.value, low, high, step, rng)


def _other_on_grid(
    value: float, low: float, high: float, step: float, rng: random.Random
) -> float | None:
    """A point of the grid low, low + step, ..., high other than ``value``."""
    count = max(1, round((high - low) / step)) + 1
    current = round((value - low) / step)
    if not (
        0 <= current < count
        and math.isclose(low + step * current, value, abs_tol=step * 1e-6)
    ):
        current = -1  # value is off the grid: any point will do
    if current >= 0:
        if count < 2:
            return None
        index = rng.randrange(count - 1)
        index += index >= current  # skip the current point
    else:
        index = rng.randrange(count)
    return min(high, round(low + step * index, 10))
