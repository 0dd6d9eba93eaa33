"""Four landmark CNNs written from their papers, and a small ResNet for 28x28 digits.

* :class:`LeNet5` (LeCun et al., 1998): the original, with its partly connected
  third layer, trainable subsampling and radial-basis output: 60,840 parameters.
* :class:`AlexNet` (Krizhevsky et al., 2012): five convolutions and three linear
  layers; ``groups=2`` splits conv2, conv4 and conv5 over the paper's two GPUs.
* :class:`VGG16` (Simonyan and Zisserman, 2015, configuration D): thirteen 3x3
  convolutions in five stages and three linear layers.
* :class:`ResNet` with :class:`BasicBlock` or :class:`Bottleneck` blocks (He et
  al., 2016); :func:`resnet50` builds ResNet-50 as in the paper, with the stride of
  a downsampling block on its first 1x1 convolution.
* :class:`SmallResNet`: the same ideas sized for 1x28x28 digits (a 3x3 stem, three
  stages of basic blocks, global average pooling), trained in chapter 3.

The large ones are meant to be built on PyTorch's ``meta`` device, where a
parameter has a shape but no memory, so counting their parameters and operations
costs nothing and downloads nothing:

Example:
    >>> import torch
    >>> with torch.device("meta"):
    ...     model = resnet50()
    >>> sum(p.numel() for p in model.parameters())
    25557032
    >>> SmallResNet()(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import require_choice, require_int

__all__ = [
    "LeNet5",
    "AlexNet",
    "VGG16",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet50",
    "SmallResNet",
    "LENET5_C3_TABLE",
]


# ----------------------------------------------------------------------------- LeNet-5 (1998)

#: Which of S2's 6 maps each of C3's 16 maps reads (Table I of LeCun et al., 1998):
#: six read 3 neighbouring maps, six read 4 neighbouring maps, three read 4 maps
#: in two pairs, and the last reads all six.
LENET5_C3_TABLE: tuple[tuple[int, ...], ...] = (
    *((i, (i + 1) % 6, (i + 2) % 6) for i in range(6)),
    *((i, (i + 1) % 6, (i + 2) % 6, (i + 3) % 6) for i in range(6)),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class ScaledTanh(nn.Module):
    """LeNet-5's squashing function ``A tanh(S x)`` with A = 1.7159 and S = 2/3."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(x * (2 / 3))


class Subsampling(nn.Module):
    """LeNet-5's S2 and S4: the sum of each 2x2 block times a learned coefficient, plus a bias.

    Two parameters per channel. :meth:`flops` counts one multiply-add per input
    of each window, as the paper counts connections (without the bias).
    """

    kernel_size, stride, padding = (
        2,
        2,
        0,
    )  # read by course_utils.inspection.receptive_field

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        total = 4 * F.avg_pool2d(x, 2)
        return total * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)

    def flops(self, input: torch.Tensor, output: torch.Tensor) -> int:
        return output.numel() * 4


