"""Two-dimensional test functions for optimizers, and the path an optimizer takes on them.

Each :class:`Surface` is a loss ``f(x, y)`` written with plain arithmetic, so the
same formula works on Python floats, on tensors of any shape (a whole grid at
once, for contour plots) and under autograd. Its gradient is written out by hand
too (the unit tests compare it with autograd): running an optimizer for a few
hundred steps on two numbers is then a matter of milliseconds.

==============  =====================================================================
``rosenbrock``  a curved, narrow valley; minimum 0 at (1, 1)
``beale``       flat plateaus and steep walls; minimum 0 at (3, 0.5)
``quadratic``   an ill-conditioned bowl ``(x**2 + 25 y**2) / 2``; minimum 0 at (0, 0)
``saddle``      ``x**2 / 2 + y**4 / 4 - y**2 / 2``: a saddle at (0, 0) between two
                minima -0.25 at (0, -1) and (0, 1)
==============  =====================================================================

Example:
    >>> surface = SURFACES["rosenbrock"]
    >>> surface.f(1.0, 1.0), surface.grad(1.0, 1.0) == (0.0, 0.0)
    (0.0, True)
    >>> path = optimizer_path(surface, "Adam", lr=0.05, steps=10)
    >>> path.points.shape, path.losses.shape
    (torch.Size([11, 2]), torch.Size([11]))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from .adagrad import Adagrad
from .adam import Adam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Surface",
    "SURFACES",
    "OptimizerPath",
    "PATH_OPTIMIZERS",
    "make_optimizer",
    "optimizer_path",
]


@dataclass(frozen=True)
class Surface:
    """A 2-D loss with its gradient, plotting window, start point and suggested step sizes.

    Attributes:
        name: short name.
        f: ``f(x, y)``, for floats or tensors (broadcasting).
        grad: ``grad(x, y) -> (df/dx, df/dy)``, written by hand.
        xlim, ylim: the window shown in plots.
        start: default start point.
        minima: the global minima ``(x, y)``.
        min_value: the loss at the minima.
        lrs: a learning rate per optimizer of :data:`PATH_OPTIMIZERS` that works
            here in about 200 steps (tuned by hand, from a grid of rates).
        description: one line for captions.
    """

    name: str
    f: Callable
    grad: Callable
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    min_value: float
    lrs: dict[str, float]
    description: str = ""

    def __call__(self, xy: torch.Tensor) -> torch.Tensor:
        """The loss at points ``xy`` of shape (..., 2); differentiable with autograd."""
        if not isinstance(xy, torch.Tensor) or xy.shape[-1:] != (2,):
            shape = (
                tuple(xy.shape) if isinstance(xy, torch.Tensor) else type(xy).__name__
            )
            raise ValueError(
                f"Surface {self.name!r} expects points of shape (..., 2), got {shape}"
            )
        return self.f(xy[..., 0], xy[..., 1])

    def grid(
        self, resolution: int = 200
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``X, Y, Z`` on a ``resolution x resolution`` grid over the window (float64)."""
        xs = torch.linspace(*self.xlim, resolution, dtype=torch.float64)
        ys = torch.linspace(*self.ylim, resolution, dtype=torch.float64)
        X, Y = torch.meshgrid(xs, ys, indexing="xy")
        return X, Y, self.f(X, Y)


# ----------------------------------------------------------------------------- the four surfaces


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))


def _beale(x, y):
    return (
        (1.5 - x + x * y) ** 2
        + (2.25 - x + x * y**2) ** 2
        + (2.625 - x + x * y**3) ** 2
    )


def _beale_grad(x, y):
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y**2
    c = 2.625 - x + x * y**3
    dx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    dy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2
    return (dx, dy)


CONDITION = 25.0  # ratio of the quadratic's largest to smallest curvature


def _quadratic(x, y):
    return (x**2 + CONDITION * y**2) / 2


def _quadratic_grad(x, y):
    return (x, CONDITION * y)


def _saddle(x, y):
    return x**2 / 2 + y**4 / 4 - y**2 / 2


def _saddle_grad(x, y):
    return (x, y**3 - y)


SURFACES: dict[str, Surface] = {
    "rosenbrock": Surface(
        "rosenbrock",
        _rosenbrock,
        _rosenbrock_grad,
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        start=(-1.2, 1.0),
        minima=((1.0, 1.0),),
        min_value=0.0,
        lrs={
            "GD": 2e-3,
            "Momentum": 1e-3,
            "Nesterov": 1e-3,
            "AdaGrad": 0.5,
            "RMSprop": 0.1,
            "Adam": 0.2,
        },
        description="a narrow curved valley",
    ),
    "beale": Surface(
        "beale",
        _beale,
        _beale_grad,
        xlim=(-4.5, 4.5),
        ylim=(-4.5, 4.5),
        start=(1.0, 1.4),
        minima=((3.0, 0.5),),
        min_value=0.0,
        lrs={
            "GD": 0.02,
            "Momentum": 5e-3,
            "Nesterov": 5e-3,
            "AdaGrad": 0.5,
            "RMSprop": 0.05,
            "Adam": 0.1,
        },
        description="plateaus and steep walls",
    ),
    "quadratic": Surface(
        "quadratic",
        _quadratic,
        _quadratic_grad,
        xlim=(-6.0, 6.0),
        ylim=(-3.0, 3.0),
        start=(-5.0, 2.0),
        minima=((0.0, 0.0),),
        min_value=0.0,
        lrs={
            "GD": 0.07,
            "Momentum": 0.02,
            "Nesterov": 0.02,
            "AdaGrad": 0.5,
            "RMSprop": 0.05,
            "Adam": 0.1,
        },
        description=f"an ill-conditioned bowl (condition number {CONDITION:g})",
    ),
    "saddle": Surface(
        "saddle",
        _saddle,
        _saddle_grad,
        xlim=(-2.0, 2.0),
        ylim=(-1.6, 1.6),
        start=(-1.8, 0.01),
        minima=((0.0, -1.0), (0.0, 1.0)),
        min_value=-0.25,
        lrs={
            "GD": 0.05,
            "Momentum": 0.01,
            "Nesterov": 0.01,
            "AdaGrad": 0.2,
            "RMSprop": 0.02,
            "Adam": 0.05,
        },
        description="a saddle point between two minima",
    ),
}


