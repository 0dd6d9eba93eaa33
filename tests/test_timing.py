"""Timing helpers and the GPU-corner matmul benchmark, checked with a fake clock.

``measure`` reads ``time.perf_counter`` through the module ``course_utils.timing``;
the tests swap that module's ``time`` for a clock that only moves when the
workload says so, so every expected number is known exactly.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from course_utils import timing
from course_utils.timing import (
    matmul_throughput,
    measure,
    percentile,
    published_peak_tflops,
)


class FakeTime:
    """Stands in for the ``time`` module: ``perf_counter`` moves only on ``advance``."""

    def __init__(self):
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(
        timing, "time", types.SimpleNamespace(perf_counter=fake.perf_counter)
    )
    return fake


@pytest.mark.parametrize("q", [0, 5, 25, 50, 90, 95, 99, 100])
@pytest.mark.parametrize("n", [1, 2, 7, 100, 1001])
def test_percentile_matches_numpy(q, n):
    values = np.random.default_rng(n).lognormal(size=n).tolist()
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


@pytest.mark.parametrize("values, q", [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_rejects_bad_input(values, q):
    with pytest.raises(ValueError, match="empty|between 0 and 100"):
        percentile(values, q)


def test_measure_times_each_call_and_ignores_the_warmup(clock):
    """The warm-up calls take 1000 s each and must not count; the timed calls take
    known durations, so the median and 95th percentile are numpy's of those."""
    durations = np.random.default_rng(0).exponential(size=25).tolist()
    script = iter([1000.0, 1000.0, *durations])
    result = measure(lambda: clock.advance(next(script)), repeat=25, warmup=2)
    assert result.runs == 25
    assert result.median == pytest.approx(float(np.median(durations)))
    assert result.p95 == pytest.approx(float(np.percentile(durations, 95)))
    assert next(script, "done") == "done"  # exactly warmup + repeat calls


def test_one_slow_call_does_not_move_the_median(clock):
    script = iter([0.01] * 10 + [5.0])
    result = measure(lambda: clock.advance(next(script)), repeat=11, warmup=0)
    assert result.median == pytest.approx(0.01)
    assert result.p95 > 0.01


def test_measure_waits_for_the_device_before_reading_the_clock(clock, monkeypatch):
    """On a GPU a call returns before its work is done: the work only shows up in the
    time because ``measure`` synchronizes before each clock reading."""
    queued = []
    synced_devices = []

    def synchronize(device=None):
        synced_devices.append(torch.device(device).type)
        clock.advance(sum(queued))
        queued.clear()

    monkeypatch.setattr(timing, "synchronize", synchronize)
    result = measure(lambda: queued.append(0.25), repeat=4, warmup=1, device="cuda")
    assert result.median == pytest.approx(0.25) and result.p95 == pytest.approx(0.25)
    assert set(synced_devices) == {"cuda"}


@pytest.mark.parametrize("repeat, warmup", [(0, 1), (3, -1)])
def test_measure_rejects_bad_counts(repeat, warmup):
    with pytest.raises(ValueError, match="repeat >= 1"):
        measure(lambda: None, repeat=repeat, warmup=warmup)


@pytest.mark.parametrize(
    "name, dtype, peak",
    [
        ("NVIDIA H100 PCIe", torch.bfloat16, 756.0),
        ("NVIDIA H100 80GB HBM3", torch.float32, 67.0),
        ("NVIDIA H200", torch.bfloat16, 989.0),
        ("NVIDIA A100-SXM4-40GB", torch.float32, 19.5),
        ("Tesla T4", torch.float32, None),
    ],
)
def test_published_peak_lookup(name, dtype, peak):
    assert published_peak_tflops(name, dtype) == peak


@pytest.mark.parametrize("size", [16, 100])
def test_matmul_throughput_counts_the_flops_pytorch_counts(clock, monkeypatch, size):
    """Every product takes exactly 2 s of fake time; the rate must be PyTorch's own
    count of the product's floating-point operations divided by 2 s."""
    a = torch.ones(size, size)
    with FlopCounterMode(display=False) as counter:
        a @ a
    flops = counter.get_total_flops()

    real_measure = timing.measure

    def measure_two_seconds_each(fn, repeat, warmup, device):
        def slow():
            fn()
            clock.advance(2.0)

        return real_measure(slow, repeat=repeat, warmup=warmup, device=device)

    monkeypatch.setattr(timing, "measure", measure_two_seconds_each)
    result = matmul_throughput("cpu", size=size, repeat=3)
    assert result["seconds"] == pytest.approx(2.0)
    assert result["tflops"] == pytest.approx(flops / 2.0 / 1e12)
    assert result["peak_tflops"] is None and result["fraction_of_peak"] is None
    assert (result["device"], result["dtype"], result["size"]) == (
        "cpu",
        "float32",
        size,
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [({"dtype": torch.int32}, "dtype must be"), ({"size": 0}, "size must be")],
)
def test_matmul_throughput_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        matmul_throughput("cpu", **kwargs)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_matmul_throughput_on_cuda_is_below_peak():
    result = matmul_throughput("cuda", dtype=torch.bfloat16, size=4096, repeat=5)
    if result["peak_tflops"] is not None:
        assert 0 < result["fraction_of_peak"] <= 1.0
