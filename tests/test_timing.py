"""Timing helpers and the GPU-corner matmul benchmark."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.timing import (
    matmul_throughput,
    measure,
    percentile,
    published_peak_tflops,
)


@pytest.mark.parametrize("q", [0, 5, 50, 90, 95, 100])
@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_percentile_matches_numpy(q, n):
    values = torch.rand(n, generator=torch.Generator().manual_seed(n)).tolist()
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


@pytest.mark.parametrize("values, q", [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_rejects_bad_input(values, q):
    with pytest.raises(ValueError, match="empty|between 0 and 100"):
        percentile(values, q)


def test_measure_counts_calls_and_orders_statistics():
    calls = []
    timing = measure(lambda: calls.append(1), repeat=7, warmup=3)
    assert len(calls) == 10 and timing.runs == 7
    assert 0 < timing.median <= timing.p95


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


def test_matmul_throughput_on_cpu_counts_two_n_cubed_flops():
    result = matmul_throughput("cpu", size=128, repeat=3)
    assert result["tflops"] == pytest.approx(2 * 128**3 / result["seconds"] / 1e12)
    assert result["peak_tflops"] is None and result["fraction_of_peak"] is None


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
