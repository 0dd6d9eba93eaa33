"""Activation explorer: one neuron a = f(w x + b), its shape and its slope, for any activation.

Works with ipywidgets 7.7 (Colab) and 8. One small matplotlib figure is made once
and reused: a control change only moves the lines and re-encodes the PNG
only the three curves are drawn again on a saved
background (blitting), and the PNG is encoded with light compression: a few
milliseconds on a laptop CPU.

Example:
    >>> explorer = ActivationExplorer()
    >>> explorer.activation.value = "relu"
    >>> explorer.weight.value = 2.0
    >>> explorer.curves()[1].max().item()  # the slope of relu(2x) is 2 where active
    2.0
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..nn.functional.activation import ACTIVATIONS
from ..viz.activations import ACTIVATION_PARAMETER, neuron_curves

__all__ = ["ActivationExplorer"]

NONE = "(none)"
#: Short labels for the shape parameter's slider (the keywords are long).
PARAMETER_LABELS = {"leaky_relu": "slope α", "elu": "alpha α", "softplus": "beta β"}


class ActivationExplorer:
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

        # One figure, drawn in full once. A redraw restores the saved background (axes,
        # ticks, labels) and draws only the three lines on it ("blitting").
        self.figure = Figure(figsize=(5.2, 3.3), dpi=80)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.ax = self.figure.add_subplot()
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set_xlim(float(self.x[0]), float(self.x[-1]))
        ax.set_ylim(-2.0, 4.0)
        ax.set_xlabel("input x")
        ax.set_ylabel("output")
        ax.set_title("one neuron: a = f(w x + b)", fontsize=10)
        self.figure.tight_layout()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        (self.value_line,) = ax.plot([], [], lw=2.2, color="C0", animated=True)
        (self.slope_line,) = ax.plot([], [], "--", lw=1.6, color="C1", animated=True)
        (self.compare_line,) = ax.plot([], [], lw=1.5, color="0.45", animated=True)

        for control in (
            self.activation,
            self.compare,
            self.weight,
            self.bias,
            self.parameter,
            self.show_slope,
        ):
            control.observe(lambda change: self.redraw(), names="value")

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
        self.redraw()

    @classmethod
    def demo(cls) -> ActivationExplorer:
        """A ready explorer (nothing to train or load)."""
        return cls()

    # --- state -------------------------------------------------------------------------------
    def _parameter(self, name: str) -> float | None:
        return self.parameter.value if name in ACTIVATION_PARAMETER else None

    def curves(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(a, da/dx) of the selected neuron over ``self.x``."""
        name = self.activation.value
        return neuron_curves(
            name, self.x, self.weight.value, self.bias.value, self._parameter(name)
        )

    # --- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Move the lines, update the text and re-encode the picture."""
        name = self.activation.value
        self.parameter.disabled = name not in ACTIVATION_PARAMETER
        self.parameter.description = PARAMETER_LABELS.get(name, "parameter")
        value, slope = self.curves()
        self.value_line.set_data(self.x, value)
        self.slope_line.set_data(self.x, slope)
        self.slope_line.set_visible(self.show_slope.value)
        other = self.compare.value
        if other == NONE:
            self.compare_line.set_visible(False)
        else:
            compared, _ = neuron_curves(
                other,
                self.x,
                self.weight.value,
                self.bias.value,
                self._parameter(other),
            )
            self.compare_line.set_data(self.x, compared)
            self.compare_line.set_visible(True)
        self.canvas.restore_region(self.background)
        for line in (self.value_line, self.slope_line, self.compare_line):
            if line.get_visible():
                self.ax.draw_artist(line)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buffer = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buffer, format="PNG", compress_level=1)
        self.view.value = buffer.getvalue()

        steepest = int(slope.abs().argmax())
        legend = (
            f"<span style='color:#1f77b4'>&#9473;</span> a = {name}(w x + b)<br>"
            + (
                "<span style='color:#ff7f0e'>&#9476;</span> slope da/dx<br>"
                if self.show_slope.value
                else ""
            )
            + (
                f"<span style='color:#737373'>&#9473;</span> {other}(w x + b)<br>"
                if other != NONE
                else ""
            )
        )
        self.info.value = legend + (
            f"w = {self.weight.value:.1f}, b = {self.bias.value:.1f}<br>"
            f"output from <b>{float(value.min()):.2f}</b> to <b>{float(value.max()):.2f}</b> "
            f"on this range<br>steepest slope <b>{float(slope[steepest]):.2f}</b> "
            f"at x = {float(self.x[steepest]):.2f}"
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