# ----------------------------------------------------------------------------- optimizer paths

#: Optimizers the playground offers: name -> (class, which playground knobs it uses).
PATH_OPTIMIZERS: dict[str, tuple[type, tuple[str, ...]]] = {
    "GD": (SGD, ()),
    "Momentum": (SGD, ("momentum",)),
    "Nesterov": (SGD, ("momentum", "nesterov")),
    "AdaGrad": (Adagrad, ()),
    "RMSprop": (RMSprop, ("alpha",)),
    "Adam": (Adam, ("betas",)),
}


def make_optimizer(
    name: str,
    params,
    lr: float,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    alpha: float = 0.99,
) -> torch.optim.Optimizer:
    """One of :data:`PATH_OPTIMIZERS` by name, built from the playground's few knobs.

    ``momentum`` is used by Momentum and Nesterov, ``beta1`` and ``beta2`` by Adam,
    ``alpha`` by RMSprop; the defaults are PyTorch's.

    Example:
        >>> make_optimizer("Nesterov", [torch.zeros(2)], lr=0.1).defaults["nesterov"]
        True
    """
    if name not in PATH_OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {name!r}: expected one of {', '.join(PATH_OPTIMIZERS)}"
        )
    cls, uses = PATH_OPTIMIZERS[name]
    kwargs: dict = {"lr": lr}
    if "momentum" in uses:
        kwargs["momentum"] = momentum
    if "nesterov" in uses:
        kwargs["nesterov"] = True
    if "alpha" in uses:
        kwargs["alpha"] = alpha
    if "betas" in uses:
        kwargs["betas"] = (beta1, beta2)
    return cls(params, **kwargs)


@dataclass
class OptimizerPath:
    """Where an optimizer went: ``points`` (steps + 1, 2) and ``losses`` (steps + 1,).

    ``diverged`` is True when the path left the window by far or overflowed; the
    path then stops at the last finite point.
    """

    name: str
    points: torch.Tensor
    losses: torch.Tensor
    diverged: bool = False
    settings: dict = field(default_factory=dict)

    @property
    def end(self) -> tuple[float, float]:
        """The last point reached."""
        x, y = self.points[-1].tolist()
        return (x, y)


def optimizer_path(
    surface: Surface | str,
    optimizer: str | type[torch.optim.Optimizer],
    lr: float | None = None,
    steps: int = 200,
    start: tuple[float, float] | None = None,
    **hyper,
) -> OptimizerPath:
    """Run ``optimizer`` for ``steps`` steps on ``surface`` from ``start``; record the path.

    Args:
        surface: a :class:`Surface` or a name from :data:`SURFACES`.
        optimizer: a name from :data:`PATH_OPTIMIZERS` (``hyper`` may set ``momentum``,
            ``beta1``, ``beta2``, ``alpha``), or any optimizer class (``hyper`` goes to
            its constructor).
        lr: learning rate; by default the surface's suggestion for this optimizer.
        steps: number of updates.
        start: start point; by default the surface's.

    The gradient comes from the surface's hand-written formula (no autograd graph),
    and the work is done in float64 on the CPU.
    """
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(
                f"unknown surface {surface!r}: expected one of {', '.join(SURFACES)}"
            )
        surface = SURFACES[surface]
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    x, y = start if start is not None else surface.start
    point = torch.tensor([x, y], dtype=torch.float64)
    if isinstance(optimizer, str):
        if lr is None:
            lr = surface.lrs.get(optimizer, 1e-3)
        opt = make_optimizer(optimizer, [point], lr, **hyper)
        name = optimizer
    else:
        if lr is None:
            raise ValueError("give lr when passing an optimizer class")
        opt = optimizer([point], lr=lr, **hyper)
        name = optimizer.__name__

    # Far outside the window counts as diverged: the path would only run off the plot.
    span = max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
    limit = 100 * span
    xs, ys, losses = [x], [y], [float(surface.f(x, y))]
    point.grad = torch.zeros(2, dtype=torch.float64)
    # NumPy views share memory with the tensors: reading and writing two numbers
    # through them costs far less than tensor indexing.
    point_values, grad_values = point.numpy(), point.grad.numpy()
    # Our optimizers expose their update rule; calling it directly skips the
    # bookkeeping of step() (hooks, profiling), which costs more than the update
    # itself on two numbers. Other optimizers (torch.optim's) go through step().
    update = getattr(opt, "update", None)
    group = opt.param_groups[0]
    diverged = False
    with torch.no_grad():
        for _ in range(steps):
            grad_values[0], grad_values[1] = surface.grad(x, y)
            if update is not None:
                update(point, point.grad, opt.state[point], group)
            else:
                opt.step()
            x, y = float(point_values[0]), float(point_values[1])
            if (
                not (math.isfinite(x) and math.isfinite(y))
                or max(abs(x), abs(y)) > limit
            ):
                diverged = True
                break
            xs.append(x)
            ys.append(y)
            losses.append(float(surface.f(x, y)))
    points = torch.tensor([xs, ys], dtype=torch.float64).T
    settings = {"lr": lr, **hyper}
    losses = torch.tensor(losses, dtype=torch.float64)
    return OptimizerPath(name, points, losses, diverged, settings)
