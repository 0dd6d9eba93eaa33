"""Gradient-flow explorer: how far back in time does a plain RNN's gradient reach?

Move the spectral radius of the recurrent matrix, switch the nonlinearity and the
sequence length, and watch the gradient norm ``||dL/dh_{T-k}||`` against the distance
``k`` in time. Works with ipywidgets 7.7 (Colab) and 8. The curve is drawn as a small
inline SVG (a matplotlib PNG would take about 100 ms per redraw; this takes well
under 10 ms, most of it the backward pass).

Example:
    >>> explorer = GradientFlowExplorer.demo()
    >>> explorer.radius.value = 1.5
    >>> explorer.nonlinearity.value = "linear"
    >>> bool(explorer.norms()[-1] > 1)
    True
"""

from __future__ import annotations

import ipywidgets as widgets
import torch

from ..inspection import gradient_norms_through_time
from ..nn.functional.recurrent import NONLINEARITIES
from .base import Explorer

__all__ = ["GradientFlowExplorer", "svg_log_plot"]

LOG_RANGE = (-16, 16)  # the y axis spans 1e-16 .. 1e16


def svg_log_plot(
    values: torch.Tensor,
    title: str = "",
    width: int = 520,
    height: int = 260,
    log_range: tuple[int, int] = LOG_RANGE,
) -> str:
    """An SVG line plot of positive ``values`` on a log y axis (index on the x axis).

    Values outside ``10**log_range`` are drawn at the border.

    Example:
        >>> svg_log_plot(torch.tensor([1.0, 0.1, 0.01])).startswith("<svg")
        True
    """
    left, right, top, bottom = 58, 12, 24, 40
    low, high = log_range
    count = len(values)
    logs = values.double().clamp_min(1e-300).log10().clamp(low, high).tolist()

    def x_of(k: float) -> float:
        return left + (width - left - right) * k / max(count - 1, 1)

    def y_of(log_value: float) -> float:
        return top + (height - top - bottom) * (high - log_value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}" fill="white" stroke="black"/>',
    ]
    for exponent in range(low, high + 1, 4):  # horizontal grid lines and labels
        y = y_of(exponent)
        colour = "#888" if exponent == 0 else "#ddd"
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">1e{exponent}</text>'
        )
    for k in range(0, count, max(1, (count - 1) // 5) or 1):  # x ticks
        parts.append(
            f'<text x="{x_of(k):.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{k}</text>'
        )
    points = " ".join(f"{x_of(k):.1f},{y_of(v):.1f}" for k, v in enumerate(logs))
    parts += [
        f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>',
        f'<text x="{(left + width - right) / 2}" y="{height - 6}" '
        'text-anchor="middle">steps back in time k</text>',
        f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(top + height - bottom) / 2})">gradient norm</text>',
        f'<text x="{(left + width - right) / 2}" y="16" text-anchor="middle" '
        f'font-size="13">{title}</text>',
        "</svg>",
    ]
    return "".join(parts)


class GradientFlowExplorer(Explorer):
    """Interactive plot of gradient norm against distance in time for a random RNN.

    Args:
        hidden_size: size of the random RNN's hidden state.
        max_length: the largest sequence length on the slider.
        seed: seeds the random matrix and inputs (the same for every setting).
    """

    def __init__(self, hidden_size: int = 32, max_length: int = 200, seed: int = 0):
        if not isinstance(max_length, int) or max_length < 10:
            raise ValueError(f"max_length must be an int >= 10, got {max_length!r}")
        self.hidden_size, self.seed = hidden_size, seed
        self.radius = widgets.FloatSlider(
            value=1.0, min=0.5, max=2.0, step=0.05, description="radius"
        )
        self.nonlinearity = widgets.Dropdown(
            options=[*NONLINEARITIES, "linear"],
            value="tanh",
            description="nonlinearity",
        )
        self.length = widgets.IntSlider(
            value=min(100, max_length),
            min=10,
            max=max_length,
            step=10,
            description="length",
        )
        self.info = widgets.HTML()
        self.view = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.radius, self.nonlinearity, self.length]),
                self.view,
                self.info,
            ]
        )
        self.on_change(self.radius, self.nonlinearity, self.length)
        self.redraw()

    def norms(self) -> torch.Tensor:
        """Gradient norms for the current settings; entry k is k steps back."""
        return gradient_norms_through_time(
            float(self.radius.value),
            self.nonlinearity.value,
            length=int(self.length.value),
            hidden_size=self.hidden_size,
            seed=self.seed,
        )

    def redraw(self) -> None:
        """Recompute the norms and redraw the curve and the text under it."""
        norms = self.norms()
        title = f"{self.nonlinearity.value}, spectral radius {self.radius.value:.2f}"
        self.view.value = svg_log_plot(norms, title)
        last = float(norms[-1])
        trend = "vanishes" if last < 1e-3 else "explodes" if last > 1e3 else "survives"
        self.info.value = (
            f"after <b>{len(norms) - 1}</b> steps back the gradient norm is "
            f"<b>{last:.2e}</b>: it {trend}"
        )
