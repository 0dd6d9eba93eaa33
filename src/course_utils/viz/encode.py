"""From a tensor to the bytes an explorer sends to the browser, in a few milliseconds.

An explorer redraws on every control change, so its pictures must be encoded
fast. Two routes, both here so that every explorer uses the same code:

- an array (a photo, a feature map, a heat map) becomes pixels with
  :func:`to_pixels` (a display mode maps it to [0, 1], a colormap adds
  colour) and PNG bytes with :func:`png_bytes`: no matplotlib figure at all;
- a plot (axes, ticks, contours) is a :class:`BlitFigure`: the parts that never
  move are drawn once and their pixels kept ("blitting"); a frame restores them,
  draws only the moving lines and encodes the result as PNG or JPEG.

JPEG suits pictures with smooth shading (filled contours): PNG compression is
about ten times slower on them, and at quality 92 lines stay crisp. PNG suits
flat colours, sharp pixels and anything small.

Example:
    >>> import torch
    >>> png_bytes(torch.rand(8, 8), scale=2)[:4]
    b'\\x89PNG'
    >>> to_pixels(torch.tensor([[-1.0, 0.0, 3.0]]), mode="rescale").tolist()
    [[0, 64, 255]]
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Iterable
from functools import cache

import matplotlib
import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .._validation import require_choice, require_int

__all__ = [
    "DISPLAY_MODES",
    "IMAGE_FORMATS",
    "BlitFigure",
    "as_numpy_image",
    "encode_pixels",
    "png_bytes",
    "to_pixels",
    "to_unit_range",
]

#: How a signed array becomes a picture: clip to [0, 1], rescale min..max, or |x| rescaled.
DISPLAY_MODES = ("clip", "rescale", "abs")
#: What :func:`encode_pixels` writes (the ``format`` of an ``ipywidgets.Image``).
IMAGE_FORMATS = ("png", "jpeg")


def png_bytes(
    image: torch.Tensor | np.ndarray,
    mode: str = "clip",
    scale: int = 1,
    cmap: str | None = None,
) -> bytes:
    """Encode an image as PNG bytes (for ``ipywidgets.Image``), fast: no matplotlib figure.

    Args:
        image: (H, W), (1, H, W) or (3, H, W).
        mode: one of :data:`DISPLAY_MODES`.
        scale: enlarge by this whole factor with nearest-neighbour (keeps pixels sharp).
        cmap: a matplotlib colormap name for single-channel images; grey if None.

    Example:
        >>> from PIL import Image
        >>> Image.open(io.BytesIO(png_bytes(torch.zeros(2, 3), scale=4))).size
        (12, 8)
    """
    require_int("png_bytes", "scale", scale, minimum=1)
    return encode_pixels(to_pixels(image, mode, cmap), "png", scale)


def to_pixels(
    image: torch.Tensor | np.ndarray, mode: str = "clip", cmap: str | None = None
) -> np.ndarray:
    """An image as uint8 pixels (H, W) or (H, W, 3), ready to encode.

    Single-channel images stay grey unless ``cmap`` names a matplotlib colormap;
    NaN is shown as 0 (black, or the colormap's low end).
    """
    array = np.nan_to_num(to_unit_range(image, mode), nan=0.0)
    if cmap is not None and array.ndim == 2:
        table = _colour_table(cmap)
        return table[np.minimum((array * len(table)).astype(np.intp), len(table) - 1)]
    return (array * 255).round().astype(np.uint8)


def encode_pixels(pixels: np.ndarray, format: str = "png", scale: int = 1) -> bytes:
    """Encode uint8 pixels (H, W) or (H, W, 3) as PNG or JPEG bytes.

    PNG with light compression (fast, lossless); JPEG at quality 92 (fast on shaded
    pictures, lines stay crisp). ``scale`` enlarges by repeating pixels.

    Example:
        >>> encode_pixels(np.zeros((4, 4, 3), np.uint8), "jpeg")[:2]
        b'\\xff\\xd8'
    """
    require_choice("encode_pixels", "format", format, IMAGE_FORMATS)
    if scale > 1:
        pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    if format == "png":
        Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    else:
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


class BlitFigure:
    """A matplotlib figure redrawn fast: still parts drawn once, only moving ones per frame.

    Make the moving artists with ``animated=True`` (they are left out of the
    stored picture), draw everything else, call :meth:`store_background`, then
    call :meth:`frame` on every redraw. Several backgrounds can be kept under
    different keys (one per loss surface, say); the figure's axes must have the
    same limits as when that background was stored.

    Args:
        figsize: (width, height) in inches.
        dpi: pixels per inch.
        format: ``"png"`` or ``"jpeg"`` (see the module docstring).

    Example:
        >>> blit = BlitFigure(figsize=(2, 2))
        >>> ax = blit.figure.add_subplot()
        >>> (line,) = ax.plot([], [], animated=True)
        >>> blit.store_background()
        >>> line.set_data([0, 1], [0, 1])
        >>> blit.frame([line])[:4]
        b'\\x89PNG'
    """

    def __init__(
        self,
        figsize: tuple[float, float],
        dpi: int = 80,
        format: str = "png",
    ) -> None:
        require_choice("BlitFigure", "format", format, IMAGE_FORMATS)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        self.format = format
        self._backgrounds: dict = {}

    def store_background(self, key: Hashable = None) -> None:
        """Draw the whole figure (animated artists left out) and keep its pixels."""
        self.canvas.draw()
        self._backgrounds[key] = self.canvas.copy_from_bbox(self.figure.bbox)

    def has_background(self, key: Hashable = None) -> bool:
        """Whether a background was stored under ``key``."""
        return key in self._backgrounds

    def frame(self, artists: Iterable[Artist], key: Hashable = None) -> bytes:
        """The stored background with the visible ``artists`` drawn on it, encoded."""
        if key not in self._backgrounds:
            raise KeyError(
                f"BlitFigure.frame: no background stored under {key!r}; "
                "call store_background first"
            )
        self.canvas.restore_region(self._backgrounds[key])
        for artist in artists:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_pixels(self.pixels(), self.format)

    def pixels(self) -> np.ndarray:
        """The canvas's current pixels, (H, W, 3) uint8."""
        return np.asarray(self.canvas.buffer_rgba())[..., :3]


# --- from any array to [0, 1] -----------------------------------------------------------------
def as_numpy_image(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """(H, W), (1, H, W) or (3, H, W) tensor/array -> NumPy (H, W) or (H, W, 3) float array."""
    array = (
        image.detach().cpu().float().numpy()
        if isinstance(image, torch.Tensor)
        else image
    )
    array = np.asarray(array, dtype=np.float32)
    if array.ndim == 3 and array.shape[0] in (1, 3):
        array = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise ValueError(
            "as_numpy_image: expected an image of shape (H, W), (1, H, W) or "
            f"(3, H, W), got {tuple(np.shape(image))}"
        )
    return array


def to_unit_range(image: torch.Tensor | np.ndarray, mode: str = "clip") -> np.ndarray:
    """Map an image to [0, 1] for display, following one of :data:`DISPLAY_MODES`.

    Example:
        >>> to_unit_range(np.array([[-1.0, 0.0, 3.0]]), "rescale").tolist()
        [[0.0, 0.25, 1.0]]
    """
    require_choice("to_unit_range", "display mode", mode, DISPLAY_MODES)
    array = as_numpy_image(image)
    if mode == "clip":
        return np.clip(array, 0.0, 1.0)
    if mode == "abs":
        # Scale by a high percentile rather than the maximum: a few very strong
        # responses would otherwise leave every other edge nearly black.
        array = np.abs(array)
        peak = np.percentile(array, 99.5)
        return np.clip(array / peak, 0.0, 1.0) if peak > 0 else array
    low, high = array.min(), array.max()
    return (array - low) / (high - low) if high > low else np.zeros_like(array)


@cache
def _colour_table(cmap: str) -> np.ndarray:
    """The colormap's colours as a (N, 3) uint8 table (a lookup is faster than calling it)."""
    colormap = matplotlib.colormaps[cmap]
    return (colormap(np.arange(colormap.N))[:, :3] * 255).round().astype(np.uint8)
