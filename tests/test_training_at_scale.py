"""Loss scaling against torch.amp.GradScaler, the LLM schedule against PyTorch's schedulers,
decay groups, gradient accumulation and the memory counters."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from course_utils.amp import GradScaler, autocast_dtypes
from course_utils.inspection import peak_memory, saved_tensor_bytes
from course_utils.models import TinyGPT
from course_utils.optim import (
    decay_parameter_groups,
    warmup_cosine,
    warmup_cosine_scheduler,
)
from course_utils.train import accumulate_gradients, cross_entropy_loss


def _pair(seed):
    torch.manual_seed(seed)
    ours = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))
    theirs = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


@pytest.mark.parametrize("seed", range(6))
def test_grad_scaler_equals_torch_with_overflows(seed):
    ours, theirs = _pair(seed)
    options = dict(init_scale=2.0 ** (8 + seed), growth_factor=2.0, backoff_factor=0.5,
                   growth_interval=3)  # fmt: skip
    scaler, reference = GradScaler(**options), torch.amp.GradScaler("cpu", **options)
    opt_ours = torch.optim.AdamW(ours.parameters(), lr=1e-2)
    opt_theirs = torch.optim.AdamW(theirs.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(seed)
    for step in range(20):
        x = torch.randn(4, 5, generator=generator)
        blow_up = step % 7 == 3  # an overflow now and then: the step is skipped
        for model, s, opt in (
            (ours, scaler, opt_ours),
            (theirs, reference, opt_theirs),
        ):
            opt.zero_grad()
            loss = model(x).pow(2).mean() * (float("inf") if blow_up else 1.0)
            s.scale(loss).backward()
            if step % 2:  # unscale first, as before gradient clipping
                s.unscale_(opt)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            s.step(opt)
            s.update()
        assert scaler.get_scale() == reference.get_scale(), step
        for a, b in zip(ours.parameters(), theirs.parameters()):
            assert torch.allclose(a, b, atol=1e-6), step


def test_grad_scaler_rescues_float16_gradients_from_underflow():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 64))
    x = torch.randn(512, 64)
    # Nearly fitted: per-number gradients 2 r / N of about 1e-7, at float16's lower edge.
    target = net(x).detach() + 1e-3 * torch.randn(512, 64)

    def gradient(scale: float) -> torch.Tensor:
        net.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            out = net(x)
        (nn.functional.mse_loss(out.float(), target) * scale).backward()
        return torch.cat([p.grad.reshape(-1) for p in net.parameters()]) / scale

    net.zero_grad()
    nn.functional.mse_loss(net(x), target).backward()
    exact = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
    plain, scaled = gradient(1.0), gradient(2.0**16)
    assert (
        (scaled == 0).sum() == 0 < (plain == 0).sum()
    )  # lost to underflow, then rescued
    error = [((g - exact).norm() / exact.norm()).item() for g in (plain, scaled)]
    assert error[1] < error[0] / 2, error


def test_grad_scaler_bad_input():
    with pytest.raises(ValueError, match="growth_factor must be > 1"):
        GradScaler(growth_factor=1.0)
    with pytest.raises(ValueError, match="backoff_factor"):
        GradScaler(backoff_factor=1.5)
    scaler = GradScaler()
    with pytest.raises(RuntimeError, match="call step"):
        scaler.update()
    w = nn.Parameter(torch.ones(2, dtype=torch.float16))
    w.grad = torch.ones(2, dtype=torch.float16)
    with pytest.raises(ValueError, match="master weights"):
        scaler.unscale_(torch.optim.SGD([w], lr=1.0))


@pytest.mark.parametrize(
    "warmup, total, ratio", [(1, 10, 0.1), (5, 50, 0.0), (10, 37, 0.3), (0, 20, 0.1)]
)
def test_warmup_cosine_equals_pytorchs_linear_then_cosine(warmup, total, ratio):
    w = nn.Parameter(torch.zeros(1))
    ours = torch.optim.SGD([w], lr=0.5)
    theirs = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.5)
    scheduler = warmup_cosine_scheduler(ours, warmup, total, ratio)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(
        theirs, T_max=total - warmup - 1, eta_min=0.5 * ratio
    )
    if warmup:
        linear = torch.optim.lr_scheduler.LinearLR(
            theirs, start_factor=1 / warmup, total_iters=max(warmup - 1, 1)
        )
        reference = torch.optim.lr_scheduler.SequentialLR(
            theirs, [linear, cosine], [warmup]
        )
    else:
        reference = cosine
    for step in range(total):
        expected = theirs.param_groups[0]["lr"]
        assert math.isclose(
            ours.param_groups[0]["lr"], expected, rel_tol=1e-6, abs_tol=1e-9
        ), step
        assert math.isclose(warmup_cosine(step, warmup, total, ratio) * 0.5, expected,
                            rel_tol=1e-6, abs_tol=1e-9)  # fmt: skip
        ours.step(), theirs.step()
        scheduler.step(), reference.step()


def test_warmup_cosine_bad_input():
    with pytest.raises(ValueError, match="must be less than total_steps"):
        warmup_cosine(0, 10, 10)
    with pytest.raises(ValueError, match="min_ratio"):
        warmup_cosine(0, 1, 10, min_ratio=1.5)
    with pytest.raises(TypeError, match="step must be an int"):
        warmup_cosine(0.5, 1, 10)


def test_decay_groups_split_matrices_from_vectors():
    model = TinyGPT(27, 16, d_model=32, n_head=4, n_layer=2)
    decay, no_decay = decay_parameter_groups(model, 0.1)
    names = {id(p): n for n, p in model.named_parameters()}
    assert all(p.dim() == 2 for p in decay["params"]) and decay["weight_decay"] == 0.1
    assert (
        all(p.dim() == 1 for p in no_decay["params"]) and no_decay["weight_decay"] == 0
    )
    assert any("norm" in names[id(p)] for p in no_decay["params"])
    assert any(names[id(p)].endswith("bias") for p in no_decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(
        list(model.parameters())
    )
    tied = nn.Linear(3, 3)
    assert len(decay_parameter_groups(nn.Sequential(tied, tied))[0]["params"]) == 1
    with pytest.raises(TypeError, match="nn.Module"):
        decay_parameter_groups([nn.Parameter(torch.zeros(2))])


@pytest.mark.parametrize("sizes", [[8], [4, 4], [3, 5], [1, 2, 5], [2, 2, 2, 2]])
def test_accumulated_gradients_equal_the_large_batch_gradient(sizes):
    torch.manual_seed(len(sizes))
    model = TinyGPT(11, 8, d_model=16, n_head=2, n_layer=1)
    x, y = torch.randint(0, 11, (8, 8)), torch.randint(0, 11, (8, 8))
    whole = torch.autograd.grad(
        cross_entropy_loss(model(x), y), list(model.parameters())
    )
    bounds = torch.tensor([0, *sizes]).cumsum(0).tolist()
    pieces = [(x[a:b], y[a:b]) for a, b in zip(bounds, bounds[1:])]
    model.zero_grad()
    loss = accumulate_gradients(model, pieces)
    assert math.isclose(loss, cross_entropy_loss(model(x), y).item(), rel_tol=1e-5)
    for p, g in zip(model.parameters(), whole):
        assert torch.allclose(p.grad, g, atol=1e-6)


def test_accumulate_gradients_bad_input():
    with pytest.raises(ValueError, match="empty"):
        accumulate_gradients(nn.Linear(2, 2), [])
    with pytest.raises(TypeError, match="pair"):
        accumulate_gradients(nn.Linear(2, 2), [torch.zeros(2, 2)])


def test_checkpointing_saves_less_and_gives_the_same_gradients():
    torch.manual_seed(0)
    model = TinyGPT(13, 16, d_model=32, n_head=4, n_layer=3)
    x = torch.randint(0, 13, (4, 16))

    def loss(use_checkpoint: bool) -> torch.Tensor:
        h = model.token_embedding(x) + model.position_embedding(torch.arange(16))
        for block in model.blocks:
            h = (
                checkpoint(block, h, use_reentrant=False)
                if use_checkpoint
                else block(h)
            )
        return model.head(model.norm(h)).logsumexp(-1).mean()

    plain, checkpointed = (
        saved_tensor_bytes(lambda: loss(False)),
        saved_tensor_bytes(lambda: loss(True)),
    )
    assert checkpointed < plain / 3
    grads = [
        torch.autograd.grad(loss(c), list(model.parameters())) for c in (False, True)
    ]
    for a, b in zip(*grads):
        assert torch.allclose(a, b, atol=1e-6)

    def step(use_checkpoint: bool):
        model.zero_grad(set_to_none=True)
        loss(use_checkpoint).backward()

    step(False)  # allocate the gradients once
    peaks = [peak_memory(lambda c=c: step(c)) for c in (False, True)]
    assert 0 < peaks[1] < peaks[0]


def test_memory_counters_bad_input():
    with pytest.raises(TypeError, match="expected a function"):
        saved_tensor_bytes(3)
    with pytest.raises(TypeError, match="expected a function"):
        peak_memory(None)


def _classifier_batch(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    return model, torch.randn(5, 8), torch.tensor([0, 1, 2, 3, 0])


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_autocast_on_the_cpu_keeps_float32_master_weights(dtype):
    model, x, y = _classifier_batch()
    d = autocast_dtypes(model, x, y, "cpu", dtype)
    assert (d.device, d.autocast, d.output) == ("cpu", dtype, dtype)
    assert d.parameters == d.loss == d.gradient == torch.float32
    assert next(model.parameters()).grad is None  # the caller's model is untouched
    assert autocast_dtypes(model, x, y).autocast == torch.bfloat16  # the CPU default


@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA GPU here: autocast on CUDA runs only where one is present "
    "(the notebook's GPU branch runs the same function)",
)
@pytest.mark.parametrize("dtype", [None, torch.float16, torch.bfloat16])
def test_autocast_on_a_cuda_gpu(dtype):
    if dtype == torch.bfloat16 and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16 (e.g. a T4 or a V100)")
    model, x, y = _classifier_batch()
    d = autocast_dtypes(model, x, y, "cuda", dtype)
    expected = dtype or torch.float16  # float16 by default on CUDA
    assert d.device.startswith("cuda") and d.output == expected == d.autocast
    assert d.parameters == d.loss == d.gradient == torch.float32


def test_autocast_dtypes_rejects_bad_input():
    model, x, y = _classifier_batch()
    with pytest.raises(TypeError, match="module must be an nn.Module"):
        autocast_dtypes(lambda t: t, x, y)
    with pytest.raises(TypeError, match="inputs must be a tensor"):
        autocast_dtypes(model, [1.0], y)
    with pytest.raises(ValueError, match="unknown device type"):
        autocast_dtypes(model, x, y, "meta")
    with pytest.raises(ValueError, match="unknown dtype"):
        autocast_dtypes(model, x, y, "cpu", torch.float64)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU is available"):
            autocast_dtypes(model, x, y, "cuda")
