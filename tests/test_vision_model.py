"""The packaged EfficientNet-Lite0: it loads offline, classifies a real photo, rejects bad input."""

import pytest
import torch

from course_utils.data import load_photo
from course_utils.models import (
    IMAGENET_CLASSES,
    imagenet_preprocess,
    load_efficientnet_lite0,
    top_classes,
)


def test_class_names_are_the_1000_imagenet_classes():
    assert len(IMAGENET_CLASSES) == 1000
    assert IMAGENET_CLASSES[0] == "tench"
    assert IMAGENET_CLASSES[285] == "Egyptian cat"
    assert IMAGENET_CLASSES[999] == "toilet tissue"
    assert len(set(IMAGENET_CLASSES)) > 990  # a few WordNet names repeat ("crane")


@pytest.mark.slow
def test_the_cat_photo_is_a_cat():
    model = load_efficientnet_lite0()
    assert not model.training
    image = load_photo("chelsea", size=None, gray=False)
    with torch.no_grad():
        logits = model(imagenet_preprocess(image))
    names = [name for name, _ in top_classes(logits, k=3)[0]]
    assert names[0] == "Egyptian cat", names
    assert set(names) <= {"Egyptian cat", "tabby", "tiger cat", "lynx"}, names


def test_preprocess_matches_the_normalization_by_hand():
    torch.manual_seed(0)
    for shape in [(3, 224, 224), (2, 3, 224, 224)]:
        image = torch.rand(shape)
        expected = (image - 0.5) / 0.5
        got = imagenet_preprocess(image)
        assert got.shape == (image.shape[0] if image.dim() == 4 else 1, 3, 224, 224)
        torch.testing.assert_close(got, expected.reshape(got.shape))


def test_preprocess_rejects_bad_images():
    with pytest.raises(ValueError, match=r"RGB \(3, H, W\).*got shape \(1, 32, 32\)"):
        imagenet_preprocess(torch.rand(1, 32, 32))
    with pytest.raises(ValueError, match=r"got shape \(32, 32\)"):
        imagenet_preprocess(torch.rand(32, 32))
    with pytest.raises(TypeError):
        imagenet_preprocess([[0.0]])
    with pytest.raises(ValueError, match="size"):
        imagenet_preprocess(torch.rand(3, 32, 32), size=2)


def test_top_classes_checks_its_input():
    with pytest.raises(ValueError, match=r"\(N, 1000\).*got shape \(2, 10\)"):
        top_classes(torch.zeros(2, 10))
    with pytest.raises(ValueError, match="k"):
        top_classes(torch.zeros(1, 1000), k=0)
