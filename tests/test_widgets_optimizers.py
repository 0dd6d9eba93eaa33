"""Drive the loss-surface explorer's controls from Python, as a reader would with the mouse."""

import pytest
import torch

from course_utils.optim import PATH_OPTIMIZERS, SURFACES, optimizer_path
from course_utils.widgets import LossSurfaceExplorer


@pytest.fixture(scope="module")
def explorer():
    return LossSurfaceExplorer.demo()


def test_demo_shows_a_picture_and_a_table(explorer):
    assert explorer.view.value[:2] == b"\xff\xd8"  # JPEG
    for name in explorer.selected():
        assert f"<b>{name}</b>" in explorer.table.value


def test_every_checkbox_adds_or_removes_a_path(explorer):
    for name, box in explorer.use.items():
        before = explorer.view.value
        box.value = not box.value
        assert (name in explorer.paths()) == box.value
        assert explorer.view.value != before
        assert (f"<b>{name}</b>" in explorer.table.value) == box.value
        box.value = True


def test_paths_are_the_optimizer_paths_of_the_current_settings(explorer):
    explorer.surface.value = "beale"
    explorer.momentum.value = 0.8
    explorer.beta1.value = 0.85
    explorer.beta2.value = 0.99
    explorer.alpha.value = 0.9
    explorer.steps.value = 120
    explorer.start_x.value = 1.5
    explorer.start_y.value = -1.0
    for name in PATH_OPTIMIZERS:
        explorer.use[name].value = True
        expected = optimizer_path(
            "beale",
            name,
            lr=SURFACES["beale"].lrs[name],
            steps=120,
            start=(1.5, -1.0),
            momentum=0.8,
            beta1=0.85,
            beta2=0.99,
            alpha=0.9,
        )
        got = explorer.paths()[name]
        torch.testing.assert_close(got.points, expected.points)


def test_surface_change_resets_start_lrs_and_slider_ranges(explorer):
    for name, surface in SURFACES.items():
        before = explorer.view.value
        explorer.surface.value = name
        assert (explorer.start_x.value, explorer.start_y.value) == surface.start
        assert (explorer.start_x.min, explorer.start_x.max) == surface.xlim
        assert (explorer.start_y.min, explorer.start_y.max) == surface.ylim
        assert explorer.lrs == surface.lrs
        assert explorer.view.value != before


def test_lr_slider_tunes_the_chosen_optimizer(explorer):
    explorer.surface.value = "quadratic"
    explorer.use["GD"].value = False
    explorer.tune.value = "GD"  # choosing an optimizer to tune also shows it
    assert explorer.use["GD"].value and explorer.lr.value == pytest.approx(0.07)
    explorer.lr.value = 0.1  # above 2 / 25: gradient descent diverges
    assert explorer.lrs["GD"] == pytest.approx(0.1)
    assert explorer.paths()["GD"].diverged and "diverged" in explorer.table.value
    explorer.tune.value = "Adam"
    assert explorer.lr.value == pytest.approx(SURFACES["quadratic"].lrs["Adam"])
    explorer.lr.value = 0.01
    assert explorer.lrs["Adam"] == pytest.approx(0.01) and explorer.lrs[
        "GD"
    ] == pytest.approx(0.1)


def test_every_slider_redraws(explorer):
    explorer.surface.value = "saddle"
    for box in explorer.use.values():
        box.value = True
    for slider, value in [
        (explorer.momentum, 0.5),
        (explorer.beta1, 0.5),
        (explorer.beta2, 0.9),
        (explorer.alpha, 0.8),
        (explorer.start_x, 1.0),
        (explorer.start_y, -0.5),
        (explorer.steps, 50),
    ]:
        before = explorer.view.value
        slider.value = value
        assert explorer.view.value != before, slider.description
    assert all(len(p.points) <= 51 for p in explorer.paths().values())


def test_reset_button_restores_the_surface_defaults(explorer):
    explorer.surface.value = "rosenbrock"
    explorer.tune.value = "Adam"
    explorer.lr.value = 0.001
    explorer.start_x.value = 0.5
    explorer.reset.click()
    assert explorer.lrs == SURFACES["rosenbrock"].lrs
    assert explorer.start_x.value == SURFACES["rosenbrock"].start[0]


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown surface 'himmelblau'"):
        LossSurfaceExplorer(surface="himmelblau")
    with pytest.raises(ValueError, match=r"unknown optimizers \['Lion'\]"):
        LossSurfaceExplorer(optimizers=("Adam", "Lion"))


def test_lines_are_drawn_in_the_coordinates_of_the_surface_shown(explorer):
    """Backgrounds of every surface are stored; the axes must follow the surface shown."""
    for name, surface in SURFACES.items():
        explorer.surface.value = name
        assert explorer._contour_ax.get_xlim() == surface.xlim
        assert explorer._contour_ax.get_ylim() == surface.ylim
