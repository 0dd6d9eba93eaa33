"""Activation explorer: one neuron a = f(w x + b), its shape and its slope, for any activation.

Works with ipywidgets 7.7 (Colab) and 8. One small matplotlib figure is drawn in
full once; a control change only draws the three curves again on its stored
pixels (a :class:`~course_utils.viz.encode.BlitFigure`) and encodes the PNG: a
few milliseconds on a laptop CPU.

Example:
    >>> explorer = ActivationExplorer()
    >>> explorer.activation.value = "relu"
    >>> explorer.weight.value = 2.0
    >>> explorer.curves()[1].max().item()  # the slope of relu(2x) is 2 where active
    2.0
"""

from __future__ import annotations

import ipywidgets as widgets
import torch
from matplotlib.colors import to_hex

from ..nn.functional.activation import ACTIVATIONS
from ..viz.activations import ACTIVATION_PARAMETER, neuron_curves
from ..viz.encode import BlitFigure
from .base import Explorer

__all__ = ["ActivationExplorer"]

NONE = "(none)"
#: Short labels for the shape parameter's slider (the keywords are long).
PARAMETER_LABELS = {"leaky_relu": "slope α", "elu": "alpha α", "softplus": "beta β"}


class ActivationExplorer(Explorer):
    """Explore activation functions on a single neuron. Display it by putting it last in a cell.

    Args:
        x_range: the inputs shown on the horizontal axis.
        points: how many inputs are evaluated.
    """

    def __init__(
        self, x_range: tuple[float, float] = (-5.0, 5.0), points: int = 301
    ) -> None:
        if not x_range[0] < x_range[1]:
            raise ValueError(
                f"x_range must be (low, high) with low < high, got {x_range!r}"
            )
        self.x = torch.linspace(x_range[0], x_range[1], points)
        names = list(ACTIVATIONS)
        self.activation = widgets.Dropdown(
            options=names, value="sigmoid", description="activation"
        )
        self.compare = widgets.Dropdown(
            options=[NONE, *names], value=NONE, description="compare with"
        )
        self.weight = widgets.FloatSlider(
            value=1.0, min=-3.0, max=3.0, step=0.1, description="weight w"
        )
        self.bias = widgets.FloatSlider(
            value=0.0, min=-3.0, max=3.0, step=0.1, description="bias b"
        )
        self.parameter = widgets.FloatSlider(
            value=0.1, min=0.01, max=3.0, step=0.01, description="parameter"
        )
        self.show_slope = widgets.Checkbox(value=True, description="show slope da/dx")
        self.info = widgets.HTML()
        self.view = widgets.Image(format="png")
        self.widget = widgets.HBox(
            [
                widgets.VBox(
                    [
                        self.activation,
                        self.parameter,
                        self.weight,
                        self.bias,
                        self.show_slope,
                        self.compare,
                        self.info,
                    ]
                ),
                self.view,
            ]
        )
        self._make_figure()
        self.on_change(
            self.activation,
            self.compare,
            self.weight,
            self.bias,
            self.parameter,
            self.show_slope,
        )
        self.redraw()

    def _make_figure(self) -> None:
        """Axes, ticks and labels drawn once; the three lines are redrawn on them."""
        self.plot = BlitFigure(figsize=(5.2, 3.3), dpi=80)
        self.figure = self.plot.figure
        ax = self.ax = self.figure.add_subplot()
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set_xlim(float(self.x[0]), float(self.x[-1]))
        ax.set_ylim(-2.0, 4.0)
        ax.set_xlabel("input x")
        ax.set_ylabel("output")
        ax.set_title("one neuron: a = f(w x + b)", fontsize=10)
        self.figure.tight_layout()
        self.plot.store_background()
        (self.value_line,) = ax.plot([], [], lw=2.2, color="C0", animated=True)
        (self.slope_line,) = ax.plot([], [], "--", lw=1.6, color="C1", animated=True)
        (self.compare_line,) = ax.plot([], [], lw=1.5, color="0.45", animated=True)

    # --- state -------------------------------------------------------------------------------
    def _parameter(self, name: str) -> float | None:
        return self.parameter.value if name in ACTIVATION_PARAMETER else None

    def curves(self, name: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(a, da/dx) of the neuron over ``self.x``, with the selected activation by default."""
        name = name or self.activation.value
        return neuron_curves(
            name, self.x, self.weight.value, self.bias.value, self._parameter(name)
        )

    # --- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Move the lines, update the text and re-encode the picture."""
        name, other = self.activation.value, self.compare.value
        self.parameter.disabled = name not in ACTIVATION_PARAMETER
        self.parameter.description = PARAMETER_LABELS.get(name, "parameter")
        value, slope = self.curves()
        self.value_line.set_data(self.x, value)
        self.slope_line.set_data(self.x, slope)
        self.slope_line.set_visible(self.show_slope.value)
        self.compare_line.set_visible(other != NONE)
        if other != NONE:
            self.compare_line.set_data(self.x, self.curves(other)[0])
        self.view.value = self.plot.frame(
            [self.value_line, self.slope_line, self.compare_line]
        )
        self.info.value = self._legend(name, other) + self._summary(value, slope)

    def _legend(self, name: str, other: str) -> str:
        """One line per curve, in the curve's own colour (whatever the colour cycle)."""

        def key(line, symbol: str, text: str) -> str:
            colour = to_hex(line.get_color())
            return f"<span style='color:{colour}'>{symbol}</span> {text}<br>"

        legend = key(self.value_line, "&#9473;", f"a = {name}(w x + b)")
        if self.show_slope.value:
            legend += key(self.slope_line, "&#9476;", "slope da/dx")
        if other != NONE:
            legend += key(self.compare_line, "&#9473;", f"{other}(w x + b)")
        return legend

    def _summary(self, value: torch.Tensor, slope: torch.Tensor) -> str:
        steepest = int(slope.abs().argmax())
        return (
            f"w = {self.weight.value:.1f}, b = {self.bias.value:.1f}<br>"
            f"output from <b>{float(value.min()):.2f}</b> to <b>{float(value.max()):.2f}</b> "
            f"on this range<br>steepest slope <b>{float(slope[steepest]):.2f}</b> "
            f"at x = {float(self.x[steepest]):.2f}"
        )
