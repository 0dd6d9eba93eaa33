"""Loss surfaces: hand-written gradients against autograd; optimizer paths against torch.optim."""

import pytest
import torch

from course_utils.optim import PATH_OPTIMIZERS, SURFACES, make_optimizer, optimizer_path
from course_utils.viz import contour_levels, plot_optimizer_paths


@pytest.mark.parametrize("name", list(SURFACES))
def test_gradient_formula_matches_autograd(name):
    surface = SURFACES[name]
    generator = torch.Generator().manual_seed(0)
    low = torch.tensor([surface.xlim[0], surface.ylim[0]], dtype=torch.float64)
    high = torch.tensor([surface.xlim[1], surface.ylim[1]], dtype=torch.float64)
    points = low + (high - low) * torch.rand(
        200, 2, generator=generator, dtype=torch.float64
    )
    points.requires_grad_()
    surface(points).sum().backward()
    by_hand = torch.stack(
        surface.grad(points[:, 0].detach(), points[:, 1].detach()), dim=1
    )
    torch.testing.assert_close(by_hand, points.grad)


@pytest.mark.parametrize("name", list(SURFACES))
def test_minima_are_minima(name):
    surface = SURFACES[name]
    _, _, Z = surface.grid(150)
    for x, y in surface.minima:
        assert surface.f(x, y) == pytest.approx(surface.min_value, abs=1e-12)
        assert all(abs(g) < 1e-12 for g in surface.grad(x, y))
    assert Z.min() >= surface.min_value - 1e-12


def test_floats_and_tensors_give_the_same_loss():
    for surface in SURFACES.values():
        value = surface(torch.tensor([0.3, -0.7], dtype=torch.float64)).item()
        assert value == pytest.approx(surface.f(0.3, -0.7))


TORCH_EQUIVALENT = {
    "GD": (torch.optim.SGD, {}),
    "Momentum": (torch.optim.SGD, {"momentum": 0.8}),
    "Nesterov": (torch.optim.SGD, {"momentum": 0.8, "nesterov": True}),
    "AdaGrad": (torch.optim.Adagrad, {}),
    "RMSprop": (torch.optim.RMSprop, {"alpha": 0.9}),
    "Adam": (torch.optim.Adam, {"betas": (0.7, 0.95)}),
}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("name", list(PATH_OPTIMIZERS))
def test_paths_match_torch_optim_with_autograd(surface, name):
    """The fast path runner (hand-written gradient, update rule called directly) against
    torch.optim driven by autograd."""
    ours = optimizer_path(
        surface, name, steps=60, momentum=0.8, beta1=0.7, beta2=0.95, alpha=0.9
    )
    cls, hyper = TORCH_EQUIVALENT[name]
    point = torch.tensor(
        SURFACES[surface].start, dtype=torch.float64, requires_grad=True
    )
    optimizer = cls([point], lr=SURFACES[surface].lrs[name], **hyper)
    expected = [point.detach().clone()]
    for _ in range(60):
        optimizer.zero_grad()
        SURFACES[surface](point).backward()
        optimizer.step()
        expected.append(point.detach().clone())
    assert not ours.diverged
    torch.testing.assert_close(ours.points, torch.stack(expected))
    torch.testing.assert_close(ours.losses, SURFACES[surface](ours.points))


def test_optimizer_classes_and_divergence():
    path = optimizer_path("quadratic", torch.optim.SGD, lr=0.1, steps=50)  # lr > 2 / 25
    assert path.diverged and len(path.points) < 51 and path.name == "SGD"
    assert torch.isfinite(path.points).all()
    stable = optimizer_path("quadratic", "GD", lr=0.079, steps=50)
    assert not stable.diverged and len(stable.points) == 51


def test_make_optimizer_uses_the_right_knobs():
    p = [torch.zeros(2)]
    assert make_optimizer("Momentum", p, 0.1, momentum=0.5).defaults["momentum"] == 0.5
    assert make_optimizer("RMSprop", p, 0.1, alpha=0.9).defaults["alpha"] == 0.9
    assert make_optimizer("RMSprop", p, 0.1, beta2=0.9).defaults["alpha"] == 0.99
    assert make_optimizer("Adam", p, 0.1, beta1=0.8, beta2=0.9).defaults["betas"] == (
        0.8,
        0.9,
    )
    assert make_optimizer("GD", p, 0.1, momentum=0.5).defaults["momentum"] == 0.0


def test_bad_names_and_arguments():
    with pytest.raises(ValueError, match="unknown surface 'himmelblau'"):
        optimizer_path("himmelblau", "Adam")
    with pytest.raises(ValueError, match="unknown optimizer 'LBFGS'"):
        optimizer_path("beale", "LBFGS")
    with pytest.raises(ValueError, match="steps must be an int >= 0, got -1"):
        optimizer_path("beale", "Adam", steps=-1)
    with pytest.raises(ValueError, match="give lr"):
        optimizer_path("beale", torch.optim.Adam)
    with pytest.raises(ValueError, match=r"points of shape \(..., 2\), got \(3,\)"):
        SURFACES["beale"](torch.zeros(3))


def test_static_figure_and_levels():
    fig, paths = plot_optimizer_paths(surfaces=("quadratic", "saddle"), steps=30)
    assert len(fig.axes) == 4 and set(paths) == {"quadratic", "saddle"}
    assert set(paths["saddle"]) == set(PATH_OPTIMIZERS)
    for surface in SURFACES.values():
        levels = contour_levels(surface)
        assert (levels[1:] > levels[:-1]).all() and levels[0] > surface.min_value
