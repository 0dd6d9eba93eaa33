"""receptive_field against hand-computed cases and against autograd; count_flops against
hand counts, PyTorch's FlopCounterMode and the papers' published numbers."""

import random

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from course_utils.inspection import count_flops, receptive_field
from course_utils.models import VGG16, AlexNet, LeNet, LeNet5, SmallResNet, resnet50

# ----------------------------------------------------------------------------- receptive_field


@pytest.mark.parametrize(
    "layers, size, jump",
    [
        ([nn.Conv2d(1, 1, 3)], 3, 1),
        ([nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3)], 5, 1),
        ([nn.Conv2d(1, 1, 3, stride=2), nn.Conv2d(1, 1, 3)], 7, 2),
        ([nn.MaxPool2d(2), nn.Conv2d(1, 1, 3)], 6, 2),
        ([nn.Conv2d(1, 1, 3, dilation=2)], 5, 1),
        ([nn.Conv2d(1, 1, 1), nn.ReLU(), nn.BatchNorm2d(1)], 1, 1),
        ([nn.AvgPool2d(3, stride=2), nn.AvgPool2d(3, stride=2)], 7, 4),
    ],
)
def test_hand_computed_fields(layers, size, jump):
    last = receptive_field(nn.Sequential(*layers), (1, 1, 32, 32))[-1]
    assert last.size == (size, size) and last.jump == (jump, jump)


def test_padding_moves_the_first_field_and_window_is_centred():
    same, valid = (
        receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3, padding=p)), (1, 1, 8, 8))[0]
        for p in (1, 0)
    )
    assert same.start == (0.0, 0.0) and valid.start == (1.0, 1.0)
    assert same.window(0, 0) == ((-1.0, 1.0), (-1.0, 1.0))  # hangs over the padding
    assert valid.window(2, 3) == ((2.0, 4.0), (3.0, 5.0))


def test_published_fields_of_vgg16_and_alexnet():
    with torch.device("meta"):
        vgg, alexnet = VGG16(), AlexNet()
    vgg_rows = receptive_field(vgg, (1, 3, 224, 224))
    pools = [r.size[0] for r in vgg_rows if r.layer == "MaxPool2d"]
    assert pools == [6, 16, 44, 100, 212]  # conv5_3 sees 196, pool5 212
    alexnet_rows = receptive_field(alexnet, (1, 3, 227, 227))
    convs = [r.size[0] for r in alexnet_rows if r.layer == "Conv2d"]
    assert convs == [11, 51, 99, 131, 163] and alexnet_rows[-1].size[0] == 195


def test_rectangular_settings_are_followed_per_axis():
    net = nn.Sequential(nn.Conv2d(1, 1, (3, 5), stride=(1, 2)), nn.Conv2d(1, 1, 3))
    last = receptive_field(net, (1, 1, 20, 20))[-1]
    assert last.size == (5, 9) and last.jump == (1, 2)


def gradient_extent(net, size, row, column):
    """Rows and columns of the input that reach unit (row, column) of the output (all weights positive)."""
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(0.1 + torch.rand_like(p))
    x = torch.ones(1, 1, size, size, requires_grad=True)
    net(x)[0, 0, row, column].backward()
    hit = x.grad[0, 0] != 0
    rows, columns = hit.any(1).nonzero().flatten(), hit.any(0).nonzero().flatten()
    return (rows.min().item(), rows.max().item()), (
        columns.min().item(),
        columns.max().item(),
    )


