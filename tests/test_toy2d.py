"""The seeded 2-D data sets: shapes, balance, reproducibility, the geometry of each, errors."""

import pytest
import torch

from course_utils.data import TOY2D_DATASETS, make_toy2d


@pytest.mark.parametrize("name", TOY2D_DATASETS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_balance_and_seed(name, n):
    X, y = make_toy2d(name, n=n, noise=0.3, seed=4)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == torch.float32 and y.dtype == torch.long
    assert int(y.sum()) == n // 2 and set(y.tolist()) <= {0, 1}
    X2, y2 = make_toy2d(name, n=n, noise=0.3, seed=4)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    X3, _ = make_toy2d(name, n=n, noise=0.3, seed=5)
    assert not torch.equal(X, X3)


def test_clean_data_follow_their_rule():
    X, y = make_toy2d("circle", n=400, noise=0.0)
    radius = X.norm(dim=1)
    assert (radius[y == 1] <= 0.5 + 1e-6).all() and (radius[y == 0] >= 0.7 - 1e-6).all()
    X, y = make_toy2d("xor", n=400, noise=0.0)
    assert torch.equal(((X[:, 0] * X[:, 1]) > 0).long(), y)
    assert X.abs().min() >= 0.05 - 1e-6 and X.abs().max() <= 1.0 + 1e-6
    X, y = make_toy2d("gauss", n=400, noise=0.0)
    assert ((X.sum(dim=1) > 0).long() == y).float().mean() > 0.95
    X, y = make_toy2d("spiral", n=400, noise=0.0)
    assert X.norm(dim=1).max() <= 1.0 + 1e-6


@pytest.mark.parametrize("name", TOY2D_DATASETS)
def test_noise_moves_points(name):
    clean, _ = make_toy2d(name, n=300, noise=0.0)
    noisy, _ = make_toy2d(name, n=300, noise=1.0)
    assert noisy.std() > clean.std()


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="unknown data set 'moons'"):
        make_toy2d("moons")
    with pytest.raises(ValueError, match="n must be an int >= 2, got 1"):
        make_toy2d("xor", n=1)
    with pytest.raises(
        ValueError, match=r"noise must be a number in \[0, 1\], got 1.5"
    ):
        make_toy2d("xor", noise=1.5)
