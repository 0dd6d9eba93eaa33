"""Loss surfaces against textbook formulas, SciPy and autograd; optimizer paths against torch.optim."""

import numpy as np
import pytest
import torch
from scipy.optimize import minimize

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


# The surfaces as published (Rosenbrock 1960; Beale 1958) or as the module's docstring
# states them, written independently in NumPy.
TEXTBOOK = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: sum(
        (c - x * (1 - y**k)) ** 2 for k, c in ((1, 1.5), (2, 2.25), (3, 2.625))
    ),
    "quadratic": lambda x, y: 0.5 * x**2 + 12.5 * y**2,
    "saddle": lambda x, y: 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2,
}


def test_every_surface_has_a_textbook_formula():
    assert set(TEXTBOOK) == set(SURFACES)


@pytest.mark.parametrize("name", list(SURFACES))
def test_values_match_the_textbook_formula(name):
    surface = SURFACES[name]
    rng = np.random.default_rng(0)
    x = rng.uniform(*surface.xlim, size=500)
    y = rng.uniform(*surface.ylim, size=500)
    points = torch.tensor(np.stack([x, y], axis=1))
    np.testing.assert_allclose(
        surface(points).numpy(), TEXTBOOK[name](x, y), rtol=1e-12, atol=1e-12
    )
    # Python floats work too (the widgets call f on plain numbers).
    assert surface.f(float(x[0]), float(y[0])) == pytest.approx(
        TEXTBOOK[name](x[0], y[0]), rel=1e-12
    )


def _autograd_gradient_and_hessian(surface, point):
    xy = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(surface(xy), xy)
    hessian = torch.autograd.functional.hessian(surface, xy.detach())
    return gradient, torch.linalg.eigvalsh(hessian)


@pytest.mark.parametrize("name", list(SURFACES))
def test_declared_minima_are_strict_local_minima(name):
    surface = SURFACES[name]
    for point in surface.minima:
        gradient, curvatures = _autograd_gradient_and_hessian(surface, point)
        assert TEXTBOOK[name](*point) == pytest.approx(surface.min_value, abs=1e-12)
        assert gradient.abs().max() < 1e-12, f"{name}: gradient {gradient} at {point}"
        assert (curvatures > 0).all(), f"{name}: not a minimum at {point}"


def test_the_saddle_surface_has_a_saddle_at_the_origin():
    gradient, curvatures = _autograd_gradient_and_hessian(
        SURFACES["saddle"], (0.0, 0.0)
    )
    assert gradient.abs().max() == 0
    assert curvatures.min() < 0 < curvatures.max()


@pytest.mark.parametrize("name", list(SURFACES))
def test_a_search_from_many_starts_finds_only_the_declared_minima(name):
    """SciPy's bounded quasi-Newton search, started at 30 random points of the window,
    never ends lower than the declared minimum value, and finds every declared minimum."""
    surface = SURFACES[name]
    rng = np.random.default_rng(1)
    bounds = [surface.xlim, surface.ylim]
    ends = []
    for _ in range(30):
        start = [rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)]
        result = minimize(
            lambda p: TEXTBOOK[name](*p), start, method="L-BFGS-B", bounds=bounds
        )
        ends.append((result.fun, result.x))
    assert min(value for value, _ in ends) >= surface.min_value - 1e-9
    lowest = [x for value, x in ends if value < surface.min_value + 1e-6]
    for point in surface.minima:
        assert any(np.allclose(x, point, atol=1e-2) for x in lowest), (
            f"{name}: no search ended at {point}"
        )
    for x in lowest:
        assert any(np.allclose(x, point, atol=1e-2) for point in surface.minima), (
            f"{name}: a minimum at {x} that is not declared"
        )
    # The contour grid never goes below the minimum either.
    assert surface.grid(150)[2].min() >= surface.min_value - 1e-12


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