class PartialConv2d(nn.Module):
    """A convolution whose output map ``o`` reads only the input maps ``table[o]`` (LeNet-5's C3)."""

    def __init__(self, table: Sequence[Sequence[int]], kernel_size: int = 5) -> None:
        super().__init__()
        self.table = [tuple(inputs) for inputs in table]
        self.kernel_size, self.stride, self.padding = kernel_size, 1, 0
        self.weights = nn.ParameterList(
            nn.Parameter(torch.empty(1, len(inputs), kernel_size, kernel_size))
            for inputs in self.table
        )
        self.bias = nn.Parameter(torch.zeros(len(self.table)))
        for weight in self.weights:
            bound = 1 / math.sqrt(weight[0].numel())
            nn.init.uniform_(weight, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = [
            F.conv2d(x[:, list(inputs)], weight)
            for inputs, weight in zip(self.table, self.weights)
        ]
        return torch.cat(maps, dim=1) + self.bias.view(1, -1, 1, 1)

    def flops(self, input: torch.Tensor, output: torch.Tensor) -> int:
        per_position = sum(w[0].numel() for w in self.weights)
        return output.shape[0] * output.shape[2] * output.shape[3] * per_position


class EuclideanRBF(nn.Module):
    """LeNet-5's output layer: ``y_i = sum_j (x_j - w_ij)^2``, one prototype per class.

    The paper chose the prototypes by hand (stylized 7x12 bitmaps of the
    characters, entries +1 and -1) and kept them fixed, so they are a buffer here,
    not parameters: random +-1 entries stand in for the bitmaps.
    """

    def __init__(self, in_features: int, classes: int) -> None:
        super().__init__()
        signs = torch.randint(0, 2, (classes, in_features)) * 2 - 1
        self.register_buffer("weight", signs.float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x[:, None, :] - self.weight).pow(2).sum(-1)

    def flops(self, input: torch.Tensor, output: torch.Tensor) -> int:
        return output.numel() * self.weight.shape[1]


class LeNet5(nn.Module):
    """LeNet-5 as described by LeCun et al. (1998), for 1x32x32 input.

    C1 (6 maps 5x5) - S2 - C3 (16 maps, partly connected) - S4 - C5 (120 maps 5x5,
    a full convolution that sees a 1x1 output) - F6 (84 units) - output (10
    Euclidean RBF units, a *distance*: the smallest output is the prediction).
    Squashing is the scaled tanh after C1, S2, C3, S4, C5 and F6. The trainable
    parameters number exactly 60,000, the paper's count (the output's prototypes
    are fixed).
    """

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5),  # C1: 28 x 28
            ScaledTanh(),
            Subsampling(6),  # S2: 14 x 14
            ScaledTanh(),
            PartialConv2d(LENET5_C3_TABLE, 5),  # C3: 10 x 10
            ScaledTanh(),
            Subsampling(16),  # S4: 5 x 5
            ScaledTanh(),
            nn.Conv2d(16, 120, 5),  # C5: 1 x 1
            ScaledTanh(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(120, 84),  # F6
            ScaledTanh(),
            EuclideanRBF(84, 10),  # output: a distance to each class's prototype
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


# ----------------------------------------------------------------------------- AlexNet (2012)


class AlexNet(nn.Module):
    """AlexNet (Krizhevsky et al., 2012) for 3x227x227 input.

    The paper says 224 x 224, but its first layer (11x11, stride 4, no padding)
    gives the 55 x 55 maps it describes only from 227 x 227. ``groups=2``
    (the default) keeps the paper's split over two GPUs: conv2, conv4 and conv5
    each see only the half of the previous maps on their own GPU.
    Local response normalization has no parameters and is kept.

    Args:
        num_classes: outputs of the last layer.
        groups: 2 as in the paper, 1 for the single-tower variant.
        dropout: dropout probability before fc6 and fc7.
    """

    def __init__(
        self, num_classes: int = 1000, groups: int = 2, dropout: float = 0.5
    ) -> None:
        super().__init__()
        require_choice("AlexNet", "groups", groups, (1, 2))
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4),  # conv1: 55 x 55
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(3, stride=2),  # 27 x 27 (overlapping pooling)
            nn.Conv2d(96, 256, 5, padding=2, groups=groups),  # conv2
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(3, stride=2),  # 13 x 13
            nn.Conv2d(256, 384, 3, padding=1),  # conv3 reads both halves
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1, groups=groups),  # conv4
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1, groups=groups),  # conv5
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2),  # 6 x 6
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(256 * 6 * 6, 4096),  # fc6
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),  # fc7
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),  # fc8
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


# ----------------------------------------------------------------------------- VGG-16 (2015)


class VGG16(nn.Module):
    """VGG-16 (configuration D of Simonyan and Zisserman, 2015) for 3x224x224 input.

    Five stages of 3x3 convolutions (padding 1, so the size is kept) with 64, 128,
    256, 512 and 512 channels (2, 2, 3, 3 and 3 convolutions), each followed by
    2x2 max pooling: 224 -> 7. Then three linear layers.
    """

    STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for width, convolutions in self.STAGES:
            for _ in range(convolutions):
                layers += [
                    nn.Conv2d(channels, width, 3, padding=1),
                    nn.ReLU(inplace=True),
                ]
                channels = width
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


# ----------------------------------------------------------------------------- ResNet (2016)


