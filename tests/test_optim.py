"""The from-scratch optimizers against torch.optim: same trajectories, step for step."""

import random
from copy import deepcopy

import pytest
import torch

from course_utils.optim import OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop


def random_hyper(name: str, rng: random.Random) -> dict:
    """Random valid hyper-parameters for optimizer ``name`` (every option exercised)."""
    lr = 10 ** rng.uniform(-3, -0.5)
    decay = rng.choice([0.0, 0.0, 10 ** rng.uniform(-3, -1)])
    if name == "SGD":
        lr = 10 ** rng.uniform(-3, -1.5)  # SGD's step grows with the gradient
        momentum = rng.choice([0.0, rng.uniform(0.1, 0.99)])
        nesterov = momentum > 0 and rng.random() < 0.5
        dampening = 0.0 if nesterov else rng.choice([0.0, rng.uniform(0, 0.9)])
        return dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=decay,
            nesterov=nesterov,
        )
    if name == "Adagrad":
        return dict(
            lr=lr,
            lr_decay=rng.choice([0.0, rng.uniform(0, 0.1)]),
            weight_decay=decay,
            initial_accumulator_value=rng.choice([0.0, rng.uniform(0, 1)]),
            eps=10 ** rng.uniform(-10, -6),
        )
    if name == "RMSprop":
        return dict(
            lr=lr,
            alpha=rng.uniform(0.5, 0.999),
            eps=10 ** rng.uniform(-8, -4),
            weight_decay=decay,
            momentum=rng.choice([0.0, rng.uniform(0.1, 0.95)]),
            centered=rng.random() < 0.5,
        )
    betas = (rng.uniform(0.0, 0.99), rng.uniform(0.5, 0.9999))
    return dict(lr=lr, betas=betas, eps=10 ** rng.uniform(-8, -4), weight_decay=decay)


def random_problem(rng: random.Random, dtype: torch.dtype):
    """Parameters of random shapes and a non-convex loss that couples them.

    Curvatures range over four orders of magnitude; with the learning rates of
    :func:`random_hyper` no trajectory diverges (the tests check that too).
    """
    generator = torch.Generator().manual_seed(rng.randrange(10**6))
    shapes = [(rng.randint(1, 5),), (rng.randint(1, 4), rng.randint(1, 4)), ()]
    params = [torch.randn(s, generator=generator, dtype=dtype) for s in shapes]
    targets = [torch.randn(s, generator=generator, dtype=dtype) for s in shapes]
    scales = [
        10 ** rng.uniform(-2, 2) for _ in shapes
    ]  # gradients of very different sizes

    def loss_fn(ps):
        total = sum(k * ((p - t) ** 2).sum() for k, p, t in zip(scales, ps, targets))
        return total + torch.sin(ps[0].sum() * ps[2]) + 0.01 * (ps[1] ** 4).sum()

    return params, loss_fn


def trajectory(cls, params, loss_fn, hyper, steps, groups=False):
    params = [p.clone().requires_grad_() for p in params]
    if groups:  # two parameter groups, the second with half the learning rate
        groups_ = [
            {"params": params[:2]},
            {"params": params[2:], "lr": hyper["lr"] / 2},
        ]
        optimizer = cls(groups_, **hyper)
    else:
        optimizer = cls(params, **hyper)
    states = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(params).backward()
        optimizer.step()
        states.append(torch.cat([p.detach().flatten() for p in params]))
    return torch.stack(states)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("seed", range(25))
def test_same_trajectory_as_torch(name, seed, dtype):
    rng = random.Random(f"{name}-{seed}")
    hyper = random_hyper(name, rng)
    params, loss_fn = random_problem(rng, dtype)
    ours, theirs = OPTIMIZERS[name]
    steps = rng.randint(5, 40)
    expected = trajectory(theirs, params, loss_fn, hyper, steps)
    assert torch.isfinite(expected).all(), "the random problem should not diverge"
    torch.testing.assert_close(
        trajectory(ours, params, loss_fn, hyper, steps), expected
    )


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_parameter_groups_and_default_arguments(name):
    rng = random.Random(name)
    params, loss_fn = random_problem(rng, torch.float64)
    ours, theirs = OPTIMIZERS[name]
    hyper = {"lr": 0.01}
    torch.testing.assert_close(
        trajectory(ours, params, loss_fn, hyper, 20, groups=True),
        trajectory(theirs, params, loss_fn, hyper, 20, groups=True),
    )
    # Same defaults as torch.optim.
    a, b = ours([torch.zeros(1)]), theirs([torch.zeros(1)])
    for key, value in a.defaults.items():
        assert b.defaults[key] == value, (name, key)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_works_with_lr_schedulers_and_closures(name):
    ours, theirs = OPTIMIZERS[name]
    results = []
    for cls in (ours, theirs):
        w = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
        optimizer = cls([w], lr=0.1)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)

        def closure(w=w, optimizer=optimizer):
            optimizer.zero_grad()
            loss = (w**2).sum() + w.prod()
            loss.backward()
            return loss

        losses = []
        for _ in range(10):
            losses.append(optimizer.step(closure).item())
            scheduler.step()
        results.append((torch.tensor(losses), w.detach().clone()))
    torch.testing.assert_close(results[0], results[1])


