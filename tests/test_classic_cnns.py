"""The classic CNNs follow their papers layer by layer; their custom layers match PyTorch oracles."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.models import (
    VGG16,
    AlexNet,
    BasicBlock,
    Bottleneck,
    LeNet5,
    ResNet,
    SmallResNet,
    resnet50,
)
from course_utils.models.classic_cnns import (
    LENET5_C3_TABLE,
    EuclideanRBF,
    PartialConv2d,
    Subsampling,
)


def own_parameters(module):
    return sum(p.numel() for p in module.parameters())


def test_lenet5_layers_have_the_papers_parameter_counts():
    model = LeNet5()
    counts = [own_parameters(m) for m in model.features if own_parameters(m)]
    assert counts == [
        156,
        12,
        1516,
        32,
        48_120,
    ]  # C1, S2, C3, S4, C5 (LeCun et al. 1998)
    assert own_parameters(model.classifier[1]) == 10_164  # F6
    assert own_parameters(model) == 60_000  # the output's prototypes are fixed
    assert model(torch.rand(3, 1, 32, 32)).shape == (3, 10)


def test_lenet5_connection_table():
    sizes = sorted(len(inputs) for inputs in LENET5_C3_TABLE)
    assert sizes == [3] * 6 + [4] * 9 + [6]
    assert all(len(set(inputs)) == len(inputs) for inputs in LENET5_C3_TABLE)
    assert set().union(*LENET5_C3_TABLE) == set(range(6))


def test_partial_convolution_equals_a_masked_full_convolution():
    generator = torch.Generator().manual_seed(0)
    layer = PartialConv2d(LENET5_C3_TABLE, 5)
    full = torch.zeros(16, 6, 5, 5)
    for o, (inputs, weight) in enumerate(zip(layer.table, layer.weights)):
        full[o, list(inputs)] = weight[0].detach()
    x = torch.randn(2, 6, 14, 14, generator=generator)
    expected = F.conv2d(x, full, layer.bias.detach())
    assert torch.allclose(layer(x), expected, atol=1e-5)


def test_subsampling_and_rbf_compute_what_the_paper_says():
    generator = torch.Generator().manual_seed(1)
    layer = Subsampling(3)
    with torch.no_grad():
        layer.weight.copy_(torch.randn(3, generator=generator))
        layer.bias.copy_(torch.randn(3, generator=generator))
    x = torch.randn(2, 3, 6, 6, generator=generator)
    sums = x.unfold(2, 2, 2).unfold(3, 2, 2).sum((-1, -2))
    assert torch.allclose(
        layer(x), sums * layer.weight.view(1, 3, 1, 1) + layer.bias.view(1, 3, 1, 1)
    )
    rbf = EuclideanRBF(4, 3)
    v = torch.randn(5, 4, generator=generator)
    assert torch.allclose(rbf(v), torch.cdist(v, rbf.weight) ** 2, atol=1e-4)
    assert set(rbf.weight.unique().tolist()) <= {-1.0, 1.0} and not list(
        rbf.parameters()
    )


@pytest.mark.parametrize(
    "build, shape, params",
    [
        (AlexNet, (2, 3, 227, 227), 60_965_224),
        (lambda: AlexNet(groups=1), (2, 3, 227, 227), 62_378_344),
        (VGG16, (2, 3, 224, 224), 138_357_544),
        (resnet50, (2, 3, 224, 224), 25_557_032),
    ],
)
def test_large_networks_on_the_meta_device(build, shape, params):
    with torch.device("meta"):
        model = build()
        out = model(torch.zeros(shape))
    assert out.shape == (2, 1000) and out.device.type == "meta"
    assert own_parameters(model) == params


def test_alexnet_feature_maps_have_the_papers_sizes():
    with torch.device("meta"):
        model = AlexNet()
        x = torch.zeros(1, 3, 227, 227)
        sizes = []
        for layer in model.features:
            x = layer(x)
            if isinstance(layer, nn.Conv2d):
                sizes.append(tuple(x.shape[1:]))
    assert sizes == [
        (96, 55, 55),
        (256, 27, 27),
        (384, 13, 13),
        (384, 13, 13),
        (256, 13, 13),
    ]


def test_resnet50_downsamples_on_the_first_1x1_convolution():
    with torch.device("meta"):
        model = resnet50()
    block = model.stages[1][0]
    assert isinstance(block, Bottleneck)
    assert block.conv1.stride == (2, 2) and block.conv2.stride == (1, 1)
    assert [len(stage) for stage in model.stages] == [3, 4, 6, 3]
    assert all(
        conv.bias is None for conv in model.modules() if isinstance(conv, nn.Conv2d)
    )


def test_residual_blocks_add_their_input():
    torch.manual_seed(0)
    block = BasicBlock(4, 4).eval()
    assert isinstance(block.shortcut, nn.Identity)
    with torch.no_grad():
        block.bn2.weight.zero_()  # the residual branch now outputs its bias: zero
    x = torch.rand(2, 4, 6, 6)
    assert torch.allclose(block(x), F.relu(x))
    down = BasicBlock(4, 8, stride=2)
    assert down(x).shape == (2, 8, 3, 3) and isinstance(down.shortcut, nn.Sequential)


def test_small_resnet_standardizes_its_input_and_trains_a_step():
    torch.manual_seed(0)
    model = SmallResNet(mean=0.5, std=0.25)
    assert model(torch.rand(4, 1, 28, 28)).shape == (4, 10)
    assert "mean" in model.state_dict() and own_parameters(model) == 77_754
    x, y = torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = F.cross_entropy(model(x), y)
    before.backward()
    optimizer.step()
    assert F.cross_entropy(model(x), y) < before
    assert SmallResNet(widths=(4,), blocks=(2,))(torch.rand(1, 1, 12, 12)).shape == (
        1,
        10,
    )


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: ResNet(nn.Conv2d, (1,), (8,)), TypeError, "BasicBlock or Bottleneck"),
        (lambda: ResNet(BasicBlock, (1, 1), (8,)), ValueError, "one entry per stage"),
        (lambda: ResNet(BasicBlock, (0,), (8,)), ValueError, ">= 1"),
        (lambda: ResNet(BasicBlock, (1,), (8,), stem="big"), ValueError, "stem"),
        (lambda: AlexNet(groups=3), ValueError, "groups"),
        (lambda: SmallResNet(std=0.0), ValueError, "std"),
    ],
)
def test_bad_arguments_are_rejected(build, error, message):
    with pytest.raises(error, match=message):
        build()
