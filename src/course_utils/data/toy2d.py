"""Seeded two-class data sets in the plane, like TensorFlow Playground's.

* ``circle``: class 1 inside a disc, class 0 on a ring around it;
* ``xor``: the class is whether x1 and x2 have the same sign;
* ``gauss``: two Gaussian blobs;
* ``spiral``: two interleaved spiral arms.

Points lie roughly in [-1, 1] x [-1, 1]. ``noise`` (0 to 1) moves every point by
Gaussian jitter after its label is fixed, so classes overlap more as it grows.

Example:
    >>> X, y = make_toy2d("xor", n=200, noise=0.1, seed=0)
    >>> tuple(X.shape), tuple(y.shape), X.dtype, y.dtype
    ((200, 2), (200,), torch.float32, torch.int64)
    >>> int(y.sum())  # balanced classes
    100
"""

from __future__ import annotations

import math

import torch

__all__ = ["TOY2D_DATASETS", "make_toy2d"]

#: The names :func:`make_toy2d` knows.
TOY2D_DATASETS = ("circle", "xor", "gauss", "spiral")


def _circle(n0: int, n1: int, g: torch.Generator) -> torch.Tensor:
    def ring(count: int, r_low: float, r_high: float) -> torch.Tensor:
        radius = r_low + (r_high - r_low) * torch.rand(count, generator=g)
        angle = 2 * math.pi * torch.rand(count, generator=g)
        return torch.stack([radius * angle.cos(), radius * angle.sin()], dim=1)

    return torch.cat([ring(n0, 0.7, 1.0), ring(n1, 0.0, 0.5)])


def _xor(n0: int, n1: int, g: torch.Generator) -> torch.Tensor:
    def quadrants(count: int, same_sign: bool) -> torch.Tensor:
        # Keep a margin of 0.05 around the axes, as the Playground does.
        magnitude = 0.05 + 0.95 * torch.rand(count, 2, generator=g)
        sign_x = torch.randint(0, 2, (count,), generator=g) * 2 - 1
        sign_y = sign_x if same_sign else -sign_x
        return magnitude * torch.stack([sign_x, sign_y], dim=1)

    return torch.cat([quadrants(n0, same_sign=False), quadrants(n1, same_sign=True)])


def _gauss(n0: int, n1: int, g: torch.Generator, noise: float) -> torch.Tensor:
    spread = 0.15 + 0.3 * noise  # the blobs themselves widen with the noise
    centre = torch.tensor([0.45, 0.45])
    return torch.cat(
        [
            -centre + spread * torch.randn(n0, 2, generator=g),
            centre + spread * torch.randn(n1, 2, generator=g),
        ]
    )


def _spiral(n0: int, n1: int, g: torch.Generator) -> torch.Tensor:
    def arm(count: int, phase: float) -> torch.Tensor:
        t = torch.rand(count, generator=g)  # position along the arm
        radius = 0.05 + 0.95 * t
        angle = 1.75 * 2 * math.pi * t + phase
        return torch.stack([radius * angle.cos(), radius * angle.sin()], dim=1)

    return torch.cat([arm(n0, math.pi), arm(n1, 0.0)])


def make_toy2d(
    name: str, n: int = 200, noise: float = 0.0, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points (float32, (n, 2)) and labels (int64 0/1, (n,)), half of each class.

    Args:
        name: one of :data:`TOY2D_DATASETS`.
        n: number of points, at least 2.
        noise: 0 (clean) to 1 (classes overlap a lot).
        seed: the same seed gives the same points.
    """
    if name not in TOY2D_DATASETS:
        raise ValueError(
            f"unknown data set {name!r}: expected one of {', '.join(TOY2D_DATASETS)}"
        )
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"make_toy2d: n must be an int >= 2, got {n!r}")
    if (
        isinstance(noise, bool)
        or not isinstance(noise, (int, float))
        or not 0 <= noise <= 1
    ):
        raise ValueError(f"make_toy2d: noise must be a number in [0, 1], got {noise!r}")
    g = torch.Generator().manual_seed(seed)
    n0, n1 = n - n // 2, n // 2
    if name == "circle":
        X = _circle(n0, n1, g)
    elif name == "xor":
        X = _xor(n0, n1, g)
    elif name == "gauss":
        X = _gauss(n0, n1, g, noise)
    else:
        X = _spiral(n0, n1, g)
    if name != "gauss":  # the blobs' noise is their width
        X = X + 0.25 * noise * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)])
    order = torch.randperm(n, generator=g)  # mix the classes
    return X[order].float(), y[order]
