"""Offline loaders and augmentation."""

import pytest
import torch

from course_utils.data import PHOTOS, RandomShift, load_digits, load_mnist, load_photo


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_mnist_is_real_balanced_and_in_unit_range(mnist):
    assert mnist.X_train.shape == (4000, 1, 28, 28) and mnist.X_test.shape == (
        1000,
        1,
        28,
        28,
    )
    assert mnist.X_train.dtype == torch.float32 and mnist.y_train.dtype == torch.int64
    assert 0.0 <= mnist.X_train.min() and mnist.X_train.max() <= 1.0
    # Stratified split of 500 images per digit: 100 of each in the test set.
    assert torch.equal(torch.bincount(mnist.y_test), torch.full((10,), 100))
    # Real digits have a dark background and a bright stroke in the middle.
    mean_image = mnist.X_train.mean(0)[0]
    assert mean_image[14, 14] > 0.3 and mean_image[0, 0] < 0.01


def test_mnist_split_is_repeatable_and_seeded(mnist):
    again = load_mnist()
    assert torch.equal(again.y_train, mnist.y_train)
    other = load_mnist(seed=1)
    assert not torch.equal(other.y_train, mnist.y_train)


def test_mnist_limit_keeps_a_stratified_subset():
    small = load_mnist(limit=500)
    assert small.X_train.shape[0] == 500
    assert torch.equal(torch.bincount(small.y_train), torch.full((10,), 50))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"test_size": 0}, "test_size"),
        ({"limit": 5}, "limit"),
        ({"test_size": 1.5}, "test_size"),
    ],
)
def test_mnist_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_mnist(**kwargs)


def test_sklearn_digits():
    digits = load_digits()
    assert digits.X_train.shape[1:] == (1, 8, 8) and digits.num_classes == 10
    assert len(digits.X_train) + len(digits.X_test) == 1797


@pytest.mark.parametrize("name", PHOTOS)
def test_every_listed_photo_loads_offline(name):
    photo = load_photo(name, size=32)
    assert photo.shape == (32, 32) and photo.dtype == torch.float32
    assert 0.0 <= photo.min() and photo.max() <= 1.0 and photo.std() > 0.01


def test_photo_colour_and_original_size():
    assert load_photo("coffee", size=16, gray=False).shape == (3, 16, 16)
    assert load_photo("camera", size=None).shape == (512, 512)
    assert load_photo("camera", size=None, gray=False).shape == (3, 512, 512)


def test_photo_rejects_unknown_names_and_sizes():
    with pytest.raises(ValueError, match="unknown photo 'eagle'.*camera"):
        load_photo("eagle")
    with pytest.raises(ValueError, match="size must be"):
        load_photo("camera", size=2)


def test_random_shift_moves_images_without_changing_content():
    image = torch.zeros(1, 1, 9, 9)
    image[0, 0, 4, 4] = 1.0
    shifted = RandomShift(max_shift=2, seed=0)(image.repeat(50, 1, 1, 1))
    assert shifted.shape == (50, 1, 9, 9)
    assert torch.all(shifted.sum(dim=(1, 2, 3)) == 1.0)  # the dot survives every shift
    positions = {
        tuple(p) for p in shifted[:, 0].flatten(1).argmax(1).unsqueeze(1).tolist()
    }
    assert len(positions) > 5  # and lands in many places


def test_random_shift_rejects_bad_input():
    with pytest.raises(ValueError, match="max_shift"):
        RandomShift(-1)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got \(9, 9\)"):
        RandomShift(1)(torch.zeros(9, 9))
