"""Drive the explorers' controls from Python, as a reader would with the mouse."""

import pytest
import torch

from course_utils.models import LeNet
from course_utils.viz import PRESET_KERNELS, apply_kernel
from course_utils.widgets import FeatureMapExplorer, KernelExplorer
from course_utils.widgets.kernel_explorer import CUSTOM


@pytest.fixture(scope="module")
def kernels():
    return KernelExplorer(photos=("camera", "coins"), size=48)


def test_preset_fills_the_grid_and_redraws(kernels):
    kernels.preset.value = "sharpen"
    assert torch.equal(kernels.kernel(), PRESET_KERNELS["sharpen"])
    before = kernels.output_view.value
    kernels.preset.value = "box blur"
    torch.testing.assert_close(
        kernels.kernel(), PRESET_KERNELS["box blur"], atol=1e-4, rtol=0
    )
    assert kernels.output_view.value != before
    assert "sum to <b>1.00</b>" in kernels.info.value


def test_editing_a_cell_switches_to_custom(kernels):
    kernels.preset.value = "identity"
    kernels.cells[4].value = 2.0
    assert kernels.preset.value == CUSTOM
    expected = apply_kernel(kernels.photos[kernels.photo.value], kernels.kernel())
    torch.testing.assert_close(kernels.output(), expected)
    assert kernels.kernel()[1, 1] == 2.0


def test_photo_change_redraws_both_pictures(kernels):
    kernels.photo.value = "camera"
    before = (kernels.input_view.value, kernels.output_view.value)
    kernels.photo.value = "coins"
    assert (
        kernels.input_view.value != before[0] and kernels.output_view.value != before[1]
    )


def test_display_mode_control(kernels):
    kernels.preset.value = "edges (Laplacian)"
    kernels.mode.value = "rescale"
    assert "'rescale'" in kernels.info.value
    kernels.mode.value = "auto"
    assert "'abs'" in kernels.info.value


def test_kernel_explorer_rejects_bad_photos():
    with pytest.raises(ValueError, match="at least one photo"):
        KernelExplorer(photos=())
    with pytest.raises(ValueError, match="unknown photo"):
        KernelExplorer(photos=("eagle",))


@pytest.fixture(scope="module")
def features():
    torch.manual_seed(0)
    return FeatureMapExplorer(
        LeNet(), torch.rand(5, 1, 28, 28), torch.tensor([0, 1, 2, 3, 4])
    )


def test_layer_change_updates_channel_range(features):
    features.layer.value = "features.3 (Conv2d)"
    assert features.channel.max == 31
    features.channel.value = 31
    features.layer.value = "features.0 (Conv2d)"
    assert features.channel.max == 15 and features.channel.value == 15
    assert features.current_map().shape == (28, 28)


def test_image_change_recomputes_maps(features):
    features.layer.value = "features.0 (Conv2d)"
    features.index.value = 0
    first = features.current_map().clone()
    before = features.channel_view.value
    features.index.value = 3
    assert not torch.equal(first, features.current_map())
    assert features.channel_view.value != before
    assert "true <b>3</b>" in features.caption.value


def test_feature_explorer_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        FeatureMapExplorer(LeNet(), torch.rand(1, 28, 28), torch.tensor([0]))
    with pytest.raises(ValueError, match="2 images but 1 labels"):
        FeatureMapExplorer(LeNet(), torch.rand(2, 1, 28, 28), torch.tensor([0]))