def test_parameters_without_gradient_are_left_alone():
    a, b = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    optimizer = Adam([a, b], lr=0.1)
    a.sum().backward()
    optimizer.step()
    assert torch.equal(b, torch.ones(2)) and not torch.equal(a, torch.ones(2))
    assert b not in optimizer.state


def test_state_dict_round_trip_continues_the_same_trajectory():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = Adam([w], lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        (w**2).sum().backward()
        optimizer.step()
    w2 = w.detach().clone().requires_grad_()
    copy = Adam([w2], lr=0.1)
    # deepcopy: as with torch.optim, a state_dict holds references to the live state.
    copy.load_state_dict(deepcopy(optimizer.state_dict()))
    for param, opt in ((w, optimizer), (w2, copy)):
        opt.zero_grad()
        (param**2).sum().backward()
        opt.step()
    torch.testing.assert_close(w, w2)


def test_adamw_decays_decoupled_adam_does_not():
    """With a zero gradient, AdamW still shrinks the weight; Adam's L2 term gets normalised."""
    results = {}
    for cls in (Adam, AdamW):
        w = torch.tensor([10.0], requires_grad=True)
        optimizer = cls([w], lr=0.1, weight_decay=0.1)
        w.grad = torch.zeros(1)
        optimizer.step()
        results[cls.__name__] = w.item()
    assert results["AdamW"] == pytest.approx(10 * (1 - 0.1 * 0.1))
    assert results["Adam"] == pytest.approx(10 - 0.1, abs=1e-5)  # a full lr-sized step


BAD = [
    (SGD, {"lr": -0.1}, r"SGD: lr must be >= 0, got -0\.1"),
    (SGD, {"lr": 0.1, "momentum": 1.0}, r"momentum must be in \[0, 1\), got 1\.0"),
    (SGD, {"lr": 0.1, "momentum": -0.5}, r"momentum must be in \[0, 1\), got -0\.5"),
    (SGD, {"lr": 0.1, "weight_decay": -1}, r"weight_decay must be >= 0, got -1"),
    (SGD, {"lr": 0.1, "nesterov": True}, r"nesterov=True needs momentum > 0"),
    (
        SGD,
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True},
        "dampening = 0",
    ),
    (Adagrad, {"lr": -1e-3}, r"Adagrad: lr must be >= 0, got -0\.001"),
    (Adagrad, {"eps": -1.0}, r"eps must be >= 0, got -1\.0"),
    (Adagrad, {"lr_decay": -0.1}, r"lr_decay must be >= 0"),
    (RMSprop, {"alpha": 1.0}, r"RMSprop: alpha must be in \[0, 1\), got 1\.0"),
    (RMSprop, {"momentum": 1.5}, r"momentum must be in \[0, 1\), got 1\.5"),
    (Adam, {"betas": (1.0, 0.999)}, r"Adam: betas\[0\] must be in \[0, 1\), got 1\.0"),
    (Adam, {"betas": (0.9, -0.1)}, r"betas\[1\] must be in \[0, 1\), got -0\.1"),
    (Adam, {"betas": (0.9, 1.2)}, r"betas\[1\] must be in \[0, 1\), got 1\.2"),
    (Adam, {"lr": float("nan")}, r"lr must be >= 0, got nan"),
    (AdamW, {"lr": -3.0}, r"AdamW: lr must be >= 0, got -3\.0"),
    (AdamW, {"weight_decay": -0.01}, r"AdamW: weight_decay must be >= 0"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD)
def test_bad_hyper_parameters_raise_clear_errors(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([torch.zeros(2, requires_grad=True)], **kwargs)


def test_wrong_types_raise_type_errors():
    w = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(TypeError, match="lr must be a number, got '0.1'"):
        SGD(w, lr="0.1")
    with pytest.raises(
        TypeError, match=r"betas must be a pair \(beta1, beta2\), got 0\.9"
    ):
        Adam(w, betas=0.9)
    with pytest.raises(TypeError, match="momentum must be a number, got True"):
        SGD(w, lr=0.1, momentum=True)
    with pytest.raises(TypeError, match="sparse"):
        param = torch.zeros(3, requires_grad=True)
        optimizer = SGD([param], lr=0.1)
        param.grad = torch.zeros(3).to_sparse()
        optimizer.step()
