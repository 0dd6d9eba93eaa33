"""The base of every explorer: controls, views, and one ``redraw()`` that fills the views.

An explorer is a handful of controls (ipywidgets sliders, dropdowns...), one or
more views (an ``Image`` or ``HTML`` widget) and a ``redraw()`` that computes the
views from the controls. :class:`Explorer` does the rest: it displays
``self.widget`` when the explorer is the last thing in a cell, wires controls to
``redraw`` with :meth:`~Explorer.on_change`, holds redraws back while code
changes several controls at once (:meth:`~Explorer.updating`), and gives every
explorer a ``demo()`` that the tests and benchmarks build and drive.

A new explorer in a few lines (works with ipywidgets 7.7, Colab's, and 8):

    >>> import ipywidgets as widgets
    >>> import torch
    >>> from course_utils.viz.encode import png_bytes
    >>> class BrightnessExplorer(Explorer):
    ...     '''A grey square as bright as the slider says.'''
    ...
    ...     def __init__(self, level: float = 0.5) -> None:
    ...         self.level = widgets.FloatSlider(value=level, min=0.0, max=1.0)
    ...         self.view = widgets.Image(format="png")
    ...         self.widget = widgets.VBox([self.level, self.view])
    ...         self.on_change(self.level)  # moving the slider calls self.redraw()
    ...         self.redraw()
    ...
    ...     def redraw(self) -> None:
    ...         square = torch.full((8, 8), self.level.value)
    ...         self.view.value = png_bytes(square, scale=4)
    >>> explorer = BrightnessExplorer.demo()  # by default demo() is cls()
    >>> before = explorer.view.value
    >>> explorer.level.value = 0.9  # what a reader's drag does: a redraw now
    >>> explorer.view.value != before
    True

Rules of thumb, learned on the explorers of the book:

- Compute in ``viz`` (a pure, unit-tested function that also makes the book's
  static figure), draw in the explorer. Encode pictures with
  :mod:`course_utils.viz.encode` (``png_bytes`` for arrays, ``BlitFigure`` for
  matplotlib plots): a redraw must take well under 100 ms on a laptop CPU.
- When a callback changes other controls (a preset fills a grid of numbers, a
  new surface resets the sliders), do it inside ``with self.updating():`` so
  the controls' own callbacks stay quiet; the explorer redraws once at the end.
- Override ``demo()`` when the constructor needs arguments (a trained model,
  data); keep it to a few seconds on a CPU.
- Every control must change something the reader sees:
  ``tests/test_explorers.py`` drives every control of every explorer listed in
  ``course_utils.widgets.__all__`` (see :mod:`course_utils.widgets.driver`) and
  fails if one redraws nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import ipywidgets as widgets

__all__ = ["Explorer", "set_range", "titled"]

E = TypeVar("E", bound="Explorer")


class Explorer(ABC):
    """Base class of the explorers. Display one by putting it last in a notebook cell.

    A subclass sets ``self.widget`` (the root ipywidget holding its controls and
    views) in ``__init__`` and implements :meth:`redraw`.
    """

    #: The root ipywidget: every control and view of the explorer sits under it.
    widget: widgets.Widget
    _updating_depth = 0  # how many ``updating()`` blocks are open

    @classmethod
    def demo(cls: type[E]) -> E:
        """A ready explorer for tests, benchmarks and a first look (builds in seconds).

        The default calls the constructor without arguments; explorers that need a
        model or data override it.
        """
        return cls()

    @abstractmethod
    def redraw(self) -> None:
        """Fill the views from the current value of every control."""

    # --- wiring ---------------------------------------------------------------------------
    def on_change(
        self, *controls: widgets.Widget, call: Callable[[], None] | None = None
    ) -> None:
        """Call ``call`` (``self.redraw`` by default) when one of ``controls`` changes.

        A change is a new ``value`` (a button: a click). Inside :meth:`updating`
        nothing is called. ``call`` takes no argument: it reads the controls.
        """
        action = call or self.redraw

        def handler(_change=None) -> None:
            if not self.quiet:
                action()

        for control in controls:
            if isinstance(control, widgets.Button):
                control.on_click(handler)
            else:
                control.observe(handler, names="value")

    @property
    def quiet(self) -> bool:
        """True inside :meth:`updating`: callbacks wired with :meth:`on_change` do nothing."""
        return self._updating_depth > 0

    @contextmanager
    def updating(self, redraw: bool = True) -> Iterator[None]:
        """Change several controls from code without a redraw after each one.

        Callbacks wired with :meth:`on_change` stay quiet inside the block; when the
        outermost block ends, the explorer redraws once (unless ``redraw=False``).
        If the block raises, nothing is redrawn.

        Example:
            >>> from course_utils.widgets import GradientFlowExplorer
            >>> explorer = GradientFlowExplorer.demo()
            >>> with explorer.updating():
            ...     explorer.radius.value = 1.5
            ...     explorer.length.value = 50  # one redraw, after this line
            >>> "<b>50</b>" in explorer.info.value
            True
        """
        self._updating_depth += 1
        try:
            yield
        finally:
            self._updating_depth -= 1
        if redraw and not self.quiet:
            self.redraw()

    # --- display --------------------------------------------------------------------------
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


# --- helpers for building explorers ------------------------------------------------------------
def titled(title: str, *children: widgets.Widget) -> widgets.VBox:
    """A column: a bold title above ``children`` (a view and its caption, say)."""
    return widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *children])


def set_range(slider: widgets.Widget, low: float, high: float, value: float) -> None:
    """Give a slider a new range and value, in an order every ipywidgets version accepts.

    Setting ``min`` above the current ``max`` (or the reverse) is refused, so the
    bound that moves away from the other one goes first.

    Example:
        >>> slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
        >>> set_range(slider, 2.0, 3.0, 2.5)
        >>> slider.min, slider.max, slider.value
        (2.0, 3.0, 2.5)
    """
    if low > slider.max:
        slider.max = high
        slider.min = low
    else:
        slider.min = low
        slider.max = high
    slider.value = value
