"""Loss-surface playground: pick a surface, optimizers, learning rates, momentum/betas, a start.

Works with ipywidgets 7.7 (Colab) and 8. Everything that does not move (the
contours of each surface, the axes of both panels) is drawn once and its pixels
kept (matplotlib's "blitting"); a control change only reruns the optimizers whose
settings changed (a millisecond or two for 200 steps on two numbers), draws their
paths and loss curves over the stored pixels, and sends the picture as JPEG.

Example:
    >>> explorer = LossSurfaceExplorer.demo()
    >>> explorer.surface.value = "quadratic"
    >>> sorted(explorer.paths())[:2]
    ['Adam', 'GD']
"""

from __future__ import annotations

import io
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from ..optim.surfaces import PATH_OPTIMIZERS, SURFACES, OptimizerPath, optimizer_path
from ..viz.surfaces import LOSS_FLOOR, OPTIMIZER_COLORS, draw_surface

__all__ = ["LossSurfaceExplorer"]

DPI = 80


def _jpeg(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as JPEG bytes.

    JPEG, not PNG: the shaded contours make PNG compression about ten times slower
    (15 ms against 1.5 ms for this picture), and at quality 92 lines stay crisp.
    """
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def _set_range(slider, low: float, high: float, value: float) -> None:
    """Give a slider a new range and value, in an order ipywidgets accepts."""
    if low > slider.max:
        slider.max = high
        slider.min = low
    else:
        slider.min = low
        slider.max = high
    slider.value = value


class LossSurfaceExplorer:
    """Watch optimizers race on a 2-D loss surface. Display it by putting it last in a cell.

    Args:
        surface: name of the surface shown first (see :data:`course_utils.optim.SURFACES`).
        optimizers: optimizers ticked at the start.
        steps: number of steps at the start.
    """

    def __init__(
        self,
        surface: str = "rosenbrock",
        optimizers: tuple[str, ...] = ("GD", "Momentum", "RMSprop", "Adam"),
        steps: int = 200,
    ) -> None:
        if surface not in SURFACES:
            raise ValueError(
                f"unknown surface {surface!r}: expected one of {', '.join(SURFACES)}"
            )
        unknown = [name for name in optimizers if name not in PATH_OPTIMIZERS]
        if unknown:
            raise ValueError(
                f"unknown optimizers {unknown}: expected names from {', '.join(PATH_OPTIMIZERS)}"
            )
        self._busy = True  # no redraws while the controls are being built
        self._cache: OrderedDict = OrderedDict()  # settings -> OptimizerPath
        self._backgrounds: dict = {}  # surface name -> (stored pixels, loss axis top)
        self.lrs = dict(SURFACES[surface].lrs)  # the learning rate of every optimizer

        # --- controls -------------------------------------------------------------------------
        self.surface = widgets.Dropdown(
            options=list(SURFACES), value=surface, description="surface"
        )
        self.use = {
            name: widgets.Checkbox(
                value=name in optimizers,
                description=name,
                indent=False,
                layout=widgets.Layout(width="95px"),
            )
            for name in PATH_OPTIMIZERS
        }
        self.tune = widgets.Dropdown(
            options=list(PATH_OPTIMIZERS), value="Adam", description="lr of"
        )
        self.lr = widgets.FloatLogSlider(
            value=self.lrs["Adam"],
            base=10,
            min=-4,
            max=0,
            step=0.05,
            description="lr",
            readout_format=".2g",
        )
        self.momentum = widgets.FloatSlider(
            value=0.9, min=0.0, max=0.99, step=0.01, description="momentum"
        )
        self.beta1 = widgets.FloatSlider(
            value=0.9, min=0.0, max=0.99, step=0.01, description="beta1"
        )
        self.beta2 = widgets.FloatSlider(
            value=0.999,
            min=0.5,
            max=0.999,
            step=0.001,
            description="beta2",
            readout_format=".3f",
        )
        self.alpha = widgets.FloatSlider(
            value=0.99,
            min=0.5,
            max=0.999,
            step=0.001,
            description="alpha",
            readout_format=".3f",
        )
        start = SURFACES[surface]
        self.start_x = widgets.FloatSlider(
            value=start.start[0],
            min=start.xlim[0],
            max=start.xlim[1],
            step=0.05,
            description="start x",
        )
        self.start_y = widgets.FloatSlider(
            value=start.start[1],
            min=start.ylim[0],
            max=start.ylim[1],
            step=0.01,
            description="start y",
        )
        self.steps = widgets.IntSlider(
            value=steps, min=10, max=500, step=10, description="steps"
        )
        self.reset = widgets.Button(description="reset this surface")
        self.table = widgets.HTML()
        self.view = widgets.Image(format="jpeg")

        # --- one figure, two panels: paths over contours, and loss curves --------------------
        self._figure = Figure(figsize=(9.2, 4.0), dpi=DPI)
        self._canvas = FigureCanvasAgg(self._figure)
        self._contour_ax, self._loss_ax = self._figure.subplots(1, 2)
        self._figure.subplots_adjust(
            left=0.07, right=0.98, top=0.91, bottom=0.13, wspace=0.25
        )
        self._lines, self._ends, self._loss_lines = {}, {}, {}
        for name in PATH_OPTIMIZERS:
            color = OPTIMIZER_COLORS[name]
            (self._lines[name],) = self._contour_ax.plot(
                [], [], ".-", color=color, lw=1.4, ms=3, animated=True
            )
            (self._ends[name],) = self._contour_ax.plot(
                [], [], "x", color=color, ms=10, mew=2.5, animated=True
            )
            (self._loss_lines[name],) = self._loss_ax.plot(
                [], [], color=color, lw=1.5, animated=True
            )
        # A legend of every optimizer's colour, part of the stored background.
        legend = [
            Line2D([], [], color=OPTIMIZER_COLORS[n], lw=2) for n in PATH_OPTIMIZERS
        ]
        self._loss_ax.legend(
            legend, list(PATH_OPTIMIZERS), fontsize=8, loc="upper right"
        )
        (self._start_marker,) = self._contour_ax.plot(
            [], [], "o", color="k", ms=7, animated=True
        )
        # Every surface's background (contours, axes, ticks) is drawn once, here.
        for name in SURFACES:
            self._background(name)

        # --- wiring ---------------------------------------------------------------------------
        self.surface.observe(self._on_surface, names="value")
        self.tune.observe(self._on_tune, names="value")
        self.lr.observe(self._on_lr, names="value")
        for control in (
            self.momentum,
            self.beta1,
            self.beta2,
            self.alpha,
            self.start_x,
            self.start_y,
            self.steps,
            *self.use.values(),
        ):
            control.observe(self._on_change, names="value")
        self.reset.on_click(lambda button: self._on_surface())

        for control in (
            self.surface,
            self.tune,
            self.lr,
            self.momentum,
            self.beta1,
            self.beta2,
            self.alpha,
            self.start_x,
            self.start_y,
            self.steps,
        ):
            control.layout = widgets.Layout(width="300px")
        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [widgets.HTML("<b>optimizers</b>&nbsp;"), *self.use.values()]
                ),
                widgets.HBox(
                    [
                        widgets.VBox([self.surface, self.tune, self.lr, self.steps]),
                        widgets.VBox(
                            [self.momentum, self.beta1, self.beta2, self.alpha]
                        ),
                        widgets.VBox([self.start_x, self.start_y, self.reset]),
                    ]
                ),
                self.view,
                self.table,
            ]
        )
        self._busy = False
        self.redraw()

    @classmethod
    def demo(cls) -> LossSurfaceExplorer:
        """A ready explorer on the Rosenbrock valley (builds in well under a second)."""
        return cls()

    # --- state -----------------------------------------------------------------------------
    def selected(self) -> list[str]:
        """The optimizers whose box is ticked."""
        return [name for name, box in self.use.items() if box.value]

    def _settings(self, name: str) -> dict:
        uses = PATH_OPTIMIZERS[name][1]
        settings = {}
        if "momentum" in uses:
            settings["momentum"] = self.momentum.value
        if "betas" in uses:
            settings["beta1"] = self.beta1.value
        if "betas" in uses:
            settings["beta2"] = self.beta2.value
        if "alpha" in uses:
            settings["alpha"] = self.alpha.value
        return settings

    def path(self, name: str) -> OptimizerPath:
        """The path of optimizer ``name`` with the current settings (cached)."""
        settings = self._settings(name)
        start = (self.start_x.value, self.start_y.value)
        key = (
            self.surface.value,
            name,
            self.lrs[name],
            start,
            self.steps.value,
            tuple(sorted(settings.items())),
        )
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        path = optimizer_path(
            self.surface.value,
            name,
            lr=self.lrs[name],
            steps=self.steps.value,
            start=start,
            **settings,
        )
        self._cache[key] = path
        if len(self._cache) > 256:
            self._cache.popitem(last=False)
        return path

    def paths(self) -> dict[str, OptimizerPath]:
        """The paths of every ticked optimizer."""
        return {name: self.path(name) for name in self.selected()}

    # --- drawing ---------------------------------------------------------------------------
    def _background(self, name: str):
        """The stored pixels of everything that does not move, for surface ``name``."""
        if name not in self._backgrounds:
            surface = SURFACES[name]
            contour, loss = self._contour_ax, self._loss_ax
            for artist in list(contour.collections) + [
                line for line in contour.lines if not line.get_animated()
            ]:
                artist.remove()
            draw_surface(contour, surface, resolution=120)
            contour.set_title(f"{name}: paths from the black dot", fontsize=11)
            # Fixed loss axes, so that they can be stored too: steps on a symlog scale
            # (any number of steps fits), loss - minimum on a log scale.
            _, _, Z = surface.grid(120)
            top = 3 * float((Z - surface.min_value).max())
            loss.set_xscale("symlog", linthresh=10)
            loss.set(
                xlim=(0, self.steps.max),
                yscale="log",
                ylim=(LOSS_FLOOR, top),
                xlabel="step",
                ylabel=f"loss - minimum ({surface.min_value:g})",
            )
            loss.set_title("loss curves", fontsize=11)
            loss.grid(alpha=0.3)
            self._canvas.draw()
            pixels = self._canvas.copy_from_bbox(self._figure.bbox)
            self._backgrounds[name] = (pixels, top)
        return self._backgrounds[name]

    def redraw(self) -> None:
        """Rerun the paths whose settings changed; draw them over the stored background."""
        surface = SURFACES[self.surface.value]
        paths = self.paths()
        pixels, top = self._background(surface.name)
        self._canvas.restore_region(pixels)
        # The axes must have this surface's limits again (another one may have been
        # drawn last) so that the lines land on the stored picture where they belong.
        self._contour_ax.set(xlim=surface.xlim, ylim=surface.ylim)
        self._loss_ax.set_ylim(LOSS_FLOOR, top)
        for name, path in paths.items():
            points = path.points.numpy()
            self._lines[name].set_data(points[:, 0], points[:, 1])
            self._contour_ax.draw_artist(self._lines[name])
            if path.diverged:
                self._ends[name].set_data(points[-1:, 0], points[-1:, 1])
                self._contour_ax.draw_artist(self._ends[name])
            gap = np.maximum((path.losses - surface.min_value).numpy(), LOSS_FLOOR)
            self._loss_lines[name].set_data(np.arange(len(gap)), gap)
            self._loss_ax.draw_artist(self._loss_lines[name])
        self._start_marker.set_data([self.start_x.value], [self.start_y.value])
        self._contour_ax.draw_artist(self._start_marker)
        self.view.value = _jpeg(self._canvas)
        self.table.value = self._table(paths, surface)

    def _table(self, paths, surface) -> str:
        rows = []
        for name, path in paths.items():
            x, y = path.end
            nearest = min(np.hypot(x - mx, y - my) for mx, my in surface.minima)
            gap = float(path.losses[-1]) - surface.min_value
            status = "diverged" if path.diverged else f"{gap:.2e}"
            color = OPTIMIZER_COLORS[name]
            settings = ", ".join(f"{k} {v:g}" for k, v in self._settings(name).items())
            rows.append(
                f"<tr><td style='color:{color}'><b>{name}</b></td><td>{self.lrs[name]:.3g}</td>"
                f"<td>{settings or '-'}</td><td>{status}</td><td>{nearest:.3f}</td></tr>"
            )
        head = (
            "<tr><th>optimizer</th><th>lr</th><th>settings</th><th>final loss - minimum</th>"
            "<th>distance to nearest minimum</th></tr>"
        )
        return f"<table>{head}{''.join(rows)}</table>{self._unused_note(paths)}"

    def _unused_note(self, paths) -> str:
        """Name the sliders that no ticked optimizer uses, so moving them is not a mystery."""
        used = set()
        for name in paths:
            used |= set(self._settings(name))
        notes = []
        for setting, slider in [
            ("momentum", self.momentum),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
            ("alpha", self.alpha),
        ]:
            if setting not in used:
                users = [
                    name for name in PATH_OPTIMIZERS if setting in self._settings(name)
                ]
                notes.append(f"{setting} {slider.value:g} (used by {', '.join(users)})")
        if not notes:
            return ""
        return "<br><i>not used by the ticked optimizers:</i> " + "; ".join(notes)

    # --- control callbacks -----------------------------------------------------------------
    def _on_change(self, change=None) -> None:
        if not self._busy:
            self.redraw()

    def _on_surface(self, change=None) -> None:
        surface = SURFACES[self.surface.value]
        self._busy = True
        try:
            self.lrs = dict(surface.lrs)
            self.lr.value = self.lrs[self.tune.value]
            _set_range(self.start_x, surface.xlim[0], surface.xlim[1], surface.start[0])
            _set_range(self.start_y, surface.ylim[0], surface.ylim[1], surface.start[1])
        finally:
            self._busy = False
        self.redraw()

    def _on_tune(self, change) -> None:
        self._busy = True
        try:
            self.lr.value = self.lrs[self.tune.value]
            self.use[self.tune.value].value = True  # tuning an optimizer shows it
        finally:
            self._busy = False
        self.redraw()

    def _on_lr(self, change) -> None:
        if self._busy:
            return
        self.lrs[self.tune.value] = change["new"]
        self.redraw()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
