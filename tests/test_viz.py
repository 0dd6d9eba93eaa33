"""Figures and the pure functions behind the explorers."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from course_utils.metrics import confusion_matrix
from course_utils.models import LeNet
from course_utils.train import History
from course_utils.viz import (
    PRESET_KERNELS,
    apply_kernel,
    display_mode_for,
    feature_maps,
    plot_confusion_matrix,
    plot_feature_maps,
    plot_filters,
    plot_history,
    plot_kernel_gallery,
    plot_mistakes,
    png_bytes,
    show_images,
    tile_channels,
    to_unit_range,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_apply_kernel_matches_scipy_correlate():
    scipy_ndimage = pytest.importorskip("scipy.ndimage")
    image = torch.rand(20, 17, dtype=torch.float64)
    for kernel in PRESET_KERNELS.values():
        ours = apply_kernel(image, kernel.double())
        theirs = scipy_ndimage.correlate(
            image.numpy(), kernel.double().numpy(), mode="constant"
        )
        np.testing.assert_allclose(ours.numpy(), theirs, atol=1e-12)


def test_identity_kernel_and_display_modes():
    image = torch.rand(9, 9)
    torch.testing.assert_close(apply_kernel(image, PRESET_KERNELS["identity"]), image)
    assert display_mode_for(PRESET_KERNELS["box blur"]) == "clip"
    assert display_mode_for(PRESET_KERNELS["edges (Laplacian)"]) == "abs"
    with pytest.raises(ValueError, match=r"odd square kernel.*\(2, 2\)"):
        apply_kernel(image, torch.ones(2, 2))
    with pytest.raises(
        ValueError, match=r"grey image of shape \(H, W\), got \(1, 9, 9\)"
    ):
        apply_kernel(image[None], PRESET_KERNELS["identity"])


def test_to_unit_range_modes():
    x = np.array([[-2.0, 0.0, 2.0]])
    assert to_unit_range(x, "clip").tolist() == [[0.0, 0.0, 1.0]]
    assert to_unit_range(x, "abs").tolist() == [[1.0, 0.0, 1.0]]
    assert to_unit_range(x, "rescale").tolist() == [[0.0, 0.5, 1.0]]
    assert to_unit_range(np.zeros((2, 2)), "rescale").max() == 0.0
    with pytest.raises(ValueError, match="unknown display mode 'log'"):
        to_unit_range(x, "log")


def test_png_bytes_round_trip_and_scale():
    image = torch.rand(5, 7)
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(image, scale=3))))
    assert decoded.shape == (15, 21)
    assert abs(decoded[0, 0] / 255 - image[0, 0].item()) < 1 / 255 + 1e-6
    coloured = np.asarray(Image.open(io.BytesIO(png_bytes(image, cmap="viridis"))))
    assert coloured.shape == (5, 7, 3)
    with pytest.raises(ValueError, match="scale"):
        png_bytes(image, scale=0)
    with pytest.raises(ValueError, match=r"\(H, W\), \(1, H, W\) or \(3, H, W\)"):
        png_bytes(torch.rand(2, 5, 5))


def test_tile_channels_layout():
    maps = torch.stack([torch.full((3, 3), float(i)) for i in range(5)])
    maps[:, 0, 0] = -1.0  # give every channel some contrast
    grid = tile_channels(maps, ncols=2, gap=1)
    assert grid.shape == (3 * 3 + 2, 2 * 3 + 1)
    assert grid[3, :].max() == 0.0  # the gap row
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        tile_channels(torch.rand(4, 4))


def test_feature_maps_of_lenet():
    model = LeNet()
    maps = feature_maps(model, torch.rand(1, 28, 28))
    shapes = [tuple(m.shape) for m in maps.values()]
    assert shapes == [(16, 28, 28)] * 2 + [(16, 14, 14)] + [(32, 10, 10)] * 2 + [
        (32, 5, 5)
    ]
    with torch.no_grad():  # the last map is what the classifier reads
        x = torch.rand(1, 1, 28, 28)
        torch.testing.assert_close(
            list(feature_maps(model, x[0]).values())[-1], model.features(x)[0]
        )
    with pytest.raises(TypeError, match="features"):
        feature_maps(torch.nn.Linear(2, 2), torch.rand(1, 28, 28))
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        feature_maps(model, torch.rand(28, 28))


def test_confusion_matrix_counts():
    y_true = torch.tensor([0, 0, 1, 2, 2, 2])
    y_pred = torch.tensor([0, 1, 1, 2, 0, 2])
    expected = torch.tensor([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert torch.equal(confusion_matrix(y_true, y_pred, 3), expected)
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(y_true, y_pred, 2)
    with pytest.raises(ValueError, match="equal length"):
        confusion_matrix(y_true, y_pred[:3], 3)


def test_figures_have_the_expected_panels():
    image = torch.rand(32, 32)
    assert len(plot_kernel_gallery(image).axes) == 10
    assert len(show_images([image] * 3, ["a", "b", "c"], ncols=2).axes) == 4
    assert len(plot_filters(torch.randn(16, 1, 5, 5)).axes) == 17  # and a colour bar
    assert len(plot_feature_maps(torch.rand(8, 6, 6)).axes) == 8
    history = History(
        [
            {
                "epoch": 1,
                "loss": 1.0,
                "accuracy": 0.5,
                "val_loss": 1.1,
                "val_accuracy": 0.4,
                "seconds": 1.0,
            }
        ]
    )
    assert len(plot_history(history).axes) == 2
    fig = plot_confusion_matrix(torch.eye(3, dtype=torch.long) * 5, ["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["5", "5", "5"]
    fig = plot_mistakes(torch.rand(4, 1, 8, 8), [0, 1, 2, 3], [0, 2, 2, 1])
    assert [ax.get_title() for ax in fig.axes[:2]] == ["1 -> 2", "3 -> 1"]


def test_figure_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="at least one image"):
        show_images([])
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        show_images([torch.rand(4, 4)] * 2, ["a"])
    with pytest.raises(ValueError, match=r"\(C_out, C_in, k, k\)"):
        plot_filters(torch.rand(3, 3))
    with pytest.raises(ValueError, match="no mistakes"):
        plot_mistakes(torch.rand(2, 1, 4, 4), [0, 1], [0, 1])
