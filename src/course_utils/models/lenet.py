"""A LeNet-style convolutional network for small grey images (MNIST's 28x28 by default).

Two convolution + ReLU + max-pool stages, then three fully connected layers, as in
LeCun et al. (1998), with wider convolutions (16 and 32 channels instead of 6 and 16)
and ReLU instead of tanh. The flattened size is computed from the image size, never
typed in by hand (see the "Common mistake" box in chapter 3).

Example:
    >>> import torch
    >>> LeNet()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

import torch
from torch import nn

from ..nn.functional.conv import conv_output_size

__all__ = ["LeNet"]


class LeNet(nn.Module):
    """LeNet-style classifier: ``features`` (convolutions) then ``classifier`` (linear layers).

    Args:
        in_channels: 1 for grey images, 3 for colour.
        num_classes: number of output logits.
        image_size: side of the square input images.
        channels: output channels of the two convolutions.
        hidden: widths of the two hidden linear layers.
        mean, std: statistics of the training images. The network standardizes its own
            input, ``(x - mean) / std``, so callers feed images in [0, 1] and the
            feature maps stay easy to show.
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        image_size: int = 28,
        channels: tuple[int, int] = (16, 32),
        hidden: tuple[int, int] = (120, 84),
        mean: float = 0.0,
        std: float = 1.0,
    ) -> None:
        super().__init__()
        if image_size < 12:
            raise ValueError(
                f"LeNet needs images of at least 12x12 pixels, got {image_size}"
            )
        if not std > 0:
            raise ValueError(f"std must be > 0, got {std!r}")
        # Buffers, not parameters: saved and moved with the model, never trained.
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, kernel_size=5, padding=2),  # same size
            nn.ReLU(),
            nn.MaxPool2d(2),  # halves the size
            nn.Conv2d(c1, c2, kernel_size=5),  # loses 4 pixels
            nn.ReLU(),
            nn.MaxPool2d(2),  # halves again
        )
        side = conv_output_size(image_size, kernel=5, padding=2) // 2
        side = conv_output_size(side, kernel=5) // 2
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * side * side, hidden[0]),
            nn.ReLU(),
            nn.Linear(hidden[0], hidden[1]),
            nn.ReLU(),
            nn.Linear(hidden[1], num_classes),
        )

    def forward(self, x):
        x = (x - self.mean) / self.std
        return self.classifier(self.features(x))
