"""Kernel explorer: pick a photo and a kernel (or type your own 3x3), see the result beside it.

Works with ipywidgets 7.7 (Colab) and 8. Each control change redraws in a few
milliseconds: the convolution runs on a small photo and the pictures are
encoded as PNG directly, without matplotlib.

Example:
    >>> explorer = KernelExplorer(photos=["camera"], size=64)
    >>> explorer.preset.value = "sharpen"
    >>> explorer.kernel().tolist()[1]
    [-1.0, 5.0, -1.0]
"""

from __future__ import annotations

import ipywidgets as widgets
import torch

from ..data import PHOTOS, load_photo
from ..viz.encode import DISPLAY_MODES, png_bytes
from ..viz.kernels import PRESET_KERNELS, apply_kernel, display_mode_for
from .base import Explorer, titled

__all__ = ["KernelExplorer"]

CUSTOM = "custom (edit the numbers)"


class KernelExplorer(Explorer):
    """An interactive 3x3 kernel playground. Display it by putting it last in a cell.

    Args:
        photos: names from :data:`course_utils.data.PHOTOS` to choose from.
        size: photos are resized to ``size x size`` pixels.
        scale: on-screen enlargement of the pictures.
    """

    def __init__(
        self,
        photos: list[str] | tuple[str, ...] = (
            "camera",
            "astronaut",
            "coffee",
            "chelsea",
            "brick",
        ),
        size: int = 192,
        scale: int = 1,
    ) -> None:
        if not photos:
            raise ValueError(
                f"KernelExplorer needs at least one photo name from {PHOTOS}"
            )
        self.photos = {name: load_photo(name, size=size) for name in photos}
        self.scale = scale
        self._inputs = {  # the input pictures never change: encode them once
            name: png_bytes(image, scale=scale) for name, image in self.photos.items()
        }

        self.photo = widgets.Dropdown(options=list(self.photos), description="photo")
        self.preset = widgets.Dropdown(
            options=[*PRESET_KERNELS, CUSTOM],
            value="edges (Laplacian)",
            description="kernel",
        )
        self.mode = widgets.Dropdown(
            options=["auto", *DISPLAY_MODES], description="display"
        )
        self.cells = [
            widgets.FloatText(value=0.0, step=0.5, layout=widgets.Layout(width="64px"))
            for _ in range(9)
        ]
        grid = widgets.GridBox(
            self.cells, layout=widgets.Layout(grid_template_columns="repeat(3, 68px)")
        )
        self.info = widgets.HTML()
        self.input_view = widgets.Image(format="png")
        self.output_view = widgets.Image(format="png")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.photo, self.preset, self.mode]),
                widgets.HBox(
                    [
                        titled("kernel (3x3)", grid, self.info),
                        titled("input", self.input_view),
                        titled("output", self.output_view),
                    ]
                ),
            ]
        )
        self.on_change(self.photo, self.mode)
        self.on_change(self.preset, call=self._preset_chosen)
        self.on_change(*self.cells, call=self._cell_edited)
        self._preset_chosen()

    # --- state -------------------------------------------------------------------------------
    def kernel(self) -> torch.Tensor:
        """The 3x3 kernel currently in the grid of numbers."""
        return torch.tensor(
            [cell.value for cell in self.cells], dtype=torch.float32
        ).view(3, 3)

    def output(self) -> torch.Tensor:
        """The selected photo cross-correlated with the current kernel."""
        return apply_kernel(self.photos[self.photo.value], self.kernel())

    # --- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Show the photo, the output picture and the text under the kernel."""
        kernel = self.kernel()
        mode = (
            display_mode_for(kernel) if self.mode.value == "auto" else self.mode.value
        )
        self.input_view.value = self._inputs[self.photo.value]
        self.output_view.value = png_bytes(self.output(), mode=mode, scale=self.scale)
        self.info.value = f"weights sum to <b>{float(kernel.sum()):.2f}</b><br>shown with display '{mode}'"

    # --- control callbacks -------------------------------------------------------------------
    def _preset_chosen(self) -> None:
        if self.preset.value == CUSTOM:
            return
        with self.updating():  # nine cells change: one redraw
            for cell, value in zip(
                self.cells, PRESET_KERNELS[self.preset.value].flatten().tolist()
            ):
                cell.value = round(value, 4)

    def _cell_edited(self) -> None:
        with self.updating():
            self.preset.value = CUSTOM  # the grid no longer matches a preset