@pytest.mark.parametrize("seed", range(40))
def test_field_equals_what_autograd_reaches(seed):
    rng = random.Random(seed)
    layers = []
    for _ in range(rng.randint(1, 4)):
        k, s, d = rng.choice([1, 2, 3, 5]), rng.choice([1, 2]), rng.choice([1, 2])
        p = rng.randint(0, (d * (k - 1)) // 2)
        if rng.random() < 0.3:
            layers.append(nn.AvgPool2d(k, stride=s, padding=min(p, k // 2)))
        else:
            layers.append(nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d))
        layers.append(nn.ReLU())
    net = nn.Sequential(*layers)
    size = 96
    last = receptive_field(net, (1, 1, size, size))[-1]
    h = last.output_shape[2]
    # a unit whose field lies inside the image (none may exist when padding is large)
    inside = [
        i
        for i in range(h)
        if last.window(i, i)[0][0] >= 0 and last.window(i, i)[0][1] <= size - 1
    ]
    assert inside, "the test's image is large enough for an interior unit"
    i = inside[len(inside) // 2]
    assert gradient_extent(net, size, i, i) == last.window(i, i)


def test_branching_networks_and_unknown_resizing_layers_are_rejected():
    with pytest.raises(ValueError, match="branches"):
        receptive_field(SmallResNet(), (1, 1, 28, 28))
    with pytest.raises(ValueError, match="kernel_size"):
        receptive_field(nn.Sequential(nn.Upsample(scale_factor=2)), (1, 1, 8, 8))


def test_fields_stop_where_units_see_the_whole_image():
    rows = receptive_field(LeNet(), (1, 1, 28, 28))
    assert rows[-1].name == "features.5" and rows[-1].size == (16, 16)
    with torch.device("meta"):
        rows = receptive_field(resnet50().stem, (1, 3, 224, 224))
    assert rows[-1].size == (11, 11) and rows[-1].jump == (4, 4)


@pytest.mark.parametrize(
    "model, shape, error, message",
    [
        (lambda x: x, (1, 1, 8, 8), TypeError, "nn.Module"),
        (nn.Conv2d(1, 1, 3), (1, 1, 8), ValueError, r"\(N, C, H, W\)"),
        (nn.Conv2d(1, 1, 3), (1, 1, 8.0, 8), TypeError, "tuple of ints"),
        (nn.Conv2d(1, 1, 3), "1, 1, 8, 8", TypeError, "tuple of ints"),
        (nn.Conv2d(1, 1, 3), (1, 0, 8, 8), ValueError, "positive"),
    ],
)
def test_receptive_field_rejects_bad_input(model, shape, error, message):
    with pytest.raises(error, match=message):
        receptive_field(model, shape)


# ----------------------------------------------------------------------------- count_flops


def test_hand_counted_multiply_adds():
    net = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 4 * 4, 10)
    )
    count = count_flops(net, (1, 3, 4, 4))
    assert count.multiply_adds == 8 * 16 * 27 + 10 * 128
    assert count.flops == 2 * count.multiply_adds
    assert count.parameters == sum(p.numel() for p in net.parameters())
    assert count_flops(net, (5, 3, 4, 4)).multiply_adds == 5 * count.multiply_adds
    grouped = nn.Conv2d(4, 8, 3, groups=2)
    assert count_flops(grouped, (1, 4, 5, 5)).multiply_adds == 8 * 9 * (2 * 9)
    assert (
        count_flops(
            nn.Sequential(nn.ReLU(), nn.MaxPool2d(2)), (1, 1, 4, 4)
        ).multiply_adds
        == 0
    )


def random_network(rng):
    """A random stack of convolutions (some grouped, strided, dilated, transposed) and linear layers."""
    channels, size, layers = rng.choice([1, 2, 4]), rng.randint(8, 16), []
    for _ in range(rng.randint(1, 3)):
        out = rng.choice([2, 4, 6])
        groups = rng.choice([g for g in (1, 2) if channels % g == 0 and out % g == 0])
        if rng.random() < 0.25:
            layer = nn.ConvTranspose2d(
                channels,
                out,
                rng.choice([2, 3]),
                stride=rng.choice([1, 2]),
                groups=groups,
            )
        else:
            layer = nn.Conv2d(channels, out, rng.choice([1, 3]), stride=rng.choice([1, 2]),
                              padding=1, dilation=rng.choice([1, 2]), groups=groups)  # fmt: skip
        layers += [layer, nn.ReLU()]
        channels = out
    net = nn.Sequential(
        *layers, nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(4 * channels, 3)
    )
    return net, (rng.randint(1, 3), layers[0].in_channels, size, size)


@pytest.mark.parametrize("seed", range(30))
def test_count_agrees_with_pytorch_flop_counter(seed):
    net, shape = random_network(random.Random(seed))
    with FlopCounterMode(display=False) as counter:
        net(torch.zeros(shape))
    assert count_flops(net, shape).flops == counter.get_total_flops()


def test_classic_networks_match_published_counts():
    """Parameters and multiply-adds of networks built on the meta device (no memory used)."""
    with torch.device("meta"):
        lenet5, alexnet, vgg, resnet = LeNet5(), AlexNet(), VGG16(), resnet50()
    lenet_count = count_flops(lenet5, (1, 1, 32, 32))
    assert (
        lenet_count.parameters == 60_000
    )  # LeCun et al. (1998): 60,000 trainable parameters
    connections = sum(
        r.multiply_adds + (torch.Size(r.output_shape).numel() if r.has_bias else 0)
        for r in lenet_count.rows
    )
    assert connections == 340_908  # ... and 340,908 connections
    assert (
        count_flops(alexnet, (1, 3, 227, 227)).parameters == 60_965_224
    )  # "60 million"
    vgg_count = count_flops(vgg, (1, 3, 224, 224))
    assert (
        vgg_count.parameters == 138_357_544
    )  # Simonyan and Zisserman (2015): 138 million
    assert (
        abs(vgg_count.multiply_adds / 15.3e9 - 1) < 0.02
    )  # He et al. (2016): 15.3 billion
    resnet_count = count_flops(resnet, (1, 3, 224, 224))
    assert resnet_count.parameters == 25_557_032  # torchvision's resnet50
    assert (
        abs(resnet_count.multiply_adds / 3.8e9 - 1) < 0.02
    )  # He et al. (2016): 3.8 billion
    assert all(p.device.type == "meta" for p in resnet.parameters())


def test_custom_layers_count_through_their_flops_method():
    class Doubler(nn.Module):
        def forward(self, x):
            return 2 * x

        def flops(self, input, output):
            return output.numel()

    assert count_flops(nn.Sequential(Doubler()), (2, 3, 4, 4)).multiply_adds == 96


def test_count_table_lists_the_costliest_layers_first():
    text = count_flops(LeNet(), (1, 1, 28, 28)).table(top=2)
    lines = text.splitlines()
    assert len(lines) == 4 and lines[2].startswith("features.3") and "%" in lines[2]


@pytest.mark.parametrize(
    "model, shape, error",
    [
        ("not a model", (1, 3), TypeError),
        (nn.Linear(3, 2), 3, TypeError),
        (nn.Linear(3, 2), (1,), ValueError),
        (nn.Linear(3, 2), (True, 3), TypeError),
    ],
)
def test_count_flops_rejects_bad_input(model, shape, error):
    with pytest.raises(error, match="count_flops"):
        count_flops(model, shape)
