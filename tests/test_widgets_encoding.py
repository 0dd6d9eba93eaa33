"""The explorers' fast image encoding (course_utils.viz.encode) against slow references."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image

from course_utils.viz.encode import (
    DISPLAY_MODES,
    BlitFigure,
    encode_pixels,
    png_bytes,
    to_pixels,
    to_unit_range,
)


def _decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


@pytest.mark.parametrize("cmap", ["viridis", "Blues", "coolwarm", "gray"])
@pytest.mark.parametrize("seed", range(3))
def test_colour_lookup_matches_calling_the_colormap(cmap, seed):
    generator = torch.Generator().manual_seed(seed)
    h, w = torch.randint(1, 40, (2,), generator=generator).tolist()
    image = torch.rand(h, w, generator=generator)
    image[0, 0], image[-1, -1] = 0.0, 1.0  # both ends of the colormap
    expected = matplotlib.colormaps[cmap](image.numpy())[..., :3]
    expected = (expected * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(to_pixels(image, cmap=cmap), expected)


@pytest.mark.parametrize("mode", DISPLAY_MODES)
def test_grey_and_colour_pixels_follow_the_display_mode(mode):
    image = torch.randn(3, 9, 7)
    expected = (to_unit_range(image, mode) * 255).round().astype(np.uint8)
    np.testing.assert_array_equal(to_pixels(image, mode), expected)
    assert to_pixels(image[0], mode).shape == (9, 7)
    assert to_pixels(image[:1], mode).shape == (9, 7)


def test_nan_is_shown_as_zero():
    image = torch.tensor([[float("nan"), 1.0]])
    assert to_pixels(image).tolist() == [[0, 255]]
    assert (
        to_pixels(image, cmap="viridis")[0, 0].tolist()
        == to_pixels(torch.zeros(1, 1), cmap="viridis")[0, 0].tolist()
    )


@pytest.mark.parametrize("scale", [1, 2, 5])
def test_png_is_lossless_and_scaled(scale):
    pixels = np.random.default_rng(scale).integers(0, 256, (6, 4, 3), dtype=np.uint8)
    decoded = _decode(encode_pixels(pixels, "png", scale))
    np.testing.assert_array_equal(
        decoded, pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    )
    grey = pixels[..., 0]
    np.testing.assert_array_equal(_decode(encode_pixels(grey, "png")), grey)


def test_jpeg_is_close_on_smooth_pictures():
    y, x = np.mgrid[0:64, 0:96]
    pixels = np.stack([x * 2, y * 3, (x + y)], axis=-1).astype(np.uint8)
    data = encode_pixels(pixels, "jpeg")
    assert data[:2] == b"\xff\xd8"
    decoded = _decode(data).astype(int)
    assert decoded.shape == pixels.shape
    assert np.abs(decoded - pixels).mean() < 2.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="encode_pixels: unknown format 'gif'"):
        encode_pixels(np.zeros((2, 2), np.uint8), "gif")
    with pytest.raises(ValueError, match="png_bytes: scale must be >= 1"):
        png_bytes(torch.rand(2, 2), scale=0)
    with pytest.raises(TypeError, match="png_bytes: scale must be an int"):
        png_bytes(torch.rand(2, 2), scale=1.5)
    with pytest.raises(ValueError, match="unknown display mode 'log'"):
        to_pixels(torch.rand(2, 2), mode="log")
    with pytest.raises(ValueError, match=r"\(H, W\), \(1, H, W\) or \(3, H, W\)"):
        to_pixels(torch.rand(2, 5, 5))
    with pytest.raises(ValueError, match="BlitFigure: unknown format 'bmp'"):
        BlitFigure(figsize=(1, 1), format="bmp")


def _plot(format="png"):
    blit = BlitFigure(figsize=(3, 2), dpi=50, format=format)
    ax = blit.figure.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1), title="still")
    ax.grid(True)
    (line,) = ax.plot([], [], lw=2, animated=True)
    return blit, ax, line


def test_a_frame_is_the_full_drawing_of_the_same_figure():
    blit, ax, line = _plot()
    blit.store_background()
    frames = []
    for slope in (0.2, 0.9):
        line.set_data([0, 1], [0.1, slope])
        frames.append(_decode(blit.frame([line])))
        # the slow way: draw everything, the line included
        line.set_animated(False)
        blit.canvas.draw()
        full = blit.pixels().copy()
        line.set_animated(True)
        differ = np.abs(frames[-1].astype(int) - full.astype(int)).sum(-1) > 0
        assert differ.mean() < 0.01  # at most a few antialiased pixels at crossings
    assert not np.array_equal(frames[0], frames[1])  # the line moved
    line.set_visible(False)
    hidden = _decode(blit.frame([line]))
    line.set_visible(True)
    line.set_data([], [])
    blank = _decode(blit.frame([line]))
    np.testing.assert_array_equal(hidden, blank)  # invisible artists are not drawn


def test_backgrounds_are_kept_by_key():
    blit, ax, line = _plot(format="jpeg")
    ax.set_title("first")
    blit.store_background("first")
    ax.set_title("second")
    blit.store_background("second")
    assert blit.has_background("first") and not blit.has_background(None)
    first, second = blit.frame([], key="first"), blit.frame([], key="second")
    assert first[:2] == b"\xff\xd8" and first != second
    assert blit.frame([], key="first") == first  # restoring gives the same picture
    with pytest.raises(KeyError, match="no background stored under 'third'"):
        blit.frame([], key="third")
