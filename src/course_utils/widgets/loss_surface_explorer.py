"""Loss-surface playground: pick a surface, optimizers, learning rates, momentum/betas, a start.

Works with ipywidgets 7.7 (Colab) and 8. Everything that does not move (the
contours of each surface, the axes of both panels) is drawn once and its pixels
kept (a :class:`~course_utils.viz.encode.BlitFigure`, one background per
surface); a control change only reruns the optimizers whose settings changed (a
millisecond or two for 200 steps on two numbers), draws their paths and loss
curves over the stored pixels, and sends the picture as JPEG.

Example:
    >>> explorer = LossSurfaceExplorer.demo()
    >>> explorer.surface.value = "quadratic"
    >>> sorted(explorer.paths())[:2]
    ['Adam', 'GD']
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from ..optim.surfaces import PATH_OPTIMIZERS, SURFACES, OptimizerPath, optimizer_path
from ..viz.encode import BlitFigure
from ..viz.surfaces import LOSS_FLOOR, OPTIMIZER_COLORS, draw_surface
from .base import Explorer, set_range

__all__ = ["LossSurfaceExplorer"]

DPI = 80
#: The optimizer setting (as named in ``PATH_OPTIMIZERS``) that each slider feeds.
USES = {"momentum": "momentum", "beta1": "betas", "beta2": "betas", "alpha": "alpha"}


class LossSurfaceExplorer(Explorer):
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
        _check_arguments(surface, optimizers)
        self._cache: OrderedDict = OrderedDict()  # settings -> OptimizerPath
        self.lrs = dict(SURFACES[surface].lrs)  # the learning rate of every optimizer
        self._make_controls(surface, optimizers, steps)
        self._make_figure()
        self.widget = self._layout()
        self.on_change(
            self.momentum,
            self.beta1,
            self.beta2,
            self.alpha,
            self.start_x,
            self.start_y,
            self.steps,
            *self.use.values(),
        )
        self.on_change(self.surface, self.reset, call=self._reset_surface)
        self.on_change(self.tune, call=self._tune_chosen)
        self.on_change(self.lr, call=self._lr_moved)
        self.redraw()

    # --- building ----------------------------------------------------------------------------
    def _make_controls(
        self, surface: str, optimizers: tuple[str, ...], steps: int
    ) -> None:
        def slider(kind, description, value, low, high, step, readout=".2f"):
            return kind(
                value=value,
                min=low,
                max=high,
                step=step,
                description=description,
                readout_format=readout,
                layout=widgets.Layout(width="300px"),
            )

        def dropdown(options, value, description):
            return widgets.Dropdown(
                options=options,
                value=value,
                description=description,
                layout=widgets.Layout(width="300px"),
            )

        self.surface = dropdown(list(SURFACES), surface, "surface")
        self.use = {
            name: widgets.Checkbox(
                value=name in optimizers,
                description=name,
                indent=False,
                layout=widgets.Layout(width="115px"),
            )
            for name in PATH_OPTIMIZERS
        }
        self.tune = dropdown(list(PATH_OPTIMIZERS), "Adam", "lr of")
        self.lr = slider(
            widgets.FloatLogSlider, "lr", self.lrs["Adam"], -4, 0, 0.05, ".2g"
        )
        self.momentum = slider(widgets.FloatSlider, "momentum", 0.9, 0.0, 0.99, 0.01)
        self.beta1 = slider(widgets.FloatSlider, "beta1", 0.9, 0.0, 0.99, 0.01)
        self.beta2 = slider(
            widgets.FloatSlider, "beta2", 0.999, 0.5, 0.999, 0.001, ".3f"
        )
        self.alpha = slider(
            widgets.FloatSlider, "alpha", 0.99, 0.5, 0.999, 0.001, ".3f"
        )
        self._setting_sliders = {
            "momentum": self.momentum,
            "beta1": self.beta1,
            "beta2": self.beta2,
            "alpha": self.alpha,
        }
        shown = SURFACES[surface]
        self.start_x = slider(
            widgets.FloatSlider, "start x", shown.start[0], *shown.xlim, 0.05
        )
        self.start_y = slider(
            widgets.FloatSlider, "start y", shown.start[1], *shown.ylim, 0.01
        )
        self.steps = widgets.IntSlider(
            value=steps,
            min=10,
            max=500,
            step=10,
            description="steps",
            layout=widgets.Layout(width="300px"),
        )
        self.reset = widgets.Button(description="reset this surface")
        self.table = widgets.HTML()
        self.view = widgets.Image(format="jpeg")

    def _make_figure(self) -> None:
        """One figure, two panels: paths over contours, and loss curves.

        Everything that does not move (contours, axes, ticks, the legend) is drawn
        once per surface and kept; paths, end marks, loss curves and the start dot
        are the moving parts.
        """
        self.plot = BlitFigure(figsize=(9.2, 4.0), dpi=DPI, format="jpeg")
        figure = self.plot.figure
        self._contour_ax, self._loss_ax = figure.subplots(1, 2)
        figure.subplots_adjust(
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
        legend = [
            Line2D([], [], color=OPTIMIZER_COLORS[n], lw=2) for n in PATH_OPTIMIZERS
        ]
        self._loss_ax.legend(
            legend, list(PATH_OPTIMIZERS), fontsize=8, loc="upper right"
        )
        (self._start_marker,) = self._contour_ax.plot(
            [], [], "o", color="k", ms=7, animated=True
        )
        self._tops = {name: self._draw_background(name) for name in SURFACES}

    def _draw_background(self, name: str) -> float:
        """Draw and store surface ``name``'s still parts; return its loss axis top."""
        surface = SURFACES[name]
        contour, loss = self._contour_ax, self._loss_ax
        for artist in [*contour.collections, *contour.lines]:
            if not artist.get_animated():
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
        self.plot.store_background(key=name)
        return top

    def _layout(self) -> widgets.Widget:
        return widgets.VBox(
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

    # --- state -------------------------------------------------------------------------------
    def selected(self) -> list[str]:
        """The optimizers whose box is ticked."""
        return [name for name, box in self.use.items() if box.value]

    def _settings(self, name: str) -> dict:
        """The slider settings optimizer ``name`` uses, by keyword of ``optimizer_path``."""
        uses = PATH_OPTIMIZERS[name][1]
        return {
            setting: self._setting_sliders[setting].value
            for setting, needs in USES.items()
            if needs in uses
        }

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

    # --- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Rerun the paths whose settings changed; draw them over the stored background."""
        surface = SURFACES[self.surface.value]
        paths = self.paths()
        # The axes must have this surface's limits again (another one may have been
        # drawn last) so that the lines land on the stored picture where they belong.
        self._contour_ax.set(xlim=surface.xlim, ylim=surface.ylim)
        self._loss_ax.set_ylim(LOSS_FLOOR, self._tops[surface.name])
        moving = []
        for name, path in paths.items():
            points = path.points.numpy()
            self._lines[name].set_data(points[:, 0], points[:, 1])
            self._ends[name].set_data(points[-1:, 0], points[-1:, 1])
            self._ends[name].set_visible(path.diverged)
            gap = np.maximum((path.losses - surface.min_value).numpy(), LOSS_FLOOR)
            self._loss_lines[name].set_data(np.arange(len(gap)), gap)
            moving += [self._lines[name], self._ends[name], self._loss_lines[name]]
        self._start_marker.set_data([self.start_x.value], [self.start_y.value])
        moving.append(self._start_marker)
        self.view.value = self.plot.frame(moving, key=surface.name)
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
        return f"<table style='border-spacing:12px 2px'>{head}{''.join(rows)}</table>{self._unused_note(paths)}"

    def _unused_note(self, paths) -> str:
        """Name the sliders that no ticked optimizer uses, so moving them is not a mystery."""
        used = set()
        for name in paths:
            used |= set(self._settings(name))
        notes = []
        for setting, slider in self._setting_sliders.items():
            if setting not in used:
                users = [
                    name for name in PATH_OPTIMIZERS if setting in self._settings(name)
                ]
                notes.append(f"{setting} {slider.value:g} (used by {', '.join(users)})")
        if not notes:
            return ""
        return "<br><i>not used by the ticked optimizers:</i> " + "; ".join(notes)

    # --- control callbacks -------------------------------------------------------------------
    def _reset_surface(self) -> None:
        """A new surface (or the reset button): its learning rates and start point."""
        surface = SURFACES[self.surface.value]
        with self.updating():
            self.lrs = dict(surface.lrs)
            self.lr.value = self.lrs[self.tune.value]
            set_range(self.start_x, *surface.xlim, surface.start[0])
            set_range(self.start_y, *surface.ylim, surface.start[1])

    def _tune_chosen(self) -> None:
        with self.updating():
            self.lr.value = self.lrs[self.tune.value]
            self.use[self.tune.value].value = True  # tuning an optimizer shows it

    def _lr_moved(self) -> None:
        self.lrs[self.tune.value] = self.lr.value
        self.redraw()


def _check_arguments(surface: str, optimizers: tuple[str, ...]) -> None:
    if surface not in SURFACES:
        raise ValueError(
            f"unknown surface {surface!r}: expected one of {', '.join(SURFACES)}"
        )
    unknown = [name for name in optimizers if name not in PATH_OPTIMIZERS]
    if unknown:
        raise ValueError(
            f"unknown optimizers {unknown}: expected names from {', '.join(PATH_OPTIMIZERS)}"
        )