def _shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Module:
    """Identity when the shapes agree, else a 1x1 convolution (with stride) and batch norm."""
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, plus the shortcut: ``relu(F(x) + x)``.

    A convolution followed by batch norm has no bias: the norm's shift replaces it.
    """

    expansion = 1

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.shortcut = _shortcut(in_channels, width, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class Bottleneck(nn.Module):
    """1x1 (reduce to ``width``), 3x3, 1x1 (expand to ``4 * width``), plus the shortcut.

    As in He et al. (2016), a downsampling block puts its stride on the first 1x1
    convolution (torchvision's "ResNet v1.5" moves it to the 3x3 one, which costs
    more multiply-adds and is a little more accurate).
    """

    expansion = 4

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = width * self.expansion
        self.conv1 = nn.Conv2d(in_channels, width, 1, stride=stride, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = _shortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """A residual network: a stem, stages of residual blocks, global average pooling, one linear layer.

    Args:
        block: :class:`BasicBlock` or :class:`Bottleneck`.
        blocks: residual blocks per stage, e.g. ``(3, 4, 6, 3)`` for ResNet-50.
        widths: the width of each stage (a bottleneck's output is 4 times it).
        in_channels: channels of the input images.
        num_classes: outputs of the last layer.
        stem: ``"imagenet"`` (7x7 convolution with stride 2, then 3x3 max pooling
            with stride 2: 224 -> 56) or ``"small"`` (a 3x3 convolution, then 2x2
            max pooling: 28 -> 14, for small images).

    Every stage after the first halves the height and width in its first block.
    """

    def __init__(
        self,
        block: type[BasicBlock] | type[Bottleneck],
        blocks: Sequence[int],
        widths: Sequence[int],
        in_channels: int = 3,
        num_classes: int = 1000,
        stem: str = "imagenet",
    ) -> None:
        super().__init__()
        who = "ResNet"
        if block not in (BasicBlock, Bottleneck):
            raise TypeError(
                f"{who}: block must be BasicBlock or Bottleneck, got {block!r}"
            )
        if len(blocks) != len(widths) or not blocks:
            raise ValueError(
                f"{who}: blocks and widths need one entry per stage, got {blocks!r} and {widths!r}"
            )
        for n in (*blocks, *widths):
            require_int(who, "blocks and widths", n, minimum=1)
        require_choice(who, "stem", stem, ("imagenet", "small"))
        first = widths[0]
        if stem == "imagenet":
            self.stem = nn.Sequential(
                nn.Conv2d(in_channels, first, 7, stride=2, padding=3, bias=False),
                nn.BatchNorm2d(first),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, stride=2, padding=1),
            )
        else:
            self.stem = nn.Sequential(
                nn.Conv2d(in_channels, first, 3, padding=1, bias=False),
                nn.BatchNorm2d(first),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            )
        stages, channels = [], first
        for index, (count, width) in enumerate(zip(blocks, widths)):
            layers = []
            for k in range(count):
                stride = 2 if index > 0 and k == 0 else 1
                layers.append(block(channels, width, stride))
                channels = width * block.expansion
            stages.append(nn.Sequential(*layers))
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)  # global average pooling
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.stages(self.stem(x)))
        return self.fc(x.flatten(1))


def resnet50(num_classes: int = 1000) -> ResNet:
    """ResNet-50 of He et al. (2016): bottleneck stages of 3, 4, 6 and 3 blocks, for 3x224x224 input."""
    return ResNet(Bottleneck, (3, 4, 6, 3), (64, 128, 256, 512), 3, num_classes)


class SmallResNet(ResNet):
    """A residual network for small grey images: 3x3 stem, basic-block stages, global average pooling.

    With the defaults, on 1x28x28 digits: a 3x3 convolution with 16 channels and
    2x2 max pooling (28 -> 14), then one basic block per stage at 14x14, 7x7 and
    4x4 (16, 32 and 64 channels), then the average of each of the 64 maps and a
    linear layer: 77,754 parameters, fewer than :class:`~course_utils.models.LeNet`'s
    120,382, for about 1.5 times its multiply-adds.

    Args:
        widths: channels of each stage.
        blocks: residual blocks per stage.
        mean, std: statistics of the training images; the network standardizes its
            own input, as :class:`course_utils.models.LeNet` does.
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        widths: Sequence[int] = (16, 32, 64),
        blocks: Sequence[int] = (1, 1, 1),
        mean: float = 0.0,
        std: float = 1.0,
    ) -> None:
        super().__init__(BasicBlock, blocks, widths, in_channels, num_classes, "small")
        if not std > 0:
            raise ValueError(f"SmallResNet: std must be > 0, got {std!r}")
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward((x - self.mean) / self.std)
