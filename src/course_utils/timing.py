"""Time code fairly, and measure how fast a device multiplies matrices.

Timing on a GPU needs care: CUDA runs kernels asynchronously, so a Python timer
stopped right after a call measures only the launch. :func:`measure` waits for
the device before reading the clock, runs a few warm-up calls first (the first
call pays for memory allocation and kernel selection), and reports the median,
which a single slow run (another process, the garbage collector) cannot move.

:func:`matmul_throughput` is the "GPU corner" benchmark: it multiplies two large
square matrices and compares the rate with the device's published peak.

Example:
    >>> import torch
    >>> timing = measure(lambda: torch.ones(8, 8) @ torch.ones(8, 8), repeat=5)
    >>> timing.runs, timing.median > 0
    (5, True)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

__all__ = [
    "Timing",
    "measure",
    "synchronize",
    "PEAK_TFLOPS",
    "published_peak_tflops",
    "matmul_throughput",
]


@dataclass(frozen=True)
class Timing:
    """Seconds per call: median and 95th percentile over ``runs`` calls."""

    median: float
    p95: float
    runs: int

    def __str__(self) -> str:
        return f"{self.median * 1e3:.3f} ms median, {self.p95 * 1e3:.3f} ms p95 ({self.runs} runs)"


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, linearly interpolated.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95)
        4.8
    """
    if not values:
        raise ValueError("percentile of an empty list: expected at least one value")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 12)


def synchronize(device: torch.device | str | None = None) -> None:
    """Wait until ``device`` has finished its queued work (no-op on the CPU)."""
    device = torch.device(device) if device is not None else None
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device is not None and device.type == "mps":
        torch.mps.synchronize()


def measure(
    fn: Callable[[], object],
    repeat: int = 20,
    warmup: int = 2,
    device: torch.device | str | None = None,
) -> Timing:
    """Call ``fn()`` ``warmup`` times, then time ``repeat`` calls one by one.

    Args:
        fn: the code to time, without arguments (wrap it in a ``lambda``).
        repeat: timed calls (at least 1).
        warmup: untimed calls first.
        device: a CUDA/MPS device to wait for before each clock reading.

    Example:
        >>> measure(lambda: sum(range(100)), repeat=3, warmup=0).runs
        3
    """
    if repeat < 1 or warmup < 0:
        raise ValueError(
            f"expected repeat >= 1 and warmup >= 0, got repeat={repeat}, warmup={warmup}"
        )
    for _ in range(warmup):
        fn()
    synchronize(device)
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
    return Timing(statistics.median(seconds), percentile(seconds, 95), repeat)


# Dense (no sparsity) peak TFLOP/s from the vendors' data sheets. float32 is the
# plain FP32 rate (PyTorch does not use TF32 for float32 matmul unless asked);
# bfloat16 is the tensor-core rate with float32 accumulation.
PEAK_TFLOPS: dict[str, dict[torch.dtype, float]] = {
    "H200": {torch.float32: 67.0, torch.bfloat16: 989.0},
    "H100 80GB HBM3": {torch.float32: 67.0, torch.bfloat16: 989.0},  # SXM
    "H100 PCIe": {torch.float32: 51.0, torch.bfloat16: 756.0},
    "A100": {torch.float32: 19.5, torch.bfloat16: 312.0},
    "L4": {torch.float32: 30.3, torch.bfloat16: 121.0},
}


def published_peak_tflops(device_name: str, dtype: torch.dtype) -> float | None:
    """The data-sheet peak for a GPU name such as ``torch.cuda.get_device_name()``.

    Returns ``None`` for a device not in :data:`PEAK_TFLOPS` (then only the
    measured rate is reported).

    Example:
        >>> published_peak_tflops("NVIDIA H100 PCIe", torch.bfloat16)
        756.0
        >>> published_peak_tflops("some laptop CPU", torch.float32) is None
        True
    """
    # The longest matching key wins, so "H100 PCIe" is not read as plain "H100".
    for key in sorted(PEAK_TFLOPS, key=len, reverse=True):
        if key in device_name:
            return PEAK_TFLOPS[key].get(dtype)
    return None


def matmul_throughput(
    device: torch.device | str,
    dtype: torch.dtype = torch.float32,
    size: int = 8192,
    repeat: int = 10,
) -> dict:
    """Multiply two ``size x size`` matrices on ``device`` and report TFLOP/s.

    A product of two n x n matrices takes 2 n^3 floating-point operations
    (n^3 multiplications and as many additions).

    Returns:
        a dict with ``device``, ``dtype``, ``size``, ``seconds`` (median),
        ``tflops``, ``peak_tflops`` (``None`` when unknown) and ``fraction_of_peak``.

    Example:
        >>> result = matmul_throughput("cpu", size=64, repeat=2)
        >>> result["tflops"] > 0, result["peak_tflops"]
        (True, None)
    """
    device = torch.device(device)
    if dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise ValueError(f"dtype must be float32, bfloat16 or float16, got {dtype}")
    if size < 1:
        raise ValueError(f"size must be a positive matrix size, got {size}")
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=generator).to(device=device, dtype=dtype)
    b = torch.randn(size, size, generator=generator).to(device=device, dtype=dtype)
    timing = measure(lambda: a @ b, repeat=repeat, warmup=2, device=device)
    tflops = 2 * size**3 / timing.median / 1e12
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    peak = published_peak_tflops(name, dtype)
    return {
        "device": name,
        "dtype": str(dtype).removeprefix("torch."),
        "size": size,
        "seconds": timing.median,
        "tflops": tflops,
        "peak_tflops": peak,
        "fraction_of_peak": tflops / peak if peak else None,
    }
