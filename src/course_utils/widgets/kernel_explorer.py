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
from ..viz.images import DISPLAY_MODES, png_bytes
from ..viz.kernels import PRESET_KERNELS, apply_kernel, display_mode_for

__all__ = ["KernelExplorer"]

CUSTOM = "custom (edit the numbers)"


class KernelExplorer:
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
        self._busy = (
            False  # True while the code itself changes several controls at once
        )

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

        self.photo.observe(self._on_photo, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.mode.observe(lambda change: self.redraw(), names="value")
        for cell in self.cells:
            cell.observe(self._on_cell, names="value")

        def column(title, *children):
            return widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *children])

        self.widget = widgets.VBox(
            [
                widgets.HBox([self.photo, self.preset, self.mode]),
                widgets.HBox(
                    [
                        column("kernel (3x3)", grid, self.info),
                        column("input", self.input_view),
                        column("output", self.output_view),
                    ]
                ),
            ]
        )
        self._set_cells(PRESET_KERNELS[self.preset.value])
        self._on_photo()

    @classmethod
    def demo(cls) -> KernelExplorer:
        """A ready explorer on the default photos (used by the tests and benchmarks)."""
        return cls()

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
        """Recompute the output picture and the text under the kernel."""
        kernel = self.kernel()
        mode = (
            display_mode_for(kernel) if self.mode.value == "auto" else self.mode.value
        )
        self.output_view.value = png_bytes(self.output(), mode=mode, scale=self.scale)
        self.info.value = f"weights sum to <b>{float(kernel.sum()):.2f}</b><br>shown with display '{mode}'"

    def _set_cells(self, kernel: torch.Tensor) -> None:
        self._busy = True
        try:
            for cell, value in zip(self.cells, kernel.flatten().tolist()):
                cell.value = round(value, 4)
        finally:
            self._busy = False

    # --- control callbacks -------------------------------------------------------------------
    def _on_photo(self, change=None) -> None:
        image = self.photos[self.photo.value]
        self.input_view.value = png_bytes(image, scale=self.scale)
        self.redraw()

    def _on_preset(self, change) -> None:
        if self._busy or change["new"] == CUSTOM:
            return
        self._set_cells(PRESET_KERNELS[change["new"]])
        self.redraw()

    def _on_cell(self, change) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self.preset.value = CUSTOM  # the grid no longer matches a preset
        finally:
            self._busy = False
        self.redraw()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
